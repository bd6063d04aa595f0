"""How long one sweep of 100,000 due contact messages takes, erase commands published.

    uv run python bench/retention_sweep.py [--records 100000] [--per-subject 1] [--batch-size 1000]

Uses KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL when set, else starts the local
servers on free ports. Fills a fresh retention database with due records, then
times one full sweep (every round, every command acknowledged by Kafka) next to a
baseline measured in the same run on the same database: merely reading the same
documents with one find. With one record per person (the default) every record
needs a command of its own, the most a sweep can have to send.
"""

import argparse
import asyncio
import time
import uuid
from datetime import timedelta

from privacyhub.localinfra.endpoints import configured_or_local_servers
from privacyhub.retention.app import create_runtime
from privacyhub.retention.deletion_log import ERASURE_REQUESTS, ErasureRequests
from privacyhub.retention.holds import LegalHolds
from privacyhub.retention.records import EndedCustomers
from privacyhub.retention.rules import due_after_answer
from privacyhub.retention.schedule import SCHEDULE, DueDeletion, DueDeletions
from privacyhub.retention.settings import RetentionSettings, registered_retention
from privacyhub.retention.sweep import Sweeper, SweepMetrics
from privacyhub.shared.envelope import utc_now
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import SUBJECT_COMMANDS, ensure_topics
from prometheus_client import CollectorRegistry

GRACE = timedelta(days=30)


def due_records(count: int, per_subject: int) -> list[DueDeletion]:
    due = due_after_answer(utc_now() - GRACE - timedelta(minutes=1), GRACE)
    return [
        DueDeletion("contact_messages", f"CT-{n:012X}", f"{n // per_subject:064x}", due)
        for n in range(count)
    ]


def sweeper_of(runtime: ServiceRuntime, settings: RetentionSettings) -> Sweeper:
    """A sweeper over the service's own stores, as the service makes its own, to call directly."""
    db = runtime.db
    return Sweeper(
        schedule=DueDeletions(db),
        holds=LegalHolds(db),
        requests=ErasureRequests(db),
        customers=EndedCustomers(db),
        publisher=runtime.publisher(SUBJECT_COMMANDS),
        clock=utc_now,
        batch_size=settings.sweep_batch_size,
        keep_ended_for=registered_retention("retention_schedule"),
        metrics=SweepMetrics(CollectorRegistry()),
    )


async def measure(
    bootstrap: str, mongodb_url: str, *, records: int, per_subject: int, batch_size: int
) -> None:
    run = uuid.uuid4().hex[:8]
    await ensure_topics(bootstrap)
    settings = RetentionSettings(
        kafka_bootstrap_servers=bootstrap,
        mongodb_url=mongodb_url,
        mongodb_database=f"bench_retention_{run}",
        consumer_group=f"privacyhub-retention-bench-{run}",
        sweep_batch_size=batch_size,
        # The bench sweeps by itself; the service's own interval never comes round.
        sweep_interval_seconds=24 * 3600,
        log_level="WARNING",
        environment="development",
    )
    runtime = create_runtime(settings)
    sweeper = sweeper_of(runtime, settings)
    db = runtime.db
    async with runtime.running():
        started = time.perf_counter()
        await DueDeletions(db).schedule(due_records(records, per_subject))
        filled = time.perf_counter() - started

        started = time.perf_counter()
        read = len(await db[SCHEDULE].find({}).to_list())
        reading = time.perf_counter() - started

        started = time.perf_counter()
        commands = await sweeper.sweep()
        sweeping = time.perf_counter() - started

        left = await db[SCHEDULE].count_documents({})
        requested = await db[ERASURE_REQUESTS].count_documents({})
        await runtime.mongo.drop_database(db.name)

    print(f"{records} due records of {records // per_subject} people, rounds of {batch_size}")
    print(f"scheduling them (one bulk insert)   {filled:7.1f} s")
    print(f"find of all {read} (baseline)     {reading:7.1f} s")
    print(f"one full sweep                      {sweeping:7.1f} s  ({commands} erase commands)")
    print(
        f"ratio {sweeping / reading:.1f}x baseline; {records / sweeping:,.0f} records/s; "
        f"left scheduled {left}, erase requests recorded {requested}"
    )


async def main(records: int, per_subject: int, batch_size: int) -> None:
    with configured_or_local_servers() as (bootstrap, mongodb_url):
        await measure(
            bootstrap,
            mongodb_url,
            records=records,
            per_subject=per_subject,
            batch_size=batch_size,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--per-subject", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=1000)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.records, arguments.per_subject, arguments.batch_size))
