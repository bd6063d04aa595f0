"""A service's periodic tasks (sweeps) live exactly as long as the service consumes."""

import asyncio
from collections.abc import Callable

import pytest
from privacyhub.consent.settings import ConsentSettings
from privacyhub.shared.service import ServiceRuntime

from tests.conftest import Endpoints
from tests.integration.conftest import service_settings
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def test_a_periodic_task_is_let_finish_at_stop_and_never_runs_after_it(
    endpoints: Endpoints,
) -> None:
    settings = service_settings(ConsentSettings, endpoints, "consent")
    runtime = ServiceRuntime(settings, name="periodic-test")
    started: list[bool] = []
    finished: list[bool] = []

    async def sweep(serving: Callable[[], bool]) -> None:
        started.append(serving())
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
    await asyncio.sleep(0.3)  # six intervals: a sweep left behind would have started again
    assert started == [True]
