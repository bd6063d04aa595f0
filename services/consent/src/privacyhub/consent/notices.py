"""Telling the copy that holds a visitor in memory (stream.py) that what is stored of them changed."""

from typing import Any
from uuid import UUID

from aiokafka import TopicPartition
from privacyhub.shared.contracts.consent import VISITOR_STATE_CHANGED, VisitorStateChanged
from privacyhub.shared.envelope import Envelope, derived_event_id
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import CONSENT_CHOICES


class VisitorNotices:
    def __init__(self, runtime: ServiceRuntime) -> None:
        self._runtime = runtime
        self._publisher = runtime.publisher(CONSENT_CHOICES)

    async def tell_holders(
        self, cause: UUID, correlation_id: UUID, visitor_ids: list[str], change: Any
    ) -> None:
        """Have the copies holding the visitors read them again; return once they have.

        The notices' ids follow from `cause` (the event that changed the visitors), so a
        redelivered cause sends the same notices again.
        """
        targets: dict[TopicPartition, int] = {}
        for visitor_id in visitor_ids:
            notice = Envelope[VisitorStateChanged](
                event_id=derived_event_id(cause, f"{change}:{visitor_id}"),
                type=VISITOR_STATE_CHANGED,
                subject_id=visitor_id,
                correlation_id=correlation_id,
                payload=VisitorStateChanged(visitor_id=visitor_id, change=change),
            )
            sent = await self._publisher.publish(notice, key=notice.partition_key)
            partition = TopicPartition(CONSENT_CHOICES.name, sent.partition)
            targets[partition] = max(targets.get(partition, 0), sent.offset + 1)
        await self._runtime.progress.processed_past(
            targets, within=self._runtime.settings.catch_up_timeout_seconds
        )
