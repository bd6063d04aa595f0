"""Requests leaving the store: the person's fields dropped after their erasure, and whole requests
whose retention period ended (execution_store.py takes their packages, exports and alerts along
and decides when the subject's data key goes)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from privacyhub.requests.rights.requests_store.documents import (
    CARRYING_OUT,
    PERSONAL_FIELDS,
    StoreBase,
)
from privacyhub.shared.contracts.rights import Channel, Status


@dataclass(frozen=True)
class Expired:
    """The requests a retention period ended, but the held subjects': each as (request id,
    subject id), how many a hold kept, and the selection a deletion checks again."""

    requests: list[tuple[str, str]]
    kept: int
    selection: dict[str, Any]


class Erasure(StoreBase):
    async def drop_personal_fields(self, subject_id: str, *, at: datetime) -> None:
        """Drop the personal fields of the subject's closed (decided or completed) requests."""
        await self._collection.update_many(
            {
                "subject_id": subject_id,
                "status": {"$in": [Status.DECIDED.value, Status.COMPLETED.value]},
            },
            {
                "$unset": {field: "" for field in PERSONAL_FIELDS},
                "$set": {"personal_data_dropped_at": at},
            },
        )

    async def carrying_out_of(self, subject_id: str) -> list[str]:
        """The ids of the subject's requests the owners are still carrying out."""
        return [
            request["_id"]
            async for request in self._collection.find(
                {"subject_id": subject_id, "status": {"$in": CARRYING_OUT}}, projection={"_id": 1}
            )
        ]

    async def holds_personal_data(self, subject_id: str) -> bool:
        """Whether a request of the subject still keeps a personal field (under the subject's key)."""
        still_personal = {"$or": [{field: {"$exists": True}} for field in PERSONAL_FIELDS]}
        found = await self._collection.find_one(
            {"subject_id": subject_id, **still_personal}, {"_id": 1}
        )
        return found is not None

    async def completed_before(self, cutoff: datetime, *, held: list[str]) -> Expired:
        """The requests completed or refused before `cutoff`, except the `held` subjects'."""
        expired = {
            "$or": [
                {"status": Status.COMPLETED.value, "completed_at": {"$lt": cutoff}},
                {"status": Status.DECIDED.value, "decision.decided_at": {"$lt": cutoff}},
            ]
        }
        return await self._expired(expired, held=held)

    async def unverified_before(self, cutoff: datetime, *, held: list[str]) -> Expired:
        """The web requests received before `cutoff` that nobody verified (awaiting their code, or
        locked after too many wrong ones), except the `held` subjects'."""
        unverified = [Status.AWAITING_VERIFICATION.value, Status.VERIFICATION_LOCKED.value]
        expired = {
            "status": {"$in": unverified},
            "channel": Channel.WEB.value,  # a letter or e-mail waits for the officer, not a code
            "received_at": {"$lt": cutoff},
        }
        return await self._expired(expired, held=held)

    async def _expired(self, expired: dict[str, Any], *, held: list[str]) -> Expired:
        kept = await self._collection.count_documents({**expired, "subject_id": {"$in": held}})
        due = {**expired, "subject_id": {"$nin": held}}
        # Read first, then delete: no cursor stays open over the documents being deleted.
        found = await self._collection.find(due, projection={"subject_id": 1}).to_list()
        return Expired(
            requests=[(request["_id"], request["subject_id"]) for request in found],
            kept=kept,
            selection=due,
        )

    async def delete_expired(self, expired: Expired, request_id: str) -> int:
        """Delete one of the `expired` requests whole, if it still is one; how many went (0 or 1)."""
        deleted = await self._collection.delete_one({"_id": request_id, **expired.selection})
        return deleted.deleted_count
