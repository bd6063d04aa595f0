"""Batch consumption: a hot consumer applies what one poll brought in bulk, and commits once.

Per message, a consumer would pay several database round trips (the idempotency lookup, the
effect, the mark); per batch it pays them once. What a batch handler promises:

- its effects are keyed by ids the messages carry (inserts by event id, updates by `_id`), so a
  batch redelivered after a crash, in part or whole, has no second effect;
- it applies a subject's messages in the order they come (one partition, one key, in order).

This module promises the rest: each message is opened (sealed topics) and read into the contract
its envelope type names, or parked on the dead-letter topic alone; the poll's event ids are
marked processed in one bulk after its effects, for a handler that asks which events it applied
before (`ProcessedEvents.processed_among`); the offsets are committed after that
(`OffsetCommits`). A handler failure for a reason of the message's own (not the
infrastructure's) sends the batch through the handler again one message at a time, so only the
poison message is parked and the rest still apply. An infrastructure failure redelivers the
batch (dead_letter.py).

A consumer of several topics may name some of them `first`: urgent messages (a consent choice)
that govern the bulk of a busy topic (page views). Kafka orders nothing between topics: a poll
may bring a page view and leave the choice made before it for a later poll (the choice's
partition still had records buffered, or the poll was full). So before a poll is applied, the
`first` topics are read up to their end as it is once the poll is in (`BatchConsumer.catch_up`):
every urgent message accepted before anything in the poll is applied with it. The records of
the `first` topics are applied as a batch of their own before the others, so they do not wait
behind the bulk; and the bulk is applied in chunks, the `first` topics read again
before each, so an urgent message that comes meanwhile waits for one chunk, not for the whole
poll. The offsets are committed once all are applied.
"""

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import IllegalStateError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from privacyhub.shared.dead_letter import (
    TRANSIENT_ERRORS,
    UnprocessableMessage,
    describe_failure,
    park,
)
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.idempotency import ProcessedEvents
from privacyhub.shared.progress import GroupProgress
from privacyhub.shared.sealing import READERS, MessageKeys
from pydantic import BaseModel

logger = logging.getLogger(__name__)

BatchHandler = Callable[[list[Envelope[Any]]], Awaitable[None]]
Contracts = Mapping[str, type[BaseModel]]
"""Envelope type -> payload contract: the messages a batch consumer accepts."""

MAX_RECORDS = 1000
BATCH_TIMEOUT_MS = 20
CATCH_UP_SECONDS = 1.0
CHUNK_RECORDS = 100
# How long the broker may hold a fetch of a consumer with urgent topics that has nothing new
# (Kafka's default is 500 ms). The consumer sends one fetch at a time, and while some of its
# partitions still hold records it fetches only the others: a fetch held that long would keep
# an urgent message that arrives on a held partition waiting behind it.
URGENT_FETCH_MAX_WAIT_MS = 50


class BatchConsumer:
    """Reads a poll's records into envelopes, hands them to the handler, parks the poison ones.

    Without `processed_events` nothing is marked: for a handler whose every effect is keyed by
    ids its messages carry and that never asks what it applied before, the marks would be a
    write per message that nobody reads.
    """

    def __init__(
        self,
        *,
        broker: KafkaBroker,
        keys: MessageKeys,
        processed_events: ProcessedEvents | None,
        contracts: Contracts,
        handler: BatchHandler,
        progress: GroupProgress,
        first: Collection[str] = (),
    ) -> None:
        self._broker = broker
        self._progress = progress
        self._keys = keys
        self._processed_events = processed_events
        self._contracts = contracts
        self._handler = handler
        self._first = frozenset(first)

    @property
    def has_urgent_topics(self) -> bool:
        return bool(self._first)

    async def consume(self, reader: AIOKafkaConsumer, records: list[ConsumerRecord]) -> None:
        """Apply a poll's `records`: the urgent ones (of the `first` topics) as a batch of their
        own, then the rest in chunks of CHUNK_RECORDS, reading the urgent topics up to their end
        before each chunk (`catch_up`) and applying what that brings first. What is read on the
        way is added to `records`, so the commit (or the rewind) covers it."""
        if self._first:
            fetch_beside_buffered_records(reader)
        urgent = [record for record in records if record.topic in self._first]
        rest = [record for record in records if record.topic not in self._first]
        size = CHUNK_RECORDS if self._first else max(1, len(rest))
        applied: list[Envelope[Any]] = []
        while urgent or rest:
            if rest and self._first:
                urgent += await self.catch_up(reader, records)
            if urgent:
                applied += await self._apply(urgent)
                urgent = []
            chunk, rest = rest[:size], rest[size:]
            if chunk:
                applied += await self._apply(chunk)
        if self._processed_events is not None:
            await self._processed_events.mark_all(applied)

    async def catch_up(
        self, reader: AIOKafkaConsumer, records: list[ConsumerRecord]
    ) -> list[ConsumerRecord]:
        """What the `first` topics hold that `reader` has not read yet, up to their end as it is
        now; each record read is also added to `records` at once.

        Bounded by CATCH_UP_SECONDS; past it the rest comes in a later poll (as it would without
        this step).
        """
        partitions = [tp for tp in reader.assignment() if tp.topic in self._first]
        if not partitions:
            return []
        ends = await self._progress.ends_of(partitions)
        deadline = time.monotonic() + CATCH_UP_SECONDS
        caught: list[ConsumerRecord] = []
        try:
            while behind := [tp for tp in partitions if await reader.position(tp) < ends[tp]]:
                left = deadline - time.monotonic()
                if left <= 0:
                    logger.warning(
                        "urgent messages not read in time; they come with a later poll",
                        extra={"partitions": len(behind)},
                    )
                    break
                polled = await reader.getmany(
                    *behind, timeout_ms=int(left * 1000), max_records=MAX_RECORDS
                )
                for read in polled.values():
                    records.extend(read)
                    caught.extend(read)
        except IllegalStateError:
            pass  # a rebalance took a partition: its new owner reads it from the last commit
        return caught

    async def _apply(self, records: Sequence[ConsumerRecord]) -> list[Envelope[Any]]:
        """Apply `records` in one batch; the envelopes applied (the rest were parked)."""
        readable: list[tuple[ConsumerRecord, Envelope[Any]]] = []
        for record in records:
            try:
                readable.append((record, self.read(record)))
            except Exception as error:
                await park(self._broker, record, describe_failure(error))
        if not readable:
            return []
        try:
            await self._handler([envelope for _, envelope in readable])
        except TRANSIENT_ERRORS:
            raise
        except Exception:
            logger.warning(
                "a batch failed; applying its messages one by one", extra={"size": len(readable)}
            )
            readable = await self._one_by_one(readable)
        return [envelope for _, envelope in readable]

    def read(self, record: ConsumerRecord) -> Envelope[Any]:
        """The record as the envelope of its contract; an error naming the problem otherwise."""
        message = json.loads(record.value)
        if record.topic in READERS:
            message = self._keys.open(record.topic, message)
        contract = self._contracts.get(message.get("type")) if isinstance(message, dict) else None
        if contract is None:
            raise UnprocessableMessage(f"unexpected message on {record.topic}")
        return Envelope[contract].model_validate(message)  # type: ignore[valid-type]

    async def _one_by_one(
        self, readable: list[tuple[ConsumerRecord, Envelope[Any]]]
    ) -> list[tuple[ConsumerRecord, Envelope[Any]]]:
        applied = []
        for record, envelope in readable:
            try:
                await self._handler([envelope])
            except TRANSIENT_ERRORS:
                raise
            except Exception as error:
                await park(self._broker, record, describe_failure(error))
            else:
                applied.append((record, envelope))
        return applied


def fetch_beside_buffered_records(reader: AIOKafkaConsumer) -> None:
    """Let `reader` fetch its other partitions while records it fetched wait to be applied.

    aiokafka sends a broker no fetch at all while any record it fetched from it is younger than
    its prefetch backoff (100 ms) and not yet taken: with one broker, a poll's page views waiting
    in the buffer held every consent choice back that long, also one being caught up. The
    backoff is not an option of AIOKafkaConsumer, so it is set on its fetcher.
    """
    fetcher = getattr(reader, "_fetcher", None)
    if fetcher is not None:
        fetcher._prefetch_backoff = 0


class OffsetCommits:
    """Commits a batch's offsets once its effects are durable, without holding up the next poll.

    A commit waits for the broker's answer (several ms), and a consumer that waited for it
    before polling again would hold every record, a consent choice too, that long longer. So
    the offsets are handed to one background commit at a time; offsets that come meanwhile wait
    and go together in the next one, so a commit never overtakes a later one. A commit that
    fails (a rebalance, the process stopping) only makes Kafka deliver those records again, which
    the keyed effects and the processed marks make harmless.
    """

    def __init__(self) -> None:
        self._waiting: dict[TopicPartition, int] = {}
        self._committing: asyncio.Task[None] | None = None

    def after(self, consumer: AIOKafkaConsumer, records: Sequence[ConsumerRecord]) -> None:
        """Commit past `records`, whose effects are durable."""
        for record in records:
            partition = TopicPartition(record.topic, record.partition)
            self._waiting[partition] = max(self._waiting.get(partition, 0), record.offset + 1)
        if self._committing is None:
            self._committing = asyncio.create_task(self._commit(consumer))

    async def _commit(self, consumer: AIOKafkaConsumer) -> None:
        while self._waiting:
            offsets, self._waiting = self._waiting, {}
            try:
                await consumer.commit(offsets)
            except Exception as error:
                logger.warning(
                    "offsets not committed; those records will be delivered again",
                    extra={"error": type(error).__name__},
                )
        self._committing = None


async def undecoded(_message: Any) -> None:
    """FastStream would decode every record's body as JSON for the handler's arguments; the
    consumer reads the raw records itself (BatchConsumer.read), so nothing is decoded twice."""
    return None


def subscribe_batches(
    broker: KafkaBroker,
    consumer: BatchConsumer,
    topic_names: Sequence[Any],
    *,
    group_id: str,
    description: str,
    **options: Any,
) -> Any:
    """Register `consumer` for `topic_names` as one FastStream batch subscriber in `group_id`."""
    if consumer.has_urgent_topics:
        options.setdefault("fetch_max_wait_ms", URGENT_FETCH_MAX_WAIT_MS)
    subscriber = broker.subscriber(
        *topic_names,
        batch=True,
        group_id=group_id,
        ack_policy=AckPolicy.MANUAL,
        auto_offset_reset="earliest",
        max_records=MAX_RECORDS,
        batch_timeout_ms=BATCH_TIMEOUT_MS,
        decoder=undecoded,
        description=description,
        **options,
    )

    commits = OffsetCommits()

    @subscriber
    async def consume_batch(message: KafkaMessage) -> None:
        records = list(message.raw_message)
        try:
            await consumer.consume(message.consumer, records)
        except BaseException:
            rewind(message.consumer, records)
            raise
        commits.after(message.consumer, records)

    return consume_batch


def rewind(reader: AIOKafkaConsumer, records: Sequence[ConsumerRecord]) -> None:
    """Have `reader` deliver `records` again: each partition back to its earliest of them."""
    earliest: dict[TopicPartition, int] = {}
    for record in records:
        partition = TopicPartition(record.topic, record.partition)
        earliest[partition] = min(earliest.get(partition, record.offset), record.offset)
    for partition, offset in earliest.items():
        with contextlib.suppress(IllegalStateError):  # no longer ours: its new owner reads it
            reader.seek(partition, offset)
