"""Services and the gateway run in-process against the session's real Kafka and MongoDB-protocol servers.

Each test session gets databases and consumer groups of its own, so runs never see each other's data.
"""

import uuid
from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient
from privacyhub.consent.app import create_runtime as create_consent_runtime
from privacyhub.consent.settings import ConsentSettings
from privacyhub.contact.app import create_runtime as create_contact_runtime
from privacyhub.contact.settings import ContactSettings
from privacyhub.gateway.app import create_app as create_gateway
from privacyhub.gateway.settings import GatewaySettings
from privacyhub.shared.auth import Role, issue_token
from privacyhub.shared.service import ServiceRuntime
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from tests.conftest import Endpoints
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

RUN = uuid.uuid4().hex[:8]


def gateway_settings(kafka_bootstrap_servers: str, **overrides: object) -> GatewaySettings:
    return GatewaySettings(
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_publish_timeout_seconds=3.0,
        rate_limit_per_minute=10_000,
        **overrides,
    )


async def connected_client(settings: GatewaySettings) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=create_gateway(settings)) as client:

        async def ready() -> bool:
            return (await client.get("/ready")).status_code == 200

        await eventually(ready, what="the gateway to connect to Kafka")
        yield client


@pytest.fixture(scope="session")
async def gateway(endpoints: Endpoints) -> AsyncIterator[AsyncTestClient]:
    async for client in connected_client(gateway_settings(endpoints.kafka_bootstrap_servers)):
        yield client


@pytest.fixture(scope="session")
def contact_settings(endpoints: Endpoints) -> ContactSettings:
    return ContactSettings(
        kafka_bootstrap_servers=endpoints.kafka_bootstrap_servers,
        mongodb_url=endpoints.mongodb_url,
        mongodb_database=f"test_contact_{RUN}",
        consumer_group=f"test-contact-{RUN}",
        retry_backoff_seconds=0.2,
    )


@pytest.fixture(scope="session")
async def contact_service(contact_settings: ContactSettings) -> AsyncIterator[ServiceRuntime]:
    async with create_contact_runtime(contact_settings).running() as runtime:
        yield runtime


@pytest.fixture(scope="session")
async def contact_db(
    endpoints: Endpoints, contact_settings: ContactSettings
) -> AsyncIterator[AsyncDatabase]:
    """The contact service's database as an outside observer (a DPO's audit) sees it."""
    client: AsyncMongoClient = AsyncMongoClient(endpoints.mongodb_url, tz_aware=True)
    try:
        yield client[contact_settings.mongodb_database]
    finally:
        await client.close()


@pytest.fixture(scope="session")
def consent_settings(endpoints: Endpoints) -> ConsentSettings:
    return ConsentSettings(
        kafka_bootstrap_servers=endpoints.kafka_bootstrap_servers,
        mongodb_url=endpoints.mongodb_url,
        mongodb_database=f"test_consent_{RUN}",
        consumer_group=f"test-consent-{RUN}",
        retry_backoff_seconds=0.2,
    )


@pytest.fixture(scope="session")
async def consent_service(consent_settings: ConsentSettings) -> AsyncIterator[ServiceRuntime]:
    async with create_consent_runtime(consent_settings).running() as runtime:
        yield runtime


@pytest.fixture(scope="session")
async def consent_db(
    endpoints: Endpoints, consent_settings: ConsentSettings
) -> AsyncIterator[AsyncDatabase]:
    client: AsyncMongoClient = AsyncMongoClient(endpoints.mongodb_url, tz_aware=True)
    try:
        yield client[consent_settings.mongodb_database]
    finally:
        await client.close()


def staff_headers(*roles: Role, staff_id: str = "test-staff") -> dict[str, str]:
    """A bearer token signed with the development secret the test gateway verifies."""
    secret = GatewaySettings().staff_token_secret.get_secret_value()
    return {"authorization": f"Bearer {issue_token(secret, staff_id=staff_id, roles=list(roles))}"}
