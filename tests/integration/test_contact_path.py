"""The first real path: website → gateway → Kafka → contact service → its MongoDB database."""

import asyncio
import json

import pytest
from litestar.testing import AsyncTestClient
from privacyhub.contact.repository import COLLECTION
from privacyhub.contact.settings import ContactSettings
from privacyhub.shared.contracts.contact import CONTACT_MESSAGE_RECEIVED, ContactMessageReceived
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import CONTACT_LIFECYCLE, CONTACT_MESSAGES, DEAD_LETTER
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.browsers import FIREFOX_ON_WINDOWS
from tests.support.contact import VALID_FORM
from tests.support.contact_store import readable_messages
from tests.support.endpoints import Endpoints
from tests.support.kafka import collect_until, opened, publish_all, publish_message
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def stored(db: AsyncDatabase, reference: str) -> dict | None:
    return await db[COLLECTION].find_one({"_id": reference})


async def test_accepted_message_is_stored_by_the_contact_service(
    gateway: AsyncTestClient,
    contact_service: ServiceRuntime,
    contact_db: AsyncDatabase,
    contact_settings: ContactSettings,
) -> None:
    response = await gateway.post(
        "/v1/contact", json=VALID_FORM, headers={"user-agent": FIREFOX_ON_WINDOWS}
    )

    assert response.status_code == 202, response.text
    reference = response.json()["reference"]
    assert reference.startswith("CT-")
    await eventually(lambda: stored(contact_db, reference), what="the stored message")
    document = await readable_messages(contact_db, contact_settings).get(reference)
    assert document["email"] == VALID_FORM["email"]
    assert document["first_name"] == "Anna"
    assert document["message"] == VALID_FORM["message"]
    assert document["status"] == "open"
    assert "Firefox" in document["device"] and "Windows" in document["device"]
    assert document["subject_id"] and "@" not in document["subject_id"]


async def test_invalid_fields_are_each_named_in_a_422(gateway: AsyncTestClient) -> None:
    form = {**VALID_FORM, "email": "not-an-address", "shoe_size": 42}
    del form["first_name"]

    response = await gateway.post("/v1/contact", json=form)

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert body["message"]["nl"] and body["message"]["en"]
    named = {problem["field"] for problem in body["errors"]}
    assert named == {"email", "first_name", "shoe_size"}


async def test_the_same_envelope_delivered_twice_stores_one_document_and_one_event(
    endpoints: Endpoints, contact_service: ServiceRuntime, contact_db: AsyncDatabase
) -> None:
    twice = Envelope[ContactMessageReceived](
        type=CONTACT_MESSAGE_RECEIVED,
        subject_id="subject-duplicate-test",
        payload=ContactMessageReceived(reference="CT-DUPLICATE", **VALID_FORM, device="test"),
    )
    sentinel = Envelope[ContactMessageReceived](
        type=CONTACT_MESSAGE_RECEIVED,
        subject_id=twice.subject_id,
        payload=ContactMessageReceived(reference="CT-SENTINEL", **VALID_FORM, device="test"),
    )
    for envelope in (twice, twice, sentinel):
        await publish_message(
            endpoints.kafka_bootstrap_servers,
            CONTACT_MESSAGES.name,
            envelope.model_dump_json().encode(),
            key=envelope.partition_key,
        )

    await eventually(lambda: stored(contact_db, "CT-SENTINEL"), what="the sentinel message")
    assert await contact_db[COLLECTION].count_documents({"_id": "CT-DUPLICATE"}) == 1
    events = await collect_until(
        endpoints.kafka_bootstrap_servers,
        CONTACT_LIFECYCLE.name,
        lambda m: m["payload"]["reference"] == "CT-SENTINEL",
    )
    assert sum(m["payload"]["reference"] == "CT-DUPLICATE" for m in events) == 1


async def test_a_message_that_breaks_the_contract_is_dead_lettered_and_the_rest_flows_on(
    endpoints: Endpoints, contact_service: ServiceRuntime, contact_db: AsyncDatabase
) -> None:
    broken = {"type": CONTACT_MESSAGE_RECEIVED, "subject_id": "subject-broken", "payload": {}}
    await publish_message(
        endpoints.kafka_bootstrap_servers,
        CONTACT_MESSAGES.name,
        json.dumps(broken).encode(),
        key=b"subject-broken",
    )
    after = Envelope[ContactMessageReceived](
        type=CONTACT_MESSAGE_RECEIVED,
        subject_id="subject-broken",
        payload=ContactMessageReceived(reference="CT-AFTERBROKEN", **VALID_FORM, device="test"),
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
        lambda m: m["key"] == "subject-broken",
    )
    letter = letters[-1]
    assert letter["source_topic"] == CONTACT_MESSAGES.name
    assert letter["offset"] >= 0
    assert letter["reason"].startswith("invalid message")
    assert opened(CONTACT_MESSAGES.name, json.loads(letter["original"])) == broken
    await eventually(lambda: stored(contact_db, "CT-AFTERBROKEN"), what="the message after it")


def published_on(runtime: ServiceRuntime, topic: str) -> float:
    """What `runtime` counts as published on `topic` (privacyhub_published_messages_total)."""
    labels = {
        "app_name": runtime.name,
        "broker": "kafka",
        "destination": topic,
        "status": "success",
    }
    return runtime.registry.get_sample_value("privacyhub_published_messages_total", labels) or 0.0


async def test_the_events_a_batch_publishes_are_counted_on_their_topic(
    endpoints: Endpoints, contact_service: ServiceRuntime
) -> None:
    before = published_on(contact_service, CONTACT_LIFECYCLE.name)
    counted = Envelope[ContactMessageReceived](
        type=CONTACT_MESSAGE_RECEIVED,
        subject_id="subject-counted",
        payload=ContactMessageReceived(reference="CT-COUNTED", **VALID_FORM, device="test"),
    )
    await publish_all(endpoints.kafka_bootstrap_servers, CONTACT_MESSAGES.name, [counted])

    await collect_until(
        endpoints.kafka_bootstrap_servers,
        CONTACT_LIFECYCLE.name,
        lambda m: m["payload"]["reference"] == "CT-COUNTED",
    )
    await eventually(
        lambda: asyncio.sleep(0, published_on(contact_service, CONTACT_LIFECYCLE.name) > before),
        what="the stored event counted",
    )
