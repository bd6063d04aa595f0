"""Carrying out approved rights requests (statement §6) across every data owner, on real Kafka,
MongoDB-protocol databases and SMTP: access packages, erasure with receipts, withdrawal of consent,
rectification, restriction, objection, escalation of a silent owner, and no command before verification.
"""

import io
import json
import zipfile
from typing import Any

import pytest
from httpx import AsyncClient
from privacyhub.consent.consents import CURRENT
from privacyhub.consent.restrictions import RESTRICTIONS
from privacyhub.consent.visits import VISITS
from privacyhub.contact.repository import COLLECTION as CONTACT_MESSAGES
from privacyhub.contact.settings import ContactSettings
from privacyhub.requests.rights.requests_store import COLLECTION as RIGHTS_REQUESTS
from privacyhub.requests.rights.views import queue_entry
from privacyhub.requests.settings import RequestsSettings
from privacyhub.shared.contracts.pages import MAX_LIMIT, PageRequest
from privacyhub.shared.contracts.rights import Status
from privacyhub.shared.envelope import utc_now
from privacyhub.shared.topics import (
    SUBJECT_COMMANDS,
)
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.contact import leave_contact_message
from tests.support.contact_store import readable_messages
from tests.support.endpoints import Endpoints
from tests.support.kafka import collect_until
from tests.support.mailbox import Mailbox, text_of
from tests.support.naming import unique_word
from tests.support.people import Person
from tests.support.requests_store import readable_requests
from tests.support.rights import (
    OFFICER,
    approve,
    approve_a_letter,
    completed,
    completion_mail,
    download,
    file_verified_request,
    officer_files_verified,
)
from tests.support.visitors import visit_with_consent
from tests.support.waiting import eventually
from tests.support.waiting_copy import WaitingCopy, past_the_owners_timeout

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("requests_service", "contact_service", "consent_service"),
]


async def dump_of(db: AsyncDatabase) -> str:
    """Every document of every collection, as text: what a DPO's search of the database sees."""
    parts = []
    for name in await db.list_collection_names():
        parts.extend([repr(document) async for document in db[name].find()])
    return "\n".join(parts)


async def test_an_access_request_yields_a_zip_with_every_record_and_a_summary(
    gateway: AsyncClient,
    mailbox: Mailbox,
    contact_db: AsyncDatabase,
    consent_db: AsyncDatabase,
) -> None:
    person = Person()
    reference = await leave_contact_message(gateway, person, contact_db)
    consent_id, page_view_ids = await visit_with_consent(gateway, person, consent_db)
    accepted = await file_verified_request(gateway, mailbox, person, "access")
    token = {"authorization": f"Bearer {accepted['access_token']}"}
    export_path = f"/v1/rights-requests/{accepted['request_id']}/export"

    not_yet = await gateway.get(export_path, headers=token)
    assert not_yet.status_code == 409 and not_yet.json()["code"] == "not_ready"
    await approve(gateway, accepted["request_id"])
    status = await completed(gateway, accepted)
    assert {r["owner"] for r in status["receipts"]} == {"contact", "consent", "support_partner"}
    assert "uitgevoerd" in await completion_mail(mailbox, person)

    without_code = await gateway.get(export_path, headers=token)
    assert without_code.status_code == 403, without_code.text
    assert without_code.json()["code"] == "wrong_download_code"
    response = await download(gateway, mailbox, person, accepted)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["cache-control"] == "no-store"
    status_view = await gateway.get(f"/v1/rights-requests/{accepted['request_id']}", headers=token)
    assert status_view.headers["cache-control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))
    messages = data["owners"]["contact"]["contact_messages"]["records"]
    assert [m["reference"] for m in messages] == [reference]
    assert messages[0]["email"] == person.email and messages[0]["last_name"] == person.last_name
    consents = data["owners"]["consent"]["consents"]["records"]
    assert [c["consent_id"] for c in consents] == [consent_id]
    visits = data["owners"]["consent"]["visit_records"]["records"]
    assert sorted(v["page_view_id"] for v in visits) == sorted(page_view_ids)
    assert [r["request_id"] for r in data["rights_requests"]] == [accepted["request_id"]]
    summary = archive.read("summary.html").decode()
    assert summary.startswith("<!doctype html>") and reference in summary

    wrong_token = await gateway.get(export_path, headers={"authorization": "Bearer " + "x" * 43})
    assert wrong_token.status_code == 404


async def test_portability_holds_only_data_processed_under_consent_or_contract(
    gateway: AsyncClient,
    mailbox: Mailbox,
    contact_db: AsyncDatabase,
    consent_db: AsyncDatabase,
) -> None:
    person = Person()
    await leave_contact_message(gateway, person, contact_db)
    _, page_view_ids = await visit_with_consent(gateway, person, consent_db, views=1)
    accepted = await file_verified_request(gateway, mailbox, person, "portability")
    await approve(gateway, accepted["request_id"])
    await completed(gateway, accepted)

    response = await download(gateway, mailbox, person, accepted)
    assert response.status_code == 200, response.text
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("data.json"))
    assert data["owners"]["contact"] == {}  # answering questions rests on legitimate interest
    assert list(data["owners"]["consent"]) == ["visit_records"]
    visits = data["owners"]["consent"]["visit_records"]["records"]
    assert [v["page_view_id"] for v in visits] == page_view_ids
    assert "rights_requests" not in data


async def test_after_an_erasure_no_database_holds_the_email_or_name(
    gateway: AsyncClient,
    mailbox: Mailbox,
    contact_db: AsyncDatabase,
    consent_db: AsyncDatabase,
    requests_db: AsyncDatabase,
) -> None:
    person = Person()
    await leave_contact_message(gateway, person, contact_db)
    await visit_with_consent(gateway, person, consent_db)
    accepted = await file_verified_request(gateway, mailbox, person, "erasure")
    await approve(gateway, accepted["request_id"])
    status = await completed(gateway, accepted)

    receipts = {(r["owner"], r["category"]): r for r in status["receipts"]}
    assert set(receipts) == {
        ("contact", "contact_messages"),
        ("consent", "consents"),
        ("consent", "visit_records"),
        ("support_partner", "contact_messages"),
    }
    assert receipts[("contact", "contact_messages")]["count"] == 1
    assert receipts[("consent", "visit_records")]["count"] == 2
    mail = await completion_mail(mailbox, person)
    assert "contact / contact_messages: 1 verwijderd" in mail
    assert "consent / visit_records: 2 verwijderd" in mail

    async def forgotten() -> bool:
        document = await requests_db[RIGHTS_REQUESTS].find_one({"_id": accepted["request_id"]})
        return document is not None and "email" not in document

    await eventually(forgotten, what="the request's own personal fields to be dropped")
    for db in (contact_db, consent_db, requests_db):
        everything = await dump_of(db)
        for trace in (person.email, person.first_name, person.last_name, person.visitor_id):
            assert trace not in everything, f"{db.name} still holds the subject"
    proof = await requests_db[RIGHTS_REQUESTS].find_one({"_id": accepted["request_id"]})
    assert proof["subject_id"] and proof["type"] == "erasure" and proof["decision"]
    assert len(proof["receipts"]) == 4


async def test_withdrawing_consent_withdraws_every_purpose_and_erases_visits(
    gateway: AsyncClient, mailbox: Mailbox, consent_db: AsyncDatabase
) -> None:
    person = Person()
    given, _ = await visit_with_consent(gateway, person, consent_db)
    accepted = await file_verified_request(gateway, mailbox, person, "withdraw_consent")
    await approve(gateway, accepted["request_id"])
    await completed(gateway, accepted)

    current = await consent_db[CURRENT].find_one({"_id": person.visitor_id})
    assert current["consent_id"] != given
    assert await consent_db[VISITS].count_documents({"visitor_id": person.visitor_id}) == 0
    consents = await gateway.get(f"/v1/consents/{person.visitor_id}")
    assert consents.json()["current"]["purposes"] == {
        "necessary": True,
        "analytics": False,
        "marketing": False,
    }
    assert consents.json()["history"][0]["consent_id"] == given
    assert "consent / visit_records: 2 verwijderd" in await completion_mail(mailbox, person)


async def test_rectification_corrects_the_named_fields(
    gateway: AsyncClient,
    mailbox: Mailbox,
    contact_db: AsyncDatabase,
    contact_settings: ContactSettings,
) -> None:
    person = Person()
    reference = await leave_contact_message(gateway, person, contact_db)
    corrected = f"de Vries-{unique_word(6)}"
    accepted = await file_verified_request(
        gateway,
        mailbox,
        person,
        "rectification",
        details="Mijn achternaam is fout gespeld.",
        corrections={"last_name": corrected},
    )
    await approve(gateway, accepted["request_id"])
    status = await completed(gateway, accepted)

    stored = await readable_messages(contact_db, contact_settings).get(reference)
    assert stored["last_name"] == corrected and stored["first_name"] == person.first_name
    rectified = [r for r in status["receipts"] if r["action"] == "rectified"]
    assert rectified == [
        {**rectified[0], "owner": "contact", "category": "contact_messages", "count": 1}
    ]


async def test_restriction_flags_the_data_visibly_and_objection_stops_legitimate_interest(
    gateway: AsyncClient,
    mailbox: Mailbox,
    contact_db: AsyncDatabase,
    consent_db: AsyncDatabase,
) -> None:
    person = Person()
    reference = await leave_contact_message(gateway, person, contact_db)
    _, page_view_ids = await visit_with_consent(gateway, person, consent_db, views=1)
    restriction = await file_verified_request(gateway, mailbox, person, "restriction")
    await approve(gateway, restriction["request_id"])
    await completed(gateway, restriction)

    message = await contact_db[CONTACT_MESSAGES].find_one({"_id": reference})
    assert message["restriction"]["request_id"] == restriction["request_id"]
    visit = await consent_db[VISITS].find_one({"_id": page_view_ids[0]})
    assert visit["restriction"]["request_id"] == restriction["request_id"]
    assert await consent_db[RESTRICTIONS].find_one({"_id": person.visitor_id})

    objection = await file_verified_request(gateway, mailbox, person, "objection")
    await approve(gateway, objection["request_id"])
    await completed(gateway, objection)
    message = await contact_db[CONTACT_MESSAGES].find_one({"_id": reference})
    assert message["objection"]["request_id"] == objection["request_id"]


async def test_an_unverified_request_never_reaches_a_data_owner(
    gateway: AsyncClient, mailbox: Mailbox, endpoints: Endpoints
) -> None:
    person = Person()
    response = await gateway.post(
        "/v1/rights-requests",
        json={"type": "erasure", "email": person.email, "visitor_keys": [person.visitor_key]},
    )
    unverified = response.json()["request_id"]
    # The code e-mail shows the requests service holds the request; it is never verified.
    await mailbox.wait_for(
        person.email,
        lambda m: "verificatiecode" in m["Subject"] and unverified in text_of(m),
        what="the code e-mail",
    )
    approval = await gateway.post(
        f"/v1/staff/rights-requests/{unverified}/decision",
        json={"outcome": "approve", "reasons": "Zonder controle."},
        headers=OFFICER,
    )
    assert approval.status_code == 409 and approval.json()["code"] == "not_verified"

    # A later, verified request of another person is the sentinel: its command comes after.
    sentinel = Person()
    later = await file_verified_request(gateway, mailbox, sentinel, "restriction")
    await approve(gateway, later["request_id"])
    commands = await collect_until(
        endpoints.kafka_bootstrap_servers,
        SUBJECT_COMMANDS.name,
        lambda m: m["correlation_id"] == later["request_id"],
        within=60,
    )
    assert all(command["correlation_id"] != unverified for command in commands)
    assert all(unverified not in json.dumps(command) for command in commands)


async def test_an_owner_that_does_not_answer_in_time_is_escalated_on_the_queue(
    gateway: AsyncClient,
    endpoints: Endpoints,
    requests_db: AsyncDatabase,
    requests_waiting_for_a_partner: WaitingCopy,
    requests_settings: RequestsSettings,
) -> None:
    copy = requests_waiting_for_a_partner
    request_id = await approve_a_letter(gateway, [requests_db, copy.db], Person())

    second = copy.db[RIGHTS_REQUESTS]
    async with past_the_owners_timeout(endpoints, copy, request_id):
        escalated = await eventually(
            lambda: second.find_one({"_id": request_id, "status": Status.ESCALATED.value}),
            what="the escalation",
        )
    assert escalated["execution"]["missing"] == ["partner-without-tool"]
    assert sorted(escalated["execution"]["answered"]) == ["consent", "contact"]
    queue, _ = await readable_requests(copy.db, requests_settings).queue(
        status=Status.ESCALATED, due_before=None, page=PageRequest(limit=MAX_LIMIT)
    )
    entry = next(queue_entry(d, utc_now()) for d in queue if d["_id"] == request_id)
    assert entry.missing_owners == ["partner-without-tool"]


async def test_the_officers_reasons_show_only_to_who_proved_the_address_is_theirs(
    gateway: AsyncClient, mailbox: Mailbox, requests_db: AsyncDatabase
) -> None:
    """An officer-verified request's token may be held by whoever submitted it: the reasons the
    officer wrote reach the verified address by e-mail, not that holder's status view."""
    by_letter = await officer_files_verified(gateway, Person(), "access", [requests_db])
    person = Person()
    by_code = await file_verified_request(gateway, mailbox, person, "access")
    for accepted in (by_letter, by_code):
        await approve(gateway, accepted["request_id"])

    async def decision_of(accepted: dict[str, Any]) -> dict[str, Any]:
        response = await gateway.get(
            f"/v1/rights-requests/{accepted['request_id']}",
            headers={"authorization": f"Bearer {accepted['access_token']}"},
        )
        assert response.status_code == 200, response.text
        return response.json()["decision"]

    hidden, shown = await decision_of(by_letter), await decision_of(by_code)
    assert hidden["outcome"] == shown["outcome"] == "approve"
    assert hidden["reasons"] is None
    assert shown["reasons"] == "Je verzoek is terecht."
