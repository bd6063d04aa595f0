"""The right of access for a person with much data: an owner's export larger than one Kafka
message travels in parts, and the package holds every record; an erasure then removes it all."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from httpx import AsyncClient
from privacyhub.consent.visits import VISITS
from privacyhub.contact.repository import COLLECTION as STORED
from privacyhub.gateway.contact.controllers import new_reference
from privacyhub.requests.settings import RequestsSettings
from privacyhub.shared.contracts.consent import PAGE_VIEWED, PageViewed
from privacyhub.shared.contracts.contact import CONTACT_MESSAGE_RECEIVED, ContactMessageReceived
from privacyhub.shared.envelope import Envelope, utc_now
from privacyhub.shared.identity import subject_id_for_email
from privacyhub.shared.topics import CONTACT_MESSAGES, PAGE_VIEWS
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.endpoints import Endpoints
from tests.support.kafka import publish_all
from tests.support.mailbox import Mailbox
from tests.support.people import Person
from tests.support.rights import approve, completed, download, file_verified_request
from tests.support.visitors import visit_with_consent
from tests.support.waiting import eventually

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("requests_service", "contact_service", "consent_service"),
]

PAGE_VIEW_COUNT = 10_000
CONTACT_MESSAGE_COUNT = 200


def page_views(person: Person, count: int) -> list[Envelope[PageViewed]]:
    start = utc_now()  # after the consent: views before it are not linked to the visitor
    return [
        Envelope[PageViewed](
            type=PAGE_VIEWED,
            subject_id=person.visitor_id,
            payload=PageViewed(
                visitor_id=person.visitor_id,
                url=f"https://www.jobport.nl/vacatures/{n}",
                referrer="https://www.google.com/",
                device_type="desktop",
                os="Linux",
                browser="Firefox",
                occurred_at=start + timedelta(milliseconds=n),
            ),
        )
        for n in range(count)
    ]


def contact_messages(
    person: Person, count: int, settings: RequestsSettings
) -> list[Envelope[ContactMessageReceived]]:
    """As the gateway accepts them: long questions, so that they too fill more than one message."""
    subject_id = subject_id_for_email(settings.subject_id_secret.get_secret_value(), person.email)
    return [
        Envelope[ContactMessageReceived](
            type=CONTACT_MESSAGE_RECEIVED,
            subject_id=subject_id,
            payload=ContactMessageReceived(
                reference=new_reference(),
                email=person.email,
                first_name=person.first_name,
                last_name=person.last_name,
                message=f"Vraag {n} over de vacature. " + "Ik wil graag meer weten. " * 200,
            ),
        )
        for n in range(count)
    ]


async def test_the_package_of_a_person_with_much_data_holds_every_record(
    gateway: AsyncClient,
    mailbox: Mailbox,
    endpoints: Endpoints,
    consent_db: AsyncDatabase,
    contact_db: AsyncDatabase,
    requests_settings: RequestsSettings,
) -> None:
    person = Person()
    await visit_with_consent(gateway, person, consent_db, views=1)
    messages = contact_messages(person, CONTACT_MESSAGE_COUNT, requests_settings)
    await publish_all(endpoints.kafka_bootstrap_servers, CONTACT_MESSAGES.name, messages)
    views = page_views(person, PAGE_VIEW_COUNT)
    await publish_all(endpoints.kafka_bootstrap_servers, PAGE_VIEWS.name, views)
    references = [message.payload.reference for message in messages]
    await eventually(
        lambda: _all(contact_db, references), within=120, what="every contact message stored"
    )

    accepted = await file_verified_request(gateway, mailbox, person, "access")
    await approve(gateway, accepted["request_id"])
    status = await completed(gateway, accepted, within=240)
    response = await download(gateway, mailbox, person, accepted)
    assert response.status_code == 200, response.text

    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("data.json"))
    visits = data["owners"]["consent"]["visit_records"]["records"]
    assert {v["page_view_id"] for v in visits} >= {str(view.event_id) for view in views}
    assert len(visits) == PAGE_VIEW_COUNT + 1
    stored = data["owners"]["contact"]["contact_messages"]["records"]
    assert sorted(m["reference"] for m in stored) == sorted(references)
    assert all(m["message"].startswith("Vraag ") for m in stored)
    receipts = {(r["owner"], r["category"]): r["count"] for r in status["receipts"]}
    assert receipts[("consent", "visit_records")] == PAGE_VIEW_COUNT + 1
    assert receipts[("contact", "contact_messages")] == CONTACT_MESSAGE_COUNT

    # The person then has it all erased: that much is erased in one go too, and the databases
    # the later tests share are as small again as before.
    erasure = await file_verified_request(gateway, mailbox, person, "erasure")
    await approve(gateway, erasure["request_id"])
    erased = await completed(gateway, erasure, within=240)
    receipts = {(r["owner"], r["category"]): r["count"] for r in erased["receipts"]}
    assert receipts[("consent", "visit_records")] == PAGE_VIEW_COUNT + 1
    assert receipts[("contact", "contact_messages")] == CONTACT_MESSAGE_COUNT
    assert await consent_db[VISITS].count_documents({"visitor_id": person.visitor_id}) == 0


async def _all(contact_db: AsyncDatabase, references: list[str]) -> bool:
    stored = await contact_db[STORED].count_documents({"_id": {"$in": references}})
    return stored == len(references)
