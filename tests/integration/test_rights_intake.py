"""Rights requests (statement §7): intake, identity verification by e-mailed code or by a privacy officer,
deadlines, extension, decisions and the officer's queue; every e-mail is read from a real SMTP server.
"""

import hashlib
import secrets
import uuid
from datetime import date, timedelta
from email.message import EmailMessage

import pytest
from dateutil.relativedelta import relativedelta
from httpx import AsyncClient
from privacyhub.gateway.settings import GatewaySettings
from privacyhub.requests.rights.requests_store import COLLECTION
from privacyhub.shared.auth import Role
from privacyhub.shared.contracts.rights import VERIFY_CODE_COMMAND, CodeAttempt
from privacyhub.shared.deadlines import receipt_date
from privacyhub.shared.envelope import Envelope, utc_now
from privacyhub.shared.identity import subject_id_for_email, visitor_id_for_key
from privacyhub.shared.queries import COMMAND, Command
from privacyhub.shared.topics import REQUESTS_COMMANDS, REQUESTS_LIFECYCLE, RIGHTS_REQUESTS
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.clock import MovableClock
from tests.support.endpoints import Endpoints
from tests.support.kafka import collect_until, publish_message
from tests.support.mailbox import Mailbox, text_of
from tests.support.rights import (
    CODE_LINE,
    OFFICER,
    bearer,
    emailed_code,
    is_code_mail,
    new_address,
    register,
    submit,
    verify,
    wrong,
)
from tests.support.staff import staff_headers
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("requests_service")]


def one_month_after(day: date) -> date:
    return day + relativedelta(months=1)


def is_receipt(message: EmailMessage) -> bool:
    return "ontvangen" in message["Subject"]


async def test_a_web_request_is_verified_with_the_emailed_code_and_followed_with_its_token(
    gateway: AsyncClient, mailbox: Mailbox, requests_db: AsyncDatabase
) -> None:
    email = new_address()
    accepted = await submit(
        gateway,
        email,
        details="Welke gegevens hebben jullie van mij?",
        visitor_keys=[secrets.token_urlsafe(24)],
    )
    request_id, token = accepted["request_id"], accepted["access_token"]
    assert accepted["status"] == "awaiting_verification"
    assert date.fromisoformat(accepted["due_date"]) == one_month_after(receipt_date(utc_now()))
    assert len(token) >= 32

    receipt = await mailbox.wait_for(email, is_receipt, what="the receipt e-mail")
    assert request_id in text_of(receipt)
    code = await emailed_code(mailbox, email)
    stored = await requests_db[COLLECTION].find_one({"_id": request_id})
    assert code not in repr(stored) and token not in repr(stored)

    refused = await verify(gateway, request_id, wrong(code))
    assert refused.status_code == 400
    assert refused.json()["code"] == "wrong_code"
    assert refused.json()["message"]["nl"] and refused.json()["message"]["en"]

    verified = await verify(gateway, request_id, code)
    assert verified.status_code == 200, verified.text
    assert verified.json()["status"] == "verified"
    confirmation = await mailbox.wait_for(
        email, lambda m: "bevestigd" in m["Subject"], what="the verified e-mail"
    )
    assert request_id in text_of(confirmation)

    status = await gateway.get(f"/v1/rights-requests/{request_id}", headers=bearer(token))
    assert status.status_code == 200, status.text
    assert status.json()["status"] == "verified"
    assert status.json()["due_date"] == accepted["due_date"]
    assert status.json()["decision"] is None

    wrong_token = await gateway.get(f"/v1/rights-requests/{request_id}", headers=bearer("x" * 43))
    no_token = await gateway.get(f"/v1/rights-requests/{request_id}")
    unknown = await gateway.get(f"/v1/rights-requests/{uuid.uuid4()}", headers=bearer(token))
    assert wrong_token.status_code == no_token.status_code == unknown.status_code == 404
    assert wrong_token.json() == unknown.json()


async def test_only_a_hash_of_the_access_token_travels_and_the_key_is_pseudonymous(
    gateway: AsyncClient, endpoints: Endpoints
) -> None:
    email, visitor_key = new_address(), secrets.token_urlsafe(24)
    accepted = await submit(gateway, email, visitor_keys=[visitor_key, visitor_key])
    messages = await collect_until(
        endpoints.kafka_bootstrap_servers,
        RIGHTS_REQUESTS.name,
        lambda m: m["payload"]["request_id"] == accepted["request_id"],
    )
    published = messages[-1]
    assert accepted["access_token"] not in repr(published)
    expected_hash = hashlib.sha256(accepted["access_token"].encode()).hexdigest()
    assert published["payload"]["access_token_sha256"] == expected_hash
    secret = GatewaySettings().subject_id_secret.get_secret_value()
    assert published["subject_id"] == subject_id_for_email(secret, email)
    assert visitor_key not in repr(published), "the browser's key stays out of Kafka"
    assert published["payload"]["visitor_ids"] == [visitor_id_for_key(visitor_key)]


async def test_a_request_names_visitors_by_their_secret_keys_never_by_their_ids(
    gateway: AsyncClient,
) -> None:
    """Anyone may have seen a visitor id (a shared computer, a URL); only the browser holds the
    key, so naming an id would let a requester take another visitor's history."""
    by_id = await gateway.post(
        "/v1/rights-requests",
        json={"type": "access", "email": new_address(), "visitor_ids": ["visitor-of-someone"]},
    )
    assert by_id.status_code == 422
    assert [error["field"] for error in by_id.json()["errors"]] == ["visitor_ids"]

    guessable = await gateway.post(
        "/v1/rights-requests",
        json={"type": "access", "email": new_address(), "visitor_keys": ["short-key"]},
    )
    assert guessable.status_code == 422
    assert [error["field"] for error in guessable.json()["errors"]] == ["visitor_keys.0"]


async def test_five_wrong_codes_lock_the_request_even_for_the_right_code(
    gateway: AsyncClient, mailbox: Mailbox
) -> None:
    email = new_address()
    accepted = await submit(gateway, email, type="erasure")
    request_id = accepted["request_id"]
    code = await emailed_code(mailbox, email)

    answers = [(await verify(gateway, request_id, wrong(code))).status_code for _ in range(5)]
    assert answers == [400, 400, 400, 400, 429]

    right_code = await verify(gateway, request_id, code)
    assert right_code.status_code == 429
    assert right_code.json()["code"] == "too_many_attempts"
    status = await gateway.get(
        f"/v1/rights-requests/{request_id}", headers=bearer(accepted["access_token"])
    )
    assert status.json()["status"] == "verification_locked"


async def test_a_redelivered_attempt_counts_once(
    gateway: AsyncClient,
    mailbox: Mailbox,
    endpoints: Endpoints,
    requests_db: AsyncDatabase,
) -> None:
    email = new_address()
    request_id = (await submit(gateway, email))["request_id"]
    code = await emailed_code(mailbox, email)

    def attempt_envelope() -> Envelope[Command]:
        attempt = CodeAttempt(request_id=request_id, code=wrong(code), attempt_id=uuid.uuid4())
        return Envelope[Command](
            type=COMMAND,
            subject_id=request_id,
            payload=Command(name=VERIFY_CODE_COMMAND, arguments=attempt.model_dump(mode="json")),
        )

    twice, after = attempt_envelope(), attempt_envelope()
    for envelope in (twice, twice, after):
        await publish_message(
            endpoints.kafka_bootstrap_servers,
            REQUESTS_COMMANDS.name,
            envelope.model_dump_json().encode(),
            key=envelope.partition_key,
        )

    after_id = after.payload.arguments["attempt_id"]

    async def after_counted() -> dict | None:
        document = await requests_db[COLLECTION].find_one({"_id": request_id})
        return document if document and after_id in document["attempt_ids"] else None

    document = await eventually(after_counted, what="the last attempt to be counted")
    assert document["failed_attempts"] == 2


async def test_an_expired_code_is_refused(
    gateway: AsyncClient, mailbox: Mailbox, requests_clock: MovableClock
) -> None:
    email = new_address()
    request_id = (await submit(gateway, email))["request_id"]
    code = await emailed_code(mailbox, email)

    with requests_clock.moved_forward(timedelta(minutes=15, seconds=1)):
        expired = await verify(gateway, request_id, code)

    assert expired.status_code == 400
    assert expired.json()["code"] == "code_expired"


async def test_a_letter_counts_from_its_receipt_and_is_verified_by_the_privacy_officer(
    gateway: AsyncClient, mailbox: Mailbox, requests_db: AsyncDatabase
) -> None:
    email = new_address()
    received_at = utc_now() - timedelta(days=12)
    registered = await register(gateway, email, channel="letter", days_ago=12)
    request_id = registered["request_id"]
    assert date.fromisoformat(registered["due_date"]) == one_month_after(receipt_date(received_at))

    receipt = await mailbox.wait_for(email, is_receipt, what="the receipt e-mail")
    assert "privacyfunctionaris" in text_of(receipt)
    stored = await requests_db[COLLECTION].find_one({"_id": request_id})
    assert stored["channel"] == "letter" and stored["registered_by"] == "officer-olga"
    assert "code" not in stored["notified"] and "code_digest" not in stored
    assert not [m for m in mailbox.to(email) if is_code_mail(m)]

    by_code = await verify(gateway, request_id, "123456")
    assert by_code.status_code == 400 and by_code.json()["code"] == "no_code_for_letters"
    approve_first = await gateway.post(
        f"/v1/staff/rights-requests/{request_id}/decision",
        json={"outcome": "approve", "reasons": "Alles wordt gewist."},
        headers=OFFICER,
    )
    assert approve_first.status_code == 409 and approve_first.json()["code"] == "not_verified"

    verified = await gateway.post(
        f"/v1/staff/rights-requests/{request_id}/verification", headers=OFFICER
    )
    assert verified.status_code == 200, verified.text
    assert verified.json()["status"] == "verified"
    assert verified.json()["due_date"] == registered["due_date"]
    await mailbox.wait_for(email, lambda m: "bevestigd" in m["Subject"], what="verified e-mail")

    partly = await gateway.post(
        f"/v1/staff/rights-requests/{request_id}/decision",
        json={
            "outcome": "partially_refuse",
            "reasons": "Facturen bewaren we 7 jaar voor de Belastingdienst; de rest wissen we.",
            "refused_owners": ["contact"],
        },
        headers=OFFICER,
    )
    assert partly.status_code == 200, partly.text
    decision = await mailbox.wait_for(email, lambda m: "Besluit" in m["Subject"], what="decision")
    assert "gedeeltelijk afgewezen" in text_of(decision)
    assert "Autoriteit Persoonsgegevens" in text_of(decision)
    assert "Facturen bewaren we 7 jaar" in text_of(decision)


async def test_a_refusal_gives_reasons_and_points_to_the_autoriteit_persoonsgegevens(
    gateway: AsyncClient, mailbox: Mailbox
) -> None:
    email = new_address()
    accepted = await submit(gateway, email, type="objection")
    request_id = accepted["request_id"]
    assert (
        await verify(gateway, request_id, await emailed_code(mailbox, email))
    ).status_code == 200
    reasons = "We verwerken je gegevens om een wettelijke plicht na te komen (art. 6 lid 1c AVG)."

    refused = await gateway.post(
        f"/v1/staff/rights-requests/{request_id}/decision",
        json={"outcome": "refuse", "reasons": reasons},
        headers=OFFICER,
    )

    assert refused.status_code == 200, refused.text
    assert refused.json()["status"] == "decided"
    decision = await mailbox.wait_for(email, lambda m: "Besluit" in m["Subject"], what="decision")
    body = text_of(decision)
    assert "afgewezen" in body and reasons in body
    assert "Autoriteit Persoonsgegevens" in body and "autoriteitpersoonsgegevens.nl" in body
    assert "Dutch Data Protection Authority" in body
    status = await gateway.get(
        f"/v1/rights-requests/{request_id}", headers=bearer(accepted["access_token"])
    )
    assert status.json()["decision"]["outcome"] == "refuse"
    assert status.json()["decision"]["reasons"] == reasons
    again = await gateway.post(
        f"/v1/staff/rights-requests/{request_id}/decision",
        json={"outcome": "approve", "reasons": "Toch wel."},
        headers=OFFICER,
    )
    assert again.status_code == 409 and again.json()["code"] == "already_decided"
    without_reasons = await gateway.post(
        f"/v1/staff/rights-requests/{request_id}/decision",
        json={"outcome": "refuse", "reasons": " "},
        headers=OFFICER,
    )
    assert without_reasons.status_code == 422


async def test_an_extension_within_the_first_month_is_emailed_and_refused_after_it(
    gateway: AsyncClient, mailbox: Mailbox, requests_clock: MovableClock
) -> None:
    email = new_address()
    accepted = await submit(gateway, email, type="portability")
    request_id = accepted["request_id"]
    await mailbox.wait_for(email, is_receipt, what="the receipt e-mail")
    reasons = "Je gegevens staan in drie systemen die we eerst moeten doorzoeken."

    extended = await gateway.post(
        f"/v1/staff/rights-requests/{request_id}/extension",
        json={"months": 2, "reasons": reasons},
        headers=OFFICER,
    )

    assert extended.status_code == 200, extended.text
    new_due = date.fromisoformat(extended.json()["due_date"])
    assert new_due == receipt_date(utc_now()) + relativedelta(months=3)
    assert extended.json()["extension"]["months"] == 2
    notice = await mailbox.wait_for(email, lambda m: "meer tijd" in m["Subject"], what="extension")
    assert reasons in text_of(notice) and "2 maanden" in text_of(notice)
    twice = await gateway.post(
        f"/v1/staff/rights-requests/{request_id}/extension",
        json={"months": 1, "reasons": reasons},
        headers=OFFICER,
    )
    assert twice.status_code == 409 and twice.json()["code"] == "already_extended"

    late_email = new_address()
    late = (await register(gateway, late_email, channel="email", days_ago=40))["request_id"]
    await mailbox.wait_for(late_email, is_receipt, what="the late request's receipt")
    too_late = await gateway.post(
        f"/v1/staff/rights-requests/{late}/extension",
        json={"months": 1, "reasons": reasons},
        headers=OFFICER,
    )
    assert too_late.status_code == 409 and too_late.json()["code"] == "extension_too_late"

    # Past the first due date by the service's clock, a fresh request can no longer be extended.
    fresh_email = new_address()
    fresh = (await submit(gateway, fresh_email))["request_id"]
    await mailbox.wait_for(fresh_email, is_receipt, what="the fresh request's receipt")
    with requests_clock.moved_forward(timedelta(days=32)):
        after_month = await gateway.post(
            f"/v1/staff/rights-requests/{fresh}/extension",
            json={"months": 1, "reasons": reasons},
            headers=OFFICER,
        )
    assert after_month.status_code == 409


async def test_the_queue_lists_open_requests_by_due_date_and_flags_those_due_soon(
    gateway: AsyncClient, mailbox: Mailbox
) -> None:
    ages = {"overdue": 40, "due_soon": 26, "later": 2}
    ids: dict[str, str] = {}
    for name, days_ago in ages.items():
        email = new_address()
        ids[name] = (await register(gateway, email, channel="email", days_ago=days_ago))[
            "request_id"
        ]
        await mailbox.wait_for(email, is_receipt, what=f"the {name} request's receipt")

    response = await gateway.get("/v1/staff/rights-requests", headers=OFFICER)

    assert response.status_code == 200, response.text
    queue = response.json()
    due_dates = [entry["due_date"] for entry in queue]
    assert due_dates == sorted(due_dates)
    ours = {entry["request_id"]: entry for entry in queue if entry["request_id"] in ids.values()}
    order = [entry["request_id"] for entry in queue if entry["request_id"] in ids.values()]
    assert order == [ids["overdue"], ids["due_soon"], ids["later"]]
    overdue, soon, later = (ours[ids[name]] for name in ("overdue", "due_soon", "later"))
    assert overdue["overdue"] and not overdue["due_soon"] and overdue["days_left"] < 0
    assert soon["due_soon"] and not soon["overdue"] and 0 <= soon["days_left"] <= 7
    assert not later["due_soon"] and not later["overdue"]
    assert all(entry["status"] == "awaiting_verification" for entry in ours.values())
    assert "email" not in overdue

    before_later = await gateway.get(
        "/v1/staff/rights-requests",
        params={"due_before": later["due_date"], "status": "awaiting_verification"},
        headers=OFFICER,
    )
    listed = {entry["request_id"] for entry in before_later.json()}
    assert {ids["overdue"], ids["due_soon"]} <= listed and ids["later"] not in listed
    decided = await gateway.get(
        "/v1/staff/rights-requests", params={"status": "decided"}, headers=OFFICER
    )
    assert not {entry["request_id"] for entry in decided.json()} & set(ids.values())


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/staff/rights-requests", None),
        (
            "POST",
            "/v1/staff/rights-requests",
            {
                "channel": "letter",
                "received_at": "2025-01-31T10:00:00+01:00",
                "type": "access",
                "email": "brief@example.nl",
            },
        ),
        ("POST", f"/v1/staff/rights-requests/{uuid.uuid4()}/verification", None),
        (
            "POST",
            f"/v1/staff/rights-requests/{uuid.uuid4()}/decision",
            {"outcome": "refuse", "reasons": "Geen reden."},
        ),
        (
            "POST",
            f"/v1/staff/rights-requests/{uuid.uuid4()}/extension",
            {"months": 1, "reasons": "Drukte."},
        ),
    ],
)
async def test_staff_routes_need_a_privacy_officer(
    gateway: AsyncClient, method: str, path: str, body: dict | None
) -> None:
    anonymous = await gateway.request(method, path, json=body)
    support_agent = await gateway.request(
        method, path, json=body, headers=staff_headers(Role.SUPPORT_AGENT)
    )
    assert anonymous.status_code == 401
    assert support_agent.status_code == 403


async def test_an_unverified_request_never_reaches_a_data_owner(
    gateway: AsyncClient, mailbox: Mailbox, endpoints: Endpoints
) -> None:
    email = new_address()
    first = (await submit(gateway, email, type="erasure"))["request_id"]
    first_code = await emailed_code(mailbox, email)
    assert (await verify(gateway, first, wrong(first_code))).status_code == 400
    approve = await gateway.post(
        f"/v1/staff/rights-requests/{first}/decision",
        json={"outcome": "approve", "reasons": "Wissen."},
        headers=OFFICER,
    )
    assert approve.status_code == 409

    # The same person's second request is verified; that does not verify the first.
    second = (await submit(gateway, email, type="erasure"))["request_id"]

    async def second_code() -> str | None:
        codes = [
            CODE_LINE.search(text_of(m)).group(1)  # type: ignore[union-attr]
            for m in mailbox.to(email)
            if is_code_mail(m) and second in text_of(m)
        ]
        return codes[0] if codes else None

    code = await eventually(second_code, what="the second request's code")
    assert (await verify(gateway, second, code)).status_code == 200

    events = await collect_until(
        endpoints.kafka_bootstrap_servers,
        REQUESTS_LIFECYCLE.name,
        lambda m: m["payload"]["request_id"] == second,
    )
    verified = [e for e in events if e["type"] == "RightsRequestVerified"]
    assert second in {e["payload"]["request_id"] for e in verified}
    assert first not in {e["payload"]["request_id"] for e in verified}
    secret = GatewaySettings().subject_id_secret.get_secret_value()
    assert verified[-1]["subject_id"] == subject_id_for_email(secret, email)
    assert email not in repr(events)
