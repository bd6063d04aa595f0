"""The cookie statement is served exactly as declared in the gateway's cookies.json."""

import json

from litestar import Litestar
from litestar.testing import AsyncTestClient
from privacyhub.gateway.app import create_app
from privacyhub.gateway.cookies import COOKIE_FILE, CookieController, CookieStatement
from privacyhub.shared.contracts.consent import Purposes


def declared() -> dict:
    return json.loads(COOKIE_FILE.read_text(encoding="utf-8"))


async def test_the_cookie_statement_serves_exactly_the_declared_cookies() -> None:
    async with AsyncTestClient(app=Litestar(route_handlers=[CookieController])) as client:
        response = await client.get("/v1/cookies")

    assert response.status_code == 200
    assert response.json() == declared()
    CookieStatement.model_validate(response.json())


def test_each_cookie_needs_a_purpose_visitors_can_consent_to() -> None:
    cookies = CookieStatement.model_validate(declared()).cookies
    names = [cookie.name for cookie in cookies]
    assert len(names) == len(set(names))
    assert {cookie.consent_purpose for cookie in cookies} <= set(Purposes.model_fields)


def test_the_cookies_match_what_the_privacy_statement_says() -> None:
    cookies = CookieStatement.model_validate(declared()).cookies
    # §2a: cookies serve visitor statistics; the statement names no other party placing them.
    assert any(cookie.consent_purpose == "analytics" for cookie in cookies)
    assert all(cookie.party == "first" for cookie in cookies)
    assert all(cookie.consent_purpose != "marketing" for cookie in cookies)


def test_the_gateway_serves_the_cookie_statement() -> None:
    assert "/v1/cookies" in create_app().route_handler_method_map
