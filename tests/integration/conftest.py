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
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.clock import MovableClock
from tests.support.endpoints import Endpoints
from tests.support.in_loop_gateway import connected_client, gateway_settings
from tests.support.mailbox import Mailbox
from tests.support.services import RUN, running_service, service_settings
from tests.support.waiting_copy import WaitingCopy, waiting_for_a_silent_partner

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
async def gateway(endpoints: Endpoints) -> AsyncIterator[httpx.AsyncClient]:
    async for client in connected_client(gateway_settings(endpoints.kafka_bootstrap_servers)):
        yield client


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server that keeps what the requests service e-mails."""
    with Mailbox().running() as box:
        yield box


@pytest.fixture(scope="session")
def contact_clock() -> MovableClock:
    """The contact service's clock: real time, moved back by tests of old disclosures."""
    return MovableClock()


@pytest.fixture(scope="session")
def requests_clock() -> MovableClock:
    """The requests service's clock: real time, moved forward by tests of deadlines."""
    return MovableClock()


# Every service of the session, each as <name>_settings, <name>_service and <name>_db.

contact_settings, contact_service, contact_db = running_service(
    "contact",
    settings=lambda endpoints: service_settings(ContactSettings, endpoints, "contact"),
    runtime=lambda contact_settings, contact_clock: create_contact_runtime(
        contact_settings, clock=contact_clock
    ),
)

consent_settings, consent_service, consent_db = running_service(
    "consent",
    settings=lambda endpoints: service_settings(ConsentSettings, endpoints, "consent"),
    runtime=lambda consent_settings: create_consent_runtime(consent_settings),
)


def support_partner_tool(partner_settings: PartnerSettings) -> ServiceRuntime:
    """The reference support-partner tool, a registered owner every rights request waits for."""
    return create_partner_runtime(partner_settings)


partner_settings, support_partner, partner_db = running_service(
    "partner",
    settings=lambda endpoints: service_settings(
        PartnerSettings,
        endpoints,
        "partner",
        consumer_group=f"privacyhub-partner-support-test-{RUN}",
    ),
    runtime=support_partner_tool,
    service="support_partner",
)


def requests_settings_on(endpoints: Endpoints, mailbox: Mailbox) -> RequestsSettings:
    """E-mail goes to the session's mailbox."""
    return service_settings(
        RequestsSettings,
        endpoints,
        "requests",
        smtp_host=mailbox.host,
        smtp_port=mailbox.port,
        smtp_tls="none",
        owner_sweep_interval_seconds=1.0,  # packages past their window go while a test waits
    )


def requests_with_the_partner(
    requests_settings: RequestsSettings,
    requests_clock: MovableClock,
    support_partner: ServiceRuntime,
) -> ServiceRuntime:
    """Runs with the support partner: a registered owner whose receipt every request waits for."""
    return create_requests_runtime(requests_settings, clock=requests_clock)


requests_settings, requests_service, requests_db = running_service(
    "requests", settings=requests_settings_on, runtime=requests_with_the_partner
)


def retention_settings_on(endpoints: Endpoints) -> RetentionSettings:
    """Periods of seconds, so a test sees a deletion after its grace period without waiting days."""
    return service_settings(
        RetentionSettings,
        endpoints,
        "retention",
        contact_grace_period_seconds=2.0,
        sweep_interval_seconds=0.5,
    )


retention_settings, retention_service, retention_db = running_service(
    "retention",
    settings=retention_settings_on,
    runtime=lambda retention_settings: create_retention_runtime(retention_settings),
)


@pytest.fixture
def waiting_clock() -> MovableClock:
    """The clock of the requests copy that waits for a silent partner, moved past its timeout."""
    return MovableClock()


async def waiting_settings_on(
    endpoints: Endpoints, requests_settings: RequestsSettings
) -> RequestsSettings:
    """A second requests service that also waits for a partner no service plays."""
    return await waiting_for_a_silent_partner(endpoints, requests_settings)


waiting_settings, waiting_service, waiting_db = running_service(
    "waiting",
    settings=waiting_settings_on,
    runtime=lambda waiting_settings, waiting_clock: create_requests_runtime(
        waiting_settings, clock=waiting_clock
    ),
    scope="function",
)


@pytest.fixture
def requests_waiting_for_a_partner(
    waiting_service: ServiceRuntime,
    waiting_db: AsyncDatabase,
    waiting_clock: MovableClock,
    waiting_settings: RequestsSettings,
) -> WaitingCopy:
    """A second requests service whose requests wait for a partner no service plays as well."""
    return WaitingCopy(waiting_db, waiting_clock, waiting_settings)


@pytest.fixture
def own_kafka(tmp_path: Path) -> Iterator[KafkaServer]:
    """A broker of the test's own, for a test that stops it."""
    kafka = KafkaServer(tmp_path / "kafka", port=free_port(), controller_port=free_port())
    kafka.start()
    try:
        yield kafka
    finally:
        kafka.stop()
