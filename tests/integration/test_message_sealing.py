"""Personal data on Kafka is sealed for the services that own it (ARCHITECTURE: delivery guarantees).

What the broker keeps of a contact message and of the staff read that follows it is ciphertext
apart from the routing fields; only the reader the ACLs name opens it, and a message on a sealed
topic that is not sealed for the service is parked, never processed.
"""

import json
import uuid

import pytest
from httpx import AsyncClient
from privacyhub.contact.repository import COLLECTION
from privacyhub.shared.auth import Role
from privacyhub.shared.contracts.contact import CONTACT_MESSAGE_RECEIVED, ContactMessageReceived
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.sealing import SEALED_PAYLOAD, MessageKeys, UnsealedMessage
from privacyhub.shared.topics import CONTACT_MESSAGES, DEAD_LETTER, GATEWAY_REPLIES
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.endpoints import Endpoints
from tests.support.kafka import Message, collect_until, opened, publish_message, publish_raw
from tests.support.naming import unique_word
from tests.support.staff import staff_headers
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("contact_service")]

AGENT = staff_headers(Role.SUPPORT_AGENT, staff_id="agent-sealing")


def person_form() -> dict[str, str]:
    tag = unique_word(10)
    return {
        "email": f"verzegeld-{tag}@example.nl",
        "first_name": f"Sanne{tag}",
        "last_name": f"Zegel{tag}",
        "message": f"Mijn vraag {tag} over de vacature in Delft.",
        "company": f"Zegel {tag} B.V.",
        "found_us_via": f"via-{tag}",
    }


def plaintext_in(message: Message, form: dict[str, str]) -> list[str]:
    stored = json.dumps(message, ensure_ascii=False)
    return [name for name, value in form.items() if value in stored]


def reference_of(stored: Message) -> str | None:
    """The reference of a contact message as the broker keeps it; None for one that does not open."""
    try:
        return opened(CONTACT_MESSAGES.name, stored)["payload"].get("reference")
    except UnsealedMessage:
        return None


async def test_the_broker_keeps_a_contact_message_and_its_staff_read_only_sealed(
    endpoints: Endpoints, gateway: AsyncClient, contact_db: AsyncDatabase
) -> None:
    form = person_form()
    response = await gateway.post("/v1/contact", json=form)
    assert response.status_code == 202, response.text
    reference = response.json()["reference"]

    on_broker = await collect_until(
        endpoints.kafka_bootstrap_servers,
        CONTACT_MESSAGES.name,
        lambda m: reference_of(m) == reference,
        as_stored=True,
    )
    message = on_broker[-1]
    assert plaintext_in(message, form) == []
    assert "payload" not in message and list(message[SEALED_PAYLOAD]) == ["contact"]
    assert "@" not in message["subject_id"]
    assert opened(CONTACT_MESSAGES.name, message)["payload"]["email"] == form["email"]
    with pytest.raises(UnsealedMessage):
        MessageKeys.development("partner-support").open(CONTACT_MESSAGES.name, message)

    await eventually(
        lambda: contact_db[COLLECTION].find_one({"_id": reference}), what="the stored message"
    )
    read = await gateway.get(
        f"/v1/staff/contact/{reference}",
        headers=AGENT | {"x-access-reason": "Answering the question"},
    )
    assert read.status_code == 200, read.text
    assert read.json()["email"] == form["email"]
    replies = await collect_until(
        endpoints.kafka_bootstrap_servers,
        GATEWAY_REPLIES.name,
        lambda m: form["email"] in json.dumps(opened(GATEWAY_REPLIES.name, m)),
        as_stored=True,
    )
    assert plaintext_in(replies[-1], form) == []


@pytest.mark.parametrize("tampering", ["unsealed", "moved-to-another-subject"])
async def test_a_message_not_sealed_for_the_service_is_parked_and_never_stored(
    endpoints: Endpoints, contact_db: AsyncDatabase, tampering: str
) -> None:
    reference = f"CT-SEAL{uuid.uuid4().hex[:8].upper()}"
    envelope = Envelope[ContactMessageReceived](
        type=CONTACT_MESSAGE_RECEIVED,
        subject_id=f"subject-{reference}",
        payload=ContactMessageReceived(reference=reference, **person_form(), device="test"),
    )
    if tampering == "unsealed":
        await publish_raw(
            endpoints.kafka_bootstrap_servers,
            CONTACT_MESSAGES.name,
            envelope.model_dump_json().encode(),
            key=envelope.partition_key,
        )
    else:
        sealed = MessageKeys.development("gateway").seal(
            CONTACT_MESSAGES.name, envelope.model_dump(mode="json")
        )
        moved = {**sealed, "subject_id": "subject-of-someone-else"}
        await publish_raw(
            endpoints.kafka_bootstrap_servers,
            CONTACT_MESSAGES.name,
            json.dumps(moved).encode(),
            key=envelope.partition_key,
        )
    after = Envelope[ContactMessageReceived](
        type=CONTACT_MESSAGE_RECEIVED,
        subject_id=envelope.subject_id,
        payload=ContactMessageReceived(
            reference=f"{reference}-AFTER", **person_form(), device="test"
        ),
    )
    await publish_message(
        endpoints.kafka_bootstrap_servers,
        CONTACT_MESSAGES.name,
        after.model_dump_json().encode(),
        key=after.partition_key,
    )

    letters = await collect_until(
        endpoints.kafka_bootstrap_servers,
        DEAD_LETTER.name,
        lambda m: m["key"] == envelope.subject_id,
    )
    expected = "was not sealed" if tampering == "unsealed" else "failed authentication"
    assert expected in letters[-1]["reason"]
    await eventually(
        lambda: contact_db[COLLECTION].find_one({"_id": f"{reference}-AFTER"}),
        what="the next message, processed",
    )
    assert await contact_db[COLLECTION].find_one({"_id": reference}) is None
