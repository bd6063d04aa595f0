"""Kafka orders nothing between topics: a poll may bring a page view and leave the consent choice
made before it for a later poll. The batch consumer reads its `first` topics up to their end
before it applies a poll, so the view is judged by that choice (shared/batches.py)."""

from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from privacyhub.consent.settings import ConsentSettings
from privacyhub.shared.batches import CHUNK_RECORDS, BatchConsumer, BatchHandler, rewind
from privacyhub.shared.contracts.consent import (
    CONSENT_GIVEN,
    PAGE_VIEWED,
    ConsentGiven,
    PageViewed,
)
from privacyhub.shared.dead_letter import TransientFailure
from privacyhub.shared.envelope import Envelope, utc_now
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import CONSENT_CHOICES, PAGE_VIEWS

from tests.support.endpoints import Endpoints
from tests.support.kafka import publish_all
from tests.support.services import RUN, service_settings, unstarted_runtime
from tests.support.visitors import choice_published, new_visitor, published_view
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

Applied = list[list[tuple[str, str]]]


@pytest.fixture
async def runtime(endpoints: Endpoints) -> AsyncIterator[ServiceRuntime]:
    """The consent service's keys and clients, marking processed events in a database of its own."""
    settings = service_settings(
        ConsentSettings, endpoints, "consent", mongodb_database=f"test_urgent_first_{RUN}"
    )
    async for runtime in unstarted_runtime(settings, name="consent"):
        yield runtime


@pytest.fixture
async def reader(endpoints: Endpoints) -> AsyncIterator[AIOKafkaConsumer]:
    """A consumer of both topics, positioned at their ends."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=endpoints.kafka_bootstrap_servers, group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    partitions = [
        TopicPartition(topic.name, n)
        for topic in (CONSENT_CHOICES, PAGE_VIEWS)
        for n in range(topic.partitions)
    ]
    consumer.assign(partitions)
    await consumer.seek_to_end(*partitions)
    for partition in partitions:
        await consumer.position(partition)
    yield consumer
    await consumer.stop()


async def test_a_choice_left_for_a_later_poll_is_applied_before_the_view_made_after_it(
    endpoints: Endpoints, runtime: ServiceRuntime, reader: AIOKafkaConsumer
) -> None:
    applied: Applied = []

    async def record(envelopes: Sequence[Envelope[Any]]) -> None:
        applied.append([(envelope.type, envelope.subject_id) for envelope in envelopes])

    consumer = consent_batches(runtime, record)
    visitor = new_visitor()
    await choice_published(endpoints, visitor, utc_now())
    view = published_view(visitor, utc_now())
    await publish_all(endpoints.kafka_bootstrap_servers, PAGE_VIEWS.name, [view])

    records = await poll_of_page_views_up_to(reader, [view])
    assert not any(record.topic == CONSENT_CHOICES.name for record in records)
    await consumer.consume(reader, records)

    choice_batch = batch_holding(applied, (CONSENT_GIVEN, visitor))
    view_batch = batch_holding(applied, (PAGE_VIEWED, visitor))
    assert choice_batch is not None, f"the choice was not applied with the poll: {applied}"
    assert view_batch is not None and choice_batch < view_batch, applied
    assert any(record.topic == CONSENT_CHOICES.name for record in records), (
        "the choice read is committed with the poll"
    )


async def test_a_choice_made_while_a_poll_is_applied_goes_before_the_views_still_waiting(
    endpoints: Endpoints, runtime: ServiceRuntime, reader: AIOKafkaConsumer
) -> None:
    applied: Applied = []
    visitor = new_visitor()

    async def record(envelopes: Sequence[Envelope[Any]]) -> None:
        applied.append([(envelope.type, envelope.subject_id) for envelope in envelopes])
        if len(applied) == 1:  # the poll's first chunk of views is being applied
            await choice_published(endpoints, visitor, utc_now())

    views = [published_view(visitor, utc_now()) for _ in range(CHUNK_RECORDS + 50)]
    await publish_all(endpoints.kafka_bootstrap_servers, PAGE_VIEWS.name, views)
    records = await poll_of_page_views_up_to(reader, views)
    await consent_batches(runtime, record).consume(reader, records)

    choice_batch = batch_holding(applied, (CONSENT_GIVEN, visitor))
    assert choice_batch is not None, f"the choice was not applied with the poll: {applied}"
    assert 0 < choice_batch < len(applied) - 1, "the choice waited for the whole poll"
    # No fetch held back while fetched views wait (aiokafka's prefetch backoff, a private field).
    assert reader._fetcher._prefetch_backoff == 0


async def test_a_poll_that_failed_for_now_is_read_again_with_the_choices_caught_up_for_it(
    endpoints: Endpoints, runtime: ServiceRuntime, reader: AIOKafkaConsumer
) -> None:
    async def database_away(envelopes: Sequence[Envelope[Any]]) -> None:
        raise TransientFailure("the database is away")

    visitor = new_visitor()
    await choice_published(endpoints, visitor, utc_now())
    view = published_view(visitor, utc_now())
    await publish_all(endpoints.kafka_bootstrap_servers, PAGE_VIEWS.name, [view])
    records = await poll_of_page_views_up_to(reader, [view])

    with pytest.raises(TransientFailure):
        await consent_batches(runtime, database_away).consume(reader, records)
    rewind(reader, records)

    assert any(record.topic == CONSENT_CHOICES.name for record in records), "nothing caught up"
    for partition in {TopicPartition(record.topic, record.partition) for record in records}:
        earliest = min(
            record.offset
            for record in records
            if (record.topic, record.partition) == (partition.topic, partition.partition)
        )
        assert await reader.position(partition) == earliest, f"{partition} not read again"


def consent_batches(runtime: ServiceRuntime, handler: BatchHandler) -> BatchConsumer:
    """The consent service's batch consumer, as `ServiceRuntime.consume_batches` makes it."""
    return BatchConsumer(
        broker=runtime.broker,
        keys=runtime.message_keys,
        processed_events=runtime.processed_events,
        contracts={CONSENT_GIVEN: ConsentGiven, PAGE_VIEWED: PageViewed},
        handler=handler,
        progress=runtime.progress,
        first=[CONSENT_CHOICES.name],
    )


async def poll_of_page_views_up_to(
    reader: AIOKafkaConsumer, views: list[Envelope[PageViewed]]
) -> list[ConsumerRecord]:
    """What polls of the page-view partitions alone bring, up to the last of `views` (of one
    visitor, so of one partition, in order)."""
    records: list[ConsumerRecord] = []
    partitions = [tp for tp in reader.assignment() if tp.topic == PAGE_VIEWS.name]

    async def polled() -> bool:
        for batch in (await reader.getmany(*partitions, timeout_ms=200)).values():
            records.extend(batch)
        ours = [record for record in records if record.key == views[0].partition_key]
        return len(ours) >= len(views)

    await eventually(polled, what="the page views")
    return records


def batch_holding(applied: Applied, message: tuple[str, str]) -> int | None:
    return next((n for n, batch in enumerate(applied) if message in batch), None)
