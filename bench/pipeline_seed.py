"""Stored visits for bench/pipeline.py --stored-visits: the consent database filled first, so the
figures can be taken with as many linked visits as a site gathers in months.

Each document has the shape of a linked visit (services/consent/.../visits.py): the page view id,
visitor id, moment and UTC day in the clear, and the five personal fields as encrypted binaries
of the size a real sealed value has (format byte, key id, nonce, ciphertext with its tag), here
random bytes: nobody reads them, and their visitors have no data key, so they read as erased.
"""

import os
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import Binary
from pipeline_requests import visitor_ids
from pymongo.asynchronous.collection import AsyncCollection

CHUNK = 20_000
VISITS_PER_VISITOR = 20
SPREAD = timedelta(days=28)  # well inside the visits' retention period
# Typical JSON plaintexts of the personal fields: page path, referring host, device, OS, browser.
PLAINTEXT_BYTES = {"page": 24, "referrer_host": 16, "device_type": 9, "os": 9, "browser": 8}
SEALING_OVERHEAD = 1 + 16 + 12 + 16  # format, key id, nonce, GCM tag


def stored_visit(rng: random.Random, visitor: str, now: datetime) -> dict[str, Any]:
    occurred_at = now - SPREAD * rng.random()
    return {
        "_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "visitor_id": visitor,
        "occurred_at": occurred_at,
        "day": occurred_at.date().isoformat(),
        **{
            name: Binary(b"\x01" + os.urandom(SEALING_OVERHEAD - 1 + size))
            for name, size in PLAINTEXT_BYTES.items()
        },
    }


async def seed_visits(visits: AsyncCollection, count: int) -> float:
    """Insert `count` visits in large unordered chunks; the seconds it took."""
    started = time.perf_counter()
    rng = random.Random(7)
    visitors = visitor_ids(max(1, count // VISITS_PER_VISITOR), seed=7)
    now = datetime.now(UTC)
    for first in range(0, count, CHUNK):
        chunk = [
            stored_visit(rng, visitors[n % len(visitors)], now)
            for n in range(first, min(count, first + CHUNK))
        ]
        await visits.insert_many(chunk, ordered=False)
    return time.perf_counter() - started
