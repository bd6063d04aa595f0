"""Asking for a new verification code (POST /v1/rights-requests/{id}/code): the new code replaces the
old one, asking is limited, a locked or verified request gets none, and a redelivered ask mails once.
"""

import hashlib
import uuid
from datetime import datetime, timedelta
from email.message import EmailMessage

import pytest
from httpx import AsyncClient, Response
from privacyhub.requests.rights.requests_store import COLLECTION
from privacyhub.shared.contracts.rights import (
    RESEND_CODE_COMMAND,
    VERIFY_CODE_COMMAND,
    CodeAttempt,
    CodeResend,
)
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.queries import COMMAND, Command
from privacyhub.shared.register import load_register
from privacyhub.shared.register.check import undeclared_fields
from privacyhub.shared.topics import REQUESTS_COMMANDS
from pydantic import BaseModel
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.clock import MovableClock
from tests.support.endpoints import Endpoints
from tests.support.kafka import publish_message
from tests.support.mailbox import Mailbox, text_of
from tests.support.rights import (
    CODE_LINE,
    bearer,
    emailed_code,
    is_code_mail,
    new_address,
    register,
    submit,
    verify,
    wrong,
)
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("requests_service")]

PATH = "/v1/rights-requests/{request_id}/code"


def minutes_later(minutes: int) -> timedelta:
    """Each a little more than the default resend interval (60 s) after the one before."""
    return timedelta(minutes=minutes, seconds=minutes)


async def ask_for_code(gateway: AsyncClient, accepted: dict) -> Response:
    return await gateway.post(
        PATH.format(request_id=accepted["request_id"]), headers=bearer(accepted["access_token"])
    )


def code_mails(mailbox: Mailbox, email: str) -> list[EmailMessage]:
    return [message for message in mailbox.to(email) if is_code_mail(message)]


async def code_mails_once(mailbox: Mailbox, email: str, count: int) -> list[EmailMessage]:
    """The code e-mails to `email`, once `count` of them have arrived."""

    async def arrived() -> list[EmailMessage] | None:
        mails = code_mails(mailbox, email)
        return mails if len(mails) >= count else None

    return await eventually(arrived, what=f"{count} code e-mails")


def code_in(message: EmailMessage) -> str:
    match = CODE_LINE.search(text_of(message))
    assert match, "the code e-mail holds no code"
    return match.group(1)


async def test_a_new_code_replaces_the_old_one_and_none_is_sent_once_verified(
    gateway: AsyncClient,
    mailbox: Mailbox,
    requests_clock: MovableClock,
    requests_db: AsyncDatabase,
) -> None:
    email = new_address()
    accepted = await submit(gateway, email)
    request_id = accepted["request_id"]
    first = await emailed_code(mailbox, email)

    too_soon = await ask_for_code(gateway, accepted)
    assert too_soon.status_code == 429, too_soon.text
    assert too_soon.json()["code"] == "resend_too_soon"
    assert too_soon.json()["message"]["nl"] and too_soon.json()["message"]["en"]

    with requests_clock.moved_forward(minutes_later(1)):
        resent = await ask_for_code(gateway, accepted)
        assert resent.status_code == 202, resent.text
        assert resent.json()["request_id"] == request_id
        assert resent.json()["resends_left"] == 2
        valid_for = datetime.fromisoformat(resent.json()["code_valid_until"]) - requests_clock()
        assert timedelta(minutes=14) < valid_for <= timedelta(minutes=15)

        new_mail = (await code_mails_once(mailbox, email, 2))[1]
        assert "nieuwe verificatiecode" in new_mail["Subject"]
        assert request_id in text_of(new_mail) and "werken niet meer" in text_of(new_mail)
        second = code_in(new_mail)
        stored = await requests_db[COLLECTION].find_one({"_id": request_id})
        assert second not in repr(stored) and stored["code_resends"] == 1
        assert not undeclared_fields(load_register(), "requests", COLLECTION, [stored])

        old_code = await verify(gateway, request_id, first)
        assert old_code.status_code == 400 and old_code.json()["code"] == "wrong_code"
        verified = await verify(gateway, request_id, second)
        assert verified.status_code == 200, verified.text

    with requests_clock.moved_forward(minutes_later(2)):
        after = await ask_for_code(gateway, accepted)
    assert after.status_code == 409 and after.json()["code"] == "already_verified"
    assert len(code_mails(mailbox, email)) == 2


async def test_at_most_three_new_codes_are_sent_per_request(
    gateway: AsyncClient, mailbox: Mailbox, requests_clock: MovableClock
) -> None:
    email = new_address()
    accepted = await submit(gateway, email)
    await emailed_code(mailbox, email)

    left = []
    for minutes in (1, 2, 3):
        with requests_clock.moved_forward(minutes_later(minutes)):
            resent = await ask_for_code(gateway, accepted)
        assert resent.status_code == 202, resent.text
        left.append(resent.json()["resends_left"])
    with requests_clock.moved_forward(minutes_later(4)):
        fourth = await ask_for_code(gateway, accepted)

    assert left == [2, 1, 0]
    assert fourth.status_code == 429 and fourth.json()["code"] == "too_many_resends"
    mails = await code_mails_once(mailbox, email, 4)
    assert len(mails) == 4
    last = code_in(mails[-1])
    assert (await verify(gateway, accepted["request_id"], last)).status_code == 200


async def test_a_locked_request_stays_locked_and_gets_no_new_code(
    gateway: AsyncClient, mailbox: Mailbox, requests_clock: MovableClock
) -> None:
    email = new_address()
    accepted = await submit(gateway, email)
    code = await emailed_code(mailbox, email)
    for _ in range(5):
        await verify(gateway, accepted["request_id"], wrong(code))

    with requests_clock.moved_forward(minutes_later(1)):
        refused = await ask_for_code(gateway, accepted)

    assert refused.status_code == 429 and refused.json()["code"] == "too_many_attempts"
    status = await gateway.get(
        f"/v1/rights-requests/{accepted['request_id']}", headers=bearer(accepted["access_token"])
    )
    assert status.json()["status"] == "verification_locked"
    assert len(code_mails(mailbox, email)) == 1


async def test_a_letter_gets_no_code_and_without_the_token_there_is_no_request(
    gateway: AsyncClient, mailbox: Mailbox, requests_clock: MovableClock
) -> None:
    letter_email = new_address()
    letter = await register(gateway, letter_email, channel="letter", days_ago=1)
    await mailbox.wait_for(letter_email, what="the letter's receipt")
    with requests_clock.moved_forward(minutes_later(1)):
        by_letter = await ask_for_code(gateway, letter)
    assert by_letter.status_code == 400 and by_letter.json()["code"] == "no_code_for_letters"

    email = new_address()
    accepted = await submit(gateway, email)
    await emailed_code(mailbox, email)
    path = PATH.format(request_id=accepted["request_id"])
    with requests_clock.moved_forward(minutes_later(1)):
        wrong_token = await gateway.post(path, headers=bearer("x" * 43))
        no_token = await gateway.post(path)
        unknown = await gateway.post(
            PATH.format(request_id=uuid.uuid4()), headers=bearer(accepted["access_token"])
        )
    assert wrong_token.status_code == no_token.status_code == unknown.status_code == 404
    assert wrong_token.json() == unknown.json()
    assert len(code_mails(mailbox, email)) == 1


def command_envelope(request_id: str, name: str, arguments: BaseModel) -> Envelope[Command]:
    return Envelope[Command](
        type=COMMAND,
        subject_id=request_id,
        payload=Command(name=name, arguments=arguments.model_dump(mode="json")),
    )


async def test_a_redelivered_ask_mails_one_code(
    gateway: AsyncClient,
    mailbox: Mailbox,
    endpoints: Endpoints,
    requests_clock: MovableClock,
    requests_db: AsyncDatabase,
) -> None:
    email = new_address()
    accepted = await submit(gateway, email)
    request_id = accepted["request_id"]
    code = await emailed_code(mailbox, email)
    ask = command_envelope(
        request_id,
        RESEND_CODE_COMMAND,
        CodeResend(
            request_id=request_id,
            access_token_sha256=hashlib.sha256(accepted["access_token"].encode()).hexdigest(),
            command_id=uuid.uuid4(),
        ),
    )
    # Same key, so the same partition: once this try is counted, both copies of the ask were handled.
    sentinel = command_envelope(
        request_id,
        VERIFY_CODE_COMMAND,
        CodeAttempt(request_id=request_id, code=wrong(code), attempt_id=uuid.uuid4()),
    )

    with requests_clock.moved_forward(minutes_later(1)):
        for envelope in (ask, ask, sentinel):
            await publish_message(
                endpoints.kafka_bootstrap_servers,
                REQUESTS_COMMANDS.name,
                envelope.model_dump_json().encode(),
                key=envelope.partition_key,
            )
        stored = await eventually(
            lambda: requests_db[COLLECTION].find_one({"_id": request_id, "failed_attempts": 1}),
            what="the sentinel try to be counted",
        )

    assert stored["code_resends"] == 1
    assert len(code_mails(mailbox, email)) == 2


async def test_the_openapi_document_describes_the_endpoint(gateway: AsyncClient) -> None:
    schema = (await gateway.get("/schema/openapi.json")).json()
    operation = schema["paths"]["/v1/rights-requests/{request_id}/code"]["post"]
    assert operation["operationId"] == "resendRightsRequestCode"
    assert {"202", "400", "404", "409", "429"} <= set(operation["responses"])
    assert any(p["name"] == "Authorization" for p in operation["parameters"])
