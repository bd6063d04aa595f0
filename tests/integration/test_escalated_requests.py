"""An escalated rights request is never a dead end: the officer sees why, and retries, amends or
closes it (statement §6-§7)."""

import uuid

import pytest
from httpx import AsyncClient
from privacyhub.contact.settings import ContactSettings
from privacyhub.requests.rights.requests_store import COLLECTION as RIGHTS_REQUESTS
from privacyhub.requests.settings import RequestsSettings
from privacyhub.shared.contracts.rights import (
    Status,
)
from privacyhub.shared.contracts.subject import (
    RESTRICT_PROCESSING,
    SUBJECT_PROCESSING_CHANGED,
    SubjectMessage,
    SubjectProcessingChanged,
)
from privacyhub.shared.envelope import Envelope, derived_event_id
from privacyhub.shared.topics import SUBJECT_COMMANDS, SUBJECT_RESULTS
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.contact import leave_contact_message
from tests.support.contact_store import readable_messages
from tests.support.endpoints import Endpoints
from tests.support.kafka import collect_until, publish_all
from tests.support.mailbox import Mailbox, text_of
from tests.support.naming import unique_word
from tests.support.people import Person
from tests.support.rights import (
    OFFICER,
    STAFF_PATH,
    approve_a_letter,
    completed,
    rectification_without_corrections,
    staff_action,
)
from tests.support.waiting import eventually
from tests.support.waiting_copy import WaitingCopy, past_the_owners_timeout

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("requests_service", "contact_service", "consent_service"),
]


async def test_a_request_that_cannot_start_shows_why_and_runs_once_amended(
    gateway: AsyncClient,
    endpoints: Endpoints,
    requests_settings: RequestsSettings,
    requests_db: AsyncDatabase,
    contact_db: AsyncDatabase,
    contact_settings: ContactSettings,
) -> None:
    person = Person()
    reference = await leave_contact_message(gateway, person, contact_db)
    accepted = await rectification_without_corrections(
        endpoints, requests_settings, requests_db, gateway, person
    )
    request_id = accepted["request_id"]

    status = await gateway.get(
        f"/v1/rights-requests/{request_id}",
        headers={"authorization": f"Bearer {accepted['access_token']}"},
    )
    assert status.json()["status"] == "escalated"
    assert "names no field to correct" in status.json()["escalation"]["problem"]
    queue = await gateway.get(STAFF_PATH, params={"status": "escalated"}, headers=OFFICER)
    [entry] = [e for e in queue.json() if e["request_id"] == request_id]
    assert "names no field to correct" in entry["problem"]
    retried = await staff_action(gateway, request_id, "retry")
    assert retried.status_code == 409 and retried.json()["code"] == "needs_amendment"
    invalid = await staff_action(gateway, request_id, "amendment", {"corrections": {"iban": "x"}})
    assert invalid.status_code == 422
    assert [e["field"] for e in invalid.json()["errors"]] == ["corrections.iban"]

    corrected = f"de Vries-{unique_word(6)}"
    amended = await staff_action(
        gateway, request_id, "amendment", {"corrections": {"last_name": corrected}}
    )

    assert amended.status_code == 200, amended.text
    assert amended.json()["status"] in ("executing", "completed")
    done = await completed(gateway, accepted)
    assert done["escalation"] is None
    assert ("contact", "rectified", 1) in {
        (r["owner"], r["action"], r["count"]) for r in done["receipts"]
    }
    stored = await readable_messages(contact_db, contact_settings).get(reference)
    assert stored["last_name"] == corrected
    again = await staff_action(
        gateway, request_id, "amendment", {"corrections": {"last_name": "Jansen"}}
    )
    assert again.status_code == 409 and again.json()["code"] == "not_escalated"


async def test_a_closed_request_completes_and_tells_the_requester_what_was_not_done(
    gateway: AsyncClient,
    endpoints: Endpoints,
    requests_settings: RequestsSettings,
    requests_db: AsyncDatabase,
    mailbox: Mailbox,
) -> None:
    person = Person()
    accepted = await rectification_without_corrections(
        endpoints, requests_settings, requests_db, gateway, person
    )
    request_id = accepted["request_id"]
    reasons = "We konden niet vaststellen welke gegevens je gecorrigeerd wilt hebben."

    closed = await staff_action(gateway, request_id, "closure", {"reasons": reasons})

    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "completed"
    assert closed.json()["closure"]["reasons"] == reasons
    assert closed.json()["closure"]["missing_owners"] == requests_settings.data_owners
    mail = await mailbox.wait_for(
        person.email, lambda m: "uitgevoerd" in m["Subject"], what="the completion e-mail"
    )
    body = text_of(mail).replace("\r\n", "\n")
    assert "Niet uitgevoerd:\n- je contactberichten bij Jobport" in body
    assert reasons in body and "Autoriteit Persoonsgegevens" in body
    for action, body_of_action in (("closure", {"reasons": reasons}), ("retry", None)):
        refused = await staff_action(gateway, request_id, action, body_of_action)
        assert refused.status_code == 409 and refused.json()["code"] == "not_escalated"


async def test_a_retry_asks_only_the_silent_owner_again_and_its_answer_completes_the_request(
    gateway: AsyncClient,
    endpoints: Endpoints,
    requests_db: AsyncDatabase,
    requests_waiting_for_a_partner: WaitingCopy,
) -> None:
    copy = requests_waiting_for_a_partner
    request_id = await approve_a_letter(gateway, [requests_db, copy.db], Person())
    async with past_the_owners_timeout(endpoints, copy, request_id):
        await eventually(
            lambda: copy.db[RIGHTS_REQUESTS].find_one(
                {"_id": request_id, "status": Status.ESCALATED.value}
            ),
            what="the escalation",
        )

        # Both copies answer staff actions; only the copy has the request escalated.
        retried = await staff_action(gateway, request_id, "retry")
        assert retried.status_code in (200, 409), retried.text

        restarted = await eventually(
            lambda: copy.db[RIGHTS_REQUESTS].find_one(
                {"_id": request_id, "status": Status.EXECUTING.value}
            ),
            what="the copy executing the request again",
        )
    assert restarted["execution"]["attempt"] == 1
    assert restarted["execution"]["asked"] == ["partner-without-tool"]
    assert sorted(restarted["execution"]["answered"]) == ["consent", "contact"]
    command_id = str(derived_event_id(uuid.UUID(request_id), f"{RESTRICT_PROCESSING}#1"))
    commands = await collect_until(
        endpoints.kafka_bootstrap_servers,
        SUBJECT_COMMANDS.name,
        lambda message: message["event_id"] == command_id,
    )
    assert commands[-1]["payload"]["owners"] == ["partner-without-tool"]

    answer = Envelope[SubjectMessage](
        type=SUBJECT_PROCESSING_CHANGED,
        subject_id=commands[-1]["subject_id"],
        correlation_id=uuid.UUID(request_id),
        payload=SubjectMessage.model_validate(
            SubjectProcessingChanged(
                owner="partner-without-tool", change="restricted", changes=[]
            ).model_dump(mode="json")
        ),
    )
    await publish_all(endpoints.kafka_bootstrap_servers, SUBJECT_RESULTS.name, [answer])
    await eventually(
        lambda: copy.db[RIGHTS_REQUESTS].find_one(
            {"_id": request_id, "status": Status.COMPLETED.value}
        ),
        what="the request completed by the partner's late answer",
    )
