"""Services and the gateway run in-process against the session's real Kafka and MongoDB-protocol servers.

Each test session gets databases and consumer groups of its own, so runs never see each other's data.
"""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from privacyhub.consent.app import create_runtime as create_consent_runtime
from privacyhub.consent.settings import ConsentSettings
from privacyhub.contact.app import create_runtime as create_contact_runtime
from privacyhub.contact.settings import ContactSettings
from privacyhub.localinfra import KafkaServer, free_port
from privacyhub.partner.app import create_runtime as create_partner_runtime
from privacyhub.partner.settings import PartnerSettings
from privacyhub.requests.app import create_runtime as create_requests_runtime
from privacyhub.requests.settings import RequestsSettings
from privacyhub.retention.app import create_runtime as create_retention_runtime
from privacyhub.retention.settings import RetentionSettings
from privacyhub.shared.service import ServiceRuntime
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.clock import MovableClock
from tests.support.endpoints import Endpoints
from tests.support.in_loop_gateway import connected_client, gateway_settings
from tests.support.mailbox import Mailbox
from tests.support.services import RUN, observed, service_settings
from tests.support.waiting_copy import WaitingCopy, waiting_for_a_silent_partner

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
async def gateway(endpoints: Endpoints) -> AsyncIterator[httpx.AsyncClient]:
    async for client in connected_client(gateway_settings(endpoints.kafka_bootstrap_servers)):
        yield client


@pytest.fixture(scope="session")
def contact_settings(endpoints: Endpoints) -> ContactSettings:
    return service_settings(ContactSettings, endpoints, "contact")


@pytest.fixture(scope="session")
def contact_clock() -> MovableClock:
    """The contact service's clock: real time, moved back by tests of old disclosures."""
    return MovableClock()


@pytest.fixture(scope="session")
async def contact_service(
    contact_settings: ContactSettings, contact_clock: MovableClock
) -> AsyncIterator[ServiceRuntime]:
    async with create_contact_runtime(contact_settings, clock=contact_clock).running() as runtime:
        yield runtime


@pytest.fixture(scope="session")
async def contact_db(
    endpoints: Endpoints, contact_settings: ContactSettings
) -> AsyncIterator[AsyncDatabase]:
    """The contact service's database as an outside observer (a DPO's audit) sees it."""
    async for db in observed(endpoints, contact_settings.mongodb_database):
        yield db


@pytest.fixture(scope="session")
def consent_settings(endpoints: Endpoints) -> ConsentSettings:
    return service_settings(ConsentSettings, endpoints, "consent")


@pytest.fixture(scope="session")
async def consent_service(consent_settings: ConsentSettings) -> AsyncIterator[ServiceRuntime]:
    async with create_consent_runtime(consent_settings).running() as runtime:
        yield runtime


@pytest.fixture(scope="session")
async def consent_db(
    endpoints: Endpoints, consent_settings: ConsentSettings
) -> AsyncIterator[AsyncDatabase]:
    async for db in observed(endpoints, consent_settings.mongodb_database):
        yield db


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server that keeps what the requests service e-mails."""
    with Mailbox().running() as box:
        yield box


@pytest.fixture(scope="session")
def partner_settings(endpoints: Endpoints) -> PartnerSettings:
    return service_settings(
        PartnerSettings,
        endpoints,
        "partner",
        consumer_group=f"privacyhub-partner-support-test-{RUN}",
    )


@pytest.fixture(scope="session")
async def support_partner(partner_settings: PartnerSettings) -> AsyncIterator[ServiceRuntime]:
    """The reference support-partner tool, a registered owner every rights request waits for."""
    async with create_partner_runtime(partner_settings).running() as runtime:
        yield runtime


@pytest.fixture(scope="session")
async def partner_db(
    endpoints: Endpoints, partner_settings: PartnerSettings
) -> AsyncIterator[AsyncDatabase]:
    async for db in observed(endpoints, partner_settings.mongodb_database):
        yield db


@pytest.fixture(scope="session")
def requests_settings(endpoints: Endpoints, mailbox: Mailbox) -> RequestsSettings:
    return service_settings(
        RequestsSettings,
        endpoints,
        "requests",
        smtp_host=mailbox.host,
        smtp_port=mailbox.port,
        smtp_tls="none",
        owner_sweep_interval_seconds=1.0,  # packages past their window go while a test waits
    )


@pytest.fixture(scope="session")
def requests_clock() -> MovableClock:
    """The requests service's clock: real time, moved forward by tests of deadlines."""
    return MovableClock()


@pytest.fixture(scope="session")
async def requests_service(
    requests_settings: RequestsSettings,
    requests_clock: MovableClock,
    support_partner: ServiceRuntime,
) -> AsyncIterator[ServiceRuntime]:
    """Runs with the support partner: a registered owner whose receipt every request waits for."""
    runtime = create_requests_runtime(requests_settings, clock=requests_clock)
    async with runtime.running():
        yield runtime


@pytest.fixture(scope="session")
async def requests_db(
    endpoints: Endpoints, requests_settings: RequestsSettings
) -> AsyncIterator[AsyncDatabase]:
    async for db in observed(endpoints, requests_settings.mongodb_database):
        yield db


@pytest.fixture(scope="session")
def retention_settings(endpoints: Endpoints) -> RetentionSettings:
    """Periods of seconds, so a test sees a deletion after its grace period without waiting days."""
    return service_settings(
        RetentionSettings,
        endpoints,
        "retention",
        contact_grace_period_seconds=2.0,
        sweep_interval_seconds=0.5,
    )


@pytest.fixture(scope="session")
async def retention_service(
    retention_settings: RetentionSettings,
) -> AsyncIterator[ServiceRuntime]:
    async with create_retention_runtime(retention_settings).running() as runtime:
        yield runtime


@pytest.fixture(scope="session")
async def retention_db(
    endpoints: Endpoints, retention_settings: RetentionSettings
) -> AsyncIterator[AsyncDatabase]:
    async for db in observed(endpoints, retention_settings.mongodb_database):
        yield db


@pytest.fixture
async def requests_waiting_for_a_partner(
    endpoints: Endpoints, requests_settings: RequestsSettings
) -> AsyncIterator[WaitingCopy]:
    """A second requests service whose requests wait for a partner no service plays as well."""
    settings = await waiting_for_a_silent_partner(endpoints, requests_settings)
    client: AsyncMongoClient = AsyncMongoClient(endpoints.mongodb_url, tz_aware=True)
    clock = MovableClock()
    try:
        async with create_requests_runtime(settings, clock=clock).running():
            yield WaitingCopy(client[settings.mongodb_database], clock, settings)
    finally:
        await client.close()


@pytest.fixture
def own_kafka(tmp_path: Path) -> Iterator[KafkaServer]:
    """A broker of the test's own, for a test that stops it."""
    kafka = KafkaServer(tmp_path / "kafka", port=free_port(), controller_port=free_port())
    kafka.start()
    try:
        yield kafka
    finally:
        kafka.stop()
