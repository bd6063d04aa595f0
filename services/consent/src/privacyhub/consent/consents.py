"""Consent choices with their proof: every choice kept in the history, the latest one in force.

There are no multi-document transactions, so each write is one keyed, atomic
single-document operation: a history document per consent id, and a current
document per visitor that only a later choice replaces. The copy of the service that consumes a
visitor's choices knows which of them is the latest (visitor_state.py), so it writes a batch of
choices with one insert of history documents and one bulk of updates by visitor id.

The choice itself (`purposes`) and where it was made (`source`) describe the visitor, so they
are encrypted under the visitor's data key (shared/crypto.py; the visitor id is the subject).
The ids stay clear for lookups, the moments for ordering choices in time, and the statement
version and its hash name our published text, the same for every visitor, and are what a
material change marks for renewal. Every read here returns the personal fields decrypted; a
choice whose key is gone (its visitor was erased while it was written) reads as erased.
"""

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from privacyhub.shared.bulk import found_by_id, insert_new, update_by_id
from privacyhub.shared.contracts.consent import (
    ConsentGiven,
    ConsentRecord,
    CurrentConsent,
    Purposes,
    VisitorConsents,
)
from privacyhub.shared.contracts.statement import StatementVersion
from privacyhub.shared.crypto import FieldCipher, SubjectKeys
from privacyhub.shared.envelope import utc_now
from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

HISTORY = "consent_history"
CURRENT = "current_consents"
PERSONAL_FIELDS = ("purposes", "source")
IN_FORCE_FIELDS = {"visitor_id": 1, "purposes": 1, "given_at": 1}


def proof_of(choice: ConsentGiven, statement: StatementVersion) -> dict[str, Any]:
    """The stored proof of a choice, personal fields still in clear."""
    return {
        "consent_id": choice.consent_id,
        "visitor_id": choice.visitor_id,
        "purposes": choice.purposes.model_dump(),
        "statement_version": statement.version,
        "statement_sha256": statement.sha256,
        "source": choice.source.value,
        "given_at": choice.given_at,
        "recorded_at": utc_now(),
    }


class Consents:
    def __init__(self, db: AsyncDatabase, keys: SubjectKeys) -> None:
        self._history = db[HISTORY]
        self._current = db[CURRENT]
        self._cipher = FieldCipher(keys, PERSONAL_FIELDS)

    async def ensure_indexes(self) -> None:
        await self._history.create_index([("visitor_id", ASCENDING), ("given_at", DESCENDING)])
        await self._current.create_index("statement_version")

    async def record(self, choice: ConsentGiven, statement: StatementVersion) -> None:
        """Keep the choice with its proof; recording the same consent id again changes nothing."""
        proof = proof_of(choice, statement)

        async def keep(sealed: dict[str, Any]) -> None:
            await self._history.update_one(
                {"_id": choice.consent_id}, {"$setOnInsert": sealed}, upsert=True
            )

        await self._cipher.store(
            choice.visitor_id,
            proof,
            write=keep,
            collection=self._history,
            selection={"_id": choice.consent_id},
        )
        await self._cipher.store(
            choice.visitor_id,
            {**proof, "needs_renewal": False, "renewal_version": None},
            write=self._make_current,
            collection=self._current,
            selection={"_id": choice.visitor_id},
        )

    async def keep_all(
        self,
        choices: Sequence[tuple[ConsentGiven, StatementVersion]],
        *,
        in_force: Sequence[tuple[ConsentGiven, StatementVersion]],
        renewals: Mapping[str, str | None],
    ) -> None:
        """Keep a batch of choices in the history, and make `in_force` (the latest choice of each
        of their visitors, known to be later than what is stored) the choices in force. A choice
        naming a version a material one has replaced (`renewals`: version to the replacing one)
        is recorded as needing renewal: consent must be informed by the text in force (Art. 7).
        The history is written first: a reader that finds a choice in force finds it in the
        history too."""
        await self._cipher.store_all(
            [
                (choice.visitor_id, {"_id": choice.consent_id, **proof_of(choice, statement)})
                for choice, statement in choices
            ],
            write=lambda sealed: insert_new(self._history, sealed),
            collection=self._history,
        )
        current = [
            (
                choice.visitor_id,
                {
                    "_id": choice.visitor_id,
                    **proof_of(choice, statement),
                    "needs_renewal": renewals.get(statement.version) is not None,
                    "renewal_version": renewals.get(statement.version),
                },
            )
            for choice, statement in in_force
        ]

        async def replace_current(sealed: list[dict[str, Any]]) -> None:
            updates = [
                UpdateOne({"_id": d["_id"]}, {"$set": without_id(d)}, upsert=True) for d in sealed
            ]
            await update_by_id(self._current, updates)

        await self._cipher.store_all(current, write=replace_current, collection=self._current)

    async def in_force_of(
        self, visitor_ids: Sequence[str], *, wanted: Callable[[str], bool] | None = None
    ) -> dict[str, dict[str, Any]]:
        """The stored choice in force (still encrypted) of each visitor who has one: looked up by
        id, or, for every visitor that `wanted` accepts, read in one pass."""
        if wanted is not None:
            return {
                document["_id"]: document
                async for document in self._current.find({}, projection=IN_FORCE_FIELDS)
                if wanted(document["_id"])
            }
        return await found_by_id(self._current, visitor_ids, projection=IN_FORCE_FIELDS)

    async def choices_in_force(self, visitor_ids: list[str]) -> list[dict[str, Any]]:
        """The stored choice in force of each of the visitors who has one, whole (its personal
        fields still encrypted): statement version, consent id, renewal marks."""
        return await self._current.find({"_id": {"$in": visitor_ids}}).to_list()

    async def analytics_allowed(self, stored: dict[str, Any]) -> bool | None:
        """Whether a stored choice allows analytics; None when it was erased meanwhile."""
        opened = await self._opened(stored)
        return None if opened is None else bool(opened["purposes"]["analytics"])

    async def _make_current(self, current: dict[str, Any]) -> None:
        try:
            await self._current.update_one(
                {"_id": current["visitor_id"], "given_at": {"$lt": current["given_at"]}},
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
        if current is None or (current := await self._opened(current)) is None:
            return None
        return VisitorConsents(
            visitor_id=visitor_id,
            current=CurrentConsent.model_validate(current),
            history=[
                ConsentRecord.model_validate(choice)
                for choice in await self.choices_of([visitor_id])
            ],
        )

    async def choices_of(self, visitor_ids: list[str]) -> list[dict[str, Any]]:
        """Every choice of the visitors, oldest first, decrypted."""
        cursor = self._history.find({"visitor_id": {"$in": visitor_ids}}).sort(
            "given_at", ASCENDING
        )
        choices = [await self._opened(document) async for document in cursor]
        return [choice for choice in choices if choice is not None]

    async def purposes_at(self, visitor_id: str, moment: datetime) -> Purposes:
        """The purposes in force at `moment`: the latest choice made at or before it, else only necessary."""
        latest = await self._history.find_one(
            {"visitor_id": visitor_id, "given_at": {"$lte": moment}},
            sort=[("given_at", DESCENDING)],
            projection={"visitor_id": 1, "purposes": 1},
        )
        choice = None if latest is None else await self._opened(latest)
        return Purposes.model_validate(choice["purposes"]) if choice else Purposes.only_necessary()

    async def next_choice_after(self, visitor_id: str, moment: datetime) -> datetime | None:
        """When the visitor next chose after `moment`, if they did."""
        later = await self._history.find_one(
            {"visitor_id": visitor_id, "given_at": {"$gt": moment}},
            sort=[("given_at", ASCENDING)],
            projection={"given_at": 1},
        )
        return later["given_at"] if later else None

    async def count_of(self, visitor_ids: list[str]) -> int:
        """How many choices of the visitors are stored."""
        return await self._history.count_documents({"visitor_id": {"$in": visitor_ids}})

    async def erase(self, visitor_ids: list[str]) -> int:
        """Delete every choice of the visitors, the ones in force too; the number of choices deleted."""
        erased = await self._history.delete_many({"visitor_id": {"$in": visitor_ids}})
        await self._current.delete_many({"_id": {"$in": visitor_ids}})
        return erased.deleted_count

    async def erase_replaced_before(
        self, cutoff: datetime, *, held: list[str]
    ) -> tuple[int, int, set[str]]:
        """Delete the choices a later choice replaced before `cutoff`, except the `held` visitors'.

        A choice is replaced when the visitor chooses again (a withdrawal is a choice too), so of
        a visitor's choices made before the cutoff all but the latest are replaced before it; the
        choice in force is never one of them. Returns how many went, how many a hold kept, and
        whose choices went.
        """
        cursor = self._history.find(
            {"given_at": {"$lt": cutoff}}, projection={"visitor_id": 1, "given_at": 1}
        ).sort([("visitor_id", ASCENDING), ("given_at", DESCENDING)])
        latest_seen: set[str] = set()
        replaced: list[str] = []
        visitors: set[str] = set()
        kept = 0
        async for choice in cursor:
            visitor_id = choice["visitor_id"]
            if visitor_id not in latest_seen:
                latest_seen.add(visitor_id)
            elif visitor_id in held:
                kept += 1
            else:
                replaced.append(choice["_id"])
                visitors.add(visitor_id)
        in_force = {
            document["consent_id"]
            async for document in self._current.find(
                {"_id": {"$in": sorted(visitors)}}, projection={"consent_id": 1}
            )
        }
        expired = [consent_id for consent_id in replaced if consent_id not in in_force]
        if not expired:
            return 0, kept, set()
        erased = await self._history.delete_many({"_id": {"$in": expired}})
        return erased.deleted_count, kept, visitors

    async def held_for(self, visitor_id: str) -> bool:
        """True while any choice of the visitor is kept."""
        kept = await self._history.find_one({"visitor_id": visitor_id}, projection={"_id": 1})
        in_force = await self._current.find_one({"_id": visitor_id}, projection={"_id": 1})
        return kept is not None or in_force is not None

    async def _opened(self, document: dict[str, Any]) -> dict[str, Any] | None:
        """The choice decrypted; None when the visitor's key is gone: the choice is erased."""
        return await self._cipher.decrypt_unless_shredded(document["visitor_id"], document)


def without_id(document: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in document.items() if name != "_id"}
