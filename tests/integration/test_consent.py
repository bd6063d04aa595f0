"""Consent per purpose with proof (statement §2a): website → gateway → Kafka → consent service → its database."""

import hashlib
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from httpx import AsyncClient
from privacyhub.consent.consents import HISTORY, Consents
from privacyhub.consent.settings import ConsentSettings
from privacyhub.gateway.app import create_app as create_gateway
from privacyhub.shared.contracts.consent import (
    CONSENT_GIVEN,
    ConsentGiven,
    ConsentSource,
    Purposes,
)
from privacyhub.shared.envelope import Envelope, utc_now
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.statement import seed_statement
from privacyhub.shared.topics import CONSENT_CHOICES, DEAD_LETTER
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.consent_store import readable_consents
from tests.support.endpoints import Endpoints
from tests.support.in_loop_gateway import gateway_settings, serving
from tests.support.kafka import collect_until, publish_message
from tests.support.services import RUN
from tests.support.visitors import new_visitor
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

SEED_SHA256 = hashlib.sha256(
    (
        Path(__file__).resolve().parents[2]
        / "shared/src/privacyhub/shared/statement/privacy-statement-v2.1.nl.txt"
    ).read_bytes()
).hexdigest()
ONLY_NECESSARY = {"necessary": True, "analytics": False, "marketing": False}


@pytest.fixture(scope="module")
async def gateway(endpoints: Endpoints) -> AsyncIterator[AsyncClient]:
    """Reads here wait for the consent service, so the gateway shares its event loop."""
    async with serving(
        create_gateway(gateway_settings(endpoints.kafka_bootstrap_servers))
    ) as client:
        yield client


def choice(visitor_id: str, *, analytics: bool, marketing: bool, **extra: object) -> dict:
    return {
        "visitor_id": visitor_id,
        "purposes": {"necessary": True, "analytics": analytics, "marketing": marketing},
        "statement_version": "2.1",
        **extra,
    }


async def consents_when(gateway: AsyncClient, visitor_id: str, *, current: str) -> dict:
    """The visitor's consents once the choice `current` is the one in force."""

    async def probe() -> dict | None:
        response = await gateway.get(f"/v1/consents/{visitor_id}")
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.text
        body = response.json()
        return body if body["current"]["consent_id"] == current else None

    return await eventually(probe, what="the consent choice in force")


async def give(gateway: AsyncClient, body: dict, **headers: str) -> dict:
    response = await gateway.post("/v1/consents", json=body, headers=headers)
    assert response.status_code == 202, response.text
    return response.json()


async def test_a_choice_is_recorded_per_purpose_with_its_proof(
    gateway: AsyncClient, consent_service: ServiceRuntime, consent_db: AsyncDatabase
) -> None:
    visitor = new_visitor()
    before = utc_now()
    # The text in force, which another test may have replaced since the seed (2.1).
    in_force = (await gateway.get("/v1/privacy-statement")).json()

    accepted = await give(
        gateway,
        choice(visitor, analytics=True, marketing=False, statement_version=in_force["version"]),
    )

    assert accepted["source"] == "banner"
    assert accepted["purposes"] == {"necessary": True, "analytics": True, "marketing": False}
    consents = await consents_when(gateway, visitor, current=accepted["consent_id"])
    current = consents["current"]
    assert consents["visitor_id"] == visitor
    assert current["purposes"] == {"necessary": True, "analytics": True, "marketing": False}
    assert current["statement_version"] == in_force["version"]
    assert current["statement_sha256"] == in_force["sha256"]
    assert current["source"] == "banner"
    assert current["needs_renewal"] is False
    stored = await consent_db[HISTORY].find_one({"_id": accepted["consent_id"]})
    assert stored["statement_sha256"] == in_force["sha256"]
    assert before.replace(microsecond=0) <= stored["given_at"] <= utc_now()
    assert [c["consent_id"] for c in consents["history"]] == [accepted["consent_id"]]


async def test_a_later_choice_is_in_force_and_the_history_keeps_both(
    gateway: AsyncClient, consent_service: ServiceRuntime
) -> None:
    visitor = new_visitor()
    first = await give(gateway, choice(visitor, analytics=True, marketing=True))
    await consents_when(gateway, visitor, current=first["consent_id"])

    second = await give(gateway, choice(visitor, analytics=False, marketing=True, source="api"))

    consents = await consents_when(gateway, visitor, current=second["consent_id"])
    assert consents["current"]["source"] == "api"
    assert consents["current"]["purposes"] == {
        "necessary": True,
        "analytics": False,
        "marketing": True,
    }
    history = consents["history"]
    assert [c["consent_id"] for c in history] == [first["consent_id"], second["consent_id"]]
    assert history[0]["purposes"]["analytics"] is True
    assert history[0]["given_at"] < history[1]["given_at"]


async def test_withdrawal_is_one_call_and_kept_in_the_history(
    gateway: AsyncClient, consent_service: ServiceRuntime
) -> None:
    visitor = new_visitor()
    given = await give(gateway, choice(visitor, analytics=True, marketing=True))
    await consents_when(gateway, visitor, current=given["consent_id"])

    response = await gateway.post(f"/v1/consents/{visitor}/withdrawal")

    assert response.status_code == 202, response.text
    withdrawn = response.json()
    assert withdrawn["purposes"] == ONLY_NECESSARY
    consents = await consents_when(gateway, visitor, current=withdrawn["consent_id"])
    assert consents["current"]["purposes"] == ONLY_NECESSARY
    assert consents["current"]["statement_sha256"]
    assert [c["consent_id"] for c in consents["history"]] == [
        given["consent_id"],
        withdrawn["consent_id"],
    ]


async def test_a_global_privacy_control_header_overrides_a_body_that_says_yes(
    gateway: AsyncClient, consent_service: ServiceRuntime
) -> None:
    visitor = new_visitor()

    accepted = await give(
        gateway, choice(visitor, analytics=True, marketing=True, source="api"), **{"Sec-GPC": "1"}
    )

    assert accepted["purposes"] == ONLY_NECESSARY
    assert accepted["source"] == "gpc"
    current = (await consents_when(gateway, visitor, current=accepted["consent_id"]))["current"]
    assert current["purposes"] == ONLY_NECESSARY
    assert current["source"] == "gpc"
    assert current["statement_sha256"] == SEED_SHA256


async def test_a_visitor_who_never_chose_is_not_found(
    gateway: AsyncClient, consent_service: ServiceRuntime
) -> None:
    response = await gateway.get(f"/v1/consents/{new_visitor()}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


async def test_an_unknown_statement_version_is_refused_with_a_422_and_nothing_is_recorded(
    gateway: AsyncClient, consent_service: ServiceRuntime
) -> None:
    visitor = new_visitor()

    response = await gateway.post(
        "/v1/consents",
        json={**choice(visitor, analytics=True, marketing=False), "statement_version": "0.9"},
    )

    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["statement_version"]
    assert (await gateway.get(f"/v1/consents/{visitor}")).status_code == 404


async def test_necessary_cookies_cannot_be_refused_and_unknown_purposes_are_named(
    gateway: AsyncClient,
) -> None:
    body = choice(new_visitor(), analytics=True, marketing=False)
    body["purposes"] = {
        "necessary": False,
        "analytics": True,
        "marketing": False,
        "profiling": True,
    }

    response = await gateway.post("/v1/consents", json=body)

    assert response.status_code == 422
    named = {problem["field"] for problem in response.json()["errors"]}
    assert named == {"purposes.necessary", "purposes.profiling"}


async def test_a_choice_under_a_version_never_published_is_dead_lettered_by_the_service(
    endpoints: Endpoints, consent_service: ServiceRuntime
) -> None:
    visitor = new_visitor()
    forged = Envelope[ConsentGiven](
        type=CONSENT_GIVEN,
        subject_id=visitor,
        payload=ConsentGiven(
            consent_id=str(uuid.uuid4()),
            visitor_id=visitor,
            purposes=Purposes(analytics=True, marketing=True),
            statement_version="0.0-forged",
            source=ConsentSource.API,
            given_at=utc_now(),
        ),
    )

    await publish_message(
        endpoints.kafka_bootstrap_servers,
        CONSENT_CHOICES.name,
        forged.model_dump_json().encode(),
        key=forged.partition_key,
    )

    letters = await collect_until(
        endpoints.kafka_bootstrap_servers, DEAD_LETTER.name, lambda m: m["key"] == visitor
    )
    assert letters[-1]["source_topic"] == CONSENT_CHOICES.name
    assert letters[-1]["reason"] == "consent refers to an unknown statement version"


@pytest.fixture
async def consents(
    endpoints: Endpoints, consent_settings: ConsentSettings
) -> AsyncIterator[Consents]:
    """The consent store on a database of its own, so renewal marks touch no other test's visitors."""
    name = f"test_consents_{RUN}_{uuid.uuid4().hex[:6]}"
    client: AsyncMongoClient = AsyncMongoClient(endpoints.mongodb_url, tz_aware=True)
    try:
        store = readable_consents(client[name], consent_settings)
        await store.ensure_indexes()
        yield store
    finally:
        await client.drop_database(name)
        await client.drop_database(f"{name}_keys")
        await client.close()


def recorded_choice(visitor_id: str, given_at: datetime, *, analytics: bool) -> ConsentGiven:
    return ConsentGiven(
        consent_id=str(uuid.uuid4()),
        visitor_id=visitor_id,
        purposes=Purposes(analytics=analytics, marketing=False),
        statement_version="2.1",
        source=ConsentSource.BANNER,
        given_at=given_at,
    )


async def test_an_earlier_choice_read_late_joins_the_history_but_not_the_choice_in_force(
    consents: Consents,
) -> None:
    visitor, now = new_visitor(), utc_now()
    later = recorded_choice(visitor, now, analytics=False)
    earlier = recorded_choice(visitor, now - timedelta(minutes=5), analytics=True)

    for choice_read in (later, earlier, later):
        await consents.record(choice_read, seed_statement())

    found = await consents.history(visitor)
    assert found is not None
    assert found.current.consent_id == later.consent_id
    assert [c.consent_id for c in found.history] == [earlier.consent_id, later.consent_id]
    assert (await consents.purposes_at(visitor, now - timedelta(minutes=1))).analytics is True
    assert (await consents.purposes_at(visitor, now + timedelta(minutes=1))).analytics is False


async def test_consents_in_force_under_replaced_versions_are_marked_for_renewal(
    consents: Consents,
) -> None:
    renewing, renewed = new_visitor(), new_visitor()
    for visitor in (renewing, renewed):
        await consents.record(recorded_choice(visitor, utc_now(), analytics=True), seed_statement())

    marked = await consents.mark_needing_renewal(["2.1"], "3.0")
    fresh = recorded_choice(renewed, utc_now(), analytics=True)
    await consents.record(fresh, seed_statement())

    assert marked == 2
    assert await consents.mark_needing_renewal([], "3.0") == 0
    renewing_now = (await consents.history(renewing)).current
    assert (renewing_now.needs_renewal, renewing_now.renewal_version) == (True, "3.0")
    assert (await consents.history(renewed)).current.needs_renewal is False
