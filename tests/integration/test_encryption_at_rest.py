"""Personal data at rest is encrypted per data subject, and erasure shreds it in earlier copies too (statement §3).

What is claimed (shared/crypto.py): the contact database holds only ciphertext and no keys, so a dump
of it taken before an erasure cannot be read after the erasure with everything that is still live (the
key store and the key-encryption key). A copy of the key store itself opens older dumps only until the
key-encryption key that wrapped it is rotated out.
"""

import base64
import json
import os
import uuid
from typing import Any

import bson
import pytest
from httpx import AsyncClient
from privacyhub.contact.repository import COLLECTION, PERSONAL_FIELDS, ContactMessages
from privacyhub.contact.settings import ContactSettings
from privacyhub.shared.contracts.contact import CONTACT_MESSAGE_RECEIVED, ContactMessageReceived
from privacyhub.shared.contracts.subject import (
    ERASE_SUBJECT_DATA,
    RECTIFY_SUBJECT_DATA,
    EraseSubjectData,
    RectifySubjectData,
)
from privacyhub.shared.crypto import (
    SUBJECT_KEYS,
    FieldCipher,
    KeyEncryptionKeyUnavailable,
    Keyring,
    SubjectKeyDestroyed,
    SubjectKeys,
)
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.register import load_register
from privacyhub.shared.register.check import undeclared_fields
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.contact_store import readable_messages
from tests.support.endpoints import Endpoints
from tests.support.kafka import owner_answer
from tests.support.naming import unique_word
from tests.support.subject_keys import LettingAWriteIn
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("contact_service")]

Dump = dict[str, list[dict[str, Any]]]
ROTATED_KEK = f"rotated-2026:{base64.b64encode(os.urandom(32)).decode()}"


def person_form() -> dict[str, str]:
    tag = unique_word(10)
    return {
        "email": f"versleuteld-{tag}@example.nl",
        "first_name": f"Femke{tag}",
        "last_name": f"Geheim{tag}",
        "message": f"Mijn vraag {tag} over de vacature in Zwolle.",
        "company": f"Bedrijf {tag} B.V.",
        "found_us_via": f"via-{tag}",
    }


async def leave_message(gateway: AsyncClient, db: AsyncDatabase, form: dict[str, str]) -> dict:
    response = await gateway.post("/v1/contact", json=form)
    assert response.status_code == 202, response.text
    reference = response.json()["reference"]
    return await eventually(
        lambda: db[COLLECTION].find_one({"_id": reference, "email": {"$exists": True}}),
        what="the stored contact message",
    )


async def dump(db: AsyncDatabase) -> Dump:
    """Every document of every collection, as a backup would keep them."""
    return {name: await db[name].find().to_list() for name in await db.list_collection_names()}


def key_store(db: AsyncDatabase, settings: ContactSettings) -> AsyncDatabase:
    return db.client[settings.subject_keys_database_name]


async def erase(endpoints: Endpoints, subject_id: str, record_ids: list[str] | None) -> dict:
    """Erase the way a rights request (all) or retention (`record_ids`) does; the contact receipt."""
    command = Envelope[EraseSubjectData](
        type=ERASE_SUBJECT_DATA,
        subject_id=subject_id,
        payload=EraseSubjectData(
            reason="rights_request" if record_ids is None else "retention",
            rule=f"test-{uuid.uuid4().hex[:8]}",
            categories=["contact_messages"],
            record_ids=record_ids,
        ),
    )
    [receipt] = (await owner_answer(endpoints.kafka_bootstrap_servers, "contact", command))[
        "receipts"
    ]
    return receipt


async def test_a_dump_taken_before_erasure_cannot_be_read_after_it(
    gateway: AsyncClient,
    contact_db: AsyncDatabase,
    contact_settings: ContactSettings,
    endpoints: Endpoints,
) -> None:
    form = person_form()
    stored = await leave_message(gateway, contact_db, form)
    subject_id, reference = stored["subject_id"], stored["_id"]
    keys_db = key_store(contact_db, contact_settings)

    data_dump, key_dump = await dump(contact_db), await dump(keys_db)

    raw = "\n".join(
        json.dumps(document, default=repr, ensure_ascii=False)
        + bson.encode(document).decode("latin-1")
        for documents in data_dump.values()
        for document in documents
    )
    for field, value in form.items():
        assert value not in raw, f"{field} is stored in clear"
    assert SUBJECT_KEYS not in data_dump, "the data database holds keys"
    keyring = Keyring.from_settings(contact_settings)
    [dumped] = [d for d in data_dump[COLLECTION] if d["_id"] == reference]
    opened = await FieldCipher(SubjectKeys(keys_db, keyring), PERSONAL_FIELDS).decrypt(
        subject_id, dumped
    )
    assert {field: opened[field] for field in form} == form  # the dump is real, and readable today

    receipt = await erase(endpoints, subject_id, record_ids=None)

    assert receipt["erased"] == 1
    assert await contact_db[COLLECTION].find_one({"_id": reference}) is None
    assert await keys_db[SUBJECT_KEYS].find_one({"_id": subject_id}) is None
    live = FieldCipher(SubjectKeys(keys_db, keyring), PERSONAL_FIELDS)
    with pytest.raises(SubjectKeyDestroyed):
        await live.decrypt(subject_id, dumped)
    # The limit of the claim: a copy of the key store opens the dump until its KEK is retired.
    [dumped_key] = [k for k in key_dump[SUBJECT_KEYS] if k["_id"] == subject_id]
    assert keyring.unwrap(dumped_key)
    with pytest.raises(KeyEncryptionKeyUnavailable):
        Keyring.parse(ROTATED_KEK).unwrap(dumped_key)


async def test_erasing_one_reference_keeps_the_key_and_erasing_the_last_destroys_it(
    gateway: AsyncClient,
    contact_db: AsyncDatabase,
    contact_settings: ContactSettings,
    endpoints: Endpoints,
) -> None:
    form = person_form()
    first = await leave_message(gateway, contact_db, form)
    second = await leave_message(gateway, contact_db, {**form, "message": "Nog een vraag."})
    subject_id = first["subject_id"]
    keys_db = key_store(contact_db, contact_settings)

    receipt = await erase(endpoints, subject_id, record_ids=[first["_id"]])

    assert receipt["erased"] == 1
    assert await keys_db[SUBJECT_KEYS].find_one({"_id": subject_id})
    remaining = await readable_messages(contact_db, contact_settings).get(second["_id"])
    assert remaining["message"] == "Nog een vraag." and remaining["email"] == form["email"]

    await erase(endpoints, subject_id, record_ids=[second["_id"]])

    assert await keys_db[SUBJECT_KEYS].find_one({"_id": subject_id}) is None


async def test_a_new_email_address_moves_the_messages_under_the_new_subjects_key(
    gateway: AsyncClient,
    contact_db: AsyncDatabase,
    contact_settings: ContactSettings,
    endpoints: Endpoints,
) -> None:
    form = person_form()
    stored = await leave_message(gateway, contact_db, form)
    old_subject, new_subject = stored["subject_id"], f"subject-rekeyed-{uuid.uuid4().hex[:8]}"
    new_email = f"nieuw-{unique_word(8)}@example.nl"
    keys_db = key_store(contact_db, contact_settings)

    answer = await owner_answer(
        endpoints.kafka_bootstrap_servers,
        "contact",
        Envelope[RectifySubjectData](
            type=RECTIFY_SUBJECT_DATA,
            subject_id=old_subject,
            payload=RectifySubjectData(
                request_id=f"RR-{uuid.uuid4().hex[:8]}",
                corrections={"email": new_email},
                new_subject_id=new_subject,
            ),
        ),
    )

    assert answer["changes"][0]["affected"] == 1
    rectified = await readable_messages(contact_db, contact_settings).get(stored["_id"])
    assert rectified["subject_id"] == new_subject and rectified["email"] == new_email
    assert rectified["message"] == form["message"] and rectified["last_name"] == form["last_name"]
    assert await keys_db[SUBJECT_KEYS].find_one({"_id": new_subject})
    assert await keys_db[SUBJECT_KEYS].find_one({"_id": old_subject}) is None


async def test_rotation_rewraps_every_key_and_the_old_kek_can_then_be_retired(
    endpoints: Endpoints, contact_db: AsyncDatabase, contact_settings: ContactSettings
) -> None:
    scratch = contact_db.client[f"{contact_settings.subject_keys_database_name}_rotation"]
    old = contact_settings.key_encryption_keys.get_secret_value()
    try:
        before = SubjectKeys(scratch, Keyring.parse(old))
        sealed = {
            subject: await FieldCipher(before, ["email"]).encrypt(subject, {"email": subject})
            for subject in ("subject-rotation-a", "subject-rotation-b")
        }
        copy_before_rotation = await dump(scratch)

        rotating = SubjectKeys(scratch, Keyring.parse(f"{ROTATED_KEK},{old}"))
        assert await rotating.rewrap_all() == 2

        after = SubjectKeys(scratch, Keyring.parse(ROTATED_KEK))
        for subject, document in sealed.items():
            assert await FieldCipher(after, ["email"]).decrypt(subject, document) == {
                "email": subject
            }
        for key in copy_before_rotation[SUBJECT_KEYS]:
            with pytest.raises(KeyEncryptionKeyUnavailable):
                Keyring.parse(ROTATED_KEK).unwrap(key)
    finally:
        await contact_db.client.drop_database(scratch.name)


async def test_the_key_store_holds_only_what_the_register_declares(
    gateway: AsyncClient, contact_db: AsyncDatabase, contact_settings: ContactSettings
) -> None:
    await leave_message(gateway, contact_db, person_form())
    keys_db = key_store(contact_db, contact_settings)

    register = load_register()

    assert await keys_db[SUBJECT_KEYS].find().to_list()
    for name in await keys_db.list_collection_names():
        documents = await keys_db[name].find().to_list()
        assert undeclared_fields(register, "contact", name, documents) == set()


def message_of(subject_id: str, form: dict[str, str]) -> Envelope[ContactMessageReceived]:
    """A new message of the subject as the contact service consumes it."""
    return Envelope[ContactMessageReceived](
        type=CONTACT_MESSAGE_RECEIVED,
        subject_id=subject_id,
        payload=ContactMessageReceived(reference=f"CT-{uuid.uuid4().hex[:12].upper()}", **form),
    )


def sealed_under(document: dict[str, Any]) -> set[bytes]:
    """The ids of the keys the document's personal fields are sealed with."""
    return {bytes(document[field][1:17]) for field in PERSONAL_FIELDS if field in document}


async def test_a_message_sealed_with_a_key_another_copy_destroyed_is_sealed_again_under_a_new_one(
    gateway: AsyncClient,
    contact_db: AsyncDatabase,
    contact_settings: ContactSettings,
    endpoints: Endpoints,
) -> None:
    form = person_form()
    subject_id = (await leave_message(gateway, contact_db, form))["subject_id"]
    keys_db = key_store(contact_db, contact_settings)
    # A second copy of the service: its cache keeps the key after the running service erased it.
    lagging = SubjectKeys(keys_db, Keyring.from_settings(contact_settings))
    destroyed = await lagging.key_for(subject_id)
    await erase(endpoints, subject_id, record_ids=None)
    assert await keys_db[SUBJECT_KEYS].find_one({"_id": subject_id}) is None

    later = message_of(subject_id, {**form, "message": "Nog een vraag, na het wissen."})
    stored = await ContactMessages(contact_db, lagging).store(later)

    assert stored is not None and stored["message"] == "Nog een vraag, na het wissen."
    raw = await contact_db[COLLECTION].find_one({"_id": later.payload.reference})
    live = await keys_db[SUBJECT_KEYS].find_one({"_id": subject_id})
    assert sealed_under(raw) == {bytes(live["key_id"])} != {destroyed.key_id}
    reread = await readable_messages(contact_db, contact_settings).get(later.payload.reference)
    assert reread["message"] == "Nog een vraag, na het wissen." and reread["email"] == form["email"]


async def test_a_message_landing_between_the_erasures_check_and_the_key_destruction_keeps_the_key(
    gateway: AsyncClient, contact_db: AsyncDatabase, contact_settings: ContactSettings
) -> None:
    form = person_form()
    first = await leave_message(gateway, contact_db, form)
    subject_id = first["subject_id"]
    keys_db, keyring = (
        key_store(contact_db, contact_settings),
        Keyring.from_settings(contact_settings),
    )
    writer = ContactMessages(contact_db, SubjectKeys(keys_db, keyring))
    later = message_of(subject_id, {**form, "message": "Een vraag tijdens het wissen."})
    erasing = LettingAWriteIn(keys_db, keyring, lambda: writer.store(later))

    erased, held = await ContactMessages(contact_db, erasing).erase(subject_id)

    assert (erased, held) == (1, [])
    assert erasing.looks == 2  # the landed message's confirmation made the erasure look again
    assert await contact_db[COLLECTION].find_one({"_id": first["_id"]}) is None
    live = await keys_db[SUBJECT_KEYS].find_one({"_id": subject_id})
    assert live is not None and "destroying" not in live
    raw = await contact_db[COLLECTION].find_one({"_id": later.payload.reference})
    assert sealed_under(raw) == {bytes(live["key_id"])}
    reread = await readable_messages(contact_db, contact_settings).get(later.payload.reference)
    assert reread["message"] == "Een vraag tijdens het wissen."


async def test_a_message_whose_key_is_gone_reads_as_erased(
    gateway: AsyncClient, contact_db: AsyncDatabase, contact_settings: ContactSettings
) -> None:
    stored = await leave_message(gateway, contact_db, person_form())
    keys_db = key_store(contact_db, contact_settings)
    # Destroyed under the message, as an erasure racing a write could before writes confirmed.
    await SubjectKeys(keys_db, Keyring.from_settings(contact_settings)).destroy(
        stored["subject_id"]
    )
    messages = readable_messages(contact_db, contact_settings)

    assert await messages.get(stored["_id"]) is None
    assert await messages.of_subject(stored["subject_id"]) == []
