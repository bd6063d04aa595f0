"""The privacy portal at /privacy in a real browser: the statement with every version and its hash;
a contact message with a BSN refused at its field; an access request from the form, through the
e-mailed code, the status page and an officer's approval, to the downloaded package, with the access
token kept only in the page; a complaint through its form. Each page passes axe-core without a
serious or critical violation under the portal's Content-Security-Policy, and is saved as a
screenshot under test-output/browser/."""

import time
import zipfile
from datetime import date
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, Locator, Page, expect
from privacyhub.shared.auth import Role
from privacyhub.shared.service import ServiceRuntime

from tests.support.browser import Site, checked
from tests.support.mailbox import Mailbox, text_of
from tests.support.rights import (
    DOWNLOAD_CODE,
    approve,
    bearer,
    completed,
    emailed_code,
    new_address,
    wrong,
)
from tests.support.staff import staff_headers
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

ADMIN = staff_headers(Role.ADMIN, staff_id="admin-anna")
EARLIER_TEXT = "Privacyverklaring Jobport website\n\nVersie {version}\n\nEen eerdere versie.\n"


def problem_at(page: Page, field_id: str) -> Locator:
    """The error paragraph the portal puts beside the field with this id."""
    return page.locator(f"#{field_id}-probleem")


async def earlier_version(site: Site) -> dict:
    """A version published before the seed (by date), as an admin publishes it; listed, not current."""
    version = f"1.{time.time_ns()}"
    response = await site.client.post(
        "/v1/staff/privacy-statement/versions",
        json={
            "version": version,
            "published_on": "2020-01-01",
            "language": "nl",
            "text": EARLIER_TEXT.format(version=version),
            "material": False,
            "summary_of_changes": "Eerste versie op de nieuwe website.",
        },
        headers=ADMIN,
    )
    assert response.status_code == 202, response.text

    async def kept() -> bool:
        answer = await site.client.get("/v1/privacy-statement", params={"version": version})
        return answer.status_code == 200

    await eventually(kept, what="the earlier version to be kept")
    return {"version": version, **response.json()}


async def test_the_statement_page_shows_the_current_text_and_every_version_with_its_hash(
    context: BrowserContext,
    site: Site,
    consent_service: ServiceRuntime,
    axe_source: str,
    screenshots: Path,
) -> None:
    earlier = await earlier_version(site)
    versions = (await site.client.get("/v1/privacy-statement/versions")).json()
    current = (await site.client.get("/v1/privacy-statement")).json()
    page = await context.new_page()
    await page.goto(f"{site.base_url}/privacy")

    statement = page.locator("#verklaring")
    await expect(statement).to_be_visible()
    await expect(statement.get_by_role("heading", level=2)).to_contain_text(current["version"])
    await expect(statement).to_contain_text("geldt nu / current")
    await expect(statement.locator("[data-sha256]")).to_have_text(current["sha256"])
    await expect(statement).to_contain_text("Je browser berekende dezelfde hash")
    await expect(statement.get_by_role("heading", level=3, name="1. Wie is wie?")).to_be_visible()
    await expect(statement.get_by_role("heading", level=4).first).to_contain_text("a. Als je")
    rows = page.locator("[data-versions] tr")
    await expect(rows).to_have_count(len(versions))
    for row, version in zip(await rows.all(), versions, strict=True):
        await expect(row).to_contain_text(version["version"])
        await expect(row.locator("code")).to_have_text(version["sha256"])
    await checked(page, axe_source, screenshots, "portal-statement")

    await page.get_by_role("link", name=earlier["version"], exact=True).click()
    await expect(statement.get_by_role("heading", level=2)).to_contain_text(earlier["version"])
    await expect(statement).to_contain_text("eerdere versie / earlier version")
    await expect(statement.locator("[data-sha256]")).to_have_text(earlier["sha256"])
    await expect(statement).to_contain_text("Een eerdere versie.")
    await expect(statement).to_contain_text("Je browser berekende dezelfde hash")
    await checked(page, axe_source, screenshots, "portal-statement-earlier")
    await statement.get_by_role("link", name="Naar de versie die nu geldt").click()
    await expect(statement).to_contain_text("geldt nu / current")

    await page.goto(f"{site.base_url}/privacy?versie=0.0.404")
    await expect(page.get_by_role("status")).to_contain_text("Die versie bestaat niet")
    await expect(rows).to_have_count(len(versions))
    await expect(statement).to_be_hidden()
    await checked(page, axe_source, screenshots, "portal-statement-unknown-version")


async def test_a_contact_message_with_a_bsn_is_refused_and_said_so_at_the_field(
    context: BrowserContext, site: Site, axe_source: str, screenshots: Path
) -> None:
    page = await context.new_page()
    await page.goto(f"{site.base_url}/privacy/contact")
    message = page.get_by_label("Je vraag")
    await expect(page.locator("#gevoelig")).to_contain_text("burgerservicenummer (BSN)")
    await checked(page, axe_source, screenshots, "portal-contact")

    await page.get_by_role("textbox", name="E-mailadres / E-mail address", exact=True).fill(
        new_address()
    )
    await page.get_by_label("Voornaam").fill("Sanne")
    await page.get_by_label("Achternaam").fill("de Vries")
    await message.fill("Mijn BSN is 123456782, kunt u mijn gegevens nakijken?")
    async with page.expect_response("**/v1/contact") as answer:
        await page.get_by_role("button", name="Versturen").click()
    assert (await answer.value).status == 422

    await expect(problem_at(page, "message")).to_contain_text("Bevat")
    await expect(problem_at(page, "message")).to_contain_text("Contains")
    await expect(message).to_have_attribute("aria-invalid", "true")
    await expect(message).to_be_focused()
    await expect(page.locator("#contact .problems")).to_contain_text("gevoelige persoonsgegevens")
    await checked(page, axe_source, screenshots, "portal-contact-refused")

    await message.fill("Welke gegevens bewaren jullie van mij?")
    async with page.expect_response("**/v1/contact") as answer:
        await page.get_by_role("button", name="Versturen").click()
    assert (await answer.value).status == 202
    reference = (await (await answer.value).json())["reference"]
    await expect(page.locator("#ontvangen")).to_contain_text(reference)
    await checked(page, axe_source, screenshots, "portal-contact-sent")


async def test_an_access_request_from_the_form_to_the_downloaded_package(
    context: BrowserContext,
    site: Site,
    mailbox: Mailbox,
    requests_service: ServiceRuntime,
    axe_source: str,
    screenshots: Path,
    tmp_path: Path,
) -> None:
    email = new_address()
    page = await context.new_page()
    await page.goto(f"{site.base_url}/privacy/rechten")
    await expect(page.locator("#uitleg-erasure")).to_contain_text("We wissen je gegevens")
    await checked(page, axe_source, screenshots, "portal-rights")

    # Without a right chosen and with a bad address, the API's problems stand beside the fields.
    await page.get_by_role("textbox", name="E-mailadres / E-mail address", exact=True).fill(
        "geen-adres"
    )
    async with page.expect_response("**/v1/rights-requests") as refused:
        await page.get_by_role("button", name="Verzoek indienen").click()
    assert (await refused.value).status == 422
    await expect(problem_at(page, "email")).to_contain_text(
        "Dit is geen geldig e-mailadres. / value is not a valid email address"
    )
    await expect(problem_at(page, "type-access")).to_contain_text(
        "Dit veld is verplicht. / Field required"
    )
    await checked(page, axe_source, screenshots, "portal-rights-invalid")

    await page.get_by_label("Inzage").check()
    await page.get_by_role("textbox", name="E-mailadres / E-mail address", exact=True).fill(email)
    async with page.expect_response("**/v1/rights-requests") as accepted:
        await page.get_by_role("button", name="Verzoek indienen").click()
    assert (await accepted.value).status == 202
    notice = page.locator("#nieuw")
    await expect(notice).to_be_visible()
    assert page.url == f"{site.base_url}/privacy/verzoek"  # the fragment is gone at once
    answer = {
        "request_id": await notice.locator("[data-request-id]").inner_text(),
        "access_token": await notice.locator("[data-token]").inner_text(),
    }
    status = (
        await site.client.get(
            f"/v1/rights-requests/{answer['request_id']}", headers=bearer(answer["access_token"])
        )
    ).json()
    await expect(page.locator("#stand")).to_contain_text("Wacht op je code")
    await expect(page.locator("#stand")).to_contain_text(
        f"Uiterlijk beantwoord / Answered by{date.fromisoformat(status['due_date']).day} "
    )
    await checked(page, axe_source, screenshots, "portal-request-new")

    code = await emailed_code(mailbox, email)
    async with page.expect_response("**/code") as resend:
        await page.get_by_role("button", name="Stuur een nieuwe code").click()
    assert (await resend.value).status == 429
    await expect(page.locator("#nieuwe-code .problems")).to_contain_text(
        "We hebben zojuist een code gestuurd"
    )
    code_field = page.get_by_label("Code uit de e-mail")
    await code_field.fill(wrong(code))
    async with page.expect_response("**/verify") as verify:
        await page.get_by_role("button", name="Bevestigen").click()
    assert (await verify.value).status == 400
    await expect(problem_at(page, "code-invoer")).to_contain_text("De code klopt niet")
    await checked(page, axe_source, screenshots, "portal-request-wrong-code")
    await code_field.fill(code)
    async with page.expect_response("**/verify") as verify:
        await page.get_by_role("button", name="Bevestigen").click()
    assert (await verify.value).status == 200
    await expect(page.locator("#stand")).to_contain_text("Bevestigd")
    await expect(page.locator("#code")).to_be_hidden()

    await approve(site.client, answer["request_id"])
    await completed(site.client, answer)
    await page.get_by_role("button", name="Vernieuwen").click()
    await expect(page.locator("#stand")).to_contain_text("Uitgevoerd")
    await expect(page.locator("#stand")).to_contain_text("Je verzoek is terecht.")
    download_form = page.locator("#download")
    await expect(download_form).to_be_visible()
    await checked(page, axe_source, screenshots, "portal-request-completed")

    await page.get_by_label("Downloadcode").fill("niet-de-code")
    await page.get_by_role("button", name="Downloaden").click()
    await expect(problem_at(page, "download_code")).to_contain_text("niet de downloadcode")
    mail = await mailbox.wait_for(
        email,
        lambda m: "uitgevoerd" in m["Subject"] and answer["request_id"] in text_of(m),
        what="the completion e-mail",
    )
    download_code = DOWNLOAD_CODE.search(text_of(mail))
    assert download_code, "the completion e-mail brings no download code"
    await page.get_by_label("Downloadcode").fill(download_code.group(1))
    async with page.expect_download() as downloading:
        await page.get_by_role("button", name="Downloaden").click()
    package = tmp_path / (await downloading.value).suggested_filename
    await (await downloading.value).save_as(package)
    with zipfile.ZipFile(package) as archive:
        assert archive.namelist(), "the package is empty"
    await expect(page.locator("#gedownload")).to_contain_text("Gedownload")
    await checked(page, axe_source, screenshots, "portal-request-downloaded")

    # The token lived in the page alone: no cookie, no storage, not in the address or the history.
    token = answer["access_token"]
    assert not any(token in c["value"] for c in await context.cookies())
    stored = await page.evaluate(
        "() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])"
    )
    assert token not in stored
    assert token not in page.url

    # Followed again later with the number and key typed in, as the requester saved them.
    later = await context.new_page()
    await later.goto(f"{site.base_url}/privacy/verzoek")
    await later.get_by_label("Verzoeknummer").fill(answer["request_id"])
    await later.get_by_label("Toegangssleutel").fill("een-verkeerde-sleutel")
    await later.get_by_role("button", name="Verzoek openen").click()
    await expect(problem_at(later, "request_id")).to_contain_text("Niet gevonden")
    await checked(later, axe_source, screenshots, "portal-request-unknown")
    await later.get_by_label("Toegangssleutel").fill(token)
    await later.get_by_role("button", name="Verzoek openen").click()
    await expect(later.locator("#stand")).to_contain_text("Uitgevoerd")


async def test_a_rectification_names_what_to_correct_and_each_problem_stands_at_its_field(
    context: BrowserContext, site: Site, axe_source: str, screenshots: Path
) -> None:
    page = await context.new_page()
    await page.goto(f"{site.base_url}/privacy/rechten")
    corrections = page.get_by_role("group", name="Wat moet het worden?")
    await expect(corrections).to_be_hidden()
    await page.get_by_label("Correctie").check()
    await expect(corrections).to_be_visible()
    await page.get_by_role("textbox", name="E-mailadres / E-mail address", exact=True).fill(
        new_address()
    )
    async with page.expect_response("**/v1/rights-requests") as refused:
        await page.get_by_role("button", name="Verzoek indienen").click()
    assert (await refused.value).status == 422
    await expect(problem_at(page, "corrections")).to_contain_text("name at least one field")

    await page.get_by_label("Nieuw e-mailadres").fill("nieuw-adres-zonder-apenstaartje")
    async with page.expect_response("**/v1/rights-requests") as refused:
        await page.get_by_role("button", name="Verzoek indienen").click()
    assert (await refused.value).status == 422
    await expect(problem_at(page, "corrections-email")).to_contain_text(
        "Dit is geen geldig e-mailadres."
    )
    await expect(problem_at(page, "corrections")).to_be_empty()
    await checked(page, axe_source, screenshots, "portal-rights-rectification-invalid")


async def test_a_complaint_through_its_form(
    context: BrowserContext, site: Site, axe_source: str, screenshots: Path
) -> None:
    page = await context.new_page()
    await page.goto(f"{site.base_url}/privacy/klacht")
    await checked(page, axe_source, screenshots, "portal-complaint")

    await page.get_by_label("Wat is er gebeurd?").fill(
        "Ik kreeg een e-mail met andermans gegevens."
    )
    async with page.expect_response("**/v1/complaints") as refused:
        await page.get_by_role("button", name="Melden").click()
    assert (await refused.value).status == 422
    await expect(problem_at(page, "kind-complaint")).to_contain_text(
        "Dit veld is verplicht. / Field required"
    )
    await expect(problem_at(page, "email")).to_be_visible()
    await checked(page, axe_source, screenshots, "portal-complaint-invalid")

    await page.get_by_label("Een mogelijk datalek").check()
    await page.get_by_role("textbox", name="E-mailadres / E-mail address", exact=True).fill(
        new_address()
    )
    async with page.expect_response("**/v1/complaints") as accepted:
        await page.get_by_role("button", name="Melden").click()
    assert (await accepted.value).status == 202
    reference = (await (await accepted.value).json())["reference"]
    await expect(page.locator("#ontvangen")).to_contain_text(reference)
    await checked(page, axe_source, screenshots, "portal-complaint-sent")
