"""Reading and writing topics from a test, with clients of its own that commit nothing.

The test holds the development keys every in-process service holds, so it can open a sealed
payload as that topic's reader would (shared/sealing.py).
"""

import json
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from privacyhub.shared.contracts.subject import EXPORT_SUBJECT_DATA
from privacyhub.shared.sealing import READERS, MessageKeys, UnsealedMessage
from privacyhub.shared.topics import SUBJECT_COMMANDS, SUBJECT_EXPORTS, SUBJECT_RESULTS

from tests.support.waiting import eventually

Message = dict[str, Any]
SENDER = "test-producer"


def opened(topic: str, message: Message) -> Message:
    """A message as the first reader of its topic sees it once opened; unsealed topics as they are."""
    if topic not in READERS:
        return message
    return MessageKeys.development(READERS[topic][0]).open(topic, message)


def sealed(topic: str, message: Message) -> Message:
    """A message as a producer holding the readers' public keys puts it on `topic`."""
    if topic not in READERS:
        return message
    return MessageKeys.development(SENDER).seal(topic, message)


async def collect_until(
    bootstrap_servers: str,
    topic: str,
    stop_when: Callable[[Message], bool],
    *,
    within: float = 30.0,
    as_stored: bool = False,
) -> list[Message]:
    """Every message on `topic` from the beginning up to and including the first that satisfies
    `stop_when`; opened (leaving out what does not open), unless `as_stored` asks for the
    messages as the broker keeps them."""
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
                    if not as_stored:
                        try:
                            value = opened(topic, value)
                        except UnsealedMessage:
                            continue  # a test's tampering, which the services park too
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


async def publish_message(bootstrap_servers: str, topic: str, value: bytes, key: bytes) -> None:
    """Put a JSON message on a topic as any producer with the readers' public keys can: sealed
    where the topic is sealed, but bypassing every contract of its content."""
    message = sealed(topic, json.loads(value))
    await publish_raw(bootstrap_servers, topic, json.dumps(message).encode(), key)


async def publish_all(bootstrap_servers: str, topic: str, envelopes: list[Any]) -> None:
    """Put many envelopes on a topic as their producer would (sealed where the topic is), keyed by
    subject, through one producer; returns once Kafka has every one."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, acks="all")
    await producer.start()
    try:
        sent = [
            await producer.send(
                topic,
                json.dumps(sealed(topic, json.loads(e.model_dump_json()))).encode(),
                key=e.partition_key,
            )
            for e in envelopes
        ]
        for delivery in sent:
            await delivery
    finally:
        await producer.stop()


async def at_the_end(bootstrap_servers: str, group: str, *topics: str) -> None:
    """Commit the group's offsets at the topics' ends, so a new runtime reads only what comes next."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in consumer.partitions_for_topic(topic) or await _partitions(consumer, topic)
        ]
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        await consumer.commit({tp: await consumer.position(tp) for tp in partitions})
    finally:
        await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    await consumer._client.force_metadata_update()
    return consumer.partitions_for_topic(topic) or set()


async def owner_answer(bootstrap_servers: str, owner: str, command: Any) -> Message:
    """Send a subject command (an Envelope) the real way, on SUBJECT_COMMANDS; `owner`'s answer."""
    await publish_message(
        bootstrap_servers,
        SUBJECT_COMMANDS.name,
        command.model_dump_json().encode(),
        key=command.partition_key,
    )
    answers = SUBJECT_EXPORTS if command.type == EXPORT_SUBJECT_DATA else SUBJECT_RESULTS
    results = await collect_until(
        bootstrap_servers,
        answers.name,
        lambda m: (
            m["correlation_id"] == str(command.correlation_id)
            and m["payload"].get("owner") == owner
        ),
    )
    return results[-1]["payload"]
