"""The breach register (GDPR Art. 33(5)): each suspected breach, its 72-hour deadline and the decision on it.

Art. 33(1) gives 72 hours from becoming aware of a breach to notify the Autoriteit
Persoonsgegevens; a privacy officer records whether it is notified and why, once.
"""

from datetime import datetime, timedelta
from typing import Any

from privacyhub.shared.contracts.complaints import (
    BreachDecision,
    BreachEntry,
    BreachStatus,
    RecordBreachDecision,
)
from privacyhub.shared.contracts.pages import Page, PageRequest
from privacyhub.shared.pages import page_of
from privacyhub.shared.queries import (
    Refusal,
)
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

COLLECTION = "breach_register"
NOTIFICATION_WINDOW = timedelta(hours=72)


def notify_deadline(reported_at: datetime) -> datetime:
    return reported_at + NOTIFICATION_WINDOW


def is_overdue(*, deadline: datetime, decided_at: datetime | None, now: datetime) -> bool:
    """No decision is recorded and the deadline has passed."""
    return decided_at is None and now > deadline


def was_decided_late(*, deadline: datetime, decided_at: datetime | None) -> bool:
    return decided_at is not None and decided_at > deadline


def register_entry(document: dict[str, Any], *, now: datetime) -> BreachEntry:
    """A stored entry as the register shows it at `now`."""
    decision = (
        BreachDecision.model_validate(document["decision"]) if document.get("decision") else None
    )
    decided_at = decision.decided_at if decision else None
    deadline = notify_deadline(document["reported_at"])
    return BreachEntry(
        id=document["_id"],
        complaint_reference=document["complaint_reference"],
        reported_at=document["reported_at"],
        notify_deadline=deadline,
        status=BreachStatus.DECIDED if decision else BreachStatus.AWAITING_DECISION,
        decision=decision,
        overdue=is_overdue(deadline=deadline, decided_at=decided_at, now=now),
        decided_late=was_decided_late(deadline=deadline, decided_at=decided_at),
    )


class BreachRegister:
    """Register entries keyed by breach id; an entry holds no personal data, its complaint does."""

    def __init__(self, db: AsyncDatabase) -> None:
        self._collection = db[COLLECTION]

    async def ensure_indexes(self) -> None:
        await self._collection.create_index("complaint_reference", unique=True)

    async def open(
        self, *, breach_id: str, complaint_reference: str, reported_at: datetime
    ) -> None:
        """Open the entry; opening it again changes nothing."""
        await self._collection.update_one(
            {"_id": breach_id},
            {
                "$setOnInsert": {
                    "complaint_reference": complaint_reference,
                    "reported_at": reported_at,
                }
            },
            upsert=True,
        )

    async def erase_decided_before(self, cutoff: datetime) -> int:
        """Delete the entries whose decision was recorded before `cutoff`; how many went.

        An undecided entry stays however old it is: its period starts with the decision. No
        entry names a person, so no hold on a subject keeps one; a hold on the whole register
        stops the command before it is sent.
        """
        erased = await self._collection.delete_many({"decision.decided_at": {"$lt": cutoff}})
        return erased.deleted_count

    async def entries(self, page: PageRequest, *, now: datetime) -> Page[BreachEntry]:
        """A page of the entries, oldest report first."""
        documents, following = await page_of(self._collection, {}, order=["reported_at"], page=page)
        return Page[BreachEntry](
            items=[register_entry(document, now=now) for document in documents], next=following
        )

    async def decide(self, command: RecordBreachDecision, *, at: datetime) -> BreachEntry | None:
        """Record the decision unless one is recorded and return the entry; None when there is none.

        The update applies only to an undecided entry, so a redelivered command finds its
        own decision recorded and is answered as applied, while a second one is refused
        (`already_decided`).
        """
        decision = BreachDecision(
            **command.model_dump(include=set(BreachDecision.model_fields)), decided_at=at
        )
        recorded = {
            **decision.model_dump(exclude_none=True),
            "command_id": str(command.command_id),
        }
        # The decided entry comes back from the update itself, so an expiry that erases it right
        # after the decision cannot turn the answer into "not found".
        document = await self._collection.find_one_and_update(
            {"_id": command.breach_id, "decision": {"$exists": False}},
            {"$set": {"decision": recorded}},
            return_document=ReturnDocument.AFTER,
        ) or await self._collection.find_one({"_id": command.breach_id})
        if document is None:
            return None
        if document["decision"]["command_id"] != str(command.command_id):
            raise Refusal("already_decided", "A decision on this breach is already recorded.")
        return register_entry(document, now=at)
