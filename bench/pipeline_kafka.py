"""What bench/pipeline.py asks Kafka: a consumer group's lag, and a topic of its own for the
Litestar + aiokafka baseline (so its messages never reach the services)."""

import asyncio
from datetime import timedelta
from typing import Any, Self

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from privacyhub.shared.kafka_access import Access, grant_access
from privacyhub.shared.topics import TopicSpec, ensure_topics

BENCH_TOPIC = TopicSpec(
    "privacyhub.bench.pageviews.v1",
    6,
    timedelta(hours=1),
    False,
    "Page views the Litestar + aiokafka baseline of bench/pipeline.py publishes; nobody reads them.",
)


async def create_bench_topic(bootstrap: str, admin: dict[str, Any], *, acls: bool) -> str:
    """The baseline's topic, writable by the gateway's principal; its name."""
    await ensure_topics(bootstrap, topics=(BENCH_TOPIC,), client_options=admin)
    if acls:
        await grant_access(
            bootstrap, client_options=admin, access=(Access("gateway", writes=(BENCH_TOPIC,)),)
        )
    return BENCH_TOPIC.name


class ConsumerLag:
    """Messages of `topic` that the consumer group `group` has not committed yet.

    Committed offsets (what the group has durably done) against end offsets (what Kafka holds),
    summed over the topic's partitions; a partition without a commit counts from its start.
    """

    def __init__(self, bootstrap: str, options: dict[str, Any], group: str, topic: str) -> None:
        self.group = group
        self.topic = topic
        self._admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **options)
        self._offsets = AIOKafkaConsumer(bootstrap_servers=bootstrap, **options)
        self._partitions: list[TopicPartition] = []

    async def __aenter__(self) -> Self:
        await self._admin.start()
        await self._offsets.start()
        (described,) = await self._admin.describe_topics([self.topic])
        numbers = sorted(partition["partition"] for partition in described["partitions"])
        if not numbers:
            raise RuntimeError(f"Kafka describes no partitions of {self.topic}: {described}")
        self._partitions = [TopicPartition(self.topic, n) for n in numbers]
        return self

    @property
    def partitions(self) -> list[int]:
        return [partition.partition for partition in self._partitions]

    async def __aexit__(self, *_: object) -> None:
        await self._offsets.stop()
        await self._admin.close()

    async def end_offsets(self) -> dict[TopicPartition, int]:
        return await self._offsets.end_offsets(self._partitions)

    async def lag(self) -> int:
        committed, ends, starts = await asyncio.gather(
            self._admin.list_consumer_group_offsets(self.group, partitions=self._partitions),
            self._offsets.end_offsets(self._partitions),
            self._offsets.beginning_offsets(self._partitions),
        )
        total = 0
        for partition, end in ends.items():
            done = committed.get(partition)
            position = done.offset if done is not None and done.offset >= 0 else starts[partition]
            total += max(0, end - position)
        return total


async def unfinished_work(bootstrap: str, options: dict[str, Any]) -> int:
    """Messages every consumer group together has yet to commit, on every partition it has
    committed on: what the services still have to do (retention and partner support work
    off a contact message's lifecycle events long after the contact service stored it)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **options)
    offsets = AIOKafkaConsumer(bootstrap_servers=bootstrap, **options)
    await admin.start()
    await offsets.start()
    try:
        groups = [group for group, _ in await admin.list_consumer_groups()]
        committed = await asyncio.gather(
            *(admin.list_consumer_group_offsets(group) for group in groups)
        )
        positions = [(tp, done.offset) for done_by in committed for tp, done in done_by.items()]
        ends = await offsets.end_offsets(list({tp for tp, _ in positions}))
        return sum(max(0, ends[tp] - offset) for tp, offset in positions if offset >= 0)
    finally:
        await offsets.stop()
        await admin.close()
