"""What a visitor's browser does through the gateway: consent choices and page views, and the
consent service's record of them."""

import uuid
from datetime import UTC, date, datetime, time

from httpx import AsyncClient
from privacyhub.consent.consents import CURRENT
from privacyhub.consent.visits import VISITS
from privacyhub.shared.contracts.consent import (
    CONSENT_GIVEN,
    PAGE_VIEWED,
    ConsentGiven,
    ConsentSource,
    PageViewed,
    Purposes,
)
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import CONSENT_CHOICES, PAGE_VIEWS
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.browsers import FIREFOX_ON_WINDOWS
from tests.support.endpoints import Endpoints
from tests.support.kafka import publish_message
from tests.support.people import Person
from tests.support.services import RUN
from tests.support.waiting import eventually


def new_visitor() -> str:
    return f"visitor-{RUN}-{uuid.uuid4().hex[:12]}"


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


async def in_force(db: AsyncDatabase, visitor_id: str, consent_id: str) -> bool:
    current = await db[CURRENT].find_one({"_id": visitor_id})
    return current is not None and current["consent_id"] == consent_id


def choice_made(
    visitor_id: str, given_at: datetime, *, analytics: bool = True
) -> Envelope[ConsentGiven]:
    """A banner choice made at `given_at` under the seed statement, as the gateway sends it."""
    choice = ConsentGiven(
        consent_id=str(uuid.uuid4()),
        visitor_id=visitor_id,
        purposes=Purposes(analytics=analytics, marketing=False),
        statement_version="2.1",
        source=ConsentSource.BANNER,
        given_at=given_at,
    )
    return Envelope[ConsentGiven](type=CONSENT_GIVEN, subject_id=visitor_id, payload=choice)


async def choice_published(
    endpoints: Endpoints, visitor_id: str, given_at: datetime, *, analytics: bool = True
) -> str:
    """A choice made at `given_at`, put on the topic as the gateway would; its consent id."""
    envelope = choice_made(visitor_id, given_at, analytics=analytics)
    await publish_message(
        endpoints.kafka_bootstrap_servers,
        CONSENT_CHOICES.name,
        envelope.model_dump_json().encode(),
        key=envelope.partition_key,
    )
    return envelope.payload.consent_id


async def choice_made_at(
    endpoints: Endpoints,
    db: AsyncDatabase,
    visitor_id: str,
    given_at: datetime,
    *,
    analytics: bool = True,
) -> None:
    """A choice made at `given_at`, put on the topic as the gateway would, once it is in force."""
    consent_id = await choice_published(endpoints, visitor_id, given_at, analytics=analytics)
    await eventually(lambda: in_force(db, visitor_id, consent_id), what="the consent")


async def view(
    gateway: AsyncClient,
    visitor_id: str,
    url: str,
    *,
    referrer: str | None = None,
    user_agent: str = FIREFOX_ON_WINDOWS,
    occurred_at: datetime | None = None,
    **headers: str,
) -> str:
    body: dict = {"visitor_id": visitor_id, "url": url, "referrer": referrer}
    if occurred_at is not None:
        body["occurred_at"] = occurred_at.isoformat()
    response = await gateway.post(
        "/v1/pageviews", json=body, headers={"user-agent": user_agent, **headers}
    )
    assert response.status_code == 202, response.text
    return response.json()["page_view_id"]


def published_view(visitor_id: str, occurred_at: datetime, **facts: str) -> Envelope[PageViewed]:
    """A page view seen at `occurred_at`, as the gateway puts it on the topic: a desktop
    Firefox on Windows on the vacancies page, unless `facts` (url, device_type, os, browser)
    say otherwise."""
    seen = {
        "url": "https://www.jobport.nl/vacatures",
        "device_type": "desktop",
        "os": "Windows",
        "browser": "Firefox",
    }
    return Envelope[PageViewed](
        type=PAGE_VIEWED,
        subject_id=visitor_id,
        payload=PageViewed(
            visitor_id=visitor_id, referrer=None, occurred_at=occurred_at, **(seen | facts)
        ),
    )


async def processed(consent: ServiceRuntime) -> None:
    """Return once `consent` (a copy of the consent service) has applied every consent choice and
    page view accepted so far. It marks no page view processed (its effects are keyed by the
    views' ids), so its group's committed offsets tell."""
    await consent.caught_up(CONSENT_CHOICES, PAGE_VIEWS)


async def visit_with_consent(
    gateway: AsyncClient, person: Person, consent_db: AsyncDatabase, *, views: int = 2
) -> tuple[str, list[str]]:
    """`person` consents to every purpose and views `views` pages; the consent id and the page
    view ids, once the consent is in force and every view is linked to the visitor."""
    choice = {
        "visitor_id": person.visitor_id,
        "purposes": {"necessary": True, "analytics": True, "marketing": True},
        "statement_version": "2.1",
    }
    response = await gateway.post("/v1/consents", json=choice)
    assert response.status_code == 202, response.text
    consent_id = response.json()["consent_id"]
    await eventually(
        lambda: consent_db[CURRENT].find_one({"_id": person.visitor_id, "consent_id": consent_id}),
        what="the consent in force",
    )
    page_view_ids = []
    for number in range(views):
        view = {
            "visitor_id": person.visitor_id,
            "url": f"https://jobport.nl/vacatures/{number}",
            "referrer": "https://www.google.com/",
        }
        answer = await gateway.post(
            "/v1/pageviews", json=view, headers={"user-agent": FIREFOX_ON_WINDOWS}
        )
        assert answer.status_code == 202, answer.text
        page_view_ids.append(answer.json()["page_view_id"])

    async def all_linked() -> bool:
        linked = await consent_db[VISITS].count_documents({"_id": {"$in": page_view_ids}})
        return linked == views

    await eventually(all_linked, what="the linked visit records")
    return consent_id, page_view_ids
