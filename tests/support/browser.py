"""A visitor's browser on the demo page: the requests it sends, accessibility checks, the gateway
served on a real port."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from socket import socket
from typing import Any

import httpx
import uvicorn
from playwright.async_api import Page, Request

from tests.support.waiting import eventually

AXE_CORE_VERSION = "4.11.0"
GPC_IN_THE_BROWSER = (
    "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true });"
)
# Every Content-Security-Policy violation on the page, as the browser reports it.
CSP_WATCH = (
    "window.__cspViolations = [];"
    "document.addEventListener('securitypolicyviolation', e =>"
    " window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
)
SERIOUS = """() => axe.run(document).then(result => ({
  passed: result.passes.length,
  serious: result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)}))"""


@dataclass
class Site:
    base_url: str
    client: httpx.AsyncClient


@dataclass
class Sent:
    """What the page sent to the gateway's visitor endpoints, in order."""

    page_views: list[dict[str, Any]] = field(default_factory=list)
    consents: list[dict[str, Any]] = field(default_factory=list)

    def note(self, request: Request) -> None:
        if request.method != "POST":
            return
        if request.url.endswith("/v1/pageviews"):
            self.page_views.append(json.loads(request.post_data or "{}"))
        elif request.url.endswith("/v1/consents"):
            self.consents.append(json.loads(request.post_data or "{}"))


def watched(page: Page) -> Sent:
    sent = Sent()
    page.on("request", sent.note)
    return sent


async def kit_settled(page: Page) -> str:
    """Wait until the kit has decided on this page (and sent its page view, if any); its state."""
    # A locator, not a polled expression: the page's policy forbids evaluating strings.
    settled = page.locator("html[data-privacyhub]")
    await settled.wait_for(state="attached")
    return await settled.get_attribute("data-privacyhub") or ""


async def serious_accessibility_violations(page: Page, axe_source: str) -> list[str]:
    """axe-core run inside the page; its serious and critical violations.

    Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
    govern, so the policy under test stays as strict as served."""
    await page.evaluate(axe_source + "\n;0")
    result = await page.evaluate(SERIOUS)
    assert result["passed"] > 0, "axe-core checked nothing"
    return result["serious"]


async def csp_violations(page: Page) -> list[str]:
    return await page.evaluate("window.__cspViolations")


async def screenshot(page: Page, folder: Path, name: str) -> None:
    await page.screenshot(path=folder / f"{name}.png", full_page=True)


async def checked(page: Page, axe_source: str, folder: Path, name: str) -> None:
    """The page as it stands passes axe-core and broke no policy; saved as a screenshot."""
    await screenshot(page, folder, name)
    assert await serious_accessibility_violations(page, axe_source) == []
    assert await csp_violations(page) == []


@asynccontextmanager
async def served(server: uvicorn.Server, sock: socket) -> AsyncIterator[None]:
    """`server` serving on `sock` in this event loop, until the block ends."""
    task = asyncio.create_task(server.serve(sockets=[sock]))

    async def started() -> bool:
        if task.done():
            task.result()  # raises what stopped it
        return server.started

    try:
        await eventually(started, what="uvicorn to start")
        yield
    finally:
        server.should_exit = True
        await task
