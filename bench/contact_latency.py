"""How long from POST /v1/contact until the message is in the contact database.

    uv run python bench/contact_latency.py [--messages 200]

Uses KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL when set, else starts the local
servers on free ports. Runs the gateway and the contact service in this process
and prints latency percentiles, next to a baseline measured in the same run: a
bare produce-then-consume round trip on the same broker, the floor any
Kafka-based path stands on.
"""

import argparse
import asyncio
import functools
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from litestar.testing import AsyncTestClient
from privacyhub.contact.app import create_runtime
from privacyhub.contact.repository import COLLECTION
from privacyhub.contact.settings import ContactSettings
from privacyhub.gateway.app import create_app
from privacyhub.gateway.settings import GatewaySettings
from privacyhub.localinfra.endpoints import configured_or_local_servers
from privacyhub.shared.topics import TopicSpec, ensure_topics

FORM = {
    "email": "bench@example.nl",
    "first_name": "Bench",
    "last_name": "Mark",
    "message": "Hoe lang duurt het voordat mijn vraag is opgeslagen?",
}


def summary(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[int(len(ms) * 0.95) - 1]
    return (
        f"{name:<28} n={len(ms):<4} p50={statistics.median(ms):7.1f} ms  "
        f"p95={p95:7.1f} ms  max={ms[-1]:7.1f} ms"
    )


async def poll(probe: Callable[[], Awaitable[object]], *, interval: float) -> None:
    """Until `probe` gives something truthy; the interval bounds how late the bench notices."""
    while True:
        if await probe():
            return
        await asyncio.sleep(interval)


async def ready(client: AsyncTestClient) -> bool:
    return (await client.get("/ready")).status_code == 200


async def baseline(bootstrap: str, count: int) -> list[float]:
    topic = f"bench-baseline-{uuid.uuid4().hex[:6]}"
    spec = TopicSpec(topic, 1, timedelta(hours=1), False, "benchmark baseline")
    await ensure_topics(bootstrap, topics=(spec,))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await producer.start()
    await producer.send_and_wait(topic, b"warm-up")
    await consumer.start()
    await consumer.getone()
    latencies = []
    try:
        for _ in range(count):
            started = time.perf_counter()
            await producer.send_and_wait(topic, b"x" * 200)
            await consumer.getone()
            latencies.append(time.perf_counter() - started)
    finally:
        await consumer.stop()
        await producer.stop()
    return latencies


async def contact_path(bootstrap: str, mongodb_url: str, count: int) -> list[float]:
    run = uuid.uuid4().hex[:8]
    await ensure_topics(bootstrap)
    runtime = create_runtime(
        ContactSettings(
            kafka_bootstrap_servers=bootstrap,
            mongodb_url=mongodb_url,
            mongodb_database=f"bench_contact_{run}",
            consumer_group=f"bench-contact-{run}",
            log_level="WARNING",
            environment="development",
        )
    )
    gateway = create_app(
        GatewaySettings(
            kafka_bootstrap_servers=bootstrap,
            rate_limit_per_minute=1_000_000,
            log_level="WARNING",
            environment="development",
        )
    )
    messages = runtime.db[COLLECTION]
    latencies = []
    async with runtime.running(), AsyncTestClient(app=gateway) as client:
        await poll(lambda: ready(client), interval=0.1)
        for _ in range(count):
            started = time.perf_counter()
            response = await client.post("/v1/contact", json=FORM)
            reference = response.json()["reference"]
            stored = functools.partial(messages.find_one, {"_id": reference}, {"_id": 1})
            await poll(stored, interval=0.002)
            latencies.append(time.perf_counter() - started)
    return latencies


async def main(count: int) -> None:
    with configured_or_local_servers() as (bootstrap, mongodb_url):
        floor = await baseline(bootstrap, count)
        path = await contact_path(bootstrap, mongodb_url, count)
    print(summary("kafka round trip (baseline)", floor))
    print(summary("POST /v1/contact -> stored", path))
    print(
        f"ratio p50 {statistics.median(path) / statistics.median(floor):.1f}x baseline; "
        f"{sum(s <= 2.0 for s in path)}/{len(path)} stored within 2 s"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    asyncio.run(main(parser.parse_args().messages))
