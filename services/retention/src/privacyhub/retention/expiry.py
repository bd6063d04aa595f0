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
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, get_args
from uuid import UUID, uuid5

from privacyhub.retention.holds import HoldScope, LegalHolds
from privacyhub.retention.rules import Clock
from privacyhub.retention.settings import registered_retention
from privacyhub.shared.contracts.retention import (
    ERASE_EXPIRED_RECORDS,
    EraseExpiredRecords,
    ExpiringCategory,
)
from privacyhub.shared.envelope import Envelope
from prometheus_client import CollectorRegistry, Counter
from pymongo.asynchronous.database import AsyncDatabase

EXPIRY_REQUESTS = "expiry_requests"
EXPIRY_COMMAND_IDS = uuid5(UUID(int=0), "privacyhub.retention.expiry-commands")


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
        """The subjects an active hold keeps in this category; None when a hold keeps all of it."""
        if any(scope.subject_id is None and scope.category == self.category for scope in scopes):
            return None
        return sorted(
            {
                scope.subject_id
                for scope in scopes
                if scope.subject_id is not None and scope.category in (None, self.category)
            }
        )


def period_rules() -> tuple[PeriodRule, ...]:
    return tuple(
        PeriodRule(category, registered_retention(category))
        for category in get_args(ExpiringCategory)
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
        interval_seconds: float,
        metrics: ExpiryMetrics,
    ) -> None:
        self._rules = rules
        self._holds = holds
        self._requests = requests
        self._publisher = publisher
        self._clock = clock
        self.interval_seconds = interval_seconds
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
            await self._requests.record(command.request(now))
            envelope = command.envelope(now)
            await self._publisher.publish(envelope, key=envelope.partition_key)
            sent += 1
        self._metrics.commands.inc(sent)
        self._metrics.sweeps.inc()
        return sent
