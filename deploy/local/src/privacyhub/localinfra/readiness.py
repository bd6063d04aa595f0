"""Readiness probes that speak each server's own protocol.

Promises: each probe returns True only when a real client request succeeded,
and is safe to call from code that already runs an asyncio event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from aiokafka.admin import AIOKafkaAdminClient
from pymongo import MongoClient

PROBE_TIMEOUT = 3.0


async def _kafka_cluster_ready(
    bootstrap_servers: str, timeout: float, client_options: Mapping[str, str]
) -> bool:
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers,
        request_timeout_ms=int(timeout * 1000),
        retry_backoff_ms=50,
        **client_options,
    )
    try:
        await asyncio.wait_for(admin.start(), timeout)
        cluster = await asyncio.wait_for(admin.describe_cluster(), timeout)
    finally:
        await admin.close()
    # A KRaft broker answers metadata before it has registered with (and been
    # unfenced by) the controller; only then can topics be created.
    return bool(cluster["brokers"]) and cluster["controller_id"] >= 0


def kafka_ready(
    bootstrap_servers: str,
    timeout: float = PROBE_TIMEOUT,
    client_options: Mapping[str, str] | None = None,
) -> bool:
    """Return True if a metadata request lists a live broker and a controller.

    ``client_options`` are aiokafka's login arguments, which a secured broker
    needs before it answers anything.
    """
    # A private thread with its own event loop works whether or not the
    # caller is inside a running loop (e.g. an async pytest fixture).
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(
            asyncio.run, _kafka_cluster_ready(bootstrap_servers, timeout, client_options or {})
        ).result()


def mongo_ready(url: str, timeout: float = PROBE_TIMEOUT) -> bool:
    """Return True if the server at ``url`` answers ``ping``."""
    ms = int(timeout * 1000)
    client: MongoClient = MongoClient(
        url,
        serverSelectionTimeoutMS=ms,
        connectTimeoutMS=ms,
        socketTimeoutMS=ms,
        directConnection=True,
    )
    try:
        return bool(client.admin.command("ping").get("ok"))
    finally:
        client.close()
