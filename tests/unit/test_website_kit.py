"""The website kit as the gateway serves it: one small script, and a demo page whose policy lets no
inline script run."""

import gzip
import re

from litestar import Litestar
from litestar.testing import AsyncTestClient
from privacyhub.gateway.app import create_app
from privacyhub.gateway.website.controllers import KIT, DemoController, WebsiteKitController

GZIPPED_BUDGET = 15 * 1024


def website() -> Litestar:
    return Litestar(route_handlers=[WebsiteKitController, DemoController])


def test_the_script_stays_under_15_kb_gzipped() -> None:
    assert len(gzip.compress(KIT.encode(), compresslevel=9)) < GZIPPED_BUDGET


def test_the_script_names_the_cookies_the_cookie_statement_declares() -> None:
    assert '"privacyhub_consent"' in KIT
    assert '"privacyhub_visitor"' in KIT


async def test_the_script_is_served_as_javascript_for_any_site() -> None:
    async with AsyncTestClient(app=website()) as client:
        response = await client.get("/static/privacyhub.js")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"
    assert response.text == KIT


async def test_the_demo_page_allows_scripts_only_from_files_of_its_origin() -> None:
    async with AsyncTestClient(app=website()) as client:
        response = await client.get("/demo")

    assert response.status_code == 200
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response.headers["content-security-policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)", response.text)
    assert re.search(
        r'<script src="/static/privacyhub.js" data-gateway="http://testserver.local"', response.text
    )


def test_the_gateway_serves_the_kit_outside_its_api_document() -> None:
    app = create_app()
    assert {"/static/privacyhub.js", "/demo"} <= set(app.route_handler_method_map)
    assert not any(path.startswith(("/static", "/demo")) for path in app.openapi_schema.paths or {})
