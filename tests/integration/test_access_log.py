"""Need-to-know and the staff access log (statement §5), on real Kafka and MongoDB-protocol servers:
a read of personal data needs a stated reason and is logged before the data is shown; a privacy
officer sees the log by subject or e-mail, and the person sees it in an access request's package.
"""

import io
import json
import zipfile
from typing import Any

import pytest
from httpx import AsyncClient
from privacyhub.requests.complaints.workflow import COLLECTION as COMPLAINTS
from privacyhub.shared.auth import Role
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.contact import leave_contact_message
from tests.support.mailbox import Mailbox
from tests.support.people import Person
from tests.support.rights import OFFICER, approve, completed, download, file_verified_request
from tests.support.staff import staff_headers
from tests.support.waiting import eventually

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("requests_service", "contact_service", "consent_service"),
]

AGENT = staff_headers(Role.SUPPORT_AGENT, staff_id="agent-sam")
CONTACT_REASON = {"x-access-reason": "Answering the question by e-mail"}
COMPLAINT_REASON = {"x-access-reason": "Handling the complaint"}


async def access_log(gateway: AsyncClient, *, entries: int, **lookup: str) -> list[dict[str, Any]]:
    """The access log as a privacy officer reads it, once it holds `entries` entries."""

    async def probe() -> list[dict[str, Any]] | None:
        response = await gateway.get("/v1/staff/access-log", params=lookup, headers=OFFICER)
        assert response.status_code == 200, response.text
        return response.json() if len(response.json()) == entries else None

    return await eventually(probe, what=f"{entries} access-log entries")


async def file_complaint(gateway: AsyncClient, person: Person) -> str:
    form = {"email": person.email, "message": "Ik kreeg geen antwoord.", "kind": "complaint"}
    response = await gateway.post("/v1/complaints", json=form)
    assert response.status_code == 202, response.text
    return response.json()["reference"]


async def read_complaint(gateway: AsyncClient, reference: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        response = await gateway.get(
            f"/v1/staff/complaints/{reference}", headers={**OFFICER, **COMPLAINT_REASON}
        )
        return response.json() if response.status_code == 200 else None

    return await eventually(probe, what=f"complaint {reference} to be stored")


def holds_no_personal_data(entry: dict[str, Any], person: Person) -> bool:
    text = json.dumps(entry)
    return all(
        value not in text
        for value in (person.email, person.first_name, person.last_name, "vacatures")
    )


async def test_a_support_agent_reads_a_question_with_a_reason_and_the_read_is_logged(
    gateway: AsyncClient, contact_db: AsyncDatabase
) -> None:
    person = Person()
    reference = await leave_contact_message(gateway, person, contact_db)

    response = await gateway.get(
        f"/v1/staff/contact/{reference}", headers={**AGENT, **CONTACT_REASON}
    )

    assert response.status_code == 200, response.text
    question = response.json()
    assert question["reference"] == reference
    assert question["email"] == person.email and question["last_name"] == person.last_name
    assert question["message"] == "Hebben jullie nog vacatures voor data-analisten?"
    assert "device" not in question  # not needed to answer the question
    by_subject = await access_log(gateway, entries=1, subject=person.subject_id)
    by_email = await access_log(gateway, entries=1, email=person.email)
    assert by_subject == by_email
    [entry] = by_subject
    assert entry["staff_id"] == "agent-sam" and entry["roles"] == ["support_agent"]
    assert entry["category"] == "contact_messages" and entry["record"] == reference
    assert entry["route"] == "/v1/staff/contact/{reference}"
    assert entry["reason"] == CONTACT_REASON["x-access-reason"]
    assert entry["subject_id"] == person.subject_id and entry["read_at"]
    assert holds_no_personal_data(entry, person)


async def test_without_a_reason_the_read_is_refused_naming_the_header(
    gateway: AsyncClient, contact_db: AsyncDatabase
) -> None:
    person = Person()
    reference = await leave_contact_message(gateway, person, contact_db)

    missing = await gateway.get(f"/v1/staff/contact/{reference}", headers=AGENT)
    blank = await gateway.get(
        f"/v1/staff/contact/{reference}", headers={**AGENT, "x-access-reason": "   "}
    )
    too_long = await gateway.get(
        f"/v1/staff/contact/{reference}", headers={**AGENT, "x-access-reason": "x" * 201}
    )

    for response in (missing, blank, too_long):
        assert response.status_code == 422, response.text
        fields = [problem["field"].lower() for problem in response.json()["errors"]]
        assert fields == ["x-access-reason"]
    empty = await gateway.get(
        "/v1/staff/access-log", params={"email": person.email}, headers=OFFICER
    )
    assert empty.status_code == 200 and empty.json() == []


async def test_other_roles_may_not_read_questions_or_the_access_log(
    gateway: AsyncClient, contact_db: AsyncDatabase
) -> None:
    person = Person()
    reference = await leave_contact_message(gateway, person, contact_db)

    analyst = await gateway.get(
        f"/v1/staff/contact/{reference}",
        headers={**staff_headers(Role.ANALYST), **CONTACT_REASON},
    )
    anonymous = await gateway.get(f"/v1/staff/contact/{reference}", headers=CONTACT_REASON)
    agent_reads_log = await gateway.get(
        "/v1/staff/access-log", params={"email": person.email}, headers=AGENT
    )

    assert analyst.status_code == 403
    assert anonymous.status_code == 401
    assert agent_reads_log.status_code == 403


async def test_an_unknown_question_is_404_and_the_log_needs_one_way_to_name_the_person(
    gateway: AsyncClient,
) -> None:
    unknown = await gateway.get(
        "/v1/staff/contact/CT-000000000000", headers={**AGENT, **CONTACT_REASON}
    )
    neither = await gateway.get("/v1/staff/access-log", headers=OFFICER)
    both = await gateway.get(
        "/v1/staff/access-log",
        params={"subject": "abc", "email": "iemand@example.nl"},
        headers=OFFICER,
    )

    assert unknown.status_code == 404
    assert neither.status_code == 422 and both.status_code == 422


async def test_moving_a_complaint_on_shows_it_in_full_so_it_needs_a_reason_and_is_logged(
    gateway: AsyncClient, requests_db: AsyncDatabase
) -> None:
    person = Person()
    reference = await file_complaint(gateway, person)
    stored = await eventually(
        lambda: requests_db[COMPLAINTS].find_one({"_id": reference}), what="the complaint stored"
    )
    path = f"/v1/staff/complaints/{reference}/status"
    for refused_headers in (OFFICER, {**OFFICER, "x-access-reason": "   "}):
        refused = await gateway.post(path, json={"status": "in_progress"}, headers=refused_headers)
        assert refused.status_code == 422, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == ["X-Access-Reason"]
    # Refused before any command is sent, so the stored complaint is exactly as it was.
    assert await requests_db[COMPLAINTS].find_one({"_id": reference}) == stored

    moved = await gateway.post(
        path, json={"status": "in_progress"}, headers={**OFFICER, **COMPLAINT_REASON}
    )

    assert moved.status_code == 200, moved.text
    complaint = moved.json()
    assert complaint["email"] == person.email and complaint["status"] == "in_progress"
    assert [(s["status"], s["by"]) for s in complaint["history"]] == [
        ("received", None),
        ("in_progress", "officer-olga"),
    ]
    [entry] = await access_log(gateway, entries=1, email=person.email)
    assert entry["staff_id"] == "officer-olga" and entry["roles"] == ["privacy_officer"]
    assert entry["route"] == "/v1/staff/complaints/{reference}/status"
    assert entry["record"] == reference and entry["category"] == "complaints"
    assert entry["reason"] == COMPLAINT_REASON["x-access-reason"]
    assert entry["subject_id"] == person.subject_id and entry["read_at"]
    assert holds_no_personal_data(entry, person)


async def test_reading_a_complaint_in_full_is_logged_too(gateway: AsyncClient) -> None:
    person = Person()
    reference = await file_complaint(gateway, person)

    complaint = await read_complaint(gateway, reference)

    assert complaint["email"] == person.email
    [entry] = await access_log(gateway, entries=1, email=person.email)
    assert entry["staff_id"] == "officer-olga" and entry["category"] == "complaints"
    assert entry["route"] == "/v1/staff/complaints/{reference}" and entry["record"] == reference
    assert entry["reason"] == COMPLAINT_REASON["x-access-reason"]
    assert holds_no_personal_data(entry, person)
    without_reason = await gateway.get(f"/v1/staff/complaints/{reference}", headers=OFFICER)
    assert without_reason.status_code == 422


async def test_an_access_request_shows_the_person_who_read_their_data(
    gateway: AsyncClient, mailbox: Mailbox, contact_db: AsyncDatabase
) -> None:
    person = Person()
    contact_reference = await leave_contact_message(gateway, person, contact_db)
    complaint_reference = await file_complaint(gateway, person)
    read = await gateway.get(
        f"/v1/staff/contact/{contact_reference}", headers={**AGENT, **CONTACT_REASON}
    )
    assert read.status_code == 200, read.text
    await read_complaint(gateway, complaint_reference)
    logged = await access_log(gateway, entries=2, email=person.email)

    accepted = await file_verified_request(gateway, mailbox, person, "access")
    await approve(gateway, accepted["request_id"])
    await completed(gateway, accepted)
    response = await download(gateway, mailbox, person, accepted)

    assert response.status_code == 200, response.text
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))
    assert data["access_log"] == logged
    assert [(e["staff_id"], e["category"], e["record"]) for e in data["access_log"]] == [
        ("agent-sam", "contact_messages", contact_reference),
        ("officer-olga", "complaints", complaint_reference),
    ]
    assert "agent-sam" in archive.read("summary.html").decode()
