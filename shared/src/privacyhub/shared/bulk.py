"""Bulk writes that behave the same on MongoDB and on FerretDB v1.

Hot consumers write a batch's effects in one round trip: inserts keyed by an id the
message carries (a redelivered message then inserts nothing), and updates by `_id` only
(FerretDB v1 uses no index for any other filter, so anything more scans the collection).
"""

from collections.abc import Sequence
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

DUPLICATE_KEY = 11000
UPDATES_PER_COMMAND = 50
"""FerretDB v1.24 holds a database connection per statement of one `update` command until the
command ends, from a pool of 100: a command of 100 or more statements waits for ever and stalls
the server. So bulk updates go in commands of at most this many statements."""


async def insert_new(collection: AsyncCollection, documents: Sequence[dict[str, Any]]) -> int:
    """Insert `documents` in one unordered bulk, skipping those whose `_id` is stored already;
    how many were new. Any other write error is raised."""
    return len(documents) - len(await insert_skipping_stored(collection, documents))


async def insert_skipping_stored(
    collection: AsyncCollection, documents: Sequence[dict[str, Any]]
) -> list[int]:
    """Insert `documents` in one unordered bulk; the positions in `documents` of those not
    inserted because their `_id` was stored already (or came earlier in `documents`), in order.
    Any other write error is raised."""
    if not documents:
        return []
    try:
        await collection.insert_many(documents, ordered=False)
    except BulkWriteError as error:
        failures = error.details.get("writeErrors", [])
        if any(failure.get("code") != DUPLICATE_KEY for failure in failures):
            raise
        return sorted(failure["index"] for failure in failures)
    return []


async def update_by_id(collection: AsyncCollection, updates: Sequence[UpdateOne]) -> int:
    """Apply updates (each selecting one `_id`) unordered, in commands small enough for FerretDB;
    how many documents they matched."""
    matched = 0
    for start in range(0, len(updates), UPDATES_PER_COMMAND):
        result = await collection.bulk_write(
            list(updates[start : start + UPDATES_PER_COMMAND]), ordered=False
        )
        matched += result.matched_count
    return matched
