"""Restrictions of processing (Art. 18) of website visitors, one document per restricted visitor.

A restriction lives apart from the choice in force, so that the copy consuming a visitor's
choices and a rights request restricting the visitor never write the same document (FerretDB v1
rewrites a document whole on update, so one of two concurrent writers would be lost).
"""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from privacyhub.shared.bulk import found_by_id
from pymongo.asynchronous.database import AsyncDatabase

RESTRICTIONS = "visitor_restrictions"


class Restrictions:
    def __init__(self, db: AsyncDatabase) -> None:
        self._collection = db[RESTRICTIONS]

    async def place(self, visitor_ids: Sequence[str], *, since: datetime, request_id: str) -> int:
        """Restrict the visitors not restricted yet; how many were newly restricted."""
        placed = 0
        for visitor_id in visitor_ids:
            result = await self._collection.update_one(
                {"_id": visitor_id},
                {"$setOnInsert": {"since": since, "request_id": request_id}},
                upsert=True,
            )
            placed += result.upserted_id is not None
        return placed

    async def lift(self, visitor_ids: Sequence[str], *, restricted_by: str) -> list[str]:
        """End the restrictions `restricted_by` placed; the visitors whose restriction ended."""
        lifted = []
        for visitor_id in visitor_ids:
            held = await self._collection.find_one({"_id": visitor_id})
            if held is not None and held["request_id"] == restricted_by:
                await self._collection.delete_one({"_id": visitor_id})
                lifted.append(visitor_id)
        return lifted

    async def of(self, visitor_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The restriction of each restricted visitor among `visitor_ids`."""
        return await found_by_id(self._collection, visitor_ids)

    async def restricted_among(self, wanted: Callable[[str], bool]) -> set[str]:
        """Every restricted visitor `wanted` accepts, read in one pass."""
        return {
            document["_id"]
            async for document in self._collection.find({}, projection={"_id": 1})
            if wanted(document["_id"])
        }

    async def erase(self, visitor_ids: Sequence[str]) -> None:
        for visitor_id in visitor_ids:
            await self._collection.delete_one({"_id": visitor_id})
