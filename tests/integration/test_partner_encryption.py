"""The reference support-partner tool keeps the questions it is given encrypted per data subject, as
the contact service does (shared/crypto.py), on real Kafka and MongoDB-protocol servers: its database
holds neither the address nor the words of a question in clear, and no keys; the requester's access
package still holds the partner's copy in clear; an erasure deletes the copy and destroys the
subject's key, so a dump taken before it cannot be read; a new address re-keys the copy.
"""

import io
import json
import random
import string
import uuid
import zipfile
from typing import Any

import bson
import pytest
from httpx import AsyncClient
from privacyhub.partner.questions import COLLECTION as SHARED_QUESTIONS
from privacyhub.partner.questions import PERSONAL_FIELDS, SharedQuestions
from privacyhub.partner.settings import PartnerSettings
from privacyhub.shared.contracts.partner import RECTIFY_SHARED_RECORDS, RectifySharedRecords
from privacyhub.shared.crypto import (
    SUBJECT_KEYS,
    FieldCipher,
    Keyring,
    SubjectKeyDestroyed,
    SubjectKeys,
)
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.topics import PARTNER_RESULTS, PARTNER_SUPPORT
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.endpoints import Endpoints
from tests.support.kafka import collect_until, publish_all
from tests.support.mailbox import Mailbox
from tests.support.naming import unique_word
from tests.support.people import Person
from tests.support.rights import approve, completed, download, file_verified_request
from tests.support.waiting import eventually

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("requests_service", "contact_service", "consent_service"),
]


def question_of(person: Person) -> str:
    """A question only this test asks, naming the person (so the name travels to the partner);
    its tag has no digits, which the contact form might take for a number it refuses."""
    tag = "".join(random.choices(string.ascii_lowercase, k=12))
    return f"Vraag {tag} over de vacature. Groet, {person.first_name} {person.last_name}"


async def share_question(
    gateway: AsyncClient, partner_db: AsyncDatabase, person: Person, question: str
) -> dict[str, Any]:
    """Leave a contact message and return the partner's copy of it, as stored."""
    form = {
        "email": person.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "message": question,
    }
    response = await gateway.post("/v1/contact", json=form)
    assert response.status_code == 202, response.text
    reference = response.json()["reference"]
    return await eventually(
        lambda: partner_db[SHARED_QUESTIONS].find_one({"_id": reference}),
        what="the partner's copy",
    )


def key_store(partner_db: AsyncDatabase, settings: PartnerSettings) -> AsyncDatabase:
    return partner_db.client[settings.subject_keys_database_name]


def live_cipher(partner_db: AsyncDatabase, settings: PartnerSettings) -> FieldCipher:
    """The partner's cipher as a new copy of the tool would hold it: the key store and its KEK."""
    keys = SubjectKeys(key_store(partner_db, settings), Keyring.from_settings(settings))
    return FieldCipher(keys, PERSONAL_FIELDS)


async def raw_dump(db: AsyncDatabase) -> str:
    """Every document of every collection, as JSON and as the BSON a backup would hold."""
    documents = [
        document for name in await db.list_collection_names() async for document in db[name].find()
    ]
    return "\n".join(
        json.dumps(document, default=repr, ensure_ascii=False)
        + bson.encode(document).decode("latin-1")
        for document in documents
    )


async def test_the_partner_keeps_no_shared_question_in_clear_and_no_keys(
    gateway: AsyncClient, partner_db: AsyncDatabase, partner_settings: PartnerSettings
) -> None:
    person = Person()
    question = question_of(person)
    stored = await share_question(gateway, partner_db, person, question)

    everything = await raw_dump(partner_db)
    for trace in (person.email, question, person.first_name, person.last_name):
        assert trace not in everything, f"the partner's database holds {trace!r} in clear"
    assert SUBJECT_KEYS not in await partner_db.list_collection_names()
    assert all(isinstance(stored[field], bytes) for field in PERSONAL_FIELDS)
    # What is stored is the question, readable with the partner's live keys.
    opened = await live_cipher(partner_db, partner_settings).decrypt(stored["subject_id"], stored)
    assert (opened["message"], opened["reply_to"]) == (question, person.email)


async def test_the_access_package_holds_the_partners_copy_in_clear_and_erasure_shreds_it(
    gateway: AsyncClient,
    mailbox: Mailbox,
    partner_db: AsyncDatabase,
    partner_settings: PartnerSettings,
) -> None:
    person = Person()
    question = question_of(person)
    stored = await share_question(gateway, partner_db, person, question)
    subject_id, reference = stored["subject_id"], stored["_id"]
    keys_db = key_store(partner_db, partner_settings)
    assert await keys_db[SUBJECT_KEYS].find_one({"_id": subject_id})

    access = await file_verified_request(gateway, mailbox, person, "access")
    await approve(gateway, access["request_id"])
    await completed(gateway, access)
    response = await download(gateway, mailbox, person, access)
    assert response.status_code == 200, response.text
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("data.json"))
    [copy] = data["owners"]["support_partner"]["contact_messages"]["records"]
    assert copy["reference"] == reference
    assert (copy["message"], copy["reply_to"]) == (question, person.email)

    erasure = await file_verified_request(gateway, mailbox, person, "erasure")
    await approve(gateway, erasure["request_id"])
    status = await completed(gateway, erasure)

    partner_receipts = [r for r in status["receipts"] if r["owner"] == "support_partner"]
    assert [(r["action"], r["count"]) for r in partner_receipts] == [("erased", 1)]
    assert await partner_db[SHARED_QUESTIONS].find_one({"_id": reference}) is None
    assert await keys_db[SUBJECT_KEYS].find_one({"_id": subject_id}) is None
    # The copy as a backup taken before the erasure holds it: nothing live opens it any more.
    with pytest.raises(SubjectKeyDestroyed):
        await live_cipher(partner_db, partner_settings).decrypt(subject_id, stored)


async def test_a_new_address_moves_the_partners_copy_under_the_new_subjects_key(
    gateway: AsyncClient,
    endpoints: Endpoints,
    partner_db: AsyncDatabase,
    partner_settings: PartnerSettings,
) -> None:
    person = Person()
    question = question_of(person)
    stored = await share_question(gateway, partner_db, person, question)
    old_subject, new_subject = stored["subject_id"], f"subject-rekeyed-{uuid.uuid4().hex[:8]}"
    new_email = f"nieuw-{unique_word(8)}@example.nl"
    command = Envelope[RectifySharedRecords](
        type=RECTIFY_SHARED_RECORDS,
        subject_id=old_subject,
        payload=RectifySharedRecords(
            request_id=f"RR-{uuid.uuid4().hex[:8]}",
            corrections={"reply_to": new_email},
            new_subject_id=new_subject,
        ),
    )

    await publish_all(endpoints.kafka_bootstrap_servers, PARTNER_SUPPORT.name, [command])
    answers = await collect_until(
        endpoints.kafka_bootstrap_servers,
        PARTNER_RESULTS.name,
        lambda m: m["correlation_id"] == str(command.correlation_id),
    )

    assert [c["affected"] for c in answers[-1]["payload"]["changes"]] == [1]
    raw = await partner_db[SHARED_QUESTIONS].find_one({"_id": stored["_id"]})
    assert raw["subject_id"] == new_subject
    assert new_email not in await raw_dump(partner_db)
    keys_db = key_store(partner_db, partner_settings)
    assert await keys_db[SUBJECT_KEYS].find_one({"_id": old_subject}) is None
    keys = SubjectKeys(keys_db, Keyring.from_settings(partner_settings))
    [moved] = await SharedQuestions(partner_db, keys).of_subject(new_subject)
    assert moved["reference"] == stored["_id"]
    assert (moved["message"], moved["reply_to"]) == (question, new_email)
