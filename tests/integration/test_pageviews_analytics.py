"""Page views processed by consent, and exact statistics for staff (statement §2a)."""

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from httpx import AsyncClient
from privacyhub.consent.app import create_runtime as create_consent_runtime
from privacyhub.consent.settings import ConsentSettings
from privacyhub.consent.visits import COUNTERS, VISITS
from privacyhub.gateway.app import create_app as create_gateway
from privacyhub.shared.auth import Role
from privacyhub.shared.idempotency import PROCESSED_EVENTS
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import PAGE_VIEWS
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.browsers import FIREFOX_ON_WINDOWS, SAFARI_ON_IPAD, SAFARI_ON_IPHONE
from tests.support.consent_store import analytics_of, readable_visits
from tests.support.copies import analytics_exempt_copy
from tests.support.endpoints import Endpoints
from tests.support.in_loop_gateway import CLIENT_ADDRESS, gateway_settings, serving
from tests.support.kafka import collect_until, publish_all, publish_message
from tests.support.services import RUN, running_service
from tests.support.staff import staff_headers
from tests.support.visitors import (
    at,
    choice_made_at,
    choice_published,
    in_force,
    new_visitor,
    processed,
    published_view,
    view,
)
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

FORWARDED_FOR = "203.0.113.77"
# The session's topics outlive a run when the servers come from the environment: days of our own.
FIRST_DAY = date(1990, 1, 1) + timedelta(days=3 * (int(RUN, 16) % 3000))


@pytest.fixture(scope="module")
async def gateway(endpoints: Endpoints) -> AsyncIterator[AsyncClient]:
    """Reads here wait for the consent service, so the gateway shares its event loop."""
    app = create_gateway(gateway_settings(endpoints.kafka_bootstrap_servers))
    async with serving(app) as client:
        yield client


async def give_consent(gateway: AsyncClient, visitor_id: str, *, analytics: bool) -> str:
    response = await gateway.post(
        "/v1/consents",
        json={
            "visitor_id": visitor_id,
            "purposes": {"necessary": True, "analytics": analytics, "marketing": False},
            "statement_version": "2.1",
        },
    )
    assert response.status_code == 202, response.text
    return response.json()["consent_id"]


async def linked_visit(db: AsyncDatabase, page_view_id: str) -> dict | None:
    return await db[VISITS].find_one({"_id": page_view_id})


async def documents_mentioning(db: AsyncDatabase, *needles: str) -> list[str]:
    """Every stored document, as JSON, that contains one of `needles` anywhere."""
    found = []
    for name in await db.list_collection_names():
        async for document in db[name].find({}):
            text = json.dumps(document, default=str)
            if any(needle in text for needle in needles):
                found.append(f"{name}: {text}")
    return found


async def test_with_analytics_consent_a_page_view_is_linked_to_the_visitor(
    gateway: AsyncClient, consent_service: ServiceRuntime, consent_db: AsyncDatabase
) -> None:
    visitor = new_visitor()
    consent_id = await give_consent(gateway, visitor, analytics=True)
    await eventually(lambda: in_force(consent_db, visitor, consent_id), what="the consent")

    page_view_id = await view(
        gateway,
        visitor,
        "https://www.jobport.nl/vacatures?email=anna@example.nl#top",
        referrer="https://www.google.com/search?q=jobport",
    )

    await eventually(lambda: linked_visit(consent_db, page_view_id), what="the visit")
    [visit] = await readable_visits(consent_db, consent_service.settings).of_visitors([visitor])
    assert visit["visitor_id"] == visitor
    assert visit["page"] == "/vacatures"
    assert visit["referrer_host"] == "www.google.com"
    assert (visit["device_type"], visit["os"], visit["browser"]) == (
        "desktop",
        "Windows",
        "Firefox",
    )
    assert visit["occurred_at"] <= datetime.now(UTC)
    assert "anna@example.nl" not in json.dumps(visit, default=str)


async def test_without_analytics_consent_nothing_of_a_page_view_is_kept(
    gateway: AsyncClient, consent_service: ServiceRuntime, consent_db: AsyncDatabase
) -> None:
    refused, unknown = new_visitor(), new_visitor()
    consent_id = await give_consent(gateway, refused, analytics=False)
    await eventually(lambda: in_force(consent_db, refused, consent_id), what="the refusal")

    views = [
        await view(gateway, refused, "https://www.jobport.nl/contact"),
        await view(gateway, unknown, "https://www.jobport.nl/contact"),
    ]

    await processed(consent_service)
    assert (
        await consent_db[VISITS].count_documents({"visitor_id": {"$in": [refused, unknown]}}) == 0
    )
    assert await consent_db[COUNTERS].count_documents({"_id": {"$in": views}}) == 0
    # Nor any bookkeeping: the service marks no view processed.
    assert await consent_db[PROCESSED_EVENTS].count_documents({"_id": {"$in": views}}) == 0


async def test_a_global_privacy_control_header_keeps_a_view_unlinked_despite_consent(
    gateway: AsyncClient, consent_service: ServiceRuntime, consent_db: AsyncDatabase
) -> None:
    visitor = new_visitor()
    consent_id = await give_consent(gateway, visitor, analytics=True)
    await eventually(lambda: in_force(consent_db, visitor, consent_id), what="the consent")

    page_view_id = await view(gateway, visitor, "https://www.jobport.nl/", **{"Sec-GPC": "1"})

    await processed(consent_service)
    assert await linked_visit(consent_db, page_view_id) is None


async def test_a_withdrawal_stops_linking_from_that_moment(
    gateway: AsyncClient, consent_service: ServiceRuntime, consent_db: AsyncDatabase
) -> None:
    visitor = new_visitor()
    consent_id = await give_consent(gateway, visitor, analytics=True)
    await eventually(lambda: in_force(consent_db, visitor, consent_id), what="the consent")
    before = await view(gateway, visitor, "https://www.jobport.nl/vacatures")
    await eventually(lambda: linked_visit(consent_db, before), what="the visit before withdrawal")

    withdrawal = await gateway.post(f"/v1/consents/{visitor}/withdrawal")
    assert withdrawal.status_code == 202, withdrawal.text
    # Posted at once: the view may be read before the withdrawal; time decides, not arrival.
    after = await view(gateway, visitor, "https://www.jobport.nl/vacatures/data-analist")

    withdrawal_id = withdrawal.json()["consent_id"]
    await eventually(lambda: in_force(consent_db, visitor, withdrawal_id), what="the withdrawal")
    await processed(consent_service)

    async def unlinked() -> bool:
        return await linked_visit(consent_db, after) is None

    await eventually(unlinked, what="the view after withdrawal to stay unlinked")
    assert (await linked_visit(consent_db, before))["visitor_id"] == visitor


async def test_a_withdrawal_read_after_later_views_still_unlinks_them(
    endpoints: Endpoints,
    gateway: AsyncClient,
    consent_service: ServiceRuntime,
    consent_db: AsyncDatabase,
) -> None:
    visitor = new_visitor()
    day = FIRST_DAY + timedelta(days=8)
    await choice_made_at(endpoints, consent_db, visitor, at(day, 8))
    early = await view(gateway, visitor, "https://www.jobport.nl/", occurred_at=at(day, 9))
    late = await view(gateway, visitor, "https://www.jobport.nl/", occurred_at=at(day, 11))
    await processed(consent_service)
    assert await linked_visit(consent_db, late) is not None

    await choice_made_at(endpoints, consent_db, visitor, at(day, 10), analytics=False)

    async def late_unlinked() -> bool:
        return await linked_visit(consent_db, late) is None

    await eventually(late_unlinked, what="the view after the withdrawal to be unlinked")
    assert (await linked_visit(consent_db, early))["visitor_id"] == visitor


async def test_a_withdrawal_polled_with_views_before_and_after_it_judges_each_by_its_moment(
    endpoints: Endpoints, consent_service: ServiceRuntime, consent_db: AsyncDatabase
) -> None:
    """The service applies a poll's choices before its page views (shared/batches.py, `first`):
    a view from before the withdrawal stays linked, one from after it is not, however the
    choice and the views fall into polls."""
    visitor = new_visitor()
    day = FIRST_DAY + timedelta(days=9)
    await choice_made_at(endpoints, consent_db, visitor, at(day, 8))
    early, late = published_view(visitor, at(day, 9)), published_view(visitor, at(day, 11))

    _, withdrawal = await asyncio.gather(
        publish_all(endpoints.kafka_bootstrap_servers, PAGE_VIEWS.name, [early, late]),
        choice_published(endpoints, visitor, at(day, 10), analytics=False),
    )

    await eventually(lambda: in_force(consent_db, visitor, withdrawal), what="the withdrawal")
    await processed(consent_service)

    async def late_unlinked() -> bool:
        return await linked_visit(consent_db, str(late.event_id)) is None

    await eventually(late_unlinked, what="the view after the withdrawal to stay unlinked")
    assert (await linked_visit(consent_db, str(early.event_id)))["visitor_id"] == visitor


async def test_no_ip_address_or_raw_user_agent_is_published_or_stored(
    endpoints: Endpoints,
    gateway: AsyncClient,
    consent_service: ServiceRuntime,
    consent_db: AsyncDatabase,
) -> None:
    visitor = new_visitor()
    consent_id = await give_consent(gateway, visitor, analytics=True)
    await eventually(lambda: in_force(consent_db, visitor, consent_id), what="the consent")

    page_view_id = await view(
        gateway,
        visitor,
        "https://www.jobport.nl/over-ons",
        **{"x-forwarded-for": FORWARDED_FOR, "x-real-ip": FORWARDED_FOR},
    )

    await eventually(lambda: linked_visit(consent_db, page_view_id), what="the visit")
    published = await collect_until(
        endpoints.kafka_bootstrap_servers, PAGE_VIEWS.name, lambda m: m["event_id"] == page_view_id
    )
    message = json.dumps(published[-1])
    client_host = CLIENT_ADDRESS[0]
    for leak in (FORWARDED_FOR, client_host, FIREFOX_ON_WINDOWS, '"ip'):
        assert leak not in message
    assert (
        await documents_mentioning(consent_db, FORWARDED_FOR, client_host, FIREFOX_ON_WINDOWS) == []
    )
    assert not [key for key in await linked_visit(consent_db, page_view_id) if "ip" in key.lower()]


async def exempt_settings_on(
    endpoints: Endpoints, consent_settings: ConsentSettings
) -> ConsentSettings:
    """A second deployment that relies on the Dutch analytics exemption, with its own database
    and group, from the topics' ends on."""
    return await analytics_exempt_copy(endpoints, consent_settings, "exempt")


exempt_settings, exempt_service, exempt_db = running_service(
    "exempt",
    settings=exempt_settings_on,
    runtime=lambda exempt_settings: create_consent_runtime(exempt_settings),
    scope="function",
)


async def test_with_the_exemption_views_without_consent_only_feed_anonymous_counters(
    endpoints: Endpoints,
    gateway: AsyncClient,
    consent_service: ServiceRuntime,
    consent_db: AsyncDatabase,
    exempt_service: ServiceRuntime,
) -> None:
    exempt_db = exempt_service.db
    day = FIRST_DAY + timedelta(days=5)
    first, second = new_visitor(), new_visitor()
    await view(gateway, first, "https://www.jobport.nl/vacatures", occurred_at=at(day, 9))
    await view(
        gateway,
        first,
        "https://www.jobport.nl/vacatures",
        referrer="https://www.google.com/",
        occurred_at=at(day, 10),
    )
    await view(
        gateway,
        second,
        "https://www.jobport.nl/vacatures",
        referrer="https://www.google.com/",
        user_agent=SAFARI_ON_IPHONE,
        occurred_at=at(day, 11),
    )
    redelivered = published_view(
        second,
        at(day, 12),
        url="https://www.jobport.nl/contact",
        device_type="mobile",
        os="iOS",
        browser="Mobile Safari",
    )
    for _ in range(2):
        await publish_message(
            endpoints.kafka_bootstrap_servers,
            PAGE_VIEWS.name,
            redelivered.model_dump_json().encode(),
            key=redelivered.partition_key,
        )
    await view(gateway, second, "https://www.jobport.nl/", occurred_at=at(day, 13))

    await processed(exempt_service)
    report = await analytics_of(exempt_db, exempt_service.settings).report(day, day)
    assert [d.model_dump() for d in report.days] == [
        {
            "day": day,
            "consenting_visitors": 0,
            "consenting_page_views": 0,
            "anonymous_page_views": 5,
        }
    ]
    assert [(p.value, p.page_views) for p in report.top_pages] == [
        ("/vacatures", 3),
        ("/", 1),
        ("/contact", 1),
    ]
    assert [(r.value, r.page_views) for r in report.top_referrers] == [("www.google.com", 2)]
    assert await documents_mentioning(exempt_db, first, second) == []
    await processed(consent_service)
    consent_analytics = analytics_of(consent_db, consent_service.settings)
    assert (await consent_analytics.report(day, day)).total_page_views == 0


async def test_a_staff_report_gives_exact_numbers_for_a_fixed_set_of_page_views(
    endpoints: Endpoints,
    gateway: AsyncClient,
    consent_service: ServiceRuntime,
    consent_db: AsyncDatabase,
) -> None:
    first_day, second_day, empty_day = (
        FIRST_DAY,
        FIRST_DAY + timedelta(days=1),
        FIRST_DAY + timedelta(days=2),
    )
    anna, bram, cees = new_visitor(), new_visitor(), new_visitor()
    # Consent given the day before the visits; the gateway would stamp it with today's date.
    for visitor in (anna, bram):
        await choice_made_at(endpoints, consent_db, visitor, at(first_day - timedelta(days=1), 12))
    site = "https://www.jobport.nl"
    await view(
        gateway,
        anna,
        f"{site}/vacatures",
        referrer="https://www.google.com/search?q=x",
        occurred_at=at(first_day, 8),
    )
    await view(
        gateway,
        anna,
        f"{site}/vacatures/data-analist",
        referrer=f"{site}/vacatures",
        occurred_at=at(first_day, 9),
    )
    await view(
        gateway,
        bram,
        f"{site}/vacatures",
        referrer="https://www.linkedin.com/feed/",
        user_agent=SAFARI_ON_IPHONE,
        occurred_at=at(first_day, 10),
    )
    await view(
        gateway,
        cees,
        f"{site}/vacatures",
        referrer="https://www.google.com/",
        occurred_at=at(first_day, 11),
    )
    await view(
        gateway,
        bram,
        f"{site}/",
        referrer="https://www.google.com/",
        user_agent=SAFARI_ON_IPHONE,
        occurred_at=at(second_day, 20),
    )
    await view(
        gateway,
        bram,
        f"{site}/contact",
        user_agent=SAFARI_ON_IPAD,
        occurred_at=at(second_day, 21),
    )
    await processed(consent_service)

    response = await gateway.get(
        "/v1/staff/analytics",
        params={"from": first_day.isoformat(), "to": empty_day.isoformat()},
        headers=staff_headers(Role.ANALYST),
    )

    assert response.status_code == 200, response.text
    # Cees gave no consent and this deployment has no exemption: his view counts nowhere.
    assert response.json() == {
        "from_day": first_day.isoformat(),
        "to_day": empty_day.isoformat(),
        "total_page_views": 5,
        "days": [
            {
                "day": first_day.isoformat(),
                "consenting_visitors": 2,
                "consenting_page_views": 3,
                "anonymous_page_views": 0,
            },
            {
                "day": second_day.isoformat(),
                "consenting_visitors": 1,
                "consenting_page_views": 2,
                "anonymous_page_views": 0,
            },
            {
                "day": empty_day.isoformat(),
                "consenting_visitors": 0,
                "consenting_page_views": 0,
                "anonymous_page_views": 0,
            },
        ],
        "top_pages": [
            {"value": "/vacatures", "page_views": 2},
            {"value": "/", "page_views": 1},
            {"value": "/contact", "page_views": 1},
            {"value": "/vacatures/data-analist", "page_views": 1},
        ],
        "top_referrers": [
            {"value": "www.google.com", "page_views": 2},
            {"value": "www.linkedin.com", "page_views": 1},
        ],
        "device_types": [
            {"value": "desktop", "page_views": 2, "fraction": 0.4},
            {"value": "mobile", "page_views": 2, "fraction": 0.4},
            {"value": "tablet", "page_views": 1, "fraction": 0.2},
        ],
        "operating_systems": [
            {"value": "iOS", "page_views": 3, "fraction": 0.6},
            {"value": "Windows", "page_views": 2, "fraction": 0.4},
        ],
        "browsers": [
            {"value": "Mobile Safari", "page_views": 3, "fraction": 0.6},
            {"value": "Firefox", "page_views": 2, "fraction": 0.4},
        ],
    }


async def test_the_report_ranks_at_most_ten_pages_and_referring_sites_however_many_there_are(
    endpoints: Endpoints,
    gateway: AsyncClient,
    consent_service: ServiceRuntime,
    consent_db: AsyncDatabase,
) -> None:
    day, visitor = FIRST_DAY + timedelta(days=11), new_visitor()
    await choice_made_at(endpoints, consent_db, visitor, at(day - timedelta(days=1), 12))
    for n in range(12):
        await view(
            gateway,
            visitor,
            f"https://www.jobport.nl/vacatures/{n}",
            referrer=f"https://zoeker{n}.example.nl/",
            occurred_at=at(day, 8) + timedelta(minutes=n),
        )
    await processed(consent_service)

    report = await analytics_of(consent_db, consent_service.settings).report(day, day)

    assert report.total_page_views == 12
    assert len(report.top_pages) == len(report.top_referrers) == 10
    assert all(entry.page_views == 1 for entry in report.top_pages)


async def test_the_report_needs_the_analyst_role(gateway: AsyncClient) -> None:
    params = {"from": "2024-01-01", "to": "2024-01-31"}

    anonymous = await gateway.get("/v1/staff/analytics", params=params)
    support = await gateway.get(
        "/v1/staff/analytics", params=params, headers=staff_headers(Role.SUPPORT_AGENT)
    )

    assert anonymous.status_code == 401
    assert support.status_code == 403


async def test_a_reversed_or_too_long_range_is_refused_naming_the_field(
    gateway: AsyncClient,
) -> None:
    analyst = staff_headers(Role.ANALYST)

    reversed_range = await gateway.get(
        "/v1/staff/analytics", params={"from": "2024-02-01", "to": "2024-01-01"}, headers=analyst
    )
    too_long = await gateway.get(
        "/v1/staff/analytics", params={"from": "2022-01-01", "to": "2024-01-01"}, headers=analyst
    )

    assert reversed_range.status_code == 422
    assert [e["field"] for e in reversed_range.json()["errors"]] == ["from"]
    assert too_long.status_code == 422
    assert [e["field"] for e in too_long.json()["errors"]] == ["to"]
