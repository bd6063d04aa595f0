"""Sharing with registered recipients only (statement §5), on real Kafka and MongoDB-protocol servers:
the support partner gets exactly its declared fields, every disclosure is logged and shown in an
access answer (Art. 15(1)(c)), and an erasure reaches the partner, whose receipt the request waits for (Art. 19).
"""

import io
import json
import zipfile

import pytest
from httpx import AsyncClient
from privacyhub.contact.settings import ContactSettings
from privacyhub.contact.sharing import DISCLOSURES, Disclosures, Sharing, UndeclaredRecipient
from privacyhub.partner.questions import COLLECTION as SHARED_QUESTIONS
from privacyhub.shared.contracts.contact import ContactMessageReceived
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.register import load_register
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import PARTNER_SUPPORT
from pymongo.asynchronous.database import AsyncDatabase

from tests.conftest import Endpoints
from tests.integration.test_rights_execution import (
    Person,
    approve,
    completed,
    file_verified_request,
    leave_contact_message,
)
from tests.support.kafka import collect_until
from tests.support.mailbox import Mailbox
from tests.support.waiting import eventually

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("requests_service", "contact_service", "consent_service"),
]

SUPPORT_PARTNER = load_register().recipient("support_partner")


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
    sharing = Sharing(runtime, Disclosures(runtime.db))
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
    assert await partner_db[SHARED_QUESTIONS].count_documents({"reply_to": person.email}) == 0


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

    response = await gateway.get(
        f"/v1/rights-requests/{accepted['request_id']}/export",
        headers={"authorization": f"Bearer {accepted['access_token']}"},
    )
    assert response.status_code == 200, response.text
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("data.json"))
    [message] = data["owners"]["contact"]["contact_messages"]["records"]
    [disclosure] = message["disclosures"]
    assert disclosure["recipient"] == SUPPORT_PARTNER.name
    assert disclosure["agreement_reference"] == SUPPORT_PARTNER.agreement_reference
    assert disclosure["fields"] == sorted(SUPPORT_PARTNER.fields)
    partner_copy = data["owners"]["support_partner"]["contact_messages"]["records"]
    assert [r["reference"] for r in partner_copy] == [reference]
