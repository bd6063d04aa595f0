"""The reads over many requests: the officer's queue, what alerts are written from, a subject's history."""

from datetime import date
from typing import Any

from privacyhub.requests.rights.requests_store.documents import (
    ALERT_FIELDS,
    PERSONAL_FIELDS,
    UNDECIDED,
    RightsRequestDocument,
    StoreBase,
    decrypted,
    open_statuses,
)
from privacyhub.shared.contracts.pages import PageRequest
from privacyhub.shared.contracts.rights import Status
from privacyhub.shared.pages import page_of
from pymongo import ASCENDING


class Reads(StoreBase):
    async def escalated(self) -> list[dict[str, Any]]:
        """The escalated requests, with only what an alert to the officer is written from."""
        selection = {"status": Status.ESCALATED.value}
        return await self._collection.find(selection, projection=ALERT_FIELDS).to_list()

    async def undecided_due_by(self, last_due_date: date) -> list[dict[str, Any]]:
        """The requests without a decision due on or before `last_due_date`, with only what an
        alert to the officer is written from."""
        selection = {"status": {"$in": UNDECIDED}, "due_date": {"$lte": last_due_date.isoformat()}}
        return await self._collection.find(selection, projection=ALERT_FIELDS).to_list()

    async def queue(
        self, *, status: Status | None, due_before: date | None, page: PageRequest
    ) -> tuple[list[RightsRequestDocument], str | None]:
        """One page of requests by due date, earliest first: the open ones, or those with
        `status`; and the cursor of the next page."""
        query: dict[str, Any] = {"status": status.value if status else open_statuses()}
        if due_before is not None:
            query["due_date"] = {"$lt": due_before.isoformat()}
        return await page_of(
            self._collection,
            query,
            order=["due_date", "received_at"],
            page=page,
            projection={**{field: 0 for field in PERSONAL_FIELDS}, "access_token_sha256": 0},
        )

    async def history(self, subject_id: str) -> list[RightsRequestDocument]:
        """Every request of the subject, oldest first, decrypted (for their export package)."""
        cursor = self._collection.find({"subject_id": subject_id}).sort("received_at", ASCENDING)
        return [await decrypted(self._cipher, document) async for document in cursor]
