"""Signing in to the staff console through a real OpenID Connect provider (oidc-provider-mock):
the authorization-code flow with PKCE, state and nonce; the ID token's groups give console roles;
a redirect back whose state is not this browser's, or an account without a staff group, signs
nobody in. The console's sign-in needs no Kafka, so the gateway here has none to reach."""

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from litestar.testing import AsyncTestClient
from privacyhub.gateway.app import create_app

from tests.support.offline_gateway import offline_gateway
from tests.support.oidc_provider import CLIENT_ID, oidc_provider

pytestmark = pytest.mark.integration


# The console's cookies are Secure: a browser sends them only over HTTPS (or to localhost).
CONSOLE = "https://testserver.local"
ACCOUNTS = {"olga": ["privacy-team"], "piet": ["marketing"]}


async def back_from_the_provider(console: AsyncTestClient, sub: str) -> tuple[str, dict]:
    """Start the sign-in, choose `sub` on the provider's form; the address it sends the browser
    back to, and the parameters the console sent the browser off with."""
    start = await console.get("/staff/aanmelden/oidc")
    assert start.status_code in (302, 303), start.text
    authorization = start.headers["location"]
    sent = parse_qs(urlsplit(authorization).query)
    async with httpx.AsyncClient() as browser:
        chosen = await browser.post(authorization, data={"sub": sub})
    assert chosen.status_code == 302, chosen.text
    back = urlsplit(chosen.headers["location"])
    assert f"{back.scheme}://{back.netloc}" == CONSOLE
    return f"{back.path}?{back.query}", sent


async def test_a_member_of_the_privacy_team_signs_in_as_privacy_officer(tmp_path: Path) -> None:
    with oidc_provider(ACCOUNTS) as provider:
        settings = offline_gateway(**provider.gateway_settings(tmp_path / "client-secret"))
        async with AsyncTestClient(app=create_app(settings), base_url=CONSOLE) as console:
            console.follow_redirects = False
            form = await console.get("/staff/aanmelden")
            assert "/staff/aanmelden/oidc" in form.text

            back, sent = await back_from_the_provider(console, "olga")
            assert sent["client_id"] == [CLIENT_ID]
            assert sent["code_challenge_method"] == ["S256"] and sent["code_challenge"]
            assert sent["state"] and sent["nonce"] and sent["scope"] == ["openid"]
            signed_in = await console.get(back)
            assert signed_in.status_code == 200, signed_in.text
            assert 'http-equiv="refresh"' in signed_in.text
            home = await console.get("/staff")
            assert home.status_code == 200
            assert "olga" in home.text and "/staff/verzoeken" in home.text


async def test_a_foreign_state_or_an_account_without_a_staff_group_signs_nobody_in(
    tmp_path: Path,
) -> None:
    with oidc_provider(ACCOUNTS) as provider:
        settings = offline_gateway(**provider.gateway_settings(tmp_path / "client-secret"))
        async with AsyncTestClient(app=create_app(settings), base_url=CONSOLE) as console:
            console.follow_redirects = False
            back, sent = await back_from_the_provider(console, "olga")
            foreign = back.replace(sent["state"][0], "another-browsers-state")
            refused = await console.get(foreign)
            assert refused.status_code == 401
            assert "hoort niet bij deze browser" in refused.text
            assert (await console.get("/staff")).status_code == 303

            back, _ = await back_from_the_provider(console, "piet")
            refused = await console.get(back)
            assert refused.status_code == 401
            assert "geen rol" in refused.text
            assert (await console.get("/staff")).status_code == 303


async def test_without_a_provider_the_console_offers_none() -> None:
    async with AsyncTestClient(app=create_app(offline_gateway()), base_url=CONSOLE) as console:
        assert "/staff/aanmelden/oidc" not in (await console.get("/staff/aanmelden")).text
        assert (await console.get("/staff/aanmelden/oidc")).status_code == 404
