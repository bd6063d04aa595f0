"""The privacy statement as versioned data (statement §9): served, listed, published by an admin as an event."""

import hashlib
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from httpx import AsyncClient
from privacyhub.consent.handlers import statement_handlers
from privacyhub.consent.settings import ConsentSettings
from privacyhub.consent.statements import Statements
from privacyhub.shared.auth import Role
from privacyhub.shared.contracts.statement import STATEMENT_PUBLISHED, StatementVersion
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import STATEMENT_VERSIONS
from pymongo import AsyncMongoClient

from tests.support.endpoints import Endpoints
from tests.support.kafka import collect_until, publish_message
from tests.support.services import RUN
from tests.support.staff import staff_headers
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

SEED_FILE = (
    Path(__file__).resolve().parents[2]
    / "shared/src/privacyhub/shared/statement/privacy-statement-v2.1.nl.txt"
)
SEED_BYTES = SEED_FILE.read_bytes()
NEW_TEXT = "Privacyverklaring Jobport website\n\nVersie {version}\n\nWe verwerken nu ook {extra}.\n"


def new_version() -> str:
    """Unique per call and higher than any earlier run's, since the session's topic keeps every version."""
    return f"9.{time.time_ns()}"


def draft(version: str, *, material: bool = True, extra: str = "sollicitatiegegevens") -> dict:
    return {
        "version": version,
        "published_on": datetime.now(UTC).date().isoformat(),
        "language": "nl",
        "text": NEW_TEXT.format(version=version, extra=extra),
        "material": material,
        "summary_of_changes": f"Nieuw doel: {extra}.",
    }


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def is_current(gateway: AsyncClient, version: str) -> bool:
    response = await gateway.get("/v1/privacy-statement")
    assert response.status_code == 200, response.text
    return response.json()["version"] == version


async def test_version_2_1_of_3_4_2023_is_served_with_the_hash_of_its_file(
    gateway: AsyncClient, consent_service: ServiceRuntime
) -> None:
    response = await gateway.get("/v1/privacy-statement", params={"version": "2.1"})

    assert response.status_code == 200, response.text
    statement = response.json()
    assert statement["version"] == "2.1"
    assert statement["published_on"] == "2023-04-03"
    assert statement["language"] == "nl"
    assert statement["sha256"] == hashlib.sha256(SEED_BYTES).hexdigest()
    assert statement["text"].encode("utf-8") == SEED_BYTES
    assert statement["text"].startswith(
        "Privacyverklaring Jobport website\n\nVersie 2.1 \u2013 3-4-2023"
    )


async def test_the_current_statement_is_the_latest_listed_version(
    gateway: AsyncClient, consent_service: ServiceRuntime
) -> None:
    listing = (await gateway.get("/v1/privacy-statement/versions")).json()
    current = (await gateway.get("/v1/privacy-statement")).json()

    assert current["version"] == listing[-1]["version"]
    assert current["sha256"] == sha256_of(current["text"])


async def test_a_fresh_deployment_serves_2_1_as_current_and_seeds_it_once(
    endpoints: Endpoints,
) -> None:
    client: AsyncMongoClient = AsyncMongoClient(endpoints.mongodb_url, tz_aware=True)
    try:
        db = client[f"test_statement_seed_{RUN}"]
        statements = Statements(db)
        await statements.ensure_seeded()
        await statements.ensure_seeded()

        current = await statements.current()

        assert current.version == "2.1"
        assert current.sha256 == hashlib.sha256(SEED_BYTES).hexdigest()
        assert [v.version for v in await statements.all()] == ["2.1"]
    finally:
        await client.drop_database(f"test_statement_seed_{RUN}")
        await client.close()


async def test_the_versions_list_names_2_1_without_its_text(
    gateway: AsyncClient, consent_service: ServiceRuntime
) -> None:
    response = await gateway.get("/v1/privacy-statement/versions")

    assert response.status_code == 200, response.text
    listing = response.json()
    # Other tests publish versions of their own, some dated long ago (test_dead_letters.py).
    assert all("text" not in entry for entry in listing)
    assert next(entry for entry in listing if entry["version"] == "2.1") == {
        "version": "2.1",
        "published_on": "2023-04-03",
        "language": "nl",
        "sha256": hashlib.sha256(SEED_BYTES).hexdigest(),
        "material": True,
        "summary_of_changes": None,
    }


async def test_an_unknown_version_is_404(
    gateway: AsyncClient, consent_service: ServiceRuntime
) -> None:
    response = await gateway.get("/v1/privacy-statement", params={"version": "0.0-never"})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


async def test_publishing_needs_an_admin(gateway: AsyncClient) -> None:
    body = draft(new_version())

    anonymous = await gateway.post("/v1/staff/privacy-statement/versions", json=body)
    analyst = await gateway.post(
        "/v1/staff/privacy-statement/versions", json=body, headers=staff_headers(Role.ANALYST)
    )

    assert anonymous.status_code == 401
    assert analyst.status_code == 403
    assert analyst.json()["code"] == "forbidden"


async def test_a_draft_with_invalid_fields_is_refused_naming_them(
    gateway: AsyncClient,
) -> None:
    body = {**draft(new_version()), "language": "Nederlands", "text": ""}
    del body["material"]

    response = await gateway.post(
        "/v1/staff/privacy-statement/versions", json=body, headers=staff_headers(Role.ADMIN)
    )

    assert response.status_code == 422
    assert {p["field"] for p in response.json()["errors"]} == {"language", "text", "material"}


async def test_a_published_material_version_becomes_current_and_2_1_stays_retrievable(
    endpoints: Endpoints, gateway: AsyncClient, consent_service: ServiceRuntime
) -> None:
    version = new_version()
    body = draft(version)

    response = await gateway.post(
        "/v1/staff/privacy-statement/versions", json=body, headers=staff_headers(Role.ADMIN)
    )

    assert response.status_code == 202, response.text
    expected_hash = sha256_of(body["text"])
    assert response.json() == {"version": version, "sha256": expected_hash}
    await eventually(
        lambda: is_current(gateway, version), what=f"version {version} to become current"
    )
    current = (await gateway.get("/v1/privacy-statement")).json()
    assert current["text"] == body["text"]
    assert current["sha256"] == expected_hash
    assert current["material"] is True
    earlier = await gateway.get("/v1/privacy-statement", params={"version": "2.1"})
    assert earlier.status_code == 200
    assert earlier.json()["sha256"] == hashlib.sha256(SEED_BYTES).hexdigest()
    listed = {v["version"] for v in (await gateway.get("/v1/privacy-statement/versions")).json()}
    assert {"2.1", version} <= listed
    events = await collect_until(
        endpoints.kafka_bootstrap_servers,
        STATEMENT_VERSIONS.name,
        lambda m: m["payload"]["version"] == version,
    )
    event = events[-1]
    assert event["type"] == STATEMENT_PUBLISHED
    assert event["subject_id"] == "statement"
    assert event["payload"]["sha256"] == expected_hash


async def test_an_existing_version_number_is_refused(
    gateway: AsyncClient, consent_service: ServiceRuntime
) -> None:
    response = await gateway.post(
        "/v1/staff/privacy-statement/versions",
        json={**draft("2.1"), "text": "Een andere tekst onder een bestaand versienummer."},
        headers=staff_headers(Role.ADMIN),
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert [p["field"] for p in body["errors"]] == ["version"]
    kept = (await gateway.get("/v1/privacy-statement", params={"version": "2.1"})).json()
    assert kept["sha256"] == hashlib.sha256(SEED_BYTES).hexdigest()


async def test_a_material_version_names_the_versions_it_replaces_once_and_a_minor_one_none(
    endpoints: Endpoints, gateway: AsyncClient, consent_service: ServiceRuntime
) -> None:
    """The consent service's hook for renewal, observed on a statement keeper of its own."""
    keeper = ServiceRuntime(
        ConsentSettings(
            kafka_bootstrap_servers=endpoints.kafka_bootstrap_servers,
            mongodb_url=endpoints.mongodb_url,
            mongodb_database=f"test_statement_keeper_{RUN}",
            consumer_group=f"test-statement-keeper-{RUN}",
            retry_backoff_seconds=0.2,
        ),
        name="consent",
    )
    statements = Statements(keeper.db)
    keeper.on_startup(statements.ensure_seeded)
    renewals: list[tuple[list[str], str]] = []

    async def record_renewal(replaced: list[str], renewal_version: str) -> int:
        renewals.append((replaced, renewal_version))
        return len(replaced)

    keeper.handle(statement_handlers(keeper, statements, record_renewal))
    material, minor = new_version(), new_version()
    material_body = draft(material)
    material_event = Envelope[StatementVersion](
        type=STATEMENT_PUBLISHED,
        subject_id="statement",
        payload=StatementVersion(**material_body, sha256=sha256_of(material_body["text"])),
    )
    minor_body = draft(minor, material=False, extra="spelling")

    async with keeper.running():
        for _ in range(2):
            await publish_message(
                endpoints.kafka_bootstrap_servers,
                STATEMENT_VERSIONS.name,
                material_event.model_dump_json().encode(),
                key=material_event.partition_key,
            )
        response = await gateway.post(
            "/v1/staff/privacy-statement/versions",
            json=minor_body,
            headers=staff_headers(Role.ADMIN),
        )
        assert response.status_code == 202, response.text
        await eventually(lambda: statements.get(minor), what=f"version {minor} to be kept")

    assert [r for r in renewals if r[1] == minor] == []
    renewed = [replaced for replaced, version in renewals if version == material]
    assert len(renewed) == 1
    assert "2.1" in renewed[0] and material not in renewed[0] and minor not in renewed[0]


async def test_a_choice_naming_a_version_a_material_one_replaced_needs_renewal(
    gateway: AsyncClient, consent_service: ServiceRuntime
) -> None:
    """Consent must be informed by the text in force (Art. 7): a choice made under an older text
    after a material change is kept, but as needing renewal under the new one."""
    version = new_version()
    published = await gateway.post(
        "/v1/staff/privacy-statement/versions",
        json=draft(version),
        headers=staff_headers(Role.ADMIN),
    )
    assert published.status_code == 202, published.text
    await eventually(lambda: is_current(gateway, version), what=f"version {version} current")

    renewals = {}
    for named in ("2.1", version):
        visitor = f"visitor-{RUN}-{time.time_ns()}"
        body = {
            "visitor_id": visitor,
            "purposes": {"necessary": True, "analytics": True, "marketing": False},
            "statement_version": named,
        }
        given = await gateway.post("/v1/consents", json=body)
        assert given.status_code == 202, given.text

        async def in_force(visitor: str = visitor) -> dict | None:
            response = await gateway.get(f"/v1/consents/{visitor}")
            return response.json()["current"] if response.status_code == 200 else None

        current = await eventually(in_force, what="the choice in force")
        renewals[named] = (current["needs_renewal"], current["renewal_version"])

    assert renewals == {"2.1": (True, version), version: (False, None)}
