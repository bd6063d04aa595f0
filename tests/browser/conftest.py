"""A real browser on the demo page and the privacy portal: the system's Chromium driven by
Playwright, the gateway served by uvicorn on a free port in the test loop, beside the services it
reads from: consent (statement, choices), and for the portal's rights requests the requests service
(mailing to a mailbox of this package), contact and the support partner, the owners it waits for;
for the staff console's legal holds and deletion log the retention service.

Each service here is the integration tests' one (same database, same consumer group), run for this
package only, so it never answers a query beside theirs: the copy stops before theirs starts, as a
restarted copy would.
"""

import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.async_api import Browser, BrowserContext, async_playwright, expect
from privacyhub.consent.app import create_runtime as create_consent_runtime
from privacyhub.consent.settings import ConsentSettings
from privacyhub.contact.app import create_runtime as create_contact_runtime
from privacyhub.contact.settings import ContactSettings
from privacyhub.gateway.app import create_app as create_gateway
from privacyhub.partner.app import create_runtime as create_partner_runtime
from privacyhub.partner.settings import PartnerSettings
from privacyhub.requests.app import create_runtime as create_requests_runtime
from privacyhub.requests.settings import RequestsSettings
from privacyhub.retention.app import create_runtime as create_retention_runtime
from privacyhub.retention.settings import RetentionSettings
from privacyhub.shared.service import ServiceRuntime
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.browser import AXE_CORE_VERSION, CSP_WATCH, Site, served
from tests.support.endpoints import Endpoints
from tests.support.in_loop_gateway import gateway_settings
from tests.support.mailbox import Mailbox
from tests.support.services import RUN, observed, running_service, service_settings
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

# A form's answer waits for a service's reply through Kafka; on a loaded machine that can take
# longer than Playwright's 5 s default. A hang guard, like tests/support/waiting.py, not a measure.
expect.set_options(timeout=30_000)

REPOSITORY = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPOSITORY / "test-output" / "browser"
AXE_FOLDER = REPOSITORY / ".local" / "test-support" / f"axe-core-{AXE_CORE_VERSION}"


def installed_chromium() -> str | None:
    """The system's Chromium; installed with apt-get when missing and this process may."""
    found = shutil.which("chromium")
    if found is None and shutil.which("apt-get") and os.geteuid() == 0:
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=environment, check=False, **quiet)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium"], env=environment, check=False, **quiet
        )
        found = shutil.which("chromium")
    return found


@pytest.fixture(scope="session")
def chromium() -> str:
    found = installed_chromium()
    if found is None:
        pytest.skip(
            "no Chromium: Debian's `chromium` package is not installed and apt-get could not install it"
        )
    return found


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's browser build, from the npm registry once, kept under .local/ (git-ignored)."""
    script = AXE_FOLDER / "axe.min.js"
    if not script.exists():
        with tempfile.TemporaryDirectory() as folder:
            subprocess.run(
                ["npm", "pack", f"axe-core@{AXE_CORE_VERSION}", "--pack-destination", folder],
                check=True,
                capture_output=True,
            )
            [package] = Path(folder).glob("axe-core-*.tgz")
            with tarfile.open(package) as archive:
                member = archive.extractfile("package/axe.min.js")
                assert member is not None
                AXE_FOLDER.mkdir(parents=True, exist_ok=True)
                script.write_bytes(member.read())
    return script.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="package")
def consent_settings(endpoints: Endpoints) -> ConsentSettings:
    return service_settings(ConsentSettings, endpoints, "consent")


@pytest.fixture(scope="package")
async def consent_service(consent_settings: ConsentSettings) -> AsyncIterator[ServiceRuntime]:
    async with create_consent_runtime(consent_settings).running() as runtime:
        yield runtime


@pytest.fixture(scope="package")
async def consent_db(
    endpoints: Endpoints, consent_settings: ConsentSettings
) -> AsyncIterator[AsyncDatabase]:
    async for db in observed(endpoints, consent_settings.mongodb_database):
        yield db


@pytest.fixture(scope="package")
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server that keeps what the requests service e-mails: codes, completions."""
    with Mailbox().running() as box:
        yield box


def requests_settings_on(endpoints: Endpoints, mailbox: Mailbox) -> RequestsSettings:
    """E-mail goes to this package's mailbox."""
    return service_settings(
        RequestsSettings,
        endpoints,
        "requests",
        smtp_host=mailbox.host,
        smtp_port=mailbox.port,
        smtp_tls="none",
    )


def requests_with_its_owners(
    requests_settings: RequestsSettings,
    contact_service: ServiceRuntime,
    support_partner: ServiceRuntime,
    consent_service: ServiceRuntime,
) -> ServiceRuntime:
    """Runs beside every registered data owner, each of whose answers a request waits for."""
    return create_requests_runtime(requests_settings)


contact_settings, contact_service, contact_db = running_service(
    "contact",
    settings=lambda endpoints: service_settings(ContactSettings, endpoints, "contact"),
    runtime=lambda contact_settings: create_contact_runtime(contact_settings),
    scope="package",
)

partner_settings, support_partner, partner_db = running_service(
    "partner",
    settings=lambda endpoints: service_settings(
        PartnerSettings,
        endpoints,
        "partner",
        consumer_group=f"privacyhub-partner-support-test-{RUN}",
    ),
    runtime=lambda partner_settings: create_partner_runtime(partner_settings),
    service="support_partner",
    scope="package",
)

requests_settings, requests_service, requests_db = running_service(
    "requests", settings=requests_settings_on, runtime=requests_with_its_owners, scope="package"
)

# For the staff console's legal holds and deletion log.
retention_settings, retention_service, retention_db = running_service(
    "retention",
    settings=lambda endpoints: service_settings(RetentionSettings, endpoints, "retention"),
    runtime=lambda retention_settings: create_retention_runtime(retention_settings),
    scope="package",
)


@pytest.fixture(scope="package")
def listening_socket() -> Iterator[socket.socket]:
    """Bound to a free port before the server starts, so no other process can take it between."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        yield sock


@pytest.fixture(scope="package")
async def site(
    endpoints: Endpoints, consent_service: ServiceRuntime, listening_socket: socket.socket
) -> AsyncIterator[Site]:
    """The gateway on a real port, counting page views of its own demo page."""
    settings = gateway_settings(endpoints.kafka_bootstrap_servers, site_hosts=["127.0.0.1"])
    server = uvicorn.Server(
        uvicorn.Config(create_gateway(settings), log_config=None, access_log=False, lifespan="on")
    )
    port = listening_socket.getsockname()[1]
    async with served(server, listening_socket):
        base_url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base_url) as client:

            async def ready() -> bool:
                return (await client.get("/ready")).status_code == 200

            await eventually(ready, what="the gateway to listen and reach Kafka")
            yield Site(base_url=base_url, client=client)


@pytest.fixture(scope="package")
async def browser(chromium: str) -> AsyncIterator[Browser]:
    """Headless Chromium from the system's package; Playwright downloads no browser of its own."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, headless=True)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    """A new visitor: a browser profile without cookies, whose pages report policy violations."""
    context = await browser.new_context(locale="nl-NL")
    await context.add_init_script(CSP_WATCH)
    try:
        yield context
    finally:
        await context.close()
