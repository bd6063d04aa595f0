"""Legal holds over what the consent service keeps of a visitor (statement §4; Art. 17(3)(b), (e)).

An erasure or a withdrawal for a rights request keeps a category of a visitor that a hold in force
covers: a hold on the person the request is about, on the visitor (the only name this service knows
a visitor by), or on the whole category. The answer says what was kept and why, and the service
notes it. The retention service's periodic expiry commands name the subjects and visitors a hold
still keeps; an expiry of the category that names neither the noted visitor nor the person erases
what was kept, and its receipt (so the deletion log) counts it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from privacyhub.shared.legal_holds import HeldData
from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

KEPT_ERASURES = "erasures_kept_under_hold"

ConsentCategory = Literal["consents", "visit_records"]
# The register's name for what expires of each category, as the retention service's commands say.
EXPIRING_AS: dict[ConsentCategory, str] = {
    "consents": "consent_proofs",
    "visit_records": "visit_records",
}


@dataclass(frozen=True)
class HeldApart:
    """A rights request's visitors in one category: those to erase now and those a hold keeps."""

    erase: list[str]
    kept: list[str]
    reasons: list[str]


async def hold_apart(
    held: HeldData,
    subject_id: str,
    visitor_ids: Sequence[str],
    category: ConsentCategory,
    now: datetime,
) -> HeldApart:
    erase, kept, reasons = [], [], set()
    for visitor_id in visitor_ids:
        why = await held.reasons(subject_id, category, now, visitor_id=visitor_id)
        (kept if why else erase).append(visitor_id)
        reasons.update(why)
    return HeldApart(erase, kept, sorted(reasons))


class KeptErasures:
    """The erasures a hold postponed, until an expiry finds neither visitor nor person held."""

    def __init__(self, db: AsyncDatabase) -> None:
        self._collection = db[KEPT_ERASURES]

    async def settle(
        self, subject_id: str, apart: HeldApart, category: ConsentCategory, at: datetime
    ) -> None:
        """Note what a hold kept of an erasure; what it erased needs no note any more."""
        if apart.erase:
            await self.erased([category], apart.erase)
        if not apart.kept:
            return
        await self._collection.bulk_write(
            [
                UpdateOne(
                    {"_id": f"{category}:{visitor_id}"},
                    {
                        "$setOnInsert": {
                            "category": category,
                            "visitor_id": visitor_id,
                            "subject_id": subject_id,
                            "kept_at": at,
                        }
                    },
                    upsert=True,
                )
                for visitor_id in apart.kept
            ],
            ordered=False,
        )

    async def released(self, expiring: str, held: Sequence[str]) -> list[str]:
        """The visitors whose kept data of the expiring category no hold in `held` keeps now."""
        cursor = self._collection.find(
            {
                "category": {"$in": kept_as(expiring)},
                "visitor_id": {"$nin": list(held)},
                "subject_id": {"$nin": list(held)},
            },
            projection={"visitor_id": 1},
        )
        return sorted({document["visitor_id"] async for document in cursor})

    async def erased(
        self, categories: Sequence[ConsentCategory], visitor_ids: Sequence[str]
    ) -> None:
        """What was kept of these visitors in these categories is gone now."""
        await self._collection.delete_many(
            {"category": {"$in": list(categories)}, "visitor_id": {"$in": list(visitor_ids)}}
        )


def kept_as(expiring: str) -> list[ConsentCategory]:
    """The categories an erasure kept that the expiry of `expiring` releases."""
    return [category for category, name in EXPIRING_AS.items() if name == expiring]
