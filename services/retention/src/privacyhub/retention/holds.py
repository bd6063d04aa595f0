"""Legal holds: a legal retention period keeps data for that purpose only, until it ends (statement §4).

Holds are checked by the sweep: a due record under an active hold is passed over, and is
due again as soon as the hold is lifted or its end date passes.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from privacyhub.shared.contracts.retention import (
    HoldStatus,
    LegalHoldView,
    LiftLegalHold,
    PlaceLegalHold,
)
from privacyhub.shared.contracts.subject import Category
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

LEGAL_HOLDS = "legal_holds"


@dataclass(frozen=True)
class HoldScope:
    """What an active hold keeps: one subject's data, one category, or one category of one subject."""

    subject_id: str | None
    category: Category | None

    def covers(self, subject_id: str, category: Category) -> bool:
        return self.subject_id in (None, subject_id) and self.category in (None, category)


def is_held(subject_id: str, category: Category, scopes: list[HoldScope]) -> bool:
    return any(scope.covers(subject_id, category) for scope in scopes)


def hold_status(document: dict[str, Any], now: datetime) -> HoldStatus:
    if "lifted_at" in document:
        return "lifted"
    return "active" if document["ends_at"] > now else "ended"


class LegalHolds:
    def __init__(self, db: AsyncDatabase) -> None:
        self._collection = db[LEGAL_HOLDS]

    async def place(self, hold: PlaceLegalHold) -> None:
        try:
            await self._collection.insert_one(
                {"_id": hold.hold_id, **hold.model_dump(exclude={"hold_id"}, exclude_none=True)}
            )
        except DuplicateKeyError:
            pass  # the command was delivered again; the first placement stays

    async def lift(self, lifting: LiftLegalHold) -> bool:
        """End the hold now; False when there is no such hold, or it was lifted already."""
        lifted = await self._collection.update_one(
            {"_id": lifting.hold_id, "lifted_at": {"$exists": False}},
            {"$set": {"lifted_by": lifting.lifted_by, "lifted_at": lifting.lifted_at}},
        )
        return lifted.modified_count == 1

    async def active_scopes(self, now: datetime) -> list[HoldScope]:
        cursor = self._collection.find({"lifted_at": {"$exists": False}, "ends_at": {"$gt": now}})
        return [HoldScope(d.get("subject_id"), d.get("category")) async for d in cursor]

    async def all(self, now: datetime) -> list[LegalHoldView]:
        """Every hold, latest placed first."""
        cursor = self._collection.find().sort("placed_at", -1)
        return [
            LegalHoldView(hold_id=d.pop("_id"), status=hold_status(d, now), **d)
            async for d in cursor
        ]

    async def forget_ended_before(self, moment: datetime) -> None:
        """Holds lifted or ended before `moment` have kept nothing for a while; they go."""
        await self._collection.delete_many(
            {"$or": [{"lifted_at": {"$lt": moment}}, {"ends_at": {"$lt": moment}}]}
        )
