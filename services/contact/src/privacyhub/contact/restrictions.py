"""Restrictions of processing (Art. 18) of contact-form subjects, one document per restricted subject.

A restriction holds for the subject until lifted, so the consumer of contact messages looks up
the restriction of each subject in a batch (by `_id`, the subject id) and writes a message of a
restricted subject with the restriction already on it (intake.py): no read finds it unflagged.
Only the restrict, lift, erase and rectify subject commands write here, never the consumer, so
the two never write the same document (FerretDB v1 rewrites a document whole on update, so one
of two concurrent writers would be lost).
"""

from collections.abc import Iterable
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

RESTRICTIONS = "subject_restrictions"


class Restrictions:
    def __init__(self, db: AsyncDatabase) -> None:
        self._collection = db[RESTRICTIONS]

    async def place(self, subject_id: str, restriction: dict[str, Any]) -> None:
        """Restrict the subject (`restriction`: since, request_id); a later restriction replaces
        an earlier one, as it does on the subject's messages."""
        await self._collection.update_one({"_id": subject_id}, {"$set": restriction}, upsert=True)

    async def lift(self, subject_id: str, *, restricted_by: str) -> bool:
        """End the subject's restriction if `restricted_by` placed it; whether it ended."""
        held = await self._collection.find_one({"_id": subject_id})
        if held is None or held.get("request_id") != restricted_by:
            return False
        await self._collection.delete_one({"_id": subject_id})
        return True

    async def of(self, subject_id: str) -> dict[str, Any] | None:
        """The subject's restriction (since, request_id), or None."""
        return (await self.of_all([subject_id])).get(subject_id)

    async def of_all(self, subject_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The restriction (since, request_id) of each restricted subject among `subject_ids`.

        One query for them all: FerretDB v1 reads the whole collection for an `$in`, but only
        restricted subjects are in it, a handful beside the messages of a batch."""
        wanted = list(set(subject_ids))
        if not wanted:
            return {}
        return {
            document.pop("_id"): document
            async for document in self._collection.find({"_id": {"$in": wanted}})
        }

    async def erase(self, subject_id: str) -> None:
        await self._collection.delete_one({"_id": subject_id})
