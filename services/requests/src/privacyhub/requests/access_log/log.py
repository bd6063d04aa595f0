"""The staff access log (statement §5): every staff read of personal data the gateway announced.

Entries are kept by event id, so a redelivered read is stored once (handlers.py). A privacy
officer lists a person's entries through the gateway (queries.py), and an access request's
package includes them.
"""

from datetime import datetime
from typing import Any

from privacyhub.shared.contracts.access_log import (
    AccessLogEntry,
    AccessLogLookup,
    StaffDataRead,
)
from privacyhub.shared.contracts.pages import Page
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.expiry import erase_before_except_held
from privacyhub.shared.pages import page_of
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

COLLECTION = "staff_access_log"


class StaffAccessLog:
    def __init__(self, db: AsyncDatabase) -> None:
        self._collection = db[COLLECTION]

    async def ensure_indexes(self) -> None:
        await self._collection.create_index([("subject_id", ASCENDING), ("read_at", ASCENDING)])

    async def keep(self, envelope: Envelope[StaffDataRead]) -> None:
        """Store one read under its event id; storing it again changes nothing."""
        entry = {"subject_id": envelope.subject_id, **envelope.payload.model_dump()}
        try:
            await self._collection.insert_one({"_id": str(envelope.event_id), **entry})
        except DuplicateKeyError:
            pass  # a redelivery of a read already kept

    async def erase_read_before(self, cutoff: datetime, *, held: list[str]) -> tuple[int, int]:
        """Delete the reads made before `cutoff`, except of the `held` subjects; how many went and were kept."""
        return await erase_before_except_held(self._collection, "read_at", cutoff, held=held)

    async def entries(self, subject_id: str) -> list[AccessLogEntry]:
        """Every read of the subject's data, oldest first."""
        cursor = self._collection.find({"subject_id": subject_id}).sort("read_at", ASCENDING)
        return [AccessLogEntry.model_validate(document) async for document in cursor]

    async def page(self, lookup: AccessLogLookup) -> Page[AccessLogEntry]:
        """A page of the subject's reads, oldest first."""
        documents, following = await page_of(
            self._collection, {"subject_id": lookup.subject_id}, order=["read_at"], page=lookup
        )
        return Page[AccessLogEntry](
            items=[AccessLogEntry.model_validate(document) for document in documents],
            next=following,
        )

    async def exported(self, subject_id: str) -> list[dict[str, Any]]:
        """The subject's entries as JSON, for an access package."""
        return [entry.model_dump(mode="json") for entry in await self.entries(subject_id)]
