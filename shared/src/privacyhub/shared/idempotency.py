"""Effectively-once consumption: each event id has its effect once per owning service.

The processed ids live under a unique index in the service's own database. There are
no multi-document transactions (FerretDB has none), so an effect must itself be keyed
(an upsert by reference, say): a crash between the effect and the mark then repeats a
harmless no-op on redelivery instead of a second effect.
"""

from collections.abc import Awaitable, Callable
from uuid import UUID

from privacyhub.shared.envelope import utc_now
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

PROCESSED_EVENTS = "processed_events"


class ProcessedEvents:
    """The set of event ids a service has already applied."""

    def __init__(self, db: AsyncDatabase) -> None:
        self._collection = db[PROCESSED_EVENTS]

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
