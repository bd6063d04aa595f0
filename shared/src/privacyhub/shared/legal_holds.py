"""A data owner's copy of the legal holds in force, so an erasure for a rights request keeps what they cover.

Holds belong to the retention service, which announces each one placed and lifted on RETENTION_HOLDS
(and every hold in force again when it starts). An owner keeps the scope, reason and end of each
(Art. 17(3)(b) and (e): data still needed to comply with a legal obligation or for a legal claim stays),
and drops a hold once it is lifted or its end has passed. Erasures by a retention rule do not look
here: the retention service checks its holds before it sends them.
"""

from datetime import datetime
from typing import Any

from privacyhub.shared.contracts.retention import (
    LEGAL_HOLD_LIFTED,
    LEGAL_HOLD_PLACED,
    HeldCategory,
    LegalHoldLifted,
    LegalHoldPlaced,
)
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.service import Handler
from pymongo.asynchronous.database import AsyncDatabase

LEGAL_HOLDS = "legal_holds"


class HeldData:
    """The holds in force as this owner learned them."""

    def __init__(self, db: AsyncDatabase) -> None:
        self._collection = db[LEGAL_HOLDS]

    async def placed(self, hold: LegalHoldPlaced) -> None:
        # Announced again at every start of the retention service: the first copy stays.
        await self._collection.update_one(
            {"_id": hold.hold_id},
            {"$setOnInsert": hold.model_dump(exclude={"hold_id"}, exclude_none=True)},
            upsert=True,
        )

    async def lifted(self, lifting: LegalHoldLifted) -> None:
        await self._collection.delete_one({"_id": lifting.hold_id})

    async def reasons(
        self,
        subject_id: str,
        category: HeldCategory,
        now: datetime,
        *,
        visitor_id: str | None = None,
    ) -> list[str]:
        """Why the subject's (or, of consents and visits, the visitor's) data of `category` must
        be kept; empty when no hold in force covers it."""
        await self._collection.delete_many({"ends_at": {"$lte": now}})
        return sorted(
            {
                hold["reason"]
                async for hold in self._collection.find()
                if _covers(hold, subject_id, visitor_id, category)
            }
        )


# A hold on consents keeps the proofs of them, which is how the register names what expires.
_SAME_DATA = {"consents": "consent_proofs", "consent_proofs": "consents"}


def _covers(
    hold: dict[str, Any], subject_id: str, visitor_id: str | None, category: HeldCategory
) -> bool:
    held_subject, held_visitor = hold.get("subject_id"), hold.get("visitor_id")
    whom = (
        (held_subject is None and held_visitor is None)
        or held_subject == subject_id
        or (held_visitor is not None and held_visitor == visitor_id)
    )
    return whom and hold.get("category") in (None, category, _SAME_DATA.get(category))


def legal_hold_handlers(held: HeldData) -> dict[str, Handler]:
    """An owner's handlers of the retention service's hold announcements, for its handler table
    (`ServiceRuntime.handle`): they keep its copy of the holds in `held`. Both are idempotent,
    so no event needs remembering."""

    async def keep_hold(envelope: Envelope[LegalHoldPlaced]) -> None:
        """Keep a hold placed (again at every start of the retention service: the first copy stays)."""
        await held.placed(envelope.payload)

    async def drop_hold(envelope: Envelope[LegalHoldLifted]) -> None:
        """Drop a hold lifted."""
        await held.lifted(envelope.payload)

    return {LEGAL_HOLD_PLACED: keep_hold, LEGAL_HOLD_LIFTED: drop_hold}
