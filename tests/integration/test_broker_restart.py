"""The Kafka broker restarts while contact messages stream in: every message the gateway
accepted (202) is stored by the contact service, once under its reference; during the outage the
gateway answers 503, and the website tries again, as the API asks it to. (A post answered 503
because Kafka's acknowledgement did not come in time may still have reached the topic; the
website's retry is then a second message. Only a client-chosen idempotency key could tell.)

Uses a broker of its own, because it stops it.
"""

import asyncio

import httpx
import pytest
from privacyhub.contact.app import create_runtime as create_contact_runtime
from privacyhub.contact.repository import COLLECTION
from privacyhub.contact.settings import ContactSettings
from privacyhub.localinfra import KafkaServer
from privacyhub.shared.topics import ensure_topics
from pymongo.asynchronous.collection import AsyncCollection

from tests.support.contact import VALID_FORM
from tests.support.endpoints import Endpoints
from tests.support.in_loop_gateway import connected_client, gateway_settings
from tests.support.services import observed, service_settings
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

STREAM = 120  # contact messages; the broker restarts after a third of them
CLIENTS = 4
RETRIES = 300  # a minute of 503s: the gateway never took messages again


async def post_until_accepted(gateway: httpx.AsyncClient, number: int) -> tuple[str, int]:
    """Post one message as a website does: again after a 503; its reference and the 503s."""
    form = VALID_FORM | {"message": f"Vraag {number} over de vacature voor data-analist"}
    for refused in range(RETRIES):
        response = await gateway.post("/v1/contact", json=form)
        if response.status_code == 202:
            return response.json()["reference"], refused
        assert response.status_code == 503, response.text
        await asyncio.sleep(0.2)
    raise AssertionError(f"the gateway answered 503 {RETRIES} times in a row after the restart")


async def stream_with_a_restart(
    gateway: httpx.AsyncClient, kafka: KafkaServer
) -> tuple[list[str], int]:
    """STREAM messages from CLIENTS clients, the broker stopped and started again once a third
    were accepted; the references accepted, and how many posts were refused meanwhile."""
    references: list[str] = []
    refusals = 0
    numbers = iter(range(STREAM))
    restarted = asyncio.Event()

    async def client() -> None:
        nonlocal refusals
        for number in numbers:
            reference, refused = await post_until_accepted(gateway, number)
            references.append(reference)
            refusals += refused
            if len(references) >= STREAM // 3 and not restarted.is_set():
                restarted.set()
                await asyncio.to_thread(kafka.stop)
                await asyncio.to_thread(kafka.start)

    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return references, refusals


async def test_a_broker_restart_in_a_stream_loses_and_repeats_no_accepted_message(
    own_kafka: KafkaServer, endpoints: Endpoints
) -> None:
    await ensure_topics(own_kafka.bootstrap_servers)
    settings = service_settings(
        ContactSettings, endpoints, "contact", kafka_bootstrap_servers=own_kafka.bootstrap_servers
    )
    settings = settings.model_copy(
        update={"mongodb_database": f"{settings.mongodb_database}_restart"}
    )
    async with create_contact_runtime(settings).running():
        async for gateway in connected_client(gateway_settings(own_kafka.bootstrap_servers)):
            references, refusals = await stream_with_a_restart(gateway, own_kafka)
        async for contact_db in observed(endpoints, settings.mongodb_database):
            messages = contact_db[COLLECTION]

            async def all_stored(messages: AsyncCollection = messages) -> bool:
                return await messages.count_documents({"_id": {"$in": references}}) == STREAM

            await eventually(all_stored, within=120, what="every accepted message stored")
    assert len(set(references)) == STREAM
    assert refusals > 0, "the gateway refused while the broker was down, so the test saw it"
