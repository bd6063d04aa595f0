"""The staff console at /staff in a real browser: a privacy officer signs in with a staff token,
opens the queue, decides a verified request (which is then carried out), moves a complaint on after
stating why, and records a breach decision against the 72-hour clock; a form posted without its
CSRF token is refused; the session cookie is Secure, HttpOnly and SameSite=Strict. Each page passes
axe-core without a serious or critical violation under the console's Content-Security-Policy, and is
saved as a screenshot under test-output/browser/."""

import csv
import io
import json
import re
import socket
from datetime import date
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import BrowserContext, Locator, Page, expect
from privacyhub.gateway.app import create_app as create_gateway
from privacyhub.shared.auth import Role
from privacyhub.shared.service import ServiceRuntime

from tests.support.browser import Site, checked, served
from tests.support.complaints import complaint_as_staff_see_it, report
from tests.support.endpoints import Endpoints
from tests.support.in_loop_gateway import gateway_settings
from tests.support.mailbox import Mailbox
from tests.support.oidc_provider import oidc_provider
from tests.support.people import Person
from tests.support.rights import (
    OFFICER,
    STAFF_PATH,
    completed,
    file_verified_request,
    new_address,
    submit,
)
from tests.support.staff import staff_headers
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


def officer_token() -> str:
    """A token as `privacyhub-token --staff-id officer-olga --role privacy_officer` prints it."""
    return staff_headers(Role.PRIVACY_OFFICER, staff_id="officer-olga")["authorization"].split()[1]


def menu(page: Page, name: str) -> Locator:
    return page.get_by_role("navigation", name="Console").get_by_role("link", name=name)


async def signed_in(context: BrowserContext, site: Site, axe_source: str, screenshots: Path):
    page = await context.new_page()
    await page.goto(f"{site.base_url}/staff")
    await expect(page).to_have_url(f"{site.base_url}/staff/aanmelden")
    await checked(page, axe_source, screenshots, "console-sign-in")
    await page.get_by_role("textbox", name="Token").fill(officer_token())
    await page.get_by_role("button", name="Aanmelden / Sign in", exact=True).click()
    await expect(page.locator("[data-staff-id]")).to_have_text("officer-olga")
    await checked(page, axe_source, screenshots, "console-home")
    return page


async def test_an_officer_signs_in_and_decides_a_verified_request_which_is_carried_out(
    context: BrowserContext,
    site: Site,
    mailbox: Mailbox,
    requests_service: ServiceRuntime,
    axe_source: str,
    screenshots: Path,
    tmp_path: Path,
) -> None:
    accepted = await file_verified_request(site.client, mailbox, Person(), "access")
    request_id = accepted["request_id"]
    page = await signed_in(context, site, axe_source, screenshots)

    [session] = [c for c in await context.cookies() if c["name"] == "privacyhub-staff"]
    assert session["secure"] and session["httpOnly"] and session["sameSite"] == "Strict"
    assert "officer-olga" not in session["value"]

    await menu(page, "Verzoeken / Rights requests").click()
    row = page.locator(f'tr[data-request="{request_id}"]')
    await expect(row).to_contain_text("verified")
    await expect(row).to_contain_text("dagen / ")
    await checked(page, axe_source, screenshots, "console-queue")

    await row.get_by_role("link").click()
    await expect(page.locator("[data-status]")).to_have_text("verified")
    await checked(page, axe_source, screenshots, "console-request")

    # A partial refusal that names no owner: the problem stands at its field.
    await page.get_by_label("Gedeeltelijk afwijzen").check()
    await page.get_by_label("Redenen (gaan zo per e-mail").fill(
        "Een deel valt onder een uitzondering."
    )
    await page.get_by_role("button", name="Besluit vastleggen").click()
    await expect(page.locator("#refused_owners-probleem")).to_contain_text("names the data owners")
    await checked(page, axe_source, screenshots, "console-request-invalid")

    await page.get_by_label("Toewijzen").check()
    await page.get_by_label("Redenen (gaan zo per e-mail").fill("Je verzoek is terecht.")
    await checked(page, axe_source, screenshots, "console-request-filled")
    await page.get_by_role("button", name="Besluit vastleggen").click()
    await expect(page.get_by_role("status")).to_contain_text("Besluit vastgelegd")
    await checked(page, axe_source, screenshots, "console-request-decided")
    done = await completed(site.client, accepted)
    assert done["decision"]["outcome"] == "approve"

    # For an auditor: the request with its dates, outcome and the deadline met.
    await page.goto(f"{site.base_url}/staff")
    await checked(page, axe_source, screenshots, "console-home-downloads")
    async with page.expect_download() as downloading:
        await page.get_by_role("link", name="CSV").first.click()
    saved = tmp_path / (await downloading.value).suggested_filename
    await (await downloading.value).save_as(saved)
    rows = {row["request_id"]: row for row in csv.DictReader(saved.open(encoding="utf-8"))}
    assert rows[request_id]["outcome"] == "approve"
    assert rows[request_id]["deadline_met"] == "True"
    assert rows[request_id]["answered_at"] and rows[request_id]["received_at"]


async def test_the_owners_refusal_stands_at_the_field_it_concerns(
    context: BrowserContext,
    site: Site,
    requests_service: ServiceRuntime,
    axe_source: str,
    screenshots: Path,
) -> None:
    unverified = (await submit(site.client, new_address()))["request_id"]

    async def queued() -> bool:
        answer = await site.client.get(
            STAFF_PATH, params={"status": "awaiting_verification", "limit": 500}, headers=OFFICER
        )
        return any(entry["request_id"] == unverified for entry in answer.json())

    await eventually(queued, what="the unverified request in the queue")
    page = await signed_in(context, site, axe_source, screenshots)
    await page.goto(f"{site.base_url}/staff/verzoeken/{unverified}")
    await page.get_by_label("Toewijzen").check()
    await page.get_by_label("Redenen (gaan zo per e-mail").fill("Je verzoek is terecht.")
    await page.get_by_role("button", name="Besluit vastleggen").click()
    await expect(page.locator("#outcome-probleem")).to_contain_text(
        "De identiteit van de aanvrager is nog niet gecontroleerd."
    )
    await expect(page.locator("[data-status]")).to_have_text("awaiting_verification")
    await checked(page, axe_source, screenshots, "console-request-refused-by-owner")

    await page.get_by_label("Maanden").select_option("2")
    await page.get_by_role("button", name="Verlengen / Extend").click()
    await expect(page.locator("#extension_reasons-probleem")).to_be_visible()
    await page.get_by_label("Redenen / Reasons", exact=True).fill(
        "Het verzoek vraagt veel uitzoekwerk."
    )
    await page.get_by_role("button", name="Verlengen / Extend").click()
    await expect(page.get_by_role("status")).to_contain_text("Termijn verlengd")
    await expect(page.get_by_role("button", name="Verlengen / Extend")).to_have_count(0)
    await checked(page, axe_source, screenshots, "console-request-extended")


async def test_a_complaint_moves_on_and_a_breach_is_decided_in_the_console(
    context: BrowserContext,
    site: Site,
    requests_service: ServiceRuntime,
    axe_source: str,
    screenshots: Path,
) -> None:
    reporter = new_address()
    reference = await report(
        site.client,
        {"email": reporter, "message": "Ik kreeg andermans cv.", "kind": "suspected_breach"},
    )
    breach_id = (await complaint_as_staff_see_it(site.client, reference))["breach_id"]
    page = await signed_in(context, site, axe_source, screenshots)

    await menu(page, "Klachten / Complaints").click()
    await checked(page, axe_source, screenshots, "console-complaints")
    await expect(page.locator("[data-complaints]")).not_to_contain_text(reporter)
    await page.get_by_role("link", name=reference).click()
    await expect(page.locator("[data-complaint-details]")).to_be_hidden()
    await page.get_by_role("button", name="Inzien / Show").click()
    await expect(page.locator("#reason-probleem")).to_contain_text("Geef een reden op")
    await checked(page, axe_source, screenshots, "console-complaint-reason")
    await page.get_by_label("Reden van inzage").fill("Behandeling van de klacht")
    await page.get_by_role("button", name="Inzien / Show").click()
    await expect(page.locator("[data-complaint-details]")).to_contain_text(reporter)
    await checked(page, axe_source, screenshots, "console-complaint")

    # Resolving needs a note (the form's rule), and comes only after in_progress (the owner's).
    await page.get_by_label("Nieuwe status").select_option("resolved")
    await page.get_by_role("button", name="Status wijzigen / Change status").click()
    await expect(page.locator("#note-probleem")).to_contain_text("resolution note is required")
    await page.get_by_label("Hoe is het opgelost?").fill("Opgelost.")
    await page.get_by_role("button", name="Status wijzigen / Change status").click()
    await expect(page.locator("#status-probleem")).to_contain_text("niet mogelijk")
    await checked(page, axe_source, screenshots, "console-complaint-refused-step")
    await page.get_by_label("Hoe is het opgelost?").fill("")
    await page.get_by_label("Nieuwe status").select_option("in_progress")
    await page.get_by_role("button", name="Status wijzigen / Change status").click()
    await expect(page.get_by_role("status")).to_contain_text("Status gewijzigd")
    await expect(page.locator("[data-status]")).to_have_text("in_progress")
    await checked(page, axe_source, screenshots, "console-complaint-moved")

    await menu(page, "Datalekken / Breach register").click()
    row = page.locator(f'tr[data-breach="{breach_id}"]')
    await expect(row).to_contain_text("uur / ")
    await checked(page, axe_source, screenshots, "console-breaches")
    await row.get_by_role("link", name=breach_id).click()
    await page.get_by_label("Nee").check()
    await page.get_by_label("Redenen").fill("Eén cv bij één ontvanger, direct verwijderd.")
    await page.get_by_role("button", name="Besluit vastleggen").click()
    await expect(page.locator("[data-notified]")).to_have_text("nee / no")
    await checked(page, axe_source, screenshots, "console-breach-decided")

    await menu(page, "Toegangslog / Access log").click()
    await page.get_by_label("E-mailadres van de persoon").fill(reporter)
    await page.get_by_label("Reden van inzage").fill("Controle van de inzagen")
    await page.get_by_role("button", name="Tonen / Show").click()
    await expect(page.locator("[data-access-log]")).to_contain_text("Behandeling van de klacht")
    await checked(page, axe_source, screenshots, "console-access-log")
    async with page.expect_download() as downloading:
        await page.get_by_role("button", name="Download JSON").click()
    entries = json.loads((await (await downloading.value).path()).read_text(encoding="utf-8"))
    assert {"complaints", "staff_access_log"} <= {entry["category"] for entry in entries}

    listed = await context.request.get(f"{site.base_url}/staff/downloads/klachten.json")
    [summary] = [c for c in await listed.json() if c["reference"] == reference]
    assert summary["status"] == "in_progress" and summary["breach_id"] == breach_id
    assert reporter not in await listed.text()
    register = await context.request.get(f"{site.base_url}/staff/downloads/datalekken.csv")
    [row] = [r for r in csv.DictReader(io.StringIO(await register.text())) if r["id"] == breach_id]
    assert row["decision.notify_authority"] == "False"

    await menu(page, "Verwerkingsregister / Processing register").click()
    await checked(page, axe_source, screenshots, "console-processing-register")


async def test_a_form_posted_without_its_csrf_token_is_refused(
    context: BrowserContext, site: Site, axe_source: str, screenshots: Path
) -> None:
    page = await signed_in(context, site, axe_source, screenshots)
    answer = await context.request.post(
        f"{site.base_url}/staff/afmelden", form={"nothing": "here"}, max_redirects=0
    )
    assert answer.status == 403
    await page.reload()
    await expect(page.locator("[data-staff-id]")).to_have_text("officer-olga")


async def test_another_role_gets_the_403_page(
    context: BrowserContext, site: Site, axe_source: str, screenshots: Path
) -> None:
    page = await context.new_page()
    await page.goto(f"{site.base_url}/staff/aanmelden")
    await page.get_by_role("textbox", name="Medewerker / Staff id").fill("analyst-ann")
    await page.get_by_label("analyst", exact=True).check()
    await page.get_by_role("button", name="Lokaal aanmelden").click()
    await expect(menu(page, "Verzoeken / Rights requests")).to_have_count(0)
    await page.goto(f"{site.base_url}/staff/verzoeken")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Geen toegang")
    await checked(page, axe_source, screenshots, "console-forbidden")


async def test_an_officer_signs_in_through_the_organisations_openid_provider(
    context: BrowserContext,
    endpoints: Endpoints,
    tmp_path: Path,
    axe_source: str,
    screenshots: Path,
) -> None:
    """From the console to the provider (another site) and back; the Strict session cookie set on
    the way back is sent from the page the console moves on to."""
    with (
        oidc_provider({"olga": ["privacy-team"]}) as provider,
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
    ):
        sock.bind(("127.0.0.1", 0))
        settings = gateway_settings(
            endpoints.kafka_bootstrap_servers, **provider.gateway_settings(tmp_path / "secret")
        )
        server = uvicorn.Server(
            uvicorn.Config(create_gateway(settings), log_config=None, access_log=False)
        )
        async with served(server, sock):
            console = f"http://127.0.0.1:{sock.getsockname()[1]}"
            page = await context.new_page()
            await page.goto(f"{console}/staff/aanmelden")
            await checked(page, axe_source, screenshots, "console-sign-in-with-provider")
            await page.get_by_role("link", name="Aanmelden bij de aanbieder").click()
            await expect(page).to_have_url(re.compile(re.escape(provider.issuer)))
            await page.get_by_role("button", name="olga").click()
            await expect(page.locator("[data-staff-id]")).to_have_text("olga")
            await expect(page).to_have_url(f"{console}/staff")
            await expect(menu(page, "Verzoeken / Rights requests")).to_be_visible()


async def test_a_legal_hold_is_placed_and_lifted_and_the_deletion_log_shown(
    context: BrowserContext,
    site: Site,
    retention_service: ServiceRuntime,
    axe_source: str,
    screenshots: Path,
) -> None:
    page = await signed_in(context, site, axe_source, screenshots)
    await menu(page, "Bewaarplichten / Legal holds").click()
    await checked(page, axe_source, screenshots, "console-holds")

    place = page.get_by_role("button", name="Plaatsen / Place")
    await place.click()
    await expect(page.locator("#reason-probleem")).to_be_visible()
    await expect(page.locator("#ends_on-probleem")).to_be_visible()
    await checked(page, axe_source, screenshots, "console-holds-invalid")

    reason = f"Fiscale bewaarplicht {new_address()}"
    await page.get_by_label("Wettelijke grond en doel").fill(reason)
    await page.get_by_label("Tot en met").fill(f"{date.today().year + 7}-12-31")
    await place.click()
    await expect(page.locator(".problems")).to_contain_text("a legal hold needs")
    await page.get_by_label("Categorie").select_option("contact_messages")
    await place.click()
    await expect(page.get_by_role("status")).to_contain_text("geplaatst")
    hold_id = page.url.rpartition("=")[2]
    row = page.locator(f'tr[data-hold="{hold_id}"]')

    async def listed(status: str) -> bool:
        await page.reload()
        return await row.count() == 1 and status in await row.inner_text()

    await eventually(lambda: listed("active"), what="the hold in the list")
    await expect(row).to_contain_text(reason)
    await checked(page, axe_source, screenshots, "console-holds-placed")
    await row.get_by_role("button", name="Opheffen").click()
    # Reloading while the lift's redirect is still loading detaches the page.
    await expect(page.get_by_role("status")).to_contain_text("opgeheven")
    await eventually(lambda: listed("lifted"), what="the hold lifted")

    await menu(page, "Verwijderlog / Deletion log").click()
    await expect(page.locator("[data-deletions]")).to_be_visible()
    await checked(page, axe_source, screenshots, "console-deletion-log")
