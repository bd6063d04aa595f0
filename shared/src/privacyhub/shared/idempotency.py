"""Effectively-once consumption: each event id has its effect once per owning service.

The processed ids live under a unique index in the service's own database. There are
no multi-document transactions (FerretDB has none), so an effect must itself be keyed
(an upsert by reference, say): a crash between the effect and the mark then repeats a
harmless no-op on redelivery instead of a second effect.

The marks are bookkeeping, not history: once no topic can bring an event back (its
retention is over), its mark is erased (`expire_before`), so the collection stays as large
as the traffic of the longest topic retention, not of all time.
"""

from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from privacyhub.shared.bulk import found_by_id, insert_new
from privacyhub.shared.envelope import Envelope, utc_now
from pydantic import BaseModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

PROCESSED_EVENTS = "processed_events"
Answer = TypeVar("Answer", bound=BaseModel)


class ProcessedEvents:
    """The set of event ids a service has already applied."""

    def __init__(self, db: AsyncDatabase) -> None:
        self._collection = db[PROCESSED_EVENTS]

    async def ensure_indexes(self) -> None:
        await self._collection.create_index("processed_at")

    async def apply_once(
        self, event_id: UUID, event_type: str, effect: Callable[[], Awaitable[None]]
    ) -> bool:
        """Run `effect` unless `event_id` was applied before; True when it ran."""
        if await self._collection.find_one({"_id": str(event_id)}, projection={"_id": 1}):
            return False
        await effect()
        try:
            await self._collection.insert_one(
                {"_id": str(event_id), "type": event_type, "processed_at": utc_now()}
            )
        except DuplicateKeyError:
            return False  # a concurrent copy of this consumer applied it first; the keyed effect was a no-op
        return True

    async def answer_once(
        self,
        event_id: UUID,
        event_type: str,
        step: Callable[[], Awaitable[Answer]],
        repeated: Answer,
    ) -> Answer:
        """The answer of `step`, taken once per `event_id`; a repeated id gets `repeated` instead.
        The first answer is not kept: it may hold personal data, and nobody waits for the answer
        to a redelivery (the first reached the asker, or the asker gave up)."""
        if await self._collection.find_one({"_id": str(event_id)}, projection={"_id": 1}):
            return repeated
        answer = await step()
        try:
            await self._collection.insert_one(
                {"_id": str(event_id), "type": event_type, "processed_at": utc_now()}
            )
        except DuplicateKeyError:
            pass  # a concurrent copy took the step first, and its step refused a second one
        return answer

    async def processed_among(self, event_ids: Iterable[UUID]) -> set[UUID]:
        """The ids among `event_ids` applied before."""
        marks = await found_by_id(self._collection, map(str, event_ids), projection={"_id": 1})
        return {UUID(event_id) for event_id in marks}

    async def mark_all(self, envelopes: Sequence[Envelope]) -> None:
        """Mark a batch whose keyed effects are durable; a redelivered one is marked already."""
        if not envelopes:
            return
        at = utc_now()
        await insert_new(
            self._collection,
            [{"_id": str(e.event_id), "type": e.type, "processed_at": at} for e in envelopes],
        )

    async def expire_before(self, cutoff: datetime) -> int:
        """Forget the events processed before `cutoff`; how many."""
        erased = await self._collection.delete_many({"processed_at": {"$lt": cutoff}})
        return erased.deleted_count
