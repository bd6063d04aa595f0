"""The consumer-side ceiling of bench/pipeline.py, run in an OS process of its own: a plain
aiokafka consumer that reads the page-view topic and does one `insert_many` of small documents
per batch into the same database server, committing each batch's offsets after its insert.

    python bench/pipeline_ceiling.py < spec.json

The spec names the topic and its partitions, the consumer group, the database and the most messages to read; the
login and the server come from the usual variables (KAFKA_*, MONGODB_URL). It prints what it read
and how fast, as JSON, and drops its database.
"""

import asyncio
import json
import os
import sys
import time
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from privacyhub.shared.kafka_login import kafka_client_options
from privacyhub.shared.settings import CommonSettings
from pymongo import AsyncMongoClient

BATCH = 5000
MONGODB_URL = "MONGODB_URL"


async def ceiling(spec: dict[str, Any], mongodb_url: str) -> dict[str, Any]:
    settings = CommonSettings()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=spec["group"],
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=BATCH,
        **kafka_client_options(settings),
    )
    mongo: AsyncMongoClient = AsyncMongoClient(mongodb_url)
    visits = mongo[spec["database"]]["visits"]
    await consumer.start()
    try:
        partitions = [TopicPartition(spec["topic"], n) for n in spec["partitions"]]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        await consumer.seek_to_beginning(*partitions)
        wanted = min(
            spec["limit"],
            sum(ends.values()) - sum((await consumer.beginning_offsets(partitions)).values()),
        )
        read = 0
        started = time.perf_counter()
        while read < wanted:
            batches = await consumer.getmany(timeout_ms=1000, max_records=BATCH)
            documents = [
                {
                    "_id": f"{message.partition}:{message.offset}",
                    "visitor": (message.key or b"").decode(errors="replace"),
                    "at": datetime.fromtimestamp(message.timestamp / 1000, UTC),
                    "bytes": len(message.value or b""),
                }
                for messages in batches.values()
                for message in messages
            ]
            if not documents:
                break  # nothing more arrived within a second: the topic is read
            await visits.insert_many(documents, ordered=False)
            await consumer.commit()
            read += len(documents)
        seconds = time.perf_counter() - started
    finally:
        await consumer.stop()
        await mongo.drop_database(spec["database"])
        await mongo.close()
    return {"messages": read, "seconds": seconds, "per_second": read / seconds if seconds else 0.0}


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the ceiling in a child process logged in with `env`; its figures."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env=spec.pop("env"),
    )
    out, _ = await child.communicate(json.dumps(spec).encode())
    if child.returncode != 0:
        raise RuntimeError(f"the consumer ceiling failed with exit code {child.returncode}")
    return json.loads(out)


if __name__ == "__main__":
    result = asyncio.run(ceiling(json.loads(sys.stdin.read()), os.environ[MONGODB_URL]))
    json.dump(result, sys.stdout)
