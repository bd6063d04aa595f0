"""The staff console's sign-in as the gateway serves it, without Kafka: the session cookie's flags,
a pasted token verified as the staff API verifies one (revocation included), the local sign-in only
in development, CSRF on every form, a role's pages and the 403 page, and no page running a script."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from litestar.testing import AsyncTestClient
from privacyhub.gateway.app import create_app
from privacyhub.gateway.console.complaints import hours_left
from privacyhub.gateway.console.downloads import as_csv, columns
from privacyhub.gateway.console.pages import template_config
from privacyhub.gateway.console.session import CSRF_COOKIE, SESSION_COOKIE
from privacyhub.shared.auth import Role, issue_token
from privacyhub.shared.contracts.complaints import (
    BreachDecision,
    BreachEntry,
    BreachStatus,
    Complaint,
    ComplaintStatus,
    ComplaintSummary,
)
from privacyhub.shared.contracts.retention import LegalHoldView
from privacyhub.shared.contracts.rights import (
    Decision,
    DecisionOutcome,
    QueueEntry,
    RightsRequestView,
)
from privacyhub.shared.owners import DATA_OWNERS
from privacyhub.shared.register import load_register

from tests.support.offline_gateway import offline_gateway

# The console's cookies are Secure: a browser sends them only over HTTPS (or to localhost).
BASE_URL = "https://testserver.local"
CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')


def client_of(**settings: object) -> AsyncTestClient:
    client = AsyncTestClient(app=create_app(offline_gateway(**settings)), base_url=BASE_URL)
    client.follow_redirects = False
    return client


def csrf_token(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "the form carries no CSRF token"
    return match.group(1)


def cookie_header(response, name: str) -> str:
    [header] = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    return header


async def signed_in_with_token(client: AsyncTestClient, token: str):
    form = await client.get("/staff/aanmelden")
    return await client.post(
        "/staff/aanmelden/token", data={"token": token, "_csrf_token": csrf_token(form.text)}
    )


def officer_token(settings_secret: str, token_id: str | None = None) -> str:
    return issue_token(
        settings_secret, staff_id="officer-olga", roles=[Role.PRIVACY_OFFICER], token_id=token_id
    )


SECRET = offline_gateway().staff_token_secret.get_secret_value()


async def test_a_pasted_token_starts_a_secure_http_only_strict_session() -> None:
    async with client_of() as client:
        unsigned = await client.get("/staff/verzoeken")
        assert unsigned.status_code == 303
        assert unsigned.headers["location"] == "/staff/aanmelden"
        csrf = cookie_header(unsigned, CSRF_COOKIE).lower()
        assert all(
            flag in csrf for flag in ("secure", "httponly", "samesite=strict", "path=/staff")
        )

        answer = await signed_in_with_token(client, officer_token(SECRET))
        assert answer.status_code == 303
        session = cookie_header(answer, SESSION_COOKIE)
        flags = session.lower()
        assert all(
            flag in flags for flag in ("secure", "httponly", "samesite=strict", "path=/staff")
        )
        assert "officer-olga" not in session, "the session cookie is encrypted"

        home = await client.get("/staff")
        assert home.status_code == 200
        assert "officer-olga" in home.text
        assert "/staff/verzoeken" in home.text


async def test_a_revoked_or_foreign_token_signs_nobody_in(tmp_path: Path) -> None:
    revoked_file = tmp_path / "revoked"
    revoked_file.write_text("revoked-id\n")
    async with client_of(revoked_tokens_file=revoked_file) as client:
        revoked = await signed_in_with_token(client, officer_token(SECRET, "revoked-id"))
        assert revoked.status_code == 401
        assert 'id="token-probleem"' in revoked.text
        foreign = await signed_in_with_token(client, officer_token("an-other-secret-" * 3))
        assert foreign.status_code == 401
        assert SESSION_COOKIE not in foreign.headers.get("set-cookie", "")


async def test_revoking_the_token_ends_its_session(tmp_path: Path) -> None:
    revoked_file = tmp_path / "revoked"
    revoked_file.write_text("")
    async with client_of(revoked_tokens_file=revoked_file) as client:
        await signed_in_with_token(client, officer_token(SECRET, "soon-revoked"))
        assert (await client.get("/staff")).status_code == 200
        revoked_file.write_text("soon-revoked\n")
        assert (await client.get("/staff")).status_code == 303


async def test_a_form_without_its_csrf_token_is_refused() -> None:
    async with client_of() as client:
        await client.get("/staff/aanmelden")  # the CSRF cookie is set, the form's token not sent
        answer = await client.post("/staff/aanmelden/token", data={"token": officer_token(SECRET)})
        assert answer.status_code == 403
        assert "Geen toegang" in answer.text
        assert SESSION_COOKIE not in answer.headers.get("set-cookie", "")


async def test_the_local_sign_in_exists_only_in_development() -> None:
    async with client_of() as client:
        form = await client.get("/staff/aanmelden")
        assert "/staff/aanmelden/lokaal" in form.text
        answer = await client.post(
            "/staff/aanmelden/lokaal",
            data={
                "staff_id": "analyst-ann",
                "roles": "analyst",
                "_csrf_token": csrf_token(form.text),
            },
        )
        assert answer.status_code == 303
        home = await client.get("/staff")
        assert "/staff/verwerkingsregister" in home.text
        assert "/staff/verzoeken" not in home.text
        register = await client.get("/staff/verwerkingsregister")
        assert register.status_code == 200
        assert "contact_messages" in register.text
        forbidden = await client.get("/staff/verzoeken")
        assert forbidden.status_code == 403
        assert "Geen toegang" in forbidden.text

        signed_out = await client.post(
            "/staff/afmelden", data={"_csrf_token": csrf_token(home.text)}
        )
        assert signed_out.status_code == 303
        assert (await client.get("/staff")).status_code == 303

    settings = offline_gateway()
    production = create_app(settings)
    settings.environment = "production"  # after the start's checks, which the test secrets fail
    async with AsyncTestClient(app=production, base_url=BASE_URL) as client:
        form = await client.get("/staff/aanmelden")
        assert "/staff/aanmelden/lokaal" not in form.text
        answer = await client.post(
            "/staff/aanmelden/lokaal",
            data={"staff_id": "x", "roles": "admin", "_csrf_token": csrf_token(form.text)},
        )
        assert answer.status_code == 404


@pytest.mark.parametrize("path", ["/staff/aanmelden"])
async def test_console_pages_run_no_script_and_name_no_referrer(path: str) -> None:
    async with client_of() as client:
        answer = await client.get(path)
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["cache-control"] == "no-store"
    assert "<script" not in answer.text
    assert all('method="post"' in form for form in re.findall(r"<form\b[^>]*>", answer.text))


def test_a_download_flattens_nested_entries_into_columns_with_the_csv_module() -> None:
    reported = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    undecided = BreachEntry(
        id="BR-0A1B2C3D4E5F",
        complaint_reference="CP-0A1B2C3D4E5F",
        reported_at=reported,
        notify_deadline=reported + timedelta(hours=72),
        status=BreachStatus.AWAITING_DECISION,
        overdue=True,
        decided_late=False,
    )
    decided = undecided.model_copy(
        update={
            "status": BreachStatus.DECIDED,
            "decision": BreachDecision(
                notify_authority=False,
                reasons='Eén cv, "direct" verwijderd; geen risico.',
                decided_at=reported + timedelta(hours=5),
                decided_by="officer-olga",
            ),
        }
    )
    rows = list(csv.DictReader(io.StringIO(as_csv(BreachEntry, [undecided, decided]))))
    assert "decision.notify_authority" in rows[0]
    assert rows[0]["decision.reasons"] == ""
    assert rows[1]["decision.reasons"] == 'Eén cv, "direct" verwijderd; geen risico.'
    assert rows[1]["decision.notify_authority"] == "False"
    assert rows[0]["overdue"] == "True"
    assert "email" not in columns(ComplaintSummary)


async def test_a_list_the_owner_cannot_be_asked_for_is_a_page_saying_so() -> None:
    async with client_of() as client:  # no Kafka to reach
        await signed_in_with_token(client, officer_token(SECRET))
        answer = await client.get("/staff/klachten")
    assert answer.status_code == 503
    assert "Er ging iets mis" in answer.text
    assert answer.headers["content-type"].startswith("text/html")


class Address:
    """What the layout reads of the request: the path, to mark the current section."""

    class url:
        path = "/staff/verzoeken"


def test_every_page_renders_each_kind_of_entry_with_no_name_left_undefined() -> None:
    """Each template with the entries it may show, open and decided, and its problems: so a
    mistake in a name does not wait for a browser to find it."""
    templates = template_config().to_engine().engine  # as the gateway configures them
    now = datetime.now(UTC)
    layout = {
        "staff": None,
        "sections": [],
        "problems": {"outcome": "x", "reason": "y", "form": "z"},
        "csrf_input": "",
        "request": Address,
        "done": None,
        "values": {"refused_owners": []},
    }

    def render(name: str, **context: object) -> None:
        templates.get_template(name).render(**{**layout, **context})

    queued = QueueEntry(
        request_id=uuid4(),
        type="access",
        channel="web",
        status="verified",
        received_at=now,
        due_date=date.today(),
        days_left=3,
        due_soon=True,
        overdue=False,
        extended=False,
    )
    decided = RightsRequestView(
        request_id=uuid4(),
        type="access",
        channel="web",
        status="decided",
        received_at=now,
        due_date=date.today(),
        decision=Decision(outcome=DecisionOutcome.REFUSE, reasons="x", decided_at=now),
    )
    overdue = QueueEntry.model_validate(
        {**queued.model_dump(), "overdue": True, "outcome": "approve"}
    )
    for shown in (queued, decided, overdue):
        render(
            "request.html",
            rights_request=shown,
            outcomes=list(DecisionOutcome),
            owners=DATA_OWNERS,
            done="besluit",
        )
    render("queue.html", entries=[queued, overdue], next_cursor="abc")

    breach = BreachEntry(
        id="BR-0A1B2C3D4E5F",
        complaint_reference="CP-0A1B2C3D4E5F",
        reported_at=now,
        notify_deadline=now + timedelta(hours=72),
        status=BreachStatus.AWAITING_DECISION,
        overdue=False,
        decided_late=False,
    )
    notified = BreachEntry.model_validate(
        {
            **breach.model_dump(),
            "status": "decided",
            "decision": BreachDecision(
                notify_authority=True,
                reasons="r",
                decided_at=now,
                decided_by="officer-olga",
                authority_reference="AP-1",
            ).model_dump(),
        }
    )
    render("breaches.html", entries=[breach, notified], next_cursor=None, hours_left=hours_left)
    for entry in (breach, notified):
        render("breach.html", entry=entry, hours_left=hours_left)

    summary = ComplaintSummary(
        reference="CP-0A1B2C3D4E5F",
        kind="suspected_breach",
        channel="web",
        received_at=now,
        status="received",
        breach_id="BR-0A1B2C3D4E5F",
    )
    render("complaints.html", complaints=[summary], next_cursor=None)
    complaint = Complaint(**summary.model_dump(), email="a@example.nl", message="m", history=[])
    for shown in (None, complaint):
        render(
            "complaint.html",
            reference=summary.reference,
            complaint=shown,
            statuses=list(ComplaintStatus),
            done=True,
        )

    hold = LegalHoldView(
        hold_id="LH-0A1B2C3D4E5F",
        subject_id="s" * 43,
        category="contact_messages",
        reason="r",
        ends_at=now,
        placed_by="officer-olga",
        placed_at=now,
        status="active",
    )
    render(
        "holds.html",
        holds=[hold],
        categories=["contact_messages"],
        placed="LH-0A1B2C3D4E5F",
        lifted="LH-0A1B2C3D4E5F",
    )
    register = load_register()
    render("register.html", register=register, purposes={p.id: p for p in register.purposes})
    render("deletion_log.html", entries=[])
    for entries in (None, []):
        render("access_log.html", entries=entries)
    render("home.html", downloads=[("verzoeken", "Verzoeken", "Rights requests")])
    render("sign_in.html", development=True, provider=True, roles=["analyst"])
    render("signed_in.html")
    for status in (403, 404, 503):
        render("error.html", status_code=status)
