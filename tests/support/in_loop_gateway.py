"""The gateway served inside the test's own event loop.

Litestar's AsyncTestClient runs the app on a portal thread and blocks the calling
loop until each response is complete. A read through topics waits for a service
whose consumers run in that very loop, so it would wait for itself until it timed
out. Here the app, its lifespan and the client share the test's loop instead.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from litestar import Litestar
from privacyhub.gateway.app import create_app as create_gateway
from privacyhub.gateway.settings import GatewaySettings

from tests.support.waiting import eventually

BASE_URL = "http://testserver.local"
CLIENT_ADDRESS = ("testclient", 50000)


@asynccontextmanager
async def lifespan_in_own_task(app: Litestar) -> AsyncIterator[None]:
    """The app's lifespan, entered and left by one task (its cancel scopes insist on that)."""
    started, stopping = asyncio.Event(), asyncio.Event()

    async def live() -> None:
        async with app.lifespan():
            started.set()
            await stopping.wait()

    task = asyncio.create_task(live())
    waiting = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiting.cancel()
        task.result()
    try:
        yield
    finally:
        stopping.set()
        await task


@asynccontextmanager
async def serving(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """A client of `app` once the gateway has connected to Kafka."""
    transport = httpx.ASGITransport(app=app, client=CLIENT_ADDRESS)
    async with (
        lifespan_in_own_task(app),
        httpx.AsyncClient(
            transport=transport, base_url=BASE_URL, headers={"user-agent": "testclient"}
        ) as client,
    ):

        async def ready() -> bool:
            return (await client.get("/ready")).status_code == 200

        await eventually(ready, what="the gateway to connect to Kafka")
        yield client


def gateway_settings(kafka_bootstrap_servers: str, **overrides: object) -> GatewaySettings:
    """The gateway's settings for tests: quick to give up on Kafka, and no limit a test reaches."""
    return GatewaySettings(
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_publish_timeout_seconds=3.0,
        rate_limit_per_minute=10_000,
        intake_per_address_per_day=10_000,  # tests give fixed addresses many times
        **overrides,
    )


async def connected_client(settings: GatewaySettings) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway in the test's own event loop, so reads through topics reach in-process services."""
    async with serving(create_gateway(settings)) as client:
        yield client
