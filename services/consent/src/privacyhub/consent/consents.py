"""Consent choices with their proof: every choice kept in the history, the latest one in force.

There are no multi-document transactions, so each write is one keyed, atomic
single-document operation: a history document per consent id, and a current
document per visitor that only a later choice replaces.
"""

from datetime import datetime
from typing import Any

from privacyhub.shared.contracts.consent import (
    ConsentGiven,
    ConsentRecord,
    CurrentConsent,
    Purposes,
    VisitorConsents,
)
from privacyhub.shared.contracts.statement import StatementVersion
from privacyhub.shared.envelope import utc_now
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

HISTORY = "consent_history"
CURRENT = "current_consents"


class Consents:
    def __init__(self, db: AsyncDatabase) -> None:
        self._history = db[HISTORY]
        self._current = db[CURRENT]

    async def ensure_indexes(self) -> None:
        await self._history.create_index([("visitor_id", ASCENDING), ("given_at", DESCENDING)])
        await self._current.create_index("statement_version")

    async def record(self, choice: ConsentGiven, statement: StatementVersion) -> None:
        """Keep the choice with its proof; recording the same consent id again changes nothing."""
        proof = {
            "consent_id": choice.consent_id,
            "visitor_id": choice.visitor_id,
            "purposes": choice.purposes.model_dump(),
            "statement_version": statement.version,
            "statement_sha256": statement.sha256,
            "source": choice.source.value,
            "given_at": choice.given_at,
            "recorded_at": utc_now(),
        }
        await self._history.update_one(
            {"_id": choice.consent_id}, {"$setOnInsert": proof}, upsert=True
        )
        await self._make_current(proof)

    async def _make_current(self, proof: dict[str, Any]) -> None:
        current = {**proof, "needs_renewal": False, "renewal_version": None}
        try:
            await self._current.update_one(
                {"_id": proof["visitor_id"], "given_at": {"$lt": proof["given_at"]}},
                {"$set": current},
                upsert=True,
            )
        except DuplicateKeyError:
            pass  # the visitor's current choice is this one or a later one: it stays

    async def mark_needing_renewal(self, versions: list[str], renewal_version: str) -> int:
        """Consents in force that were given under `versions` need renewal under `renewal_version`; how many."""
        if not versions:
            return 0
        result = await self._current.update_many(
            {"statement_version": {"$in": versions}},
            {"$set": {"needs_renewal": True, "renewal_version": renewal_version}},
        )
        return result.modified_count

    async def history(self, visitor_id: str) -> VisitorConsents | None:
        """The choice in force and every choice, oldest first; None for a visitor who never chose."""
        current = await self._current.find_one({"_id": visitor_id})
        if current is None:
            return None
        cursor = self._history.find({"visitor_id": visitor_id}).sort("given_at", ASCENDING)
        return VisitorConsents(
            visitor_id=visitor_id,
            current=CurrentConsent.model_validate(current),
            history=[ConsentRecord.model_validate(document) async for document in cursor],
        )

    async def purposes_at(self, visitor_id: str, moment: datetime) -> Purposes:
        """The purposes in force at `moment`: the latest choice made at or before it, else only necessary."""
        latest = await self._history.find_one(
            {"visitor_id": visitor_id, "given_at": {"$lte": moment}},
            sort=[("given_at", DESCENDING)],
            projection={"purposes": 1},
        )
        return Purposes.model_validate(latest["purposes"]) if latest else Purposes.only_necessary()

    async def restricted(self, visitor_id: str) -> bool:
        """True while a restriction of processing (Art. 18) flags the visitor's consent in force."""
        flagged = await self._current.find_one(
            {"_id": visitor_id, "restriction": {"$exists": True}}, projection={"_id": 1}
        )
        return flagged is not None

    async def next_choice_after(self, visitor_id: str, moment: datetime) -> datetime | None:
        """When the visitor next chose after `moment`, if they did."""
        later = await self._history.find_one(
            {"visitor_id": visitor_id, "given_at": {"$gt": moment}},
            sort=[("given_at", ASCENDING)],
            projection={"given_at": 1},
        )
        return later["given_at"] if later else None
