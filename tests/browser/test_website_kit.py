"""The website kit on the demo page in a real browser: a visitor declines, accepts analytics,
withdraws, or browses with Global Privacy Control on; page views reach the gateway, and are linked
to the visitor, only while analytics consent is in force. Each page passes axe-core without a
serious or critical violation under the page's Content-Security-Policy, and is saved as a
screenshot under test-output/browser/."""

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect
from privacyhub.consent.visits import VISITS
from privacyhub.shared.identity import visitor_id_for_key
from privacyhub.shared.service import ServiceRuntime
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.browser import (
    CSP_WATCH,
    GPC_IN_THE_BROWSER,
    Site,
    checked,
    kit_settled,
    watched,
)
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

BANNER = "section.phb[role=dialog]"


async def cookie(context: BrowserContext, name: str) -> str | None:
    return next((c["value"] for c in await context.cookies() if c["name"] == name), None)


async def consents_of(site: Site, visitor_id: str) -> dict[str, Any] | None:
    response = await site.client.get(f"/v1/consents/{visitor_id}")
    return response.json() if response.status_code == 200 else None


async def current_consent(site: Site, visitor_id: str, consent_id: str) -> dict[str, Any]:
    """The visitor's consent in force once it is the one with `consent_id`."""

    async def in_force() -> dict[str, Any] | None:
        consents = await consents_of(site, visitor_id)
        if consents and consents["current"]["consent_id"] == consent_id:
            return consents
        return None

    return (await eventually(in_force, what="the choice to be in force"))["current"]


async def linked_visit(db: AsyncDatabase, page_view_id: str) -> dict[str, Any] | None:
    return await db[VISITS].find_one({"_id": page_view_id})


async def accept_all(page: Page, site: Site) -> tuple[str, str]:
    """Accept all in the banner; the consent id and the page view id of the page it was made on."""
    async with page.expect_response("**/v1/consents") as choice:
        async with page.expect_response("**/v1/pageviews") as view:
            await page.get_by_role("button", name="Alles accepteren").click()
    assert (await choice.value).status == 202
    assert (await view.value).status == 202
    return (await (await choice.value).json())["consent_id"], (await (await view.value).json())[
        "page_view_id"
    ]


async def test_the_banner_shows_purposes_cookies_and_the_statement_version_with_equal_choices(
    context: BrowserContext, site: Site, axe_source: str, screenshots: Path
) -> None:
    page = await context.new_page()
    sent = watched(page)
    await page.goto(f"{site.base_url}/demo")
    assert await kit_settled(page) == "asking"
    banner = page.locator(BANNER)
    await expect(banner).to_be_visible()

    current = (await site.client.get("/v1/privacy-statement/versions")).json()[-1]["version"]
    await expect(banner).to_contain_text(f"Privacyverklaring versie {current}")
    await expect(banner).to_contain_text(f"Privacy statement version {current}")
    for cookie_declared in (await site.client.get("/v1/cookies")).json()["cookies"]:
        await expect(banner).to_contain_text(cookie_declared["name"])
    await expect(banner.get_by_role("checkbox", name="Statistieken")).not_to_be_checked()
    buttons = banner.get_by_role("button")
    names = [" ".join((await b.inner_text()).split()) for b in await buttons.all()]
    assert names == [
        "Alles accepteren / Accept all",
        "Alleen noodzakelijk / Only necessary",
        "Keuze opslaan / Save my choice",
    ]
    assert len({await b.get_attribute("class") for b in await buttons.all()}) == 1
    for button in await buttons.all():
        await expect(button).to_be_in_viewport()  # none hidden below the purposes
    sizes = {((await b.bounding_box()) or {}).get("height") for b in await buttons.all()}
    assert len(sizes) == 1, f"buttons of unequal height: {sizes}"
    await banner.locator("details").first.locator("summary").click()
    await checked(page, axe_source, screenshots, "first-visit-banner")

    # The policy is in force: an inline script cannot run on the page.
    ran = await page.evaluate(
        """() => { const s = document.createElement('script');
        s.textContent = 'window.inlineRan = true'; document.body.append(s);
        return window.inlineRan === true; }"""
    )
    assert ran is False
    assert sent.page_views == [] and sent.consents == []


async def test_a_visitor_who_declines_with_the_keyboard_sends_no_page_views(
    context: BrowserContext,
    site: Site,
    consent_service: ServiceRuntime,
    axe_source: str,
    screenshots: Path,
) -> None:
    page = await context.new_page()
    sent = watched(page)
    await page.goto(f"{site.base_url}/demo")
    await kit_settled(page)

    only_necessary = page.get_by_role("button", name="Alleen noodzakelijk")
    for _ in range(30):  # the banner comes first in the tab order
        await page.keyboard.press("Tab")
        if await only_necessary.evaluate("b => b === document.activeElement"):
            break
    else:
        pytest.fail("'Alleen noodzakelijk' cannot be reached with the Tab key")
    async with page.expect_response("**/v1/consents") as choice:
        await page.keyboard.press("Enter")
    answer = await (await choice.value).json()
    assert answer["purposes"] == {"necessary": True, "analytics": False, "marketing": False}
    await expect(page.locator(BANNER)).to_have_count(0)
    assert await cookie(context, "privacyhub_visitor") is None

    await page.goto(f"{site.base_url}/demo?pagina=werkgevers")
    assert await kit_settled(page) == "refused"
    await expect(page.locator(BANNER)).to_have_count(0)
    await checked(page, axe_source, screenshots, "declined")
    assert sent.page_views == []

    [choice_sent] = sent.consents
    recorded = await current_consent(site, choice_sent["visitor_id"], answer["consent_id"])
    assert recorded["purposes"]["analytics"] is False
    assert recorded["source"] == "banner"


async def test_a_visitor_who_accepts_analytics_is_counted_linked_and_never_with_query_strings(
    context: BrowserContext,
    site: Site,
    consent_service: ServiceRuntime,
    consent_db: AsyncDatabase,
    axe_source: str,
    screenshots: Path,
) -> None:
    page = await context.new_page()
    sent = watched(page)
    await page.goto(f"{site.base_url}/demo")
    await kit_settled(page)
    consent_id, first_view = await accept_all(page, site)

    key = await cookie(context, "privacyhub_visitor")
    assert key is not None and len(key) == 43
    visitor_id = visitor_id_for_key(key)
    assert sent.consents[0]["visitor_id"] == visitor_id
    assert (
        sent.consents[0]["statement_version"]
        == (await site.client.get("/v1/privacy-statement/versions")).json()[-1]["version"]
    )

    async with page.expect_response("**/v1/pageviews") as view:
        await page.get_by_role("link", name="Data-analist").click()
    second_view = (await (await view.value).json())["page_view_id"]
    assert await kit_settled(page) == "counting"
    await checked(page, axe_source, screenshots, "accepted-analytics")

    assert [v["visitor_id"] for v in sent.page_views] == [visitor_id, visitor_id]
    assert [v["url"] for v in sent.page_views] == [f"{site.base_url}/demo"] * 2
    assert sent.page_views[1]["referrer"] == f"{site.base_url}/demo"
    assert not any(urlsplit(v["url"]).query for v in sent.page_views)

    assert (await current_consent(site, visitor_id, consent_id))["purposes"]["analytics"] is True
    for page_view_id in (first_view, second_view):
        visit = await eventually(
            lambda page_view_id=page_view_id: linked_visit(consent_db, page_view_id),
            what="the page view to be linked",
        )
        assert visit["visitor_id"] == visitor_id


async def test_a_withdrawal_from_the_settings_link_stops_the_page_views(
    context: BrowserContext,
    site: Site,
    consent_service: ServiceRuntime,
    consent_db: AsyncDatabase,
    axe_source: str,
    screenshots: Path,
) -> None:
    page = await context.new_page()
    sent = watched(page)
    await page.goto(f"{site.base_url}/demo")
    await kit_settled(page)
    _, linked = await accept_all(page, site)
    visitor_id = visitor_id_for_key(await cookie(context, "privacyhub_visitor") or "")
    await eventually(lambda: linked_visit(consent_db, linked), what="the page view to be linked")

    await page.get_by_role("link", name="Cookie-instellingen").click()
    banner = page.locator(BANNER)
    await expect(banner).to_be_visible()
    await expect(banner.get_by_role("heading", level=2)).to_be_focused()
    analytics = banner.get_by_role("checkbox", name="Statistieken")
    await expect(analytics).to_be_checked()  # the visitor's own choice, shown back
    await checked(page, axe_source, screenshots, "settings-reopened")
    await analytics.uncheck()
    async with page.expect_response("**/v1/consents") as choice:
        await banner.get_by_role("button", name="Keuze opslaan").click()
    withdrawal = await (await choice.value).json()
    assert withdrawal["purposes"]["analytics"] is False
    await expect(page.get_by_role("link", name="Cookie-instellingen")).to_be_focused()
    assert await cookie(context, "privacyhub_visitor") is None
    views_before = len(sent.page_views)

    await page.goto(f"{site.base_url}/demo?vacature=recruiter")
    assert await kit_settled(page) == "refused"
    await checked(page, axe_source, screenshots, "withdrawn")
    assert len(sent.page_views) == views_before == 1

    current = await current_consent(site, visitor_id, withdrawal["consent_id"])
    assert current["purposes"]["analytics"] is False
    history = (await consents_of(site, visitor_id) or {})["history"]
    assert [h["purposes"]["analytics"] for h in history] == [True, False]


async def test_with_global_privacy_control_analytics_is_refused_without_asking_and_said_so(
    browser: Browser,
    site: Site,
    consent_service: ServiceRuntime,
    axe_source: str,
    screenshots: Path,
) -> None:
    # A GPC browser: the script sees navigator.globalPrivacyControl, and every request carries Sec-GPC.
    context = await browser.new_context(locale="nl-NL", extra_http_headers={"Sec-GPC": "1"})
    try:
        await context.add_init_script(CSP_WATCH + GPC_IN_THE_BROWSER)
        page = await context.new_page()
        sent = watched(page)
        async with page.expect_response("**/v1/consents") as choice:
            await page.goto(f"{site.base_url}/demo")
        answer = await (await choice.value).json()
        assert answer["purposes"]["analytics"] is False
        assert answer["source"] == "gpc"
        assert await kit_settled(page) == "refused"
        notice = page.locator(BANNER)
        await expect(notice).to_contain_text("Global Privacy Control")
        await expect(notice).to_contain_text("zonder het je te vragen")
        await expect(notice).to_contain_text("without asking you")
        await checked(page, axe_source, screenshots, "gpc-notice")

        await notice.get_by_role("button", name="Sluiten").click()
        await page.get_by_role("link", name="Cookie-instellingen").click()
        await expect(page.get_by_role("checkbox", name="Statistieken")).to_be_disabled()
        await checked(page, axe_source, screenshots, "gpc-settings")

        await page.goto(f"{site.base_url}/demo?pagina=over-ons")
        assert await kit_settled(page) == "refused"
        await expect(page.locator(BANNER)).to_have_count(0)  # said once, not on every page
        assert sent.page_views == []
        assert len(sent.consents) == 1
        assert await cookie(context, "privacyhub_visitor") is None
    finally:
        await context.close()


async def test_a_material_change_since_the_choice_asks_again_before_counting(
    context: BrowserContext,
    site: Site,
    consent_service: ServiceRuntime,
    axe_source: str,
    screenshots: Path,
) -> None:
    # The choice was made under a version listed before the current one; publishing a real
    # material version would send every other test's consents to renewal.
    versions = (await site.client.get("/v1/privacy-statement/versions")).json()
    earlier = {**versions[0], "version": "0.9", "published_on": "2020-01-01", "material": True}
    listed = json.dumps([earlier, *versions])

    async def with_an_earlier_version(route: Any) -> None:
        await route.fulfill(status=200, content_type="application/json", body=listed)

    await context.route("**/v1/privacy-statement/versions", with_an_earlier_version)
    host = urlsplit(site.base_url).hostname or ""
    await context.add_cookies(
        [
            {
                "name": "privacyhub_consent",
                "value": "v%3D0.9%26a%3D1%26m%3D0",
                "domain": host,
                "path": "/",
            },
            {"name": "privacyhub_visitor", "value": "k" * 43, "domain": host, "path": "/"},
        ]
    )
    page = await context.new_page()
    sent = watched(page)
    await page.goto(f"{site.base_url}/demo")
    assert await kit_settled(page) == "renewing"
    banner = page.locator(BANNER)
    await expect(banner).to_contain_text("Onze privacyverklaring is gewijzigd")
    await expect(banner.get_by_role("checkbox", name="Statistieken")).not_to_be_checked()
    await checked(page, axe_source, screenshots, "renewal-prompt")
    assert sent.page_views == []

    await accept_all(page, site)
    assert sent.consents[0]["statement_version"] == versions[-1]["version"]
    assert sent.consents[0]["visitor_id"] == visitor_id_for_key("k" * 43)
    assert len(sent.page_views) == 1
