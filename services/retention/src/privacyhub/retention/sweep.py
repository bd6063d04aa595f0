"""The sweep: every interval, one erase command per person, category and rule for the records that are due.

Commands are identified by what they ask (subject, category, rule, records), so a sweep that
is cut short and resumed sends the same commands under the same ids, which owners carry out
once; the same holds when two copies of the service sweep at the same time.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid5

from privacyhub.retention.deletion_log import ErasureRequest, ErasureRequests
from privacyhub.retention.holds import LegalHolds, is_held
from privacyhub.retention.records import EndedCustomers
from privacyhub.retention.schedule import DueDeletion, DueDeletions
from privacyhub.shared.clock import Clock
from privacyhub.shared.contracts.subject import ERASE_SUBJECT_DATA, Category, EraseSubjectData
from privacyhub.shared.envelope import Envelope
from prometheus_client import CollectorRegistry, Counter

ERASE_COMMAND_IDS = uuid5(UUID(int=0), "privacyhub.retention.erase-commands")


@dataclass(frozen=True)
class ErasureGroup:
    """The due records of one person in one category under one rule: one erase command."""

    subject_id: str
    category: Category
    rule: str
    record_ids: tuple[str, ...]

    @property
    def command_id(self) -> UUID:
        return uuid5(
            ERASE_COMMAND_IDS,
            "\n".join((self.subject_id, self.category, self.rule, *self.record_ids)),
        )

    def command(self, now: datetime) -> Envelope[EraseSubjectData]:
        return Envelope[EraseSubjectData](
            event_id=self.command_id,
            type=ERASE_SUBJECT_DATA,
            occurred_at=now,
            subject_id=self.subject_id,
            correlation_id=self.command_id,
            payload=EraseSubjectData(
                reason="retention",
                rule=self.rule,
                categories=[self.category],
                record_ids=list(self.record_ids),
            ),
        )

    def request(self, now: datetime) -> ErasureRequest:
        return ErasureRequest(
            command_id=self.command_id,
            subject_id=self.subject_id,
            category=self.category,
            rule=self.rule,
            records=len(self.record_ids),
            requested_at=now,
        )


def erasure_groups(deletions: list[DueDeletion]) -> list[ErasureGroup]:
    grouped: dict[tuple[str, Category, str], list[str]] = {}
    for deletion in deletions:
        key = (deletion.subject_id, deletion.category, deletion.due.rule)
        grouped.setdefault(key, []).append(deletion.record_id)
    return [
        ErasureGroup(subject_id, category, rule, tuple(sorted(record_ids)))
        for (subject_id, category, rule), record_ids in grouped.items()
    ]


class SweepMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.sweeps = Counter("privacyhub_retention_sweeps", "Sweeps completed.", registry=registry)
        self.commands = Counter(
            "privacyhub_retention_erase_commands", "Erase commands sent.", registry=registry
        )
        self.records = Counter(
            "privacyhub_retention_records_requested",
            "Records named in erase commands.",
            registry=registry,
        )
        self.failures = Counter(
            "privacyhub_retention_sweep_failures", "Sweeps that failed.", registry=registry
        )


class Sweeper:
    def __init__(
        self,
        *,
        schedule: DueDeletions,
        holds: LegalHolds,
        requests: ErasureRequests,
        customers: EndedCustomers,
        publisher: Any,
        clock: Clock,
        batch_size: int,
        keep_ended_for: timedelta,
        metrics: SweepMetrics,
    ) -> None:
        self._schedule = schedule
        self._holds = holds
        self._requests = requests
        self._customers = customers
        self._publisher = publisher
        self._clock = clock
        self.failures = metrics.failures
        self._batch_size = batch_size
        self._keep_ended_for = keep_ended_for
        self._metrics = metrics

    async def sweep(self, serving: Callable[[], bool] = lambda: True) -> int:
        """Send the erase commands for every due record without a hold; returns how many went out."""
        now = self._clock()
        await self._forget_what_ended_long_ago(now)
        scopes = await self._holds.active_scopes(now)

        def held(deletion: DueDeletion) -> bool:
            return is_held(deletion.subject_id, deletion.category, scopes)

        sent = 0
        if await self._schedule.anything_due(now, held):
            await self._schedule.take_aside()
            async for deletions in self._schedule.taken(self._batch_size):
                if not serving():
                    return sent  # what is still taken is swept after the next start
                due: list[DueDeletion] = []
                waiting: list[DueDeletion] = []
                for deletion in deletions:
                    is_due = deletion.due.at <= now and not held(deletion)
                    (due if is_due else waiting).append(deletion)
                await self._schedule.schedule(waiting)
                sent += await self._request_erasure(erasure_groups(due), now)
            await self._schedule.drop_taken()
        self._metrics.sweeps.inc()
        return sent

    async def _request_erasure(self, groups: list[ErasureGroup], now: datetime) -> int:
        await self._requests.record([group.request(now) for group in groups])
        commands = [group.command(now) for group in groups]
        await asyncio.gather(
            *(self._publisher.publish(command, key=command.partition_key) for command in commands)
        )
        self._metrics.commands.inc(len(commands))
        self._metrics.records.inc(sum(len(group.record_ids) for group in groups))
        return len(commands)

    async def _forget_what_ended_long_ago(self, now: datetime) -> None:
        await self._customers.forget_ended_before(now - self._keep_ended_for)
        await self._holds.forget_ended_before(now - self._keep_ended_for)
