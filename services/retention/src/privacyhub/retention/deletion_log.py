"""Proof of deletion: every erase command the sweeps send, and each owner's receipt for it.

Neither holds personal data: a hash of the subject id (none for a period erased across a
category), the category, the rule, the cutoff, counts and times. A receipt is matched to its
command by the correlation id, which is the command's id.
"""

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from privacyhub.retention.records import subject_hash
from privacyhub.shared.contracts.pages import Page
from privacyhub.shared.contracts.retention import (
    DeletionLogEntry,
    DeletionLogLookup,
    ExpiredRecordsErased,
)
from privacyhub.shared.contracts.subject import Category, Receipt, SubjectDataErased
from privacyhub.shared.pages import page_of
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

ERASURE_REQUESTS = "erasure_requests"
DELETION_LOG = "deletion_log"

DUPLICATE_KEY = 11000


@dataclass(frozen=True)
class ErasureRequest:
    """What one erase command asked of the owners."""

    command_id: UUID
    subject_id: str
    category: Category
    rule: str
    records: int
    requested_at: datetime

    def document(self) -> dict[str, Any]:
        return {
            "_id": str(self.command_id),
            "subject_hash": subject_hash(self.subject_id),
            "category": self.category,
            "rule": self.rule,
            "records": self.records,
            "requested_at": self.requested_at,
        }


class ErasureRequests:
    def __init__(self, db: AsyncDatabase) -> None:
        self._collection = db[ERASURE_REQUESTS]

    async def record(self, requests: list[ErasureRequest]) -> None:
        """Keep the requests before their commands go out, so no receipt can come first."""
        if not requests:
            return
        try:
            await self._collection.insert_many([r.document() for r in requests], ordered=False)
        except BulkWriteError as error:
            # A resumed sweep sends the same commands again, under the same ids.
            if any(e["code"] != DUPLICATE_KEY for e in error.details["writeErrors"]):
                raise

    async def get(self, command_id: UUID) -> dict[str, Any] | None:
        return await self._collection.find_one({"_id": str(command_id)})

    async def erase_requested_before(
        self, cutoff: datetime, *, held_hashes: list[str]
    ) -> tuple[int, int]:
        """Delete the requests made before `cutoff`, except the held subjects'; how many went and were kept."""
        return await _erase_before(self._collection, "requested_at", cutoff, held_hashes)


async def _erase_before(
    collection: Any, moment: str, cutoff: datetime, held_hashes: list[str]
) -> tuple[int, int]:
    expired = {moment: {"$lt": cutoff}}
    kept = await collection.count_documents({**expired, "subject_hash": {"$in": held_hashes}})
    erased = await collection.delete_many({**expired, "subject_hash": {"$nin": held_hashes}})
    return erased.deleted_count, kept


def logged(
    request: dict[str, Any], receipt: Receipt | ExpiredRecordsErased, logged_at: datetime
) -> DeletionLogEntry:
    """The log entry of an owner's receipt for a command this service sent (`request`): an erase
    command names the subject and how many records, an expiry command the cutoff."""
    return DeletionLogEntry(
        subject_hash=request.get("subject_hash"),
        category=receipt.category,
        rule=request["rule"],
        requested=request.get("records"),
        cutoff=request.get("cutoff"),
        count=receipt.erased,
        kept_under_hold=receipt.kept_under_hold,
        owner=receipt.owner,
        command_id=UUID(request["_id"]),
        requested_at=request["requested_at"],
        erased_at=receipt.erased_at,
        logged_at=logged_at,
    )


class DeletionLog:
    def __init__(self, db: AsyncDatabase) -> None:
        self._collection = db[DELETION_LOG]

    async def ensure_indexes(self) -> None:
        await self._collection.create_index("subject_hash")
        await self._collection.create_index("logged_at")

    async def erase_logged_before(
        self, cutoff: datetime, *, held_hashes: list[str]
    ) -> tuple[int, int]:
        """Delete the entries logged before `cutoff`, except the held subjects'; how many went and were kept.

        An entry is logged when the owner's receipt for the deletion arrives, on this service's
        clock, the one its cutoffs come from; the owner's `erased_at` is on the owner's clock.
        """
        return await _erase_before(self._collection, "logged_at", cutoff, held_hashes)

    async def record_receipts(
        self, request: dict[str, Any], answer: SubjectDataErased, *, logged_at: datetime
    ) -> None:
        """Log each receipt for the category the command asked for, once."""
        for receipt in answer.receipts:
            if receipt.category == request["category"]:
                await self._keep(logged(request, receipt, logged_at))

    async def record_expiry(
        self, request: dict[str, Any], receipt: ExpiredRecordsErased, *, logged_at: datetime
    ) -> None:
        """Log an owner's receipt for an expiry command, once."""
        await self._keep(logged(request, receipt, logged_at))

    async def _keep(self, entry: DeletionLogEntry) -> None:
        command_id = str(entry.command_id)
        key = f"{command_id}:{entry.owner}:{entry.category}"
        document = entry.model_dump(exclude_none=True) | {"_id": key, "command_id": command_id}
        with suppress(DuplicateKeyError):
            await self._collection.insert_one(document)

    async def page(self, lookup: DeletionLogLookup) -> Page[DeletionLogEntry]:
        """A page of one person's entries, or everyone's; latest first."""
        selection = (
            {} if lookup.subject_id is None else {"subject_hash": subject_hash(lookup.subject_id)}
        )
        documents, following = await page_of(
            self._collection, selection, order=["logged_at"], page=lookup, latest_first=True
        )
        return Page[DeletionLogEntry](
            items=[DeletionLogEntry.model_validate(document) for document in documents],
            next=following,
        )
