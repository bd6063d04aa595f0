"""Restriction (Art. 18) and objection (Art. 21) take effect, on real Kafka, MongoDB-protocol servers
and SMTP: a restricted or objected contact question is refused to support agents and disclosed to no
partner, restricted visits leave the analyst's figures and no new visit is linked, and a privacy
officer's lift tells the person and lets processing resume.

A restriction holds for the subject until lifted, so a question sent meanwhile is restricted too; an
objection covers the questions held when it was carried out (see privacyhub.contact.repository).
"""

from datetime import date, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from privacyhub.consent.visits import VISITS
from privacyhub.contact.partner_answers import PassedOnCommands
from privacyhub.contact.repository import COLLECTION as CONTACT_MESSAGES
from privacyhub.contact.settings import ContactSettings
from privacyhub.contact.sharing import DISCLOSURES, Disclosures, Sharing
from privacyhub.shared.auth import Role
from privacyhub.shared.contracts.contact import ContactMessageReceived
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.idempotency import PROCESSED_EVENTS
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import CONTACT_MESSAGES as CONTACT_MESSAGES_TOPIC
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.contact import leave_contact_message
from tests.support.endpoints import Endpoints
from tests.support.kafka import collect_until
from tests.support.mailbox import Mailbox, text_of
from tests.support.people import Person
from tests.support.rights import OFFICER, approve, completed, file_verified_request
from tests.support.services import RUN
from tests.support.staff import staff_headers
from tests.support.visitors import at, choice_made_at, processed, view
from tests.support.waiting import eventually

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("requests_service", "contact_service", "consent_service"),
]

AGENT = {
    **staff_headers(Role.SUPPORT_AGENT, staff_id="agent-rosa"),
    "x-access-reason": "Answering the question by e-mail",
}
ANALYST = staff_headers(Role.ANALYST, staff_id="analyst-ali")
# Days of our own, far from those of the analytics tests, so the figures are this test's alone.
VISIT_DAY = date(1960, 1, 1) + timedelta(days=2 * (int(RUN, 16) % 4000))


async def support_read(gateway: AsyncClient, reference: str) -> Any:
    return await gateway.get(f"/v1/staff/contact/{reference}", headers=AGENT)


async def page_views_on_visit_day(gateway: AsyncClient) -> dict[str, Any]:
    response = await gateway.get(
        "/v1/staff/analytics",
        params={"from": VISIT_DAY.isoformat(), "to": VISIT_DAY.isoformat()},
        headers=ANALYST,
    )
    assert response.status_code == 200, response.text
    return response.json()


async def stored_and_handled(
    endpoints: Endpoints, contact_db: AsyncDatabase, reference: str
) -> None:
    """Wait until the contact service finished the message: stored, announced and (maybe) disclosed."""
    received = await collect_until(
        endpoints.kafka_bootstrap_servers,
        CONTACT_MESSAGES_TOPIC.name,
        lambda m: m["payload"].get("reference") == reference,
    )
    event_id = received[-1]["event_id"]
    await eventually(
        lambda: contact_db[PROCESSED_EVENTS].find_one({"_id": event_id}),
        what="the contact message to be handled",
    )


async def test_a_restriction_stops_reads_disclosure_and_analytics_until_the_officer_lifts_it(
    gateway: AsyncClient,
    endpoints: Endpoints,
    mailbox: Mailbox,
    contact_db: AsyncDatabase,
    consent_db: AsyncDatabase,
    consent_service: ServiceRuntime,
) -> None:
    person = Person()
    reference = await leave_contact_message(gateway, person, contact_db)
    await choice_made_at(
        endpoints, consent_db, person.visitor_id, at(VISIT_DAY - timedelta(days=1), 12)
    )
    for n in range(2):
        await view(
            gateway,
            person.visitor_id,
            f"https://www.jobport.nl/vacatures/{n}",
            occurred_at=at(VISIT_DAY, 9 + n),
        )
    await processed(consent_service)
    before = await page_views_on_visit_day(gateway)
    assert before["total_page_views"] >= 2
    assert (await support_read(gateway, reference)).status_code == 200

    restriction = await file_verified_request(gateway, mailbox, person, "restriction")
    await approve(gateway, restriction["request_id"])
    await completed(gateway, restriction)

    refused = await support_read(gateway, reference)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "processing_restricted"
    restricted = await page_views_on_visit_day(gateway)
    assert restricted["total_page_views"] == before["total_page_views"] - 2
    assert (
        restricted["days"][0]["consenting_visitors"] == before["days"][0]["consenting_visitors"] - 1
    )

    # While restricted, a new question is kept but disclosed to nobody, and no new visit is linked.
    later = await leave_contact_message(gateway, person, contact_db)
    await stored_and_handled(endpoints, contact_db, later)
    assert await contact_db[DISCLOSURES].count_documents({"reference": later}) == 0
    assert (await support_read(gateway, later)).json()["code"] == "processing_restricted"
    unlinked = await view(
        gateway, person.visitor_id, "https://www.jobport.nl/contact", occurred_at=at(VISIT_DAY, 15)
    )
    await processed(consent_service)
    assert await consent_db[VISITS].find_one({"_id": unlinked}) is None
    assert (await page_views_on_visit_day(gateway))["total_page_views"] == restricted[
        "total_page_views"
    ]

    lift = await gateway.post(
        f"/v1/staff/rights-requests/{restriction['request_id']}/restriction-lift", headers=OFFICER
    )
    assert lift.status_code == 200, lift.text
    assert lift.json()["restriction_lifted_at"] is not None
    notice = await mailbox.wait_for(
        person.email, lambda m: "opgeheven" in m["Subject"], what="the lift e-mail"
    )
    assert restriction["request_id"] in text_of(notice)

    async def readable_again() -> bool:
        return (await support_read(gateway, reference)).status_code == 200

    await eventually(readable_again, what="the question to be readable again")
    assert (await support_read(gateway, later)).status_code == 200

    async def counted_again() -> bool:
        report = await page_views_on_visit_day(gateway)
        return report["total_page_views"] == before["total_page_views"]

    await eventually(counted_again, what="the visits to count again")
    again = await gateway.post(
        f"/v1/staff/rights-requests/{restriction['request_id']}/restriction-lift", headers=OFFICER
    )
    assert again.status_code == 200, again.text


async def test_only_a_completed_restriction_request_can_be_lifted(
    gateway: AsyncClient, mailbox: Mailbox
) -> None:
    person = Person()
    access = await file_verified_request(gateway, mailbox, person, "access")
    await approve(gateway, access["request_id"])
    await completed(gateway, access)

    refused = await gateway.post(
        f"/v1/staff/rights-requests/{access['request_id']}/restriction-lift", headers=OFFICER
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "not_a_completed_restriction"


async def test_objected_contact_data_is_no_longer_read_or_shared(
    gateway: AsyncClient,
    endpoints: Endpoints,
    mailbox: Mailbox,
    contact_db: AsyncDatabase,
    contact_settings: ContactSettings,
) -> None:
    person = Person()
    reference = await leave_contact_message(gateway, person, contact_db)
    await stored_and_handled(endpoints, contact_db, reference)
    assert await contact_db[DISCLOSURES].count_documents({"reference": reference}) == 1

    objection = await file_verified_request(gateway, mailbox, person, "objection")
    await approve(gateway, objection["request_id"])
    await completed(gateway, objection)

    refused = await support_read(gateway, reference)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "processing_objected"

    # Handing the objected message to sharing again discloses it to nobody.
    runtime = ServiceRuntime(contact_settings, name="contact")
    sharing = Sharing(runtime, Disclosures(runtime.db), PassedOnCommands(runtime.db))
    stored = await contact_db[CONTACT_MESSAGES].find_one({"_id": reference})
    message = Envelope[ContactMessageReceived](
        type="ContactMessageReceived",
        subject_id=stored["subject_id"],
        payload=ContactMessageReceived(
            reference=reference,
            email=person.email,
            first_name=person.first_name,
            last_name=person.last_name,
            message="Hebben jullie nog vacatures voor data-analisten?",
        ),
    )
    try:
        await sharing.disclose_to_recipients(message, stored)
        assert await contact_db[DISCLOSURES].count_documents({"reference": reference}) == 1
    finally:
        await runtime.mongo.close()

    # The objection covers what was held; a question sent afterwards is one to answer.
    later = await leave_contact_message(gateway, person, contact_db)
    assert (await support_read(gateway, later)).status_code == 200
