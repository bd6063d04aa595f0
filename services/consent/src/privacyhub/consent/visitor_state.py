"""What this copy of the consent service knows of each visitor it consumes: recent choices and
whether processing is restricted, so a page view is decided without a database round trip.

Consent choices and page views are keyed by visitor id and co-partitioned (same partition count,
one consumer for both, range assignment; shared/service.py), so the copy that consumes a
visitor's page views also consumes every choice of theirs and keeps this state current itself.
Changes made elsewhere (a rights request restricting, erasing or withdrawing) reach it as a
`VisitorStateChanged` on the same topic, and it reads those visitors again from the database.

The state is bounded: at most `capacity` visitors, the least recently used dropped first. While
nothing was dropped since it was loaded (`complete`), a visitor it does not hold has made no
choice and is not restricted; after a drop, such a visitor is looked up in the database.
"""

from bisect import insort
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiokafka.partitioner import murmur2

RECENT_CHOICES = 8
"""Choices kept per visitor; a view older than all of them is judged from the database."""


@dataclass(frozen=True, order=True)
class Choice:
    given_at: datetime
    analytics: bool


@dataclass
class KnownVisitor:
    """One visitor: `choices` oldest first, the latest `RECENT_CHOICES` of them.

    `unopened` holds the stored choice in force as loaded, still encrypted, until a view needs
    it. `earlier_unknown`: the visitor may have chosen before the first choice listed.
    `linked_until`: no view of the visitor later than this can be linked (None: none can be).
    """

    choices: list[Choice] = field(default_factory=list)
    unopened: dict[str, Any] | None = None
    earlier_unknown: bool = False
    restricted: bool = False
    linked_until: datetime | None = None

    def record(self, choice: Choice) -> None:
        insort(self.choices, choice)
        if len(self.choices) > RECENT_CHOICES:
            del self.choices[0]
            self.earlier_unknown = True

    def analytics_at(self, moment: datetime) -> bool | None:
        """Whether the choice in force at `moment` allows analytics; None when only the
        database knows (the moment lies before every choice held, and earlier ones may exist)."""
        for choice in reversed(self.choices):
            if choice.given_at <= moment:
                return choice.analytics
        return None if self.earlier_unknown else False

    def latest(self) -> Choice | None:
        return self.choices[-1] if self.choices else None


def partition_of(visitor_id: str, partitions: int) -> int:
    """The partition Kafka's default partitioner gives a message keyed by `visitor_id`."""
    return (murmur2(visitor_id.encode()) & 0x7FFFFFFF) % partitions


def owned_by(owned: Iterable[int], partitions: int) -> Callable[[str], bool]:
    """Whether a visitor's messages go to one of the `owned` partitions (of `partitions`)."""
    numbers = frozenset(owned)
    return lambda visitor_id: partition_of(visitor_id, partitions) in numbers


class VisitorStates:
    """Known visitors of the partitions this copy owns, least recently used first."""

    def __init__(self, *, capacity: int) -> None:
        self._capacity = capacity
        self._visitors: OrderedDict[str, KnownVisitor] = OrderedDict()
        self._forgotten: set[str] = set()
        self.complete = False

    def replace(self, visitors: dict[str, KnownVisitor], *, complete: bool) -> None:
        """Start over with the visitors loaded for the partitions now owned; `complete` when
        they are every visitor of those partitions who chose or is restricted."""
        self._visitors = OrderedDict(visitors)
        self._forgotten.clear()
        self.complete = complete and len(visitors) <= self._capacity
        self._evict()

    def get(self, visitor_id: str) -> KnownVisitor | None:
        known = self._visitors.get(visitor_id)
        if known is not None:
            self._visitors.move_to_end(visitor_id)
        return known

    def needs_lookup(self, visitor_id: str) -> bool:
        """Whether only the database can tell what the visitor chose."""
        if visitor_id in self._visitors:
            return False
        return not self.complete or visitor_id in self._forgotten

    def forget(self, visitor_ids: Iterable[str]) -> None:
        """Drop what is held of the visitors, which may be ahead of the database (a batch that
        failed part-way): each is looked up again when next met."""
        for visitor_id in visitor_ids:
            self._visitors.pop(visitor_id, None)
            self._forgotten.add(visitor_id)
        if len(self._forgotten) > self._capacity:
            # Bounded as the visitors are: once incomplete, every visitor not held is looked up.
            self._forgotten.clear()
            self.complete = False

    def put(self, visitor_id: str, known: KnownVisitor) -> None:
        self._visitors[visitor_id] = known
        self._visitors.move_to_end(visitor_id)
        self._forgotten.discard(visitor_id)
        self._evict()

    def of(self, visitor_id: str) -> KnownVisitor:
        """The visitor's state, a fresh one when none is held (a visitor who never chose)."""
        known = self.get(visitor_id)
        if known is None:
            known = KnownVisitor()
            self.put(visitor_id, known)
        return known

    def __len__(self) -> int:
        return len(self._visitors)

    def _evict(self) -> None:
        while len(self._visitors) > self._capacity:
            self._visitors.popitem(last=False)
            self.complete = False
