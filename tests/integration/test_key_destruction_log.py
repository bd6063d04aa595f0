"""A batch of writes confirms its keys only when a destruction could have met it (shared/crypto.py).

The key store's destruction log counts the destructions started and lists those in progress. A writer
that reads it quiet before its write and the same after it skips the confirmations of the keys it
trusts; every way a destruction can still meet the write makes it confirm, and seal again what landed
under a destroyed key. Two `SubjectKeys` on one key store stand for two copies of a service.
"""

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from privacyhub.contact.settings import ContactSettings
from privacyhub.shared.crypto import (
    DESTRUCTION_LOG,
    KEY_DESTRUCTIONS,
    STALE_DESTRUCTION,
    SUBJECT_KEYS,
    FieldCipher,
    Keyring,
    SubjectKeys,
)
from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.database import AsyncDatabase

pytestmark = pytest.mark.integration

NOTES = "notes"
FIELDS = ("email",)


class KeyStoreUpdates(monitoring.CommandListener):
    """The `update` commands sent to the key store's `subject_keys` (confirmations), and the
    reads of its destruction log."""

    def __init__(self) -> None:
        self.count = 0
        self.log_reads = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "update" and event.command.get("update") == SUBJECT_KEYS:
            self.count += 1
        if event.command_name == "find" and event.command.get("find") == KEY_DESTRUCTIONS:
            self.log_reads += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
async def scratch(contact_db: AsyncDatabase) -> AsyncIterator[AsyncDatabase]:
    """A data database and its key store of their own, so no running service touches the log."""
    name = f"key_log_{uuid.uuid4().hex[:12]}"
    yield contact_db.client[name]
    await contact_db.client.drop_database(name)
    await contact_db.client.drop_database(f"{name}_keys")


def copy_of_service(db: AsyncDatabase, settings: ContactSettings) -> SubjectKeys:
    return SubjectKeys(db.client[f"{db.name}_keys"], Keyring.from_settings(settings))


@pytest.fixture
def two_copies(
    scratch: AsyncDatabase, contact_settings: ContactSettings
) -> tuple[SubjectKeys, SubjectKeys]:
    """A copy of the service that writes and one that erases, on the scratch key store."""
    return copy_of_service(scratch, contact_settings), copy_of_service(scratch, contact_settings)


async def store(
    keys: SubjectKeys, db: AsyncDatabase, subject_id: str, *, before: Any = None
) -> str:
    """Store one note of the subject as a batch writer does; `before` runs just before it lands."""
    reference = uuid.uuid4().hex

    async def insert(sealed: list[dict[str, Any]]) -> None:
        if before is not None:
            await before()
        await db[NOTES].insert_many(sealed)

    note = {"_id": reference, "subject_id": subject_id, "email": f"{reference}@example.nl"}
    await FieldCipher(keys, FIELDS).store_all(
        [(subject_id, note)], write=insert, collection=db[NOTES]
    )
    return reference


async def readable(keys: SubjectKeys, db: AsyncDatabase, reference: str) -> dict[str, Any] | None:
    stored = await db[NOTES].find_one({"_id": reference})
    assert stored is not None
    return await FieldCipher(keys, FIELDS).decrypt_unless_shredded(stored["subject_id"], stored)


async def assert_readable(keys: SubjectKeys, db: AsyncDatabase, reference: str) -> None:
    """The note reads as it was stored: not sealed under a destroyed key."""
    note = await readable(keys, db, reference)
    assert note is not None and note["email"] == f"{reference}@example.nl"


async def erase(keys: SubjectKeys, db: AsyncDatabase, subject_id: str) -> bool:
    """An erasure on a copy: the subject's notes deleted, then the key destroyed unless in use."""
    await db[NOTES].delete_many({"subject_id": subject_id})

    async def in_use() -> bool:
        return await db[NOTES].find_one({"subject_id": subject_id}) is not None

    return await keys.destroy_when_unused(subject_id, in_use)


async def test_a_quiet_batch_confirms_no_trusted_key_and_one_after_a_destruction_confirms_again(
    scratch: AsyncDatabase, contact_settings: ContactSettings
) -> None:
    updates = KeyStoreUpdates()
    client: AsyncMongoClient = AsyncMongoClient(
        contact_settings.mongodb_url, event_listeners=[updates]
    )
    try:
        writer = copy_of_service(client[scratch.name], contact_settings)
        other = copy_of_service(scratch, contact_settings)
        subject_id, someone_else = f"s-{uuid.uuid4().hex}", f"s-{uuid.uuid4().hex}"

        await store(writer, scratch, subject_id)
        await store(writer, scratch, subject_id)
        assert updates.count == 0, "a key made or read after a quiet log read was confirmed"
        # The read after one write is the read before the next.
        assert updates.log_reads == 3, "the destruction log was not read once per write"

        await store(other, scratch, someone_else)
        assert await erase(other, scratch, someone_else)
        await store(writer, scratch, subject_id)
        assert updates.count == 1, "a key cached before a destruction was not confirmed"

        await store(writer, scratch, subject_id)
        assert updates.count == 1, "a key confirmed after a quiet log read was confirmed again"
    finally:
        await client.close()


async def test_a_key_another_copy_destroyed_since_this_copy_trusted_it_is_not_written_under(
    scratch: AsyncDatabase, two_copies: tuple[SubjectKeys, SubjectKeys]
) -> None:
    writer, eraser = two_copies
    subject_id = f"s-{uuid.uuid4().hex}"
    await store(writer, scratch, subject_id)  # the writer now trusts the subject's key
    assert await erase(eraser, scratch, subject_id)

    later = await store(writer, scratch, subject_id)

    await assert_readable(eraser, scratch, later)


async def test_a_destruction_that_looked_before_the_write_landed_makes_the_writer_confirm(
    scratch: AsyncDatabase, two_copies: tuple[SubjectKeys, SubjectKeys]
) -> None:
    writer, eraser = two_copies
    subject_id = f"s-{uuid.uuid4().hex}"
    await store(writer, scratch, subject_id)
    destroyed = []

    async def erased_meanwhile() -> None:  # after the writer's first read of the log
        destroyed.append(await erase(eraser, scratch, subject_id))

    later = await store(writer, scratch, subject_id, before=erased_meanwhile)

    assert destroyed == [True]
    await assert_readable(eraser, scratch, later)


async def test_a_destruction_whose_process_died_is_ended_after_a_while_and_its_mark_taken_off(
    scratch: AsyncDatabase, contact_settings: ContactSettings
) -> None:
    keys = copy_of_service(scratch, contact_settings)
    subject_id, busy = f"s-{uuid.uuid4().hex}", f"s-{uuid.uuid4().hex}"
    reference = await store(keys, scratch, subject_id)
    key_store = scratch.client[f"{scratch.name}_keys"]
    dead = {
        "mark": "d" * 32,
        "subject_id": subject_id,
        "since": time.time() - 2 * STALE_DESTRUCTION.total_seconds(),
    }
    running = {"mark": "r" * 32, "subject_id": busy, "since": time.time()}
    await key_store[SUBJECT_KEYS].update_one(
        {"_id": subject_id}, {"$set": {"destroying": dead["mark"]}}
    )
    for destruction in (dead, running):
        await key_store[KEY_DESTRUCTIONS].update_one(
            {"_id": DESTRUCTION_LOG},
            {"$inc": {"started": 1}, "$push": {"in_progress": destruction}},
            upsert=True,
        )

    assert not (await keys.destructions()).quiet
    log = await key_store[KEY_DESTRUCTIONS].find_one({"_id": DESTRUCTION_LOG})
    assert [d["mark"] for d in log["in_progress"]] == [running["mark"]]
    key = await key_store[SUBJECT_KEYS].find_one({"_id": subject_id})
    assert key is not None and "destroying" not in key
    assert not (await keys.destructions()).quiet, "a destruction still running was ended"

    await key_store[KEY_DESTRUCTIONS].update_one(
        {"_id": DESTRUCTION_LOG}, {"$pull": {"in_progress": running}}
    )
    assert (await keys.destructions()).quiet
    assert await readable(keys, scratch, reference) is not None
