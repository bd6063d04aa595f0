"""With Kafka down the gateway refuses (503) instead of accepting what it cannot deliver,
and what it accepted before the outage is still on the topic afterwards.

Uses a broker of its own, because it stops it.
"""

import asyncio

import pytest
from privacyhub.localinfra import KafkaServer
from privacyhub.shared.topics import CONTACT_MESSAGES, ensure_topics

from tests.support.contact import VALID_FORM
from tests.support.in_loop_gateway import connected_client, gateway_settings
from tests.support.kafka import collect_until

pytestmark = pytest.mark.integration


async def test_kafka_outage_answers_503_and_loses_nothing_accepted(own_kafka: KafkaServer) -> None:
    await ensure_topics(own_kafka.bootstrap_servers)
    settings = gateway_settings(own_kafka.bootstrap_servers, kafka_retry_after_seconds=7)
    async for gateway in connected_client(settings):
        accepted = await gateway.post("/v1/contact", json=VALID_FORM)
        assert accepted.status_code == 202, accepted.text
        reference = accepted.json()["reference"]

        await asyncio.to_thread(own_kafka.stop)
        refused = await gateway.post("/v1/contact", json=VALID_FORM)

        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "7"
        assert refused.json()["code"] == "temporarily_unavailable"
        assert (await gateway.get("/ready")).status_code == 503

    await asyncio.to_thread(own_kafka.start)
    messages = await collect_until(
        own_kafka.bootstrap_servers,
        CONTACT_MESSAGES.name,
        lambda m: m["payload"]["reference"] == reference,
    )
    assert messages[-1]["payload"]["email"] == VALID_FORM["email"]
