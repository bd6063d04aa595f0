"""Legal holds: a legal retention period keeps data for that purpose only, until it ends (statement §4).

Holds are checked by the sweep: a due record under an active hold is passed over, and is
due again as soon as the hold is lifted or its end date passes. The data owners learn of each
hold placed and lifted on RETENTION_HOLDS (`announcement`), so that an erasure for a rights
request keeps what a hold covers (shared/legal_holds.py).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from privacyhub.shared.clock import Clock
from privacyhub.shared.contracts.pages import Page, PageRequest
from privacyhub.shared.contracts.retention import (
    LEGAL_HOLD_LIFTED,
    LEGAL_HOLD_PLACED,
    HoldStatus,
    LegalHoldEvent,
    LegalHoldLifted,
    LegalHoldPlaced,
    LegalHoldView,
    LiftLegalHold,
    PlaceLegalHold,
)
from privacyhub.shared.contracts.subject import Category
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.pages import page_of
from prometheus_client import CollectorRegistry, Counter
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

LEGAL_HOLDS = "legal_holds"
HOLD_EVENT_IDS = uuid5(UUID(int=0), "privacyhub.retention.hold-events")


@dataclass(frozen=True)
class HoldScope:
    """What an active hold keeps: one subject's or one visitor's data, one category, or one
    category of one of them."""

    subject_id: str | None
    category: Category | None
    visitor_id: str | None = None

    def covers(self, subject_id: str, category: Category) -> bool:
        """Whether it keeps a subject's record; a visitor's hold keeps only what the consent
        service holds of that visitor (expiry.PeriodRule.held_subjects)."""
        return (
            self.visitor_id is None
            and self.subject_id in (None, subject_id)
            and self.category in (None, category)
        )

    @property
    def whole_category(self) -> bool:
        return self.subject_id is None and self.visitor_id is None


def is_held(subject_id: str, category: Category, scopes: list[HoldScope]) -> bool:
    return any(scope.covers(subject_id, category) for scope in scopes)


def hold_status(document: dict[str, Any], now: datetime) -> HoldStatus:
    if "lifted_at" in document:
        return "lifted"
    return "active" if document["ends_at"] > now else "ended"


def announcement(event: LegalHoldPlaced | LegalHoldLifted) -> Envelope[LegalHoldEvent]:
    """The owners' news of a hold placed or lifted; its id follows from the hold, so repeating it is one event."""
    kind = LEGAL_HOLD_PLACED if isinstance(event, LegalHoldPlaced) else LEGAL_HOLD_LIFTED
    event_id = uuid5(HOLD_EVENT_IDS, f"{event.hold_id}:{kind}")
    return Envelope[LegalHoldEvent](
        event_id=event_id,
        type=kind,
        subject_id=event.hold_id,
        correlation_id=event_id,
        payload=event,
    )


def placed_event(hold: PlaceLegalHold | dict[str, Any]) -> LegalHoldPlaced:
    """What the owners learn of a hold (a command or a stored one): not who placed it."""
    fields = hold.model_dump() if isinstance(hold, PlaceLegalHold) else hold
    return LegalHoldPlaced.model_validate(
        {"hold_id": fields.get("hold_id", fields.get("_id"))} | fields
    )


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
        return [
            HoldScope(d.get("subject_id"), d.get("category"), d.get("visitor_id"))
            for d in await self._active(now)
        ]

    async def in_force(self, now: datetime) -> list[LegalHoldPlaced]:
        """The active holds as the owners learn of them."""
        return [placed_event(document) for document in await self._active(now)]

    async def _active(self, now: datetime) -> list[dict[str, Any]]:
        cursor = self._collection.find({"lifted_at": {"$exists": False}, "ends_at": {"$gt": now}})
        return await cursor.to_list()

    async def page(self, page: PageRequest, now: datetime) -> Page[LegalHoldView]:
        """A page of every hold, latest placed first."""
        documents, following = await page_of(
            self._collection, {}, order=["placed_at"], page=page, latest_first=True
        )
        return Page[LegalHoldView](
            items=[
                LegalHoldView(hold_id=d.pop("_id"), status=hold_status(d, now), **d)
                for d in documents
            ],
            next=following,
        )

    async def forget_ended_before(self, moment: datetime) -> None:
        """Holds lifted or ended before `moment` have kept nothing for a while; they go."""
        await self._collection.delete_many(
            {"$or": [{"lifted_at": {"$lt": moment}}, {"ends_at": {"$lt": moment}}]}
        )


class HoldAnnouncer:
    """After each start, tells the owners every hold in force once more.

    An owner that starts afresh, or lost an announcement, learns them; holds placed later are
    announced as they are placed (handlers.py). Run once after each start
    (`ServiceRuntime.every` with `once`): publishing waits for the broker to run, and a failed
    attempt is tried again the next interval.
    """

    def __init__(
        self,
        *,
        holds: LegalHolds,
        publisher: Any,
        clock: Clock,
        registry: CollectorRegistry,
    ) -> None:
        self._holds = holds
        self._publisher = publisher
        self._clock = clock
        self.failures = Counter(
            "privacyhub_retention_hold_announcement_failures",
            "Announcements of the holds in force that failed.",
            registry=registry,
        )

    async def announce(self, serving: Callable[[], bool] = lambda: True) -> int:
        """Announce the holds in force; how many went out."""
        if not serving():
            return 0
        holds = await self._holds.in_force(self._clock())
        for hold in holds:
            news = announcement(hold)
            await self._publisher.publish(news, key=news.partition_key)
        return len(holds)
