"""A support agent marks a question answered: gateway → Kafka → contact service → lifecycle event for retention."""

import json
from datetime import datetime

import pytest
from litestar.testing import AsyncTestClient
from privacyhub.contact.repository import COLLECTION
from privacyhub.contact.settings import ContactSettings
from privacyhub.gateway.contact.controllers import new_reference
from privacyhub.shared.auth import Role
from privacyhub.shared.contracts.contact import (
    CONTACT_MESSAGE_ANSWERED,
    CONTACT_MESSAGE_RECEIVED,
    CONTACT_MESSAGE_STORED,
    MARK_CONTACT_ANSWERED,
    ContactMessageReceived,
    MarkContactAnswered,
)
from privacyhub.shared.envelope import Envelope, utc_now
from privacyhub.shared.idempotency import PROCESSED_EVENTS
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import (
    CONTACT_COMMANDS,
    CONTACT_LIFECYCLE,
    CONTACT_MESSAGES,
    DEAD_LETTER,
)
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.contact_store import readable_messages
from tests.support.endpoints import Endpoints
from tests.support.kafka import Message, collect_until, publish_message
from tests.support.staff import staff_headers
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

FORM = {
    "email": "Bram.Jansen@example.nl",
    "first_name": "Bram",
    "last_name": "Jansen",
    "message": "Kunnen jullie mij vertellen of de vacature in Utrecht nog open is?",
}
SUPPORT_AGENT = staff_headers(Role.SUPPORT_AGENT, staff_id="agent-7")


async def stored(db: AsyncDatabase, reference: str) -> dict | None:
    """The document once the message itself is stored."""
    return await db[COLLECTION].find_one({"_id": reference, "email": {"$exists": True}})


async def answered(db: AsyncDatabase, reference: str) -> dict | None:
    return await db[COLLECTION].find_one({"_id": reference, "status": "answered"})


async def submit_question(gateway: AsyncTestClient, db: AsyncDatabase) -> str:
    response = await gateway.post("/v1/contact", json=FORM)
    assert response.status_code == 202, response.text
    reference = response.json()["reference"]
    await eventually(lambda: stored(db, reference), what="the stored message")
    return reference


def answer_of(reference: str) -> MarkContactAnswered:
    return MarkContactAnswered(reference=reference, answered_by="agent-7", answered_at=utc_now())


def is_answered_event(reference: str):
    def matches(message: Message) -> bool:
        return (
            message["type"] == CONTACT_MESSAGE_ANSWERED
            and message["payload"].get("reference") == reference
        )

    return matches


async def publish_command(endpoints: Endpoints, envelope: Envelope[MarkContactAnswered]) -> None:
    await publish_message(
        endpoints.kafka_bootstrap_servers,
        CONTACT_COMMANDS.name,
        envelope.model_dump_json().encode(),
        key=envelope.partition_key,
    )


async def test_an_answered_question_is_marked_and_announced_under_its_subject(
    endpoints: Endpoints,
    gateway: AsyncTestClient,
    contact_service: ServiceRuntime,
    contact_db: AsyncDatabase,
    contact_settings: ContactSettings,
) -> None:
    reference = await submit_question(gateway, contact_db)

    response = await gateway.post(f"/v1/staff/contact/{reference}/answered", headers=SUPPORT_AGENT)

    assert response.status_code == 202, response.text
    assert response.json() == {"reference": reference}
    document = await eventually(lambda: answered(contact_db, reference), what="the answer")
    assert document["answered_by"] == "agent-7"
    assert (await readable_messages(contact_db, contact_settings).get(reference))["email"] == FORM[
        "email"
    ]
    events = await collect_until(
        endpoints.kafka_bootstrap_servers, CONTACT_LIFECYCLE.name, is_answered_event(reference)
    )
    announcement = events[-1]
    assert announcement["subject_id"] == document["subject_id"]
    assert datetime.fromisoformat(announcement["payload"]["answered_at"]) == document["answered_at"]
    assert datetime.fromisoformat(announcement["occurred_at"]) == document["answered_at"]
    assert {"type": CONTACT_MESSAGE_STORED, "reference": reference} in [
        {"type": m["type"], "reference": m["payload"]["reference"]} for m in events[:-1]
    ]


async def test_a_command_delivered_twice_announces_the_answer_once(
    endpoints: Endpoints,
    gateway: AsyncTestClient,
    contact_service: ServiceRuntime,
    contact_db: AsyncDatabase,
) -> None:
    reference = await submit_question(gateway, contact_db)
    later_reference = await submit_question(gateway, contact_db)
    twice = Envelope[MarkContactAnswered](
        type=MARK_CONTACT_ANSWERED, subject_id=reference, payload=answer_of(reference)
    )
    # Keyed like the duplicates, the sentinel is consumed after them; both questions come
    # from one e-mail address, so their announcements share a lifecycle partition and order.
    sentinel = Envelope[MarkContactAnswered](
        type=MARK_CONTACT_ANSWERED, subject_id=reference, payload=answer_of(later_reference)
    )

    for envelope in (twice, twice, sentinel):
        await publish_command(endpoints, envelope)

    events = await collect_until(
        endpoints.kafka_bootstrap_servers,
        CONTACT_LIFECYCLE.name,
        is_answered_event(later_reference),
    )
    assert sum(is_answered_event(reference)(m) for m in events) == 1
    assert await contact_db[COLLECTION].count_documents({"_id": reference}) == 1


async def test_answering_again_keeps_the_first_answer(
    endpoints: Endpoints,
    gateway: AsyncTestClient,
    contact_service: ServiceRuntime,
    contact_db: AsyncDatabase,
) -> None:
    reference = await submit_question(gateway, contact_db)
    response = await gateway.post(f"/v1/staff/contact/{reference}/answered", headers=SUPPORT_AGENT)
    assert response.status_code == 202, response.text
    first = await eventually(lambda: answered(contact_db, reference), what="the first answer")
    again = Envelope[MarkContactAnswered](
        type=MARK_CONTACT_ANSWERED,
        subject_id=reference,
        payload=MarkContactAnswered(
            reference=reference, answered_by="agent-8", answered_at=utc_now()
        ),
    )

    await publish_command(endpoints, again)

    await eventually(
        lambda: contact_db[PROCESSED_EVENTS].find_one({"_id": str(again.event_id)}),
        what="the second answer to be processed",
    )
    document = await contact_db[COLLECTION].find_one({"_id": reference})
    assert document["answered_by"] == "agent-7"
    assert document["answered_at"] == first["answered_at"]


async def test_an_answer_that_arrives_before_its_message_is_announced_once_the_message_is_stored(
    endpoints: Endpoints,
    gateway: AsyncTestClient,
    contact_service: ServiceRuntime,
    contact_db: AsyncDatabase,
) -> None:
    reference = new_reference()

    response = await gateway.post(f"/v1/staff/contact/{reference}/answered", headers=SUPPORT_AGENT)

    assert response.status_code == 202, response.text
    pending = await eventually(lambda: answered(contact_db, reference), what="the early answer")
    assert "subject_id" not in pending and "email" not in pending
    received = Envelope[ContactMessageReceived](
        type=CONTACT_MESSAGE_RECEIVED,
        subject_id=f"subject-early-answer-{reference}",
        payload=ContactMessageReceived(reference=reference, **FORM, device="test"),
    )
    await publish_message(
        endpoints.kafka_bootstrap_servers,
        CONTACT_MESSAGES.name,
        received.model_dump_json().encode(),
        key=received.partition_key,
    )

    document = await eventually(lambda: stored(contact_db, reference), what="the late message")
    assert document["status"] == "answered"
    assert document["answered_at"] == pending["answered_at"]
    events = await collect_until(
        endpoints.kafka_bootstrap_servers, CONTACT_LIFECYCLE.name, is_answered_event(reference)
    )
    assert events[-1]["subject_id"] == received.subject_id
    assert sum(is_answered_event(reference)(m) for m in events) == 1
    assert any(
        m["type"] == CONTACT_MESSAGE_STORED and m["payload"].get("reference") == reference
        for m in events
    )


async def test_a_command_that_breaks_the_contract_is_dead_lettered_without_its_values(
    endpoints: Endpoints, contact_service: ServiceRuntime
) -> None:
    broken = {
        "type": MARK_CONTACT_ANSWERED,
        "subject_id": "not-a-reference",
        "payload": {
            "reference": "not-a-reference",
            "answered_by": "agent-7",
            "answered_at": utc_now().isoformat(),
        },
    }
    await publish_message(
        endpoints.kafka_bootstrap_servers,
        CONTACT_COMMANDS.name,
        json.dumps(broken).encode(),
        key=b"not-a-reference",
    )

    letters = await collect_until(
        endpoints.kafka_bootstrap_servers,
        DEAD_LETTER.name,
        lambda m: m["source_topic"] == CONTACT_COMMANDS.name and m["key"] == "not-a-reference",
    )
    reason = letters[-1]["reason"]
    assert reason.startswith("invalid message") and "payload.reference" in reason
    assert "not-a-reference" not in reason


async def test_a_message_type_the_catalogue_does_not_give_the_service_there_is_dead_lettered_unapplied(
    endpoints: Endpoints,
    gateway: AsyncTestClient,
    contact_service: ServiceRuntime,
    contact_db: AsyncDatabase,
) -> None:
    """The payload would do as an answer, but no one sends `ContactMessageStored` as a command."""
    reference = await submit_question(gateway, contact_db)
    misdirected = Envelope[MarkContactAnswered](
        type=CONTACT_MESSAGE_STORED, subject_id=reference, payload=answer_of(reference)
    )
    await publish_command(endpoints, misdirected)

    letters = await collect_until(
        endpoints.kafka_bootstrap_servers,
        DEAD_LETTER.name,
        lambda m: m["source_topic"] == CONTACT_COMMANDS.name and m["key"] == reference,
    )
    assert letters[-1]["reason"] == (
        f"contact reads no message of type {CONTACT_MESSAGE_STORED!r} on {CONTACT_COMMANDS.name}"
    )
    assert letters[-1]["parked_by"] == "contact"
    # Parked once the handler chain was done with it: had it been applied, it would show by now.
    assert await answered(contact_db, reference) is None
