"""The questions the partner was given, keyed by their reference: exactly the shared fields and the subject."""

from datetime import datetime
from typing import Any

from privacyhub.shared.contracts.partner import PartnerMessage
from privacyhub.shared.envelope import Envelope
from pymongo.asynchronous.database import AsyncDatabase

COLLECTION = "shared_questions"


class SharedQuestions:
    def __init__(self, db: AsyncDatabase) -> None:
        self._collection = db[COLLECTION]

    async def ensure_indexes(self) -> None:
        await self._collection.create_index("subject_id")

    async def keep(self, shared: Envelope[PartnerMessage]) -> None:
        """Keep a shared question; the same reference again changes nothing."""
        fields = shared.payload.model_dump()
        await self._collection.update_one(
            {"_id": fields.pop("reference")},
            {
                "$setOnInsert": {
                    **fields,
                    "subject_id": shared.subject_id,
                    "received_at": shared.occurred_at,
                }
            },
            upsert=True,
        )

    async def of_subject(self, subject_id: str) -> list[dict[str, Any]]:
        cursor = self._collection.find({"subject_id": subject_id}).sort("received_at", 1)
        return [{"reference": d.pop("_id")} | d async for d in cursor]

    async def erase(self, subject_id: str, *, references: list[str] | None) -> int:
        selection: dict[str, Any] = {"subject_id": subject_id}
        if references is not None:
            selection["_id"] = {"$in": references}
        return (await self._collection.delete_many(selection)).deleted_count

    async def update(self, subject_id: str, changes: dict[str, Any]) -> int:
        return (
            await self._collection.update_many({"subject_id": subject_id}, {"$set": changes})
        ).modified_count

    async def unset(self, subject_id: str, *, request_id: str, flag: str) -> int:
        result = await self._collection.update_many(
            {"subject_id": subject_id, f"{flag}.request_id": request_id}, {"$unset": {flag: ""}}
        )
        return result.modified_count

    @staticmethod
    def flag(request_id: str, at: datetime) -> dict[str, Any]:
        return {"since": at, "request_id": request_id}
