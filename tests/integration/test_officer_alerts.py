"""The privacy officer is e-mailed about an escalated request and about one nearly due without a
decision: once per request, also after a restart, and never with the requester's data.
"""

import asyncio
from collections.abc import Callable
from datetime import date, datetime, timedelta
from email.message import EmailMessage

import pytest
from httpx import AsyncClient
from privacyhub.requests.app import create_runtime as create_requests_runtime
from privacyhub.requests.mail import Mailer
from privacyhub.requests.rights.notices import dutch_date, english_date
from privacyhub.requests.rights.officer_alerts import AlertClaims, OfficerAlerts
from privacyhub.requests.rights.requests_store import RightsRequests
from privacyhub.requests.settings import RequestsSettings
from privacyhub.shared.deadlines import due_date_for
from privacyhub.shared.envelope import utc_now
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.clock import MovableClock
from tests.support.endpoints import Endpoints
from tests.support.mailbox import Mailbox, text_of
from tests.support.naming import unique_word
from tests.support.people import Person
from tests.support.requests_store import subject_keys
from tests.support.rights import OFFICER, approve_a_letter
from tests.support.waiting_copy import (
    WaitingCopy,
    past_the_owners_timeout,
    waiting_for_a_silent_partner,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("requests_service", "contact_service", "consent_service"),
]


def about(request_id: str, word: str) -> Callable[[EmailMessage], bool]:
    return lambda message: request_id in message["Subject"] and word in message["Subject"]


def alerts_about(mailbox: Mailbox, officer: str, request_id: str, word: str) -> list[EmailMessage]:
    return [m for m in mailbox.to(officer) if about(request_id, word)(m)]


async def register_letter(
    gateway: AsyncClient, person: Person, *, days_ago: int, details: str
) -> tuple[str, date]:
    received_at = utc_now() - timedelta(days=days_ago)
    response = await gateway.post(
        "/v1/staff/rights-requests",
        json={
            "channel": "letter",
            "received_at": received_at.isoformat(),
            "type": "access",
            "email": person.email,
            "details": details,
        },
        headers=OFFICER,
    )
    assert response.status_code == 202, response.text
    return response.json()["request_id"], due_date_for(received_at)


def assert_holds_nothing_of(message: EmailMessage, person: Person, details: str) -> None:
    everything = f"{message['Subject']}\n{text_of(message)}"
    for trace in (person.email, person.first_name, person.last_name, details):
        assert trace not in everything


async def test_each_alert_reaches_the_officer_once_also_after_a_restart(
    gateway: AsyncClient,
    mailbox: Mailbox,
    endpoints: Endpoints,
    requests_settings: RequestsSettings,
    requests_db: AsyncDatabase,
) -> None:
    officer = f"functionaris-{unique_word(8)}@jobport.nl"
    settings = await waiting_for_a_silent_partner(
        endpoints, requests_settings, privacy_officer_email=officer
    )
    client: AsyncMongoClient = AsyncMongoClient(endpoints.mongodb_url, tz_aware=True)
    second = client[settings.mongodb_database]
    person, details = Person(), f"Mijn dossier {unique_word()}"
    clock = MovableClock()
    try:
        async with create_requests_runtime(settings, clock=clock).running():
            escalated = await approve_a_letter(
                gateway, [requests_db, second], person, details=details
            )
            copy = WaitingCopy(second, clock, settings)
            async with past_the_owners_timeout(endpoints, copy, escalated):
                escalation = await mailbox.wait_for(
                    officer, about(escalated, "geëscaleerd"), what="the escalation e-mail"
                )

        # Restarted, each sweep looks at the escalation again; a request registered later is the
        # sentinel that such sweeps ran: the one that mails it looked at everything before it.
        async with create_requests_runtime(settings).running():
            nearly_due_person = Person()
            nearly_due, nearly_due_on = await register_letter(
                gateway, nearly_due_person, days_ago=26, details=details
            )
            later, _ = await register_letter(gateway, Person(), days_ago=3, details=details)
            nearly_due_alert = await mailbox.wait_for(
                officer, about(nearly_due, "Termijn"), what="the nearly-due e-mail"
            )
            overdue, _ = await register_letter(gateway, Person(), days_ago=40, details=details)
            overdue_alert = await mailbox.wait_for(
                officer, about(overdue, "Termijn"), what="the sentinel's e-mail"
            )

        # Two copies sweeping at once, a month on, when the later request is overdue too.
        def month_on() -> datetime:
            return utc_now() + timedelta(days=30)

        copies = [
            OfficerAlerts(
                RightsRequests(second, subject_keys(second, settings)),
                AlertClaims(second),
                mailer=Mailer(settings),
                settings=settings,
                clock=month_on,
            )
            for _ in range(2)
        ]
        sent = await asyncio.gather(*(copy.send_due() for copy in copies))
    finally:
        await client.close()

    assert len(alerts_about(mailbox, officer, escalated, "geëscaleerd")) == 1
    assert len(alerts_about(mailbox, officer, nearly_due, "Termijn")) == 1
    assert sorted(sent) == [0, 1]
    assert len(alerts_about(mailbox, officer, later, "Termijn")) == 1

    due = due_date_for(utc_now())
    body = text_of(escalation)
    assert "Geen antwoord van: partner-without-tool" in body
    assert "No answer from: partner-without-tool" in body
    assert dutch_date(due) in body and english_date(due) in body
    assert_holds_nothing_of(escalation, person, details)

    body = text_of(nearly_due_alert)
    assert "nog geen besluit" in body and "wacht op controle van de identiteit" in body
    assert dutch_date(nearly_due_on) in body and english_date(nearly_due_on) in body
    assert_holds_nothing_of(nearly_due_alert, nearly_due_person, details)
    assert "geleden verstreken" in text_of(overdue_alert)
