"""Per-subject envelope encryption (shared/crypto.py): round trips, binding, tampering, rotation, shredding.

The key store here is an in-memory stand-in for one collection; tests/integration/test_encryption_at_rest.py
runs the same code on a real MongoDB-protocol server.
"""

import base64
import os
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from privacyhub.contact.settings import ContactSettings
from privacyhub.shared.crypto import (
    KEY_DESTRUCTIONS,
    SUBJECT_KEYS,
    FieldCipher,
    KeyEncryptionKeyUnavailable,
    Keyring,
    SubjectKeyDestroyed,
    SubjectKeys,
    UndecryptableValue,
)
from pymongo.errors import DuplicateKeyError

FIELDS = ("email", "message")
DOCUMENT = {"_id": "CT-1", "email": "anna@example.nl", "message": "Hallo", "status": "open"}


class DestructionLog:
    """The key store's destruction log: one document, updated with `$inc`, `$push` and `$pull`."""

    def __init__(self) -> None:
        self.document: dict[str, Any] = {}

    async def find_one(self, selection: dict[str, Any]) -> dict[str, Any] | None:
        return dict(self.document) or None

    async def update_one(
        self, selection: dict[str, Any], update: dict[str, Any], upsert: bool = False
    ) -> None:
        for name, step in update.get("$inc", {}).items():
            self.document[name] = self.document.get(name, 0) + step
        for name, value in update.get("$push", {}).items():
            self.document.setdefault(name, []).append(value)
        for name, value in update.get("$pull", {}).items():
            self.document[name] = [item for item in self.document.get(name, []) if item != value]


class KeyCollection:
    """The few collection operations SubjectKeys uses, over a dict."""

    def __init__(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}
        self.destruction_log = DestructionLog()  # beside it in the key store

    async def find_one(self, selection: dict[str, Any]) -> dict[str, Any] | None:
        document = self.documents.get(selection["_id"])
        return dict(document) if document else None

    async def insert_one(self, document: dict[str, Any]) -> None:
        if document["_id"] in self.documents:
            raise DuplicateKeyError("duplicate")
        self.documents[document["_id"]] = dict(document)

    async def delete_one(self, selection: dict[str, Any]) -> SimpleNamespace:
        return SimpleNamespace(deleted_count=int(bool(self.documents.pop(selection["_id"], None))))

    async def find(self, selection: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        for document in list(self.documents.values()):
            if document["kek_id"] != selection["kek_id"]["$ne"]:
                yield dict(document)

    async def update_one(
        self, selection: dict[str, Any], update: dict[str, Any]
    ) -> SimpleNamespace:
        document = self.documents.get(selection["_id"])
        if document is None or document["kek_id"] != selection["kek_id"]:
            return SimpleNamespace(modified_count=0)
        document.update(update["$set"])
        return SimpleNamespace(modified_count=1)


def kek(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


def store(keys: str, collection: KeyCollection | None = None) -> tuple[SubjectKeys, KeyCollection]:
    collection = collection or KeyCollection()
    stores = {SUBJECT_KEYS: collection, KEY_DESTRUCTIONS: collection.destruction_log}
    return SubjectKeys(stores, Keyring.parse(keys)), collection


async def test_fields_round_trip_and_only_the_chosen_fields_are_sealed() -> None:
    keys, _ = store(kek("k1"))
    cipher = FieldCipher(keys, FIELDS)

    sealed = await cipher.encrypt("subject-a", DOCUMENT)

    assert isinstance(sealed["email"], bytes) and b"anna" not in sealed["email"]
    assert sealed["status"] == "open" and sealed["_id"] == "CT-1"
    assert await cipher.decrypt("subject-a", sealed) == DOCUMENT


async def test_a_value_does_not_open_for_another_subject_or_under_another_field() -> None:
    keys, _ = store(kek("k1"))
    cipher = FieldCipher(keys, FIELDS)
    sealed = await cipher.encrypt("subject-a", DOCUMENT)
    await cipher.encrypt("subject-b", DOCUMENT)

    with pytest.raises(SubjectKeyDestroyed):  # subject-b's key has another key id
        await cipher.decrypt("subject-b", sealed)
    with pytest.raises(UndecryptableValue):
        await cipher.decrypt("subject-a", {**sealed, "message": sealed["email"]})


async def test_a_tampered_value_or_wrapped_key_fails_authentication() -> None:
    configured = kek("k1")
    keys, collection = store(configured)
    cipher = FieldCipher(keys, FIELDS)
    sealed = await cipher.encrypt("subject-a", DOCUMENT)
    flipped = bytearray(sealed["email"])
    flipped[-1] ^= 1

    with pytest.raises(UndecryptableValue):
        await cipher.decrypt("subject-a", {**sealed, "email": bytes(flipped)})

    wrapped = bytearray(collection.documents["subject-a"]["wrapped_key"])
    wrapped[-1] ^= 1
    collection.documents["subject-a"]["wrapped_key"] = bytes(wrapped)
    cold, _ = store(configured, collection)  # an empty cache: the key is unwrapped again
    with pytest.raises(UndecryptableValue):
        await FieldCipher(cold, FIELDS).decrypt("subject-a", sealed)


async def test_rotation_rewraps_with_the_new_key_and_old_data_stays_readable() -> None:
    old, new = kek("2025"), kek("2026")
    keys, collection = store(old)
    sealed = await FieldCipher(keys, FIELDS).encrypt("subject-a", DOCUMENT)

    rotating, _ = store(f"{new},{old}", collection)
    assert await rotating.rewrap_all() == 1
    assert await rotating.rewrap_all() == 0

    assert collection.documents["subject-a"]["kek_id"] == "2026"
    retired, _ = store(new, collection)
    assert await FieldCipher(retired, FIELDS).decrypt("subject-a", sealed) == DOCUMENT
    with pytest.raises(KeyEncryptionKeyUnavailable):
        await store(old, collection)[0].existing_key("subject-a")


async def test_a_destroyed_key_makes_the_values_unreadable_even_after_a_new_key_is_made() -> None:
    keys, collection = store(kek("k1"))
    cipher = FieldCipher(keys, FIELDS)
    sealed = await cipher.encrypt("subject-a", DOCUMENT)

    assert await keys.destroy("subject-a") is True

    assert "subject-a" not in collection.documents
    with pytest.raises(SubjectKeyDestroyed):
        await cipher.decrypt("subject-a", sealed)
    await cipher.encrypt("subject-a", DOCUMENT)  # the subject writes again: a fresh key
    with pytest.raises(SubjectKeyDestroyed):
        await cipher.decrypt("subject-a", sealed)


def test_the_development_default_parses_and_a_secret_file_replaces_it(tmp_path: Path) -> None:
    assert Keyring.from_settings(ContactSettings()).current.id == "development-only"
    secret_file = tmp_path / "keks"
    secret_file.write_text(f"{kek('prod-2026')}\n")

    keyring = Keyring.from_settings(ContactSettings(key_encryption_keys_file=secret_file))

    assert keyring.current.id == "prod-2026"
    assert repr(keyring.current) == "KeyEncryptionKey(id='prod-2026')"


def test_the_keyring_refuses_short_keys_duplicate_ids_and_a_missing_id() -> None:
    short = base64.b64encode(os.urandom(16)).decode()
    with pytest.raises(ValueError, match="256 bits"):
        Keyring.parse(f"k1:{short}")
    with pytest.raises(ValueError, match="unique"):
        Keyring.parse(f"{kek('k1')},{kek('k1')}")
    with pytest.raises(ValueError, match="id:base64key"):
        Keyring.parse(base64.b64encode(os.urandom(32)).decode())


async def test_bytes_are_sealed_as_they_are_and_json_stays_json() -> None:
    keys, _ = store(kek("k1"))
    cipher = FieldCipher(keys, ("data", "email"))
    chunk = b"PK\x03\x04" + os.urandom(64)

    sealed = await cipher.encrypt("subject-a", {"data": chunk, "email": "anna@example.nl"})

    assert chunk not in sealed["data"] and sealed["data"][:1] != sealed["email"][:1]
    assert cipher.key_id_of(sealed) == (await keys.key_for("subject-a")).key_id
    opened = await cipher.decrypt("subject-a", sealed)
    assert opened == {"data": chunk, "email": "anna@example.nl"}
    assert isinstance(opened["data"], bytes)


async def test_a_reader_with_a_destroyed_key_cached_opens_values_under_the_new_key() -> None:
    configured = kek("k1")
    writer, collection = store(configured)
    reader, _ = store(configured, collection)
    await FieldCipher(reader, FIELDS).encrypt("subject-a", DOCUMENT)  # the reader caches key 1
    await writer.destroy("subject-a")

    sealed = await FieldCipher(writer, FIELDS).encrypt("subject-a", DOCUMENT)  # under key 2

    assert await FieldCipher(reader, FIELDS).decrypt("subject-a", sealed) == DOCUMENT


async def test_a_value_whose_key_is_gone_reads_as_erased() -> None:
    keys, _ = store(kek("k1"))
    cipher = FieldCipher(keys, FIELDS)
    sealed = await cipher.encrypt("subject-a", DOCUMENT)
    await keys.destroy("subject-a")

    assert await cipher.decrypt_unless_shredded("subject-a", sealed) is None
    assert cipher.without_sealed(sealed) == {"_id": "CT-1", "status": "open"}
