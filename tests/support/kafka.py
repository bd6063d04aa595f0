"""Reading topics from a test, with a consumer of its own that commits nothing."""

import json
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from tests.support.waiting import eventually

Message = dict[str, Any]


async def collect_until(
    bootstrap_servers: str,
    topic: str,
    stop_when: Callable[[Message], bool],
    *,
    within: float = 30.0,
) -> list[Message]:
    """Every JSON message on `topic` from the beginning up to and including the first that satisfies `stop_when`."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    seen: list[Message] = []
    try:

        async def reached() -> bool:
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    value = json.loads(record.value)
                    seen.append(value)
                    if stop_when(value):
                        return True
            return False

        await eventually(reached, within=within, what=f"the expected message on {topic}")
        return seen
    finally:
        await consumer.stop()


async def publish_raw(bootstrap_servers: str, topic: str, value: bytes, key: bytes) -> None:
    """Put bytes on a topic as a misbehaving producer would, bypassing every contract."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()
