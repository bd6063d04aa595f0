"""The privacy portal as the gateway serves it: pages whose policy lets no inline script run, their
scripts from this origin, nothing kept in cookies or storage, and no route in the API document."""

import re

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from privacyhub.gateway.app import create_app
from privacyhub.gateway.portal.controllers import (
    PAGES,
    SCRIPTS,
    PortalAssetsController,
    PortalController,
)

PAGE_PATHS = [f"/privacy/{slug}" if slug else "/privacy" for slug in PAGES]


def portal() -> Litestar:
    return Litestar(route_handlers=[PortalController, PortalAssetsController])


@pytest.mark.parametrize("path", PAGE_PATHS)
async def test_every_page_allows_scripts_only_from_files_of_its_origin(path: str) -> None:
    async with AsyncTestClient(app=portal()) as client:
        response = await client.get(path)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response.headers["content-security-policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["connect-src"] == "'self'"
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "no-referrer"
    assert not re.search(r"<script(?![^>]*\bsrc=)", response.text)
    assert not re.search(r"\son[a-z]+=", response.text), "an inline event handler"
    [script] = re.findall(
        r'<script type="module" src="(/static/portal/[a-z]+\.js)">', response.text
    )
    assert script.rsplit("/", 1)[1] in SCRIPTS
    assert response.text.count('aria-current="page"') == 1
    # Without the script, a form sent by GET would put what was typed in the address.
    forms = re.findall(r"<form\b[^>]*>", response.text)
    assert all('method="post"' in form for form in forms), forms


async def test_the_scripts_and_the_style_sheet_are_served_and_nothing_else() -> None:
    async with AsyncTestClient(app=portal()) as client:
        for name, source in SCRIPTS.items():
            response = await client.get(f"/static/portal/{name}")
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/javascript")
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.text == source
        style = await client.get("/static/portal/portal.css")
        assert style.headers["content-type"].startswith("text/css")
        assert (await client.get("/static/portal/controllers.py")).status_code == 404
        assert (await client.get("/privacy/layout")).status_code == 404


def test_no_script_keeps_anything_in_cookies_or_storage() -> None:
    """The access token of a rights request lives only in the page's memory."""
    for name, source in SCRIPTS.items():
        assert not re.search(r"document\.cookie|localStorage|sessionStorage|indexedDB", source), (
            name
        )


def test_the_gateway_serves_the_portal_outside_its_api_document() -> None:
    app = create_app()
    assert {"/privacy", "/privacy/{page:str}", "/static/portal/{name:str}"} <= set(
        app.route_handler_method_map
    )
    assert not any(
        path.startswith(("/privacy", "/static")) for path in app.openapi_schema.paths or {}
    )
