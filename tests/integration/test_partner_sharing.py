"""Sharing with registered recipients only (statement §5), on real Kafka and MongoDB-protocol servers:
the support partner gets exactly its declared fields, every disclosure is logged and shown in an
access answer (Art. 15(1)(c)), an erasure reaches the partner, whose receipt the request waits for
(Art. 19), and a partner's word counts only for commands it was given and only in its own name.
"""

import io
import json
import uuid
import zipfile
from typing import Any

import pytest
from httpx import AsyncClient
from privacyhub.contact.partner_answers import PassedOnCommands
from privacyhub.contact.repository import COLLECTION as CONTACT_MESSAGES
from privacyhub.contact.settings import ContactSettings
from privacyhub.contact.sharing import DISCLOSURES, Disclosures, Sharing, UndeclaredRecipient
from privacyhub.partner.questions import COLLECTION as SHARED_QUESTIONS
from privacyhub.retention.records import RETAINED_RECORDS, record_key
from privacyhub.retention.schedule import SCHEDULE
from privacyhub.shared.contracts.contact import ContactMessageReceived
from privacyhub.shared.contracts.subject import SUBJECT_DATA_ERASED, SubjectMessage
from privacyhub.shared.envelope import Envelope, utc_now
from privacyhub.shared.register import load_register
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import DEAD_LETTER, PARTNER_RESULTS, PARTNER_SUPPORT, SUBJECT_RESULTS
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.contact import leave_contact_message
from tests.support.endpoints import Endpoints
from tests.support.kafka import collect_until, publish_all
from tests.support.mailbox import Mailbox
from tests.support.people import Person
from tests.support.rights import approve, completed, download, file_verified_request
from tests.support.waiting import eventually

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("requests_service", "contact_service", "consent_service"),
]

SUPPORT_PARTNER = load_register().recipient("support_partner")


def erasure_answer(
    subject_id: str, *, correlation_id: uuid.UUID, receipt_owner: str
) -> Envelope[SubjectMessage]:
    """The support partner's answer to an erasure: all kept under a hold, in `receipt_owner`'s name."""
    receipt = {
        "owner": receipt_owner,
        "category": "contact_messages",
        "erased": 0,
        "kept_under_hold": 1,
        "hold_reasons": ["fiscale bewaarplicht"],
        "erased_at": utc_now().isoformat(),
    }
    return Envelope[SubjectMessage](
        type=SUBJECT_DATA_ERASED,
        subject_id=subject_id,
        correlation_id=correlation_id,
        payload=SubjectMessage(owner="support_partner", receipts=[receipt]),
    )


async def parked(
    endpoints: Endpoints, topic: str, message: Envelope[SubjectMessage], *, by: str
) -> dict[str, Any]:
    """The dead letter `by` made of the message it took from `topic`."""
    letters = await collect_until(
        endpoints.kafka_bootstrap_servers,
        DEAD_LETTER.name,
        lambda m: (
            m["source_topic"] == topic
            and m["parked_by"] == by
            and str(message.event_id) in m["original"]
        ),
    )
    return letters[-1]


async def subject_of(contact_db: AsyncDatabase, reference: str) -> str:
    return (await contact_db[CONTACT_MESSAGES].find_one({"_id": reference}))["subject_id"]


async def test_the_partner_topic_carries_exactly_the_declared_fields_and_the_disclosure_is_logged(
    gateway: AsyncClient, endpoints: Endpoints, contact_db: AsyncDatabase, partner_db: AsyncDatabase
) -> None:
    person = Person()
    reference = await leave_contact_message(gateway, person, contact_db)

    shared = await collect_until(
        endpoints.kafka_bootstrap_servers,
        PARTNER_SUPPORT.name,
        lambda m: m["type"] == "RecordShared" and m["payload"].get("reference") == reference,
        within=30,
    )
    payload = shared[-1]["payload"]
    assert set(payload) == set(SUPPORT_PARTNER.fields)
    assert payload["reply_to"] == person.email
    assert "company" not in payload and "device" not in payload
    assert person.last_name not in json.dumps(shared[-1])

    disclosure = await eventually(
        lambda: contact_db[DISCLOSURES].find_one({"reference": reference}), what="the disclosure"
    )
    assert disclosure["recipient"] == "support_partner"
    assert disclosure["fields"] == sorted(SUPPORT_PARTNER.fields)
    assert disclosure["subject_id"] == shared[-1]["subject_id"]
    kept = await eventually(
        lambda: partner_db[SHARED_QUESTIONS].find_one({"_id": reference}),
        what="the partner's copy",
    )
    assert set(kept) == {"_id", "message", "reply_to", "subject_id", "received_at"}


async def test_an_undeclared_recipient_gets_nothing(contact_settings: ContactSettings) -> None:
    runtime = ServiceRuntime(contact_settings, name="contact")
    sharing = Sharing(runtime, Disclosures(runtime.db), PassedOnCommands(runtime.db))
    message = Envelope[ContactMessageReceived](
        type="ContactMessageReceived",
        subject_id="subject-of-a-refused-disclosure",
        payload=ContactMessageReceived(
            reference="CT-000000000001",
            email="niemand@example.nl",
            first_name="Niemand",
            last_name="Anders",
            message="Verkopen jullie mijn gegevens?",
        ),
    )
    try:
        with pytest.raises(UndeclaredRecipient):
            await sharing.disclose("data_broker", message)
        assert await runtime.db[DISCLOSURES].count_documents({"recipient": "data_broker"}) == 0
    finally:
        await runtime.mongo.close()


async def test_an_erasure_reaches_the_partner_and_waits_for_its_receipt(
    gateway: AsyncClient,
    endpoints: Endpoints,
    mailbox: Mailbox,
    contact_db: AsyncDatabase,
    partner_db: AsyncDatabase,
) -> None:
    person = Person()
    reference = await leave_contact_message(gateway, person, contact_db)
    await eventually(
        lambda: partner_db[SHARED_QUESTIONS].find_one({"_id": reference}),
        what="the partner's copy",
    )
    accepted = await file_verified_request(gateway, mailbox, person, "erasure")
    await approve(gateway, accepted["request_id"])
    status = await completed(gateway, accepted)

    partner_receipts = [r for r in status["receipts"] if r["owner"] == "support_partner"]
    assert [(r["category"], r["action"], r["count"]) for r in partner_receipts] == [
        ("contact_messages", "erased", 1)
    ]
    assert await partner_db[SHARED_QUESTIONS].find_one({"_id": reference}) is None

    # The partner was given that erasure, of that person: answering it about someone else counts for nothing.
    other = await subject_of(contact_db, await leave_contact_message(gateway, Person(), contact_db))
    forged = erasure_answer(
        other,
        correlation_id=uuid.UUID(accepted["request_id"]),
        receipt_owner="support_partner",
    )
    await publish_all(endpoints.kafka_bootstrap_servers, PARTNER_RESULTS.name, [forged])
    letter = await parked(endpoints, PARTNER_RESULTS.name, forged, by="contact")
    assert letter["reason"] == (
        "answer of type 'SubjectDataErased' from support_partner to no command passed on to it"
    )


async def test_a_partners_answer_to_a_command_it_was_never_given_is_parked(
    gateway: AsyncClient, endpoints: Endpoints, contact_db: AsyncDatabase
) -> None:
    subject_id = await subject_of(
        contact_db, await leave_contact_message(gateway, Person(), contact_db)
    )
    forged = erasure_answer(
        subject_id, correlation_id=uuid.uuid4(), receipt_owner="support_partner"
    )
    await publish_all(endpoints.kafka_bootstrap_servers, PARTNER_RESULTS.name, [forged])

    letter = await parked(endpoints, PARTNER_RESULTS.name, forged, by="contact")
    assert letter["key"] == subject_id
    assert letter["reason"].endswith("from support_partner to no command passed on to it")


@pytest.mark.usefixtures("retention_service")
async def test_a_partner_cannot_answer_in_the_contact_services_name(
    gateway: AsyncClient,
    endpoints: Endpoints,
    contact_db: AsyncDatabase,
    retention_db: AsyncDatabase,
) -> None:
    """Receipts saying the contact service kept a person's messages under a hold would have the
    retention service schedule them all for deletion: in a partner's answer they are refused
    by the contact service that relays it and by the retention service that reads the results."""
    reference = await leave_contact_message(gateway, Person(), contact_db)
    subject_id = await subject_of(contact_db, reference)
    key = {"_id": record_key("contact_messages", reference)}
    await eventually(
        lambda: retention_db[RETAINED_RECORDS].find_one(key),
        what="the retention service to know the message",
    )
    relayed, read_directly = (
        erasure_answer(subject_id, correlation_id=uuid.uuid4(), receipt_owner="contact")
        for _ in range(2)
    )
    await publish_all(endpoints.kafka_bootstrap_servers, PARTNER_RESULTS.name, [relayed])
    await publish_all(endpoints.kafka_bootstrap_servers, SUBJECT_RESULTS.name, [read_directly])

    refused = "every receipt must name the owner that answers"
    assert (
        refused in (await parked(endpoints, PARTNER_RESULTS.name, relayed, by="contact"))["reason"]
    )
    letter = await parked(endpoints, SUBJECT_RESULTS.name, read_directly, by="retention")
    assert refused in letter["reason"]
    assert await retention_db[SCHEDULE].find_one(key) is None
    assert await retention_db[RETAINED_RECORDS].find_one(key) is not None


async def test_the_access_export_names_the_recipient_of_each_message(
    gateway: AsyncClient,
    mailbox: Mailbox,
    contact_db: AsyncDatabase,
    partner_db: AsyncDatabase,
) -> None:
    person = Person()
    reference = await leave_contact_message(gateway, person, contact_db)
    await eventually(
        lambda: contact_db[DISCLOSURES].find_one({"reference": reference}), what="the disclosure"
    )
    accepted = await file_verified_request(gateway, mailbox, person, "access")
    await approve(gateway, accepted["request_id"])
    await completed(gateway, accepted)

    response = await download(gateway, mailbox, person, accepted)
    assert response.status_code == 200, response.text
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("data.json"))
    [message] = data["owners"]["contact"]["contact_messages"]["records"]
    [disclosure] = message["disclosures"]
    assert disclosure["recipient"] == SUPPORT_PARTNER.name
    assert disclosure["agreement_reference"] == SUPPORT_PARTNER.agreement_reference
    assert disclosure["fields"] == sorted(SUPPORT_PARTNER.fields)
    partner_copy = data["owners"]["support_partner"]["contact_messages"]["records"]
    assert [r["reference"] for r in partner_copy] == [reference]
