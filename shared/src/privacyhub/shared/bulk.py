"""Bulk reads and writes that behave the same on MongoDB and on FerretDB v1.

Hot consumers read and write a batch's documents in one round trip: inserts keyed by an id the
message carries (a redelivered message then inserts nothing), updates by `_id` only, and reads
of many `_id`s at once. FerretDB v1 uses its `_id` index only for `{_id: value}` and, in the
build deploy/local makes (`ID_IN_PUSHDOWN`), `{_id: {$in: [...]}}`; any other filter reads the
whole collection.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

DUPLICATE_KEY = 11000
IDS_PER_QUERY = 500
"""FerretDB looks up to 1,000 ids of one `$in` up on its index; more would read the collection."""
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


async def found_by_id(
    collection: AsyncCollection, ids: Iterable[Any], projection: Mapping[str, Any] | None = None
) -> dict[Any, dict[str, Any]]:
    """The stored documents among `ids`, by `_id`, read with one query per IDS_PER_QUERY ids."""
    wanted = list(dict.fromkeys(ids))
    found = {}
    for start in range(0, len(wanted), IDS_PER_QUERY):
        selection = {"_id": {"$in": wanted[start : start + IDS_PER_QUERY]}}
        async for document in collection.find(selection, projection=projection):
            found[document["_id"]] = document
    return found


async def update_all_by_id(
    collection: AsyncCollection, ids: Iterable[Any], update: Mapping[str, Any]
) -> int:
    """Apply `update` to every stored document among `ids`, one command per IDS_PER_QUERY ids;
    how many documents matched."""
    wanted = list(dict.fromkeys(ids))
    matched = 0
    for start in range(0, len(wanted), IDS_PER_QUERY):
        selection = {"_id": {"$in": wanted[start : start + IDS_PER_QUERY]}}
        matched += (await collection.update_many(selection, update)).matched_count
    return matched
