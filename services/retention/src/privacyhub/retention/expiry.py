"""Period retention, driven by the processing register: every interval, one erase command per category.

Most categories are kept for a period from a moment their owner stores (a visit, a staff read, a
resolution). The retention service does not learn of each record: it would need a lifecycle event
for every page view and every read, and a schedule as large as the owners' data, for nothing the
owner cannot decide itself from a cutoff. So each interval it sends the owners, per category, "erase
what of this category started before now minus the register's period" (`EraseExpiredRecords`), naming
the subjects a legal hold keeps; a hold on the whole category sends nothing for it. Each owner
answers with a receipt of counts, and every receipt becomes a deletion-log entry without personal
data: the proof that the rule ran, and what it removed.

A command is identified by what it asks (category, rule, cutoff, held subjects), so a retried
publication is one command to the owners.

The service's own categories are expired the same way without a message: the deletion log (five
years after an entry was logged) and its expiry requests (`expiry_bookkeeping`, a month after
the command). The same command is recorded, carried out here and logged with this service as
the owner; `expiry_bookkeeping` also goes to the other owners, for the receipts they keep.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, get_args
from uuid import UUID, uuid5

from privacyhub.retention.deletion_log import DeletionLog, ErasureRequests
from privacyhub.retention.holds import HoldScope, LegalHolds
from privacyhub.retention.records import subject_hash
from privacyhub.retention.settings import registered_retention
from privacyhub.shared.clock import Clock
from privacyhub.shared.contracts.retention import (
    ERASE_EXPIRED_RECORDS,
    VISITOR_HELD_CATEGORIES,
    EraseExpiredRecords,
    ExpiringCategory,
)
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.expiry import Erased
from privacyhub.shared.register import load_register
from prometheus_client import CollectorRegistry, Counter
from pymongo.asynchronous.database import AsyncDatabase

EXPIRY_REQUESTS = "expiry_requests"
EXPIRY_COMMAND_IDS = uuid5(UUID(int=0), "privacyhub.retention.expiry-commands")
OWNER = "retention"

LocalExpiry = Callable[[EraseExpiredRecords], Awaitable[Erased]]


@dataclass(frozen=True)
class PeriodRule:
    """A category's retention period as the register declares it."""

    category: ExpiringCategory
    period: timedelta

    @property
    def name(self) -> str:
        # The register declares whole days; P396D reads as it does there, not as P1Y31D.
        return f"{self.category}.P{self.period.days}D"

    def held_subjects(self, scopes: list[HoldScope]) -> list[str] | None:
        """The subjects (and, of what the consent service keeps, the visitors) an active hold
        keeps in this category; None when a hold keeps all of it."""
        covering = [scope for scope in scopes if self.category in _held_as(scope.category)]
        if any(scope.whole_category and scope.category is not None for scope in covering):
            return None
        held = {scope.subject_id for scope in covering if scope.subject_id is not None}
        if self.category in VISITOR_HELD_CATEGORIES:
            held |= {scope.visitor_id for scope in covering if scope.visitor_id is not None}
        return sorted(held)


def _held_as(category: str | None) -> tuple[str | None, ...]:
    """The expiring categories a hold on `category` keeps: a hold on consents keeps their proofs."""
    if category is None:
        return tuple(get_args(ExpiringCategory))
    return ("consent_proofs",) if category == "consents" else (category,)


def period_rules() -> tuple[PeriodRule, ...]:
    return tuple(
        PeriodRule(category, registered_retention(category))
        for category in get_args(ExpiringCategory)
    )


def stored_elsewhere() -> frozenset[str]:
    """The categories the register says another service stores: their commands go out on Kafka."""
    return frozenset(
        category.id
        for category in load_register().categories
        if any(place.service != OWNER for place in category.stored_in)
    )


@dataclass(frozen=True)
class ExpiryCommand:
    rule: PeriodRule
    cutoff: datetime
    held_subject_ids: list[str]

    @property
    def command_id(self) -> UUID:
        asked = (
            self.rule.category,
            self.rule.name,
            self.cutoff.isoformat(),
            *self.held_subject_ids,
        )
        return uuid5(EXPIRY_COMMAND_IDS, "\n".join(asked))

    def envelope(self, now: datetime) -> Envelope[EraseExpiredRecords]:
        return Envelope[EraseExpiredRecords](
            event_id=self.command_id,
            type=ERASE_EXPIRED_RECORDS,
            occurred_at=now,
            # About no one in particular: the category keeps its commands in order on one partition.
            subject_id=self.rule.category,
            correlation_id=self.command_id,
            payload=EraseExpiredRecords(
                category=self.rule.category,
                rule=self.rule.name,
                cutoff=self.cutoff,
                held_subject_ids=self.held_subject_ids,
            ),
        )

    def request(self, now: datetime) -> dict[str, Any]:
        """What the deletion log needs to know of the command; the held subjects only as a count."""
        return {
            "_id": str(self.command_id),
            "category": self.rule.category,
            "rule": self.rule.name,
            "cutoff": self.cutoff,
            "held_subjects": len(self.held_subject_ids),
            "requested_at": now,
        }


class ExpiryRequests:
    """The expiry commands this service sent, so receipts can be matched and logged."""

    def __init__(self, db: AsyncDatabase) -> None:
        self._collection = db[EXPIRY_REQUESTS]

    async def record(self, request: dict[str, Any]) -> None:
        """Kept before the command goes out, so no receipt can come first; sending it again keeps the first."""
        await self._collection.update_one(
            {"_id": request["_id"]}, {"$setOnInsert": request}, upsert=True
        )

    async def get(self, command_id: UUID) -> dict[str, Any] | None:
        return await self._collection.find_one({"_id": str(command_id)})

    async def erase_requested_before(self, cutoff: datetime) -> int:
        """Delete the requests for commands sent before `cutoff`; how many went."""
        erased = await self._collection.delete_many({"requested_at": {"$lt": cutoff}})
        return erased.deleted_count


def own_expiries(
    *, log: DeletionLog, erasure_requests: ErasureRequests, expiry_requests: ExpiryRequests
) -> dict[ExpiringCategory, LocalExpiry]:
    """How this service erases its own categories when their periods end."""

    async def expire_deletion_log(command: EraseExpiredRecords) -> Erased:
        held = [subject_hash(subject_id) for subject_id in command.held_subject_ids]
        entries, entries_kept = await log.erase_logged_before(command.cutoff, held_hashes=held)
        asked, asked_kept = await erasure_requests.erase_requested_before(
            command.cutoff, held_hashes=held
        )
        return Erased(erased=entries + asked, kept_under_hold=entries_kept + asked_kept)

    async def expire_bookkeeping(command: EraseExpiredRecords) -> Erased:
        return Erased(
            erased=await expiry_requests.erase_requested_before(command.cutoff),
            kept_under_hold=0,
        )

    return {"deletion_log": expire_deletion_log, "expiry_bookkeeping": expire_bookkeeping}


class ExpiryMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.sweeps = Counter(
            "privacyhub_retention_expiry_sweeps", "Period sweeps completed.", registry=registry
        )
        self.commands = Counter(
            "privacyhub_retention_expiry_commands",
            "Expiry commands sent to owners.",
            registry=registry,
        )
        self.failures = Counter(
            "privacyhub_retention_expiry_sweep_failures",
            "Period sweeps that failed.",
            registry=registry,
        )


class ExpirySweeper:
    def __init__(
        self,
        *,
        rules: tuple[PeriodRule, ...],
        holds: LegalHolds,
        requests: ExpiryRequests,
        publisher: Any,
        clock: Clock,
        metrics: ExpiryMetrics,
        own: dict[ExpiringCategory, LocalExpiry],
        log: DeletionLog,
        published: frozenset[str],
    ) -> None:
        self._rules = rules
        self._holds = holds
        self._requests = requests
        self._publisher = publisher
        self._own = own
        self._log = log
        self._published = published
        self._clock = clock
        self.failures = metrics.failures
        self._metrics = metrics

    async def sweep(self, serving: Callable[[], bool] = lambda: True) -> int:
        """Send each category's expiry command, unless a hold keeps the whole category; how many went."""
        now = self._clock()
        scopes = await self._holds.active_scopes(now)
        sent = 0
        for rule in self._rules:
            held = rule.held_subjects(scopes)
            if held is None or not serving():
                continue
            command = ExpiryCommand(rule, now - rule.period, held)
            request = command.request(now)
            await self._requests.record(request)
            envelope = command.envelope(now)
            expire = self._own.get(rule.category)
            if expire is not None:
                await self._expire_own(expire, envelope.payload, request)
            if rule.category in self._published:
                await self._publisher.publish(envelope, key=envelope.partition_key)
                sent += 1
        self._metrics.commands.inc(sent)
        self._metrics.sweeps.inc()
        return sent

    async def _expire_own(
        self, expire: LocalExpiry, command: EraseExpiredRecords, request: dict[str, Any]
    ) -> None:
        """Carry out a command for this service's own records and log it as an owner's receipt."""
        erased = await expire(command)
        now = self._clock()
        await self._log.record_expiry(request, erased.receipt(OWNER, command, now), logged_at=now)
