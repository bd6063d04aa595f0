"""A service's periodic tasks (sweeps) live exactly as long as the service consumes, and it is
ready only once it consumes."""

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from aiokafka import ConsumerRebalanceListener, TopicPartition
from privacyhub.consent.settings import ConsentSettings
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.queries import Query
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import CONSENT_QUERIES, PAGE_VIEWS

from tests.support.endpoints import Endpoints
from tests.support.services import service_settings
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def test_a_periodic_task_is_let_finish_at_stop_and_never_runs_after_it(
    endpoints: Endpoints,
) -> None:
    settings = service_settings(ConsentSettings, endpoints, "consent")
    runtime = ServiceRuntime(settings, name="consent")
    started: list[bool] = []
    finished: list[bool] = []
    repeating: list[asyncio.Task] = []

    async def sweep(serving: Callable[[], bool]) -> None:
        started.append(serving())
        repeating.append(asyncio.current_task())  # the task that starts the sweep each interval
        for _step in range(3000):  # a long sweep, checking between its steps
            if not serving():
                finished.append(True)
                return
            await asyncio.sleep(0.01)

    runtime.every(0.05, sweep, what="test sweep")
    async with runtime.running():

        async def running() -> bool:
            return bool(started)

        await eventually(running, what="the sweep to start")

    assert started == [True] and finished == [True], "stopping must wait for the running sweep"
    # Nothing is left that could start the sweep again: the task that repeats it has ended.
    assert repeating and all(task.done() for task in repeating), "a sweep is left behind"
    assert started == [True]


class SlowStateLoad(ConsumerRebalanceListener):  # type: ignore[misc]
    """A service's in-memory state, loaded for its partitions only when the test lets it."""

    def __init__(self) -> None:
        self.asked = asyncio.Event()
        self.allowed = asyncio.Event()

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        return None

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self.asked.set()
        await self.allowed.wait()


async def test_a_copy_is_ready_only_once_every_subscriber_holds_its_partitions_and_state(
    endpoints: Endpoints,
) -> None:
    settings = service_settings(ConsentSettings, endpoints, "consent")
    runtime = ServiceRuntime(settings, name="consent")
    state = SlowStateLoad()
    runtime.consume_batches(PAGE_VIEWS, handler=ignore_all, listener=state)
    runtime.subscriber(CONSENT_QUERIES)(ignore)
    assert not await runtime.ready(), "nothing has joined the group yet"

    await runtime.broker.start()
    try:
        await eventually(lambda: answered(state.asked), what="the group to assign partitions")
        assert not await runtime.ready(), "partitions held, but the state is still loading"
        state.allowed.set()
        await eventually(runtime.ready, what="readiness once the state is loaded")
        assert runtime.holding_partitions()
    finally:
        await runtime.broker.stop()
        await runtime.mongo.close()


async def ignore_all(envelopes: Sequence[Envelope[Any]]) -> None:
    return None


async def ignore(envelope: Envelope[Query]) -> None:
    return None


async def answered(event: asyncio.Event) -> bool:
    return event.is_set()
