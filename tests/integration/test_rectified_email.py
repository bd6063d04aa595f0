"""A corrected e-mail address is verified before any data owner writes it: an approved
rectification (or an officer's amendment) that names a new address waits, whole, until the code
sent to that address is entered, and that address gets nothing but the code meanwhile."""

import uuid
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from httpx import AsyncClient, Response
from privacyhub.contact.settings import ContactSettings
from privacyhub.requests.rights.requests_store import COLLECTION as RIGHTS_REQUESTS
from privacyhub.requests.rights.requests_store import (
    NEW_EMAIL_NOT_VERIFIED,
    RightsRequests,
)
from privacyhub.requests.settings import RequestsSettings
from privacyhub.shared.contracts.rights import Status
from privacyhub.shared.envelope import utc_now
from privacyhub.shared.register import load_register
from privacyhub.shared.register.check import undeclared_fields
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.clock import MovableClock
from tests.support.contact import leave_contact_message
from tests.support.contact_store import readable_messages
from tests.support.endpoints import Endpoints
from tests.support.mailbox import Mailbox, text_of
from tests.support.naming import unique_word
from tests.support.people import Person
from tests.support.requests_store import subject_keys
from tests.support.rights import (
    CODE_LINE,
    approve,
    completed,
    file_verified_request,
    rectification_without_corrections,
    staff_action,
)
from tests.support.waiting import eventually

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("requests_service", "contact_service", "consent_service"),
]

NEW_ADDRESS_SUBJECT = "Bevestig je nieuwe e-mailadres"


def new_address() -> str:
    return f"nieuw-{unique_word(10)}@example.nl"


async def awaiting_a_new_address(
    gateway: AsyncClient, mailbox: Mailbox, contact_db: AsyncDatabase
) -> tuple[Person, str, str, dict[str, Any]]:
    """A person with a contact message whose approved rectification of their e-mail address now
    waits for the new address's code: the person, the message's reference, the new address and
    the accepted request."""
    person = Person()
    reference = await leave_contact_message(gateway, person, contact_db)
    address = new_address()
    accepted = await file_verified_request(
        gateway, mailbox, person, "rectification", corrections={"email": address}
    )
    await approve(gateway, accepted["request_id"])
    return person, reference, address, accepted


async def codes_sent_to(
    mailbox: Mailbox, address: str, request_id: str, count: int = 1
) -> list[str]:
    """The codes e-mailed to the new `address`, in order, once `count` of them have arrived."""

    async def arrived() -> list[str] | None:
        mails = [
            text_of(m)
            for m in mailbox.to(address)
            if NEW_ADDRESS_SUBJECT in m["Subject"] and request_id in text_of(m)
        ]
        codes = [match.group(1) for match in map(CODE_LINE.search, mails) if match]
        return codes if len(codes) >= count else None

    return await eventually(arrived, what=f"{count} code e-mails to the new address")


async def code_sent_to(mailbox: Mailbox, address: str, request_id: str) -> str:
    [code] = await codes_sent_to(mailbox, address, request_id)
    return code


async def status_of(gateway: AsyncClient, accepted: dict) -> dict:
    response = await gateway.get(
        f"/v1/rights-requests/{accepted['request_id']}",
        headers={"authorization": f"Bearer {accepted['access_token']}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def enter(gateway: AsyncClient, request_id: str, code: str) -> Response:
    return await gateway.post(f"/v1/rights-requests/{request_id}/verify", json={"code": code})


def another_than(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def only_codes(messages: list[EmailMessage]) -> bool:
    return bool(messages) and all(NEW_ADDRESS_SUBJECT in m["Subject"] for m in messages)


async def test_a_new_email_address_is_written_only_after_the_code_sent_to_it_is_entered(
    gateway: AsyncClient,
    mailbox: Mailbox,
    requests_db: AsyncDatabase,
    contact_db: AsyncDatabase,
    contact_settings: ContactSettings,
) -> None:
    person = Person()
    reference = await leave_contact_message(gateway, person, contact_db)
    address = new_address()
    corrected = f"de Vries-{unique_word(6)}"
    accepted = await file_verified_request(
        gateway,
        mailbox,
        person,
        "rectification",
        corrections={"email": address, "last_name": corrected},
    )
    request_id = accepted["request_id"]

    await approve(gateway, request_id)
    code = await code_sent_to(mailbox, address, request_id)

    assert (await status_of(gateway, accepted))["status"] == "awaiting_new_email_verification"
    wrong = await enter(gateway, request_id, another_than(code))
    assert wrong.status_code == 400 and wrong.json()["code"] == "wrong_code", wrong.text
    assert (await status_of(gateway, accepted))["status"] == "awaiting_new_email_verification"
    waiting = await readable_messages(contact_db, contact_settings).get(reference)
    assert waiting["email"] == person.email and waiting["last_name"] == person.last_name

    right = await enter(gateway, request_id, code)

    assert right.status_code == 200, right.text
    done = await completed(gateway, accepted)
    assert ("contact", "rectified", 1) in {
        (r["owner"], r["action"], r["count"]) for r in done["receipts"]
    }
    rectified = await readable_messages(contact_db, contact_settings).get(reference)
    assert rectified["email"] == address and rectified["last_name"] == corrected
    assert only_codes(mailbox.to(address)), [m["Subject"] for m in mailbox.to(address)]
    again = await enter(gateway, request_id, code)
    assert again.status_code == 200 and again.json()["status"] == "completed", again.text
    stored = await requests_db[RIGHTS_REQUESTS].find_one({"_id": request_id})
    assert address not in repr(stored) and code not in repr(stored)
    assert not undeclared_fields(load_register(), "requests", RIGHTS_REQUESTS, [stored])


async def test_an_amendment_that_names_a_new_address_waits_for_the_code_sent_there(
    gateway: AsyncClient,
    mailbox: Mailbox,
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
    address = new_address()

    amended = await staff_action(
        gateway, request_id, "amendment", {"corrections": {"email": address}}
    )

    assert amended.status_code == 200, amended.text
    assert amended.json()["status"] == "awaiting_new_email_verification"
    code = await code_sent_to(mailbox, address, request_id)
    retried = await staff_action(gateway, request_id, "retry")
    assert retried.status_code == 409 and retried.json()["code"] == "not_escalated"
    assert (await readable_messages(contact_db, contact_settings).get(reference))[
        "email"
    ] == person.email

    right = await enter(gateway, request_id, code)

    assert right.status_code == 200, right.text
    await completed(gateway, accepted)
    assert (await readable_messages(contact_db, contact_settings).get(reference))[
        "email"
    ] == address
    assert only_codes(mailbox.to(address)), [m["Subject"] for m in mailbox.to(address)]


async def test_a_new_code_for_the_new_address_goes_there_and_replaces_the_one_before(
    gateway: AsyncClient,
    mailbox: Mailbox,
    requests_clock: MovableClock,
    contact_db: AsyncDatabase,
    contact_settings: ContactSettings,
) -> None:
    person, reference, address, accepted = await awaiting_a_new_address(
        gateway, mailbox, contact_db
    )
    request_id = accepted["request_id"]
    first = await code_sent_to(mailbox, address, request_id)
    mails_to_the_requester = len(mailbox.to(person.email))

    with requests_clock.moved_forward(timedelta(minutes=1, seconds=1)):
        resent = await gateway.post(
            f"/v1/rights-requests/{request_id}/code",
            headers={"authorization": f"Bearer {accepted['access_token']}"},
        )
        assert resent.status_code == 202, resent.text
        _, second = await codes_sent_to(mailbox, address, request_id, 2)
        old = await enter(gateway, request_id, first)
        assert old.status_code == 400 and old.json()["code"] == "wrong_code", old.text
        right = await enter(gateway, request_id, second)
        assert right.status_code == 200, right.text

    await completed(gateway, accepted)
    assert (await readable_messages(contact_db, contact_settings).get(reference))[
        "email"
    ] == address
    assert not any(
        "verificatiecode" in m["Subject"] for m in mailbox.to(person.email)[mails_to_the_requester:]
    )


async def test_too_many_wrong_codes_at_the_new_address_keep_it_from_ever_being_written(
    gateway: AsyncClient,
    mailbox: Mailbox,
    requests_settings: RequestsSettings,
    contact_db: AsyncDatabase,
    contact_settings: ContactSettings,
) -> None:
    person, reference, address, accepted = await awaiting_a_new_address(
        gateway, mailbox, contact_db
    )
    request_id = accepted["request_id"]
    code = await code_sent_to(mailbox, address, request_id)

    answers = [
        (await enter(gateway, request_id, another_than(code))).json()["code"]
        for _ in range(requests_settings.verification_max_attempts)
    ]
    right = await enter(gateway, request_id, code)

    assert answers[-1] == "too_many_attempts" and set(answers[:-1]) == {"wrong_code"}
    assert right.status_code == 429 and right.json()["code"] == "too_many_attempts", right.text
    assert (await status_of(gateway, accepted))["status"] == "awaiting_new_email_verification"
    assert (await readable_messages(contact_db, contact_settings).get(reference))[
        "email"
    ] == person.email


async def test_a_new_address_left_unverified_past_the_owners_time_is_escalated(
    requests_db: AsyncDatabase, requests_settings: RequestsSettings
) -> None:
    """Nothing was sent to an owner: the officer amends (a new code) or closes it."""
    scratch = requests_db.client[f"{requests_db.name}_unverified_{uuid.uuid4().hex[:8]}"]
    try:
        requests = RightsRequests(scratch, subject_keys(scratch, requests_settings))
        now = utc_now()
        waiting = {
            "status": Status.AWAITING_NEW_EMAIL_VERIFICATION.value,
            "code_digest": "0" * 64,
            "execution": {"command": "RectifySubjectData", "owners": ["contact"], "answered": []},
        }
        await scratch[RIGHTS_REQUESTS].insert_many(
            [
                {
                    "_id": "long-ago",
                    **waiting,
                    "execution": {**waiting["execution"], "started_at": now - timedelta(days=3)},
                },
                {
                    "_id": "just-now",
                    **waiting,
                    "execution": {**waiting["execution"], "started_at": now},
                },
            ]
        )

        escalated = await requests.escalate_overdue(started_before=now - timedelta(days=2))

        assert escalated == 1
        overdue = await scratch[RIGHTS_REQUESTS].find_one({"_id": "long-ago"})
        assert overdue["status"] == Status.ESCALATED.value and "code_digest" not in overdue
        assert overdue["execution"]["problem"] == NEW_EMAIL_NOT_VERIFIED
        still = await scratch[RIGHTS_REQUESTS].find_one({"_id": "just-now"})
        assert still["status"] == Status.AWAITING_NEW_EMAIL_VERIFICATION.value
    finally:
        await requests_db.client.drop_database(scratch.name)
