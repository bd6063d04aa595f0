"""Complaints and suspected breaches (statement §8): website → gateway → Kafka → requests service, and the privacy officer's tools."""

from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from httpx import AsyncClient
from privacyhub.requests.complaints.breaches import COLLECTION as REGISTER_COLLECTION
from privacyhub.requests.complaints.workflow import COLLECTION as COMPLAINTS_COLLECTION
from privacyhub.requests.settings import RequestsSettings
from privacyhub.shared.auth import Role
from privacyhub.shared.contracts.complaints import (
    CHANGE_COMPLAINT_STATUS_COMMAND,
    COMPLAINT_RECEIVED,
    ChangeComplaintStatus,
    ComplaintReceived,
)
from privacyhub.shared.contracts.pages import MAX_LIMIT
from privacyhub.shared.envelope import Envelope, utc_now
from privacyhub.shared.queries import ALREADY_CARRIED_OUT, COMMAND, Command
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import COMPLAINTS, GATEWAY_REPLIES, REQUESTS_COMMANDS
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.clock import MovableClock
from tests.support.complaints import OFFICER, complaint_as_staff_see_it, move, report
from tests.support.endpoints import Endpoints
from tests.support.kafka import collect_until, publish_message
from tests.support.mailbox import Mailbox, text_of
from tests.support.naming import unique_word
from tests.support.requests_store import readable_complaints
from tests.support.staff import staff_headers
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

COMPLAINT = {
    "email": "Pieter.Jansen@example.nl",
    "message": "Ik krijg nog steeds nieuwsbrieven terwijl ik me heb afgemeld.",
    "kind": "complaint",
}
SUSPECTED_BREACH = {
    "email": "sanne@example.nl",
    "message": "Ik kreeg een e-mail met de cv's van andere sollicitanten als bijlage.",
    "kind": "suspected_breach",
}


async def register_entry(gateway: AsyncClient, reference: str) -> dict[str, Any]:
    async def listed() -> dict[str, Any] | None:
        response = await gateway.get(f"/v1/staff/breaches?limit={MAX_LIMIT}", headers=OFFICER)
        assert response.status_code == 200, response.text
        return next((e for e in response.json() if e["complaint_reference"] == reference), None)

    return await eventually(listed, what=f"the breach register entry of {reference}")


async def decide(gateway: AsyncClient, breach_id: str, **decision: Any) -> Any:
    return await gateway.post(
        f"/v1/staff/breaches/{breach_id}/decision", json=decision, headers=OFFICER
    )


def moment(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def test_a_complaint_is_accepted_with_a_reference_stored_and_given_a_receipt(
    gateway: AsyncClient,
    requests_service: ServiceRuntime,
    requests_db: AsyncDatabase,
    requests_settings: RequestsSettings,
    mailbox: Mailbox,
) -> None:
    address = f"klager-{unique_word(12)}@example.nl"
    reference = await report(gateway, {**COMPLAINT, "email": address})

    assert reference.startswith("CP-")
    document = await eventually(
        lambda: requests_db[COMPLAINTS_COLLECTION].find_one({"_id": reference}),
        what="the stored complaint",
    )
    complaint = await readable_complaints(requests_db, requests_settings).get(reference)
    assert complaint is not None
    assert complaint.email == address and complaint.message == COMPLAINT["message"]
    assert document["kind"] == "complaint" and document["channel"] == "web"
    assert document["status"] == "received" and "breach_id" not in document
    assert document["subject_id"] and "@" not in document["subject_id"]
    receipt = await mailbox.wait_for(address, what="the receipt")
    assert reference in receipt["Subject"] and reference in text_of(receipt)
    assert "Autoriteit Persoonsgegevens" in text_of(receipt)
    assert COMPLAINT["message"] not in text_of(receipt)
    assert (await complaint_as_staff_see_it(gateway, reference))["receipt_sent_at"]
    assert len(mailbox.to(address)) == 1


async def test_a_suspected_breach_delivered_twice_is_kept_and_acknowledged_once(
    endpoints: Endpoints,
    requests_service: ServiceRuntime,
    requests_db: AsyncDatabase,
    mailbox: Mailbox,
) -> None:
    address = f"melder-{unique_word(12)}@example.nl"

    def received(reference: str) -> Envelope[ComplaintReceived]:
        return Envelope[ComplaintReceived](
            type=COMPLAINT_RECEIVED,
            subject_id="subject-redelivery-test",  # one partition: the sentinel comes last
            payload=ComplaintReceived(
                reference=reference,
                **{**SUSPECTED_BREACH, "email": address},
                received_at=utc_now(),
            ),
        )

    twice, sentinel = received("CP-0000000D0B1E"), received("CP-00005E471E1E")
    for envelope in (twice, twice, sentinel):
        await publish_message(
            endpoints.kafka_bootstrap_servers,
            COMPLAINTS.name,
            envelope.model_dump_json().encode(),
            key=envelope.partition_key,
        )

    await eventually(
        lambda: requests_db[REGISTER_COLLECTION].find_one(
            {"complaint_reference": sentinel.payload.reference}
        ),
        what="the sentinel's register entry",
    )
    await mailbox.wait_for(
        address, lambda m: sentinel.payload.reference in m["Subject"], what="the sentinel receipt"
    )
    reference = twice.payload.reference
    assert await requests_db[COMPLAINTS_COLLECTION].count_documents({"_id": reference}) == 1
    assert (
        await requests_db[REGISTER_COLLECTION].count_documents({"complaint_reference": reference})
        == 1
    )
    assert sum(reference in m["Subject"] for m in mailbox.to(address)) == 1


async def test_invalid_complaint_fields_are_each_named_in_a_422(gateway: AsyncClient) -> None:
    response = await gateway.post(
        "/v1/complaints", json={"email": "not-an-address", "message": "", "kind": "grumble"}
    )

    assert response.status_code == 422
    assert {problem["field"] for problem in response.json()["errors"]} == {
        "email",
        "message",
        "kind",
    }


async def test_a_complaint_goes_from_received_through_in_progress_to_resolved(
    gateway: AsyncClient, requests_service: ServiceRuntime
) -> None:
    reference = await report(gateway, COMPLAINT)
    await complaint_as_staff_see_it(gateway, reference)

    skipped = await move(gateway, reference, status="resolved", note="Afgemeld.")
    assert skipped.status_code == 409, skipped.text
    assert skipped.json()["code"] == "invalid_transition"
    assert skipped.json()["message"] == {
        "nl": "Deze stap is vanuit de huidige status van de klacht niet mogelijk.",
        "en": "A complaint that is received cannot become resolved.",
    }

    started = await move(gateway, reference, status="in_progress")
    assert started.status_code == 200, started.text
    assert started.json()["status"] == "in_progress"

    without_note = await move(gateway, reference, status="resolved")
    assert without_note.status_code == 422
    assert [problem["field"] for problem in without_note.json()["errors"]] == ["note"]

    note = "Het adres is uit de nieuwsbrieflijst verwijderd; de melder is gebeld."
    resolved = await move(gateway, reference, status="resolved", note=note)
    assert resolved.status_code == 200, resolved.text
    complaint = resolved.json()
    assert complaint["status"] == "resolved" and complaint["resolution"] == note
    assert [(step["status"], step["by"]) for step in complaint["history"]] == [
        ("received", None),
        ("in_progress", "dpo-ellen"),
        ("resolved", "dpo-ellen"),
    ]

    reopened = await move(gateway, reference, status="in_progress")
    assert reopened.status_code == 409
    assert (await complaint_as_staff_see_it(gateway, reference))["status"] == "resolved"


async def test_the_queue_lists_complaints_by_status_without_addresses_or_words(
    gateway: AsyncClient, requests_service: ServiceRuntime
) -> None:
    waiting = await report(gateway, COMPLAINT)
    started = await report(gateway, COMPLAINT)
    await complaint_as_staff_see_it(gateway, waiting)
    await complaint_as_staff_see_it(gateway, started)
    assert (await move(gateway, started, status="in_progress")).status_code == 200

    received = await gateway.get("/v1/staff/complaints?status=received", headers=OFFICER)
    in_progress = await gateway.get("/v1/staff/complaints?status=in_progress", headers=OFFICER)

    assert received.status_code == 200 and in_progress.status_code == 200
    received_references = {c["reference"] for c in received.json()}
    in_progress_references = {c["reference"] for c in in_progress.json()}
    assert waiting in received_references and waiting not in in_progress_references
    assert started in in_progress_references and started not in received_references
    assert all("email" not in c and "message" not in c for c in received.json())


async def test_a_status_change_delivered_twice_is_applied_once(
    endpoints: Endpoints, gateway: AsyncClient, requests_service: ServiceRuntime
) -> None:
    reference = await report(gateway, COMPLAINT)
    await complaint_as_staff_see_it(gateway, reference)
    change = ChangeComplaintStatus(
        command_id=uuid4(), reference=reference, status="in_progress", changed_by="dpo-ellen"
    )
    query = Envelope[Command](
        type=COMMAND,
        subject_id=reference,
        payload=Command(
            name=CHANGE_COMPLAINT_STATUS_COMMAND, arguments=change.model_dump(mode="json")
        ),
    )
    for _ in range(2):
        await publish_message(
            endpoints.kafka_bootstrap_servers,
            REQUESTS_COMMANDS.name,
            query.model_dump_json().encode(),
            key=query.partition_key,
        )

    ours = str(query.correlation_id)
    answers: list[dict[str, Any]] = []

    def both_answered(message: dict[str, Any]) -> bool:
        if message["correlation_id"] == ours:
            answers.append(message["payload"])
        return len(answers) == 2

    await collect_until(endpoints.kafka_bootstrap_servers, GATEWAY_REPLIES.name, both_answered)
    first, again = answers
    assert first["status"] == "found" and first["result"]["status"] == "in_progress"
    assert again["status"] == "refused" and again["code"] == ALREADY_CARRIED_OUT
    complaint = await complaint_as_staff_see_it(gateway, reference)
    assert [step["status"] for step in complaint["history"]] == ["received", "in_progress"]


async def test_a_suspected_breach_enters_the_register_with_a_72_hour_deadline(
    gateway: AsyncClient, requests_service: ServiceRuntime
) -> None:
    before = utc_now()
    reference = await report(gateway, SUSPECTED_BREACH)

    entry = await register_entry(gateway, reference)

    reported_at = moment(entry["reported_at"])
    assert before - timedelta(seconds=1) <= reported_at <= utc_now()
    assert moment(entry["notify_deadline"]) - reported_at == timedelta(hours=72)
    assert entry["status"] == "awaiting_decision" and entry["decision"] is None
    assert entry["overdue"] is False and entry["decided_late"] is False
    complaint = await complaint_as_staff_see_it(gateway, reference)
    assert complaint["kind"] == "suspected_breach" and complaint["breach_id"] == entry["id"]


async def test_a_breach_decision_is_recorded_once_with_its_reasons(
    gateway: AsyncClient, requests_service: ServiceRuntime
) -> None:
    reference = await report(gateway, SUSPECTED_BREACH)
    breach_id = (await register_entry(gateway, reference))["id"]

    without_reasons = await decide(gateway, breach_id, notify_authority=True)
    blank_reasons = await decide(gateway, breach_id, notify_authority=True, reasons="  ")
    not_notified_yet_referenced = await decide(
        gateway,
        breach_id,
        notify_authority=False,
        reasons="Geen risico.",
        authority_reference="AP-123",
    )
    for refused in (without_reasons, blank_reasons):
        assert refused.status_code == 422
        assert [problem["field"] for problem in refused.json()["errors"]] == ["reasons"]
    assert not_notified_yet_referenced.status_code == 422

    reasons = "Cv's van twaalf sollicitanten naar een verkeerde ontvanger; risico voor hen."
    notified_at = utc_now().isoformat()
    decided = await decide(
        gateway,
        breach_id,
        notify_authority=True,
        reasons=reasons,
        notified_at=notified_at,
        authority_reference="AP-2026-0042",
    )
    assert decided.status_code == 200, decided.text
    entry = decided.json()
    assert entry["status"] == "decided" and entry["decided_late"] is False
    decision = entry["decision"]
    assert decision["notify_authority"] is True and decision["reasons"] == reasons
    assert decision["decided_by"] == "dpo-ellen"
    assert decision["authority_reference"] == "AP-2026-0042"
    assert abs(moment(decision["notified_at"]) - moment(notified_at)) < timedelta(seconds=0.001)

    again = await decide(gateway, breach_id, notify_authority=False, reasons="Toch niet.")
    assert again.status_code == 409
    assert again.json()["code"] == "already_decided"
    assert (await register_entry(gateway, reference))["decision"]["reasons"] == reasons


async def test_an_undecided_breach_past_its_deadline_is_flagged_overdue(
    gateway: AsyncClient, requests_service: ServiceRuntime, requests_clock: MovableClock
) -> None:
    reference = await report(gateway, SUSPECTED_BREACH)
    breach_id = (await register_entry(gateway, reference))["id"]

    with requests_clock.moved_forward(timedelta(hours=73)):
        overdue = await register_entry(gateway, reference)
        decided = await decide(
            gateway, breach_id, notify_authority=False, reasons="Versleuteld; geen risico."
        )

    assert overdue["overdue"] is True and overdue["status"] == "awaiting_decision"
    assert decided.status_code == 200, decided.text
    assert decided.json()["overdue"] is False and decided.json()["decided_late"] is True
    afterwards = await register_entry(gateway, reference)
    assert afterwards["overdue"] is False and afterwards["decided_late"] is True


async def test_a_breach_reported_by_letter_runs_from_the_day_the_letter_arrived(
    gateway: AsyncClient, requests_service: ServiceRuntime
) -> None:
    arrived = utc_now() - timedelta(days=4)
    response = await gateway.post(
        "/v1/staff/complaints",
        json={**SUSPECTED_BREACH, "channel": "letter", "received_at": arrived.isoformat()},
        headers=OFFICER,
    )
    assert response.status_code == 202, response.text
    reference = response.json()["reference"]

    entry = await register_entry(gateway, reference)

    assert abs(moment(entry["reported_at"]) - arrived) < timedelta(seconds=0.001)
    assert entry["overdue"] is True
    assert (await complaint_as_staff_see_it(gateway, reference))["channel"] == "letter"


STAFF_ROUTES = [
    ("GET", "/v1/staff/complaints", None),
    (
        "POST",
        "/v1/staff/complaints",
        {**COMPLAINT, "channel": "email", "received_at": "2026-01-05T09:00:00+01:00"},
    ),
    ("GET", "/v1/staff/complaints/CP-000000000000", None),
    ("POST", "/v1/staff/complaints/CP-000000000000/status", {"status": "in_progress"}),
    ("GET", "/v1/staff/breaches", None),
    (
        "POST",
        "/v1/staff/breaches/BR-000000000000/decision",
        {"notify_authority": False, "reasons": "Geen risico."},
    ),
]


@pytest.mark.parametrize(("method", "path", "body"), STAFF_ROUTES)
async def test_staff_routes_need_a_privacy_officer(
    gateway: AsyncClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    anonymous = await gateway.request(method, path, json=body)
    support_agent = await gateway.request(
        method, path, json=body, headers=staff_headers(Role.SUPPORT_AGENT)
    )

    assert anonymous.status_code == 401
    assert support_agent.status_code == 403


async def test_unknown_complaints_and_breaches_are_404(
    gateway: AsyncClient, requests_service: ServiceRuntime
) -> None:
    missing_complaint = await move(gateway, "CP-000000000000", status="in_progress")
    missing_breach = await decide(
        gateway, "BR-000000000000", notify_authority=False, reasons="Geen risico."
    )

    assert missing_complaint.status_code == 404
    assert missing_breach.status_code == 404
