"""Rights requests (statement §6-§7) from both sides of the gateway: the requester who files one
and enters the e-mailed code, and the privacy officer who registers, verifies and decides."""

import re
import secrets
import uuid
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

from httpx import AsyncClient, Response
from privacyhub.requests.rights.requests_store import COLLECTION as RIGHTS_REQUESTS
from privacyhub.requests.settings import RequestsSettings
from privacyhub.shared.auth import Role
from privacyhub.shared.contracts.rights import (
    RIGHTS_REQUEST_RECEIVED,
    Channel,
    RightsRequestReceived,
    RightType,
)
from privacyhub.shared.envelope import Envelope, utc_now
from privacyhub.shared.identity import secret_digest, subject_id_for_email
from privacyhub.shared.topics import RIGHTS_REQUESTS as INTAKE
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.endpoints import Endpoints
from tests.support.kafka import publish_all
from tests.support.mailbox import Mailbox, text_of
from tests.support.naming import unique_word
from tests.support.people import Person
from tests.support.staff import staff_headers
from tests.support.waiting import eventually

OFFICER = staff_headers(Role.PRIVACY_OFFICER, staff_id="officer-olga")
CODE_LINE = re.compile(r"^ {4}(\d{6})\s*$", re.MULTILINE)
DOWNLOAD_CODE = re.compile(r"download code \(only in this e-mail\): (\S+)")
STAFF_PATH = "/v1/staff/rights-requests"


# The requester's side: filing a request and proving the address is theirs.


def new_address() -> str:
    return f"verzoeker-{unique_word(12)}@example.nl"


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def is_code_mail(message: EmailMessage) -> bool:
    return "verificatiecode" in message["Subject"]


async def submit(gateway: AsyncClient, email: str, **fields: Any) -> dict[str, Any]:
    response = await gateway.post(
        "/v1/rights-requests", json={"type": "access", "email": email, **fields}
    )
    assert response.status_code == 202, response.text
    return response.json()


async def emailed_code(mailbox: Mailbox, email: str) -> str:
    message = await mailbox.wait_for(email, is_code_mail, what="the verification code e-mail")
    match = CODE_LINE.search(text_of(message))
    assert match, "the code e-mail holds no code"
    return match.group(1)


async def verify(gateway: AsyncClient, request_id: str, code: str) -> Any:
    return await gateway.post(f"/v1/rights-requests/{request_id}/verify", json={"code": code})


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def file_verified_request(
    gateway: AsyncClient, mailbox: Mailbox, person: Person, right: str, **fields: Any
) -> dict[str, Any]:
    """A request `person` files on the website and verifies with the e-mailed code; the gateway's
    answer (request id and access token)."""
    body = {"type": right, "email": person.email, "visitor_keys": [person.visitor_key], **fields}
    response = await gateway.post("/v1/rights-requests", json=body)
    assert response.status_code == 202, response.text
    accepted = response.json()
    message = await mailbox.wait_for(
        person.email,
        lambda m: "verificatiecode" in m["Subject"] and accepted["request_id"] in text_of(m),
        what="the code e-mail",
    )
    match = CODE_LINE.search(text_of(message))
    assert match
    verified = await gateway.post(
        f"/v1/rights-requests/{accepted['request_id']}/verify", json={"code": match.group(1)}
    )
    assert verified.status_code == 200, verified.text
    return accepted


async def completed(
    gateway: AsyncClient, accepted: dict[str, Any], *, within: float = 60
) -> dict[str, Any]:
    """The request's status as its requester sees it, once it is completed."""
    last_seen: list[dict[str, Any]] = []

    async def probe() -> dict[str, Any] | None:
        response = await gateway.get(
            f"/v1/rights-requests/{accepted['request_id']}",
            headers={"authorization": f"Bearer {accepted['access_token']}"},
        )
        assert response.status_code == 200, response.text
        last_seen[:] = [response.json()]
        return response.json() if response.json()["status"] == "completed" else None

    try:
        return await eventually(probe, within=within, what="the request to complete")
    except AssertionError as timeout:
        raise AssertionError(f"{timeout}; last seen: {last_seen}") from None


async def download(
    gateway: AsyncClient, mailbox: Mailbox, person: Person, accepted: dict[str, Any]
) -> Response:
    """The package, as the requester gets it: with the access token and the download code the
    completion e-mail brought to their address."""
    request_id = accepted["request_id"]
    mail = await mailbox.wait_for(
        person.email,
        lambda m: "uitgevoerd" in m["Subject"] and request_id in text_of(m),
        what="the completion e-mail",
    )
    code = DOWNLOAD_CODE.search(text_of(mail))
    assert code, "the completion e-mail brings no download code"
    return await gateway.get(
        f"/v1/rights-requests/{request_id}/export",
        headers={
            "authorization": f"Bearer {accepted['access_token']}",
            "x-download-code": code.group(1),
        },
    )


async def completion_mail(mailbox: Mailbox, person: Person) -> str:
    message = await mailbox.wait_for(
        person.email, lambda m: "uitgevoerd" in m["Subject"], what="the completion e-mail"
    )
    return text_of(message)


# The privacy officer's side: registering, verifying and deciding.


async def register(
    gateway: AsyncClient, email: str, *, channel: str, days_ago: int, **fields: Any
) -> dict[str, Any]:
    """An erasure request the officer registers, received `days_ago` by `channel`."""
    body = {
        "channel": channel,
        "received_at": (utc_now() - timedelta(days=days_ago)).isoformat(),
        "type": "erasure",
        "email": email,
        **fields,
    }
    response = await gateway.post("/v1/staff/rights-requests", json=body, headers=OFFICER)
    assert response.status_code == 202, response.text
    return response.json()


async def approve(gateway: AsyncClient, request_id: str) -> None:
    response = await gateway.post(
        f"{STAFF_PATH}/{request_id}/decision",
        json={"outcome": "approve", "reasons": "Je verzoek is terecht."},
        headers=OFFICER,
    )
    assert response.status_code == 200, response.text


async def staff_action(
    gateway: AsyncClient, request_id: str, action: str, body: dict | None = None
) -> Any:
    return await gateway.post(f"{STAFF_PATH}/{request_id}/{action}", json=body, headers=OFFICER)


async def officer_files_verified(
    gateway: AsyncClient,
    person: Person,
    right: str,
    copies: list[AsyncDatabase],
    **fields: Any,
) -> dict[str, Any]:
    """A request a privacy officer registers (a letter) and verifies, once every copy of the
    service holds it: no e-mailed code, which every copy would send, and no copy that answers a
    later step before it knows the request."""
    response = await gateway.post(
        STAFF_PATH,
        json={
            "channel": "letter",
            "received_at": utc_now().isoformat(),
            "type": right,
            "email": person.email,
            **fields,
        },
        headers=OFFICER,
    )
    assert response.status_code == 202, response.text
    accepted = response.json()
    request_id = accepted["request_id"]
    for db in copies:
        await eventually(
            lambda db=db: db[RIGHTS_REQUESTS].find_one({"_id": request_id}),
            what=f"the request in {db.name}",
        )
    verified = await gateway.post(f"{STAFF_PATH}/{request_id}/verification", headers=OFFICER)
    assert verified.status_code == 200, verified.text
    for db in copies:
        await eventually(
            lambda db=db: db[RIGHTS_REQUESTS].find_one(
                {"_id": request_id, "verified_at": {"$ne": None}}
            ),
            what=f"the verification in {db.name}",
        )
    return accepted


async def approve_a_letter(
    gateway: AsyncClient, copies: list[AsyncDatabase], person: Person, **fields: Any
) -> str:
    """A restriction by letter, verified and approved by the officer, once every copy has it."""
    accepted = await officer_files_verified(gateway, person, "restriction", copies, **fields)
    await approve(gateway, accepted["request_id"])
    return accepted["request_id"]


async def rectification_without_corrections(
    endpoints: Endpoints,
    requests_settings: RequestsSettings,
    requests_db: AsyncDatabase,
    gateway: AsyncClient,
    person: Person,
) -> dict[str, Any]:
    """A verified, approved rectification that names nothing to correct, as an older gateway
    accepted it (the details in own words): execution cannot start and it is escalated."""
    token = secrets.token_urlsafe(32)
    received = RightsRequestReceived(
        request_id=uuid.uuid4(),
        type=RightType.RECTIFICATION,
        channel=Channel.LETTER,
        email=person.email,
        details="Mijn achternaam is verkeerd gespeld.",
        received_at=utc_now(),
        access_token_sha256=secret_digest(token),
        registered_by="officer-olga",
    )
    secret = requests_settings.subject_id_secret.get_secret_value()
    envelope = Envelope[RightsRequestReceived](
        type=RIGHTS_REQUEST_RECEIVED,
        subject_id=subject_id_for_email(secret, person.email),
        correlation_id=received.request_id,
        payload=received,
    )
    await publish_all(endpoints.kafka_bootstrap_servers, INTAKE.name, [envelope])
    request_id = str(received.request_id)
    await eventually(
        lambda: requests_db[RIGHTS_REQUESTS].find_one({"_id": request_id}), what="the request"
    )
    verified = await gateway.post(f"{STAFF_PATH}/{request_id}/verification", headers=OFFICER)
    assert verified.status_code == 200, verified.text
    await approve(gateway, request_id)
    return {"request_id": request_id, "access_token": token}
