"""How far a service's consumer group has durably processed its topics.

An owner answers an export or an erasure only after it has processed everything accepted for
the subject before the command: otherwise a page view the gateway accepted with 202 a moment
before an access request could be missing from the export, or survive the erasure. A consumer
commits an offset only after the effects of every message before it are durable, so once the
group's committed offsets reach the topics' end offsets taken when the command is handled,
everything accepted before the command has had its effect, whichever copy of the service
processed it.
"""

import asyncio
import logging
import time
from collections.abc import Iterable, Mapping

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from privacyhub.shared.dead_letter import TransientFailure
from privacyhub.shared.kafka_login import kafka_client_options
from privacyhub.shared.settings import ServiceSettings
from privacyhub.shared.topics import TopicSpec

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.02


class NotCaughtUp(TransientFailure):
    """The group has not yet processed everything the command must see; it is tried again later."""


def partitions_of(topics: Iterable[TopicSpec]) -> list[TopicPartition]:
    return [TopicPartition(topic.name, n) for topic in topics for n in range(topic.partitions)]


class GroupProgress:
    """Reads end offsets and the committed offsets of the service's own group, with clients of its own."""

    def __init__(self, settings: ServiceSettings, *, client_id: str) -> None:
        self._settings = settings
        self._client_id = client_id
        self._offsets: AIOKafkaConsumer | None = None
        self._admin: AIOKafkaAdminClient | None = None
        self._starting = asyncio.Lock()

    async def caught_up(self, topics: Iterable[TopicSpec], *, within: float) -> None:
        """Return once the group has processed every message on `topics` appended before this call."""
        await self.processed_past(await self.end_offsets(topics), within=within)

    async def end_offsets(self, topics: Iterable[TopicSpec]) -> dict[TopicPartition, int]:
        return await self.ends_of(partitions_of(topics))

    async def ends_of(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        """The offset the next message of each partition will get.

        Asked on a connection of its own: a service's consumer may have a fetch waiting at the
        broker on its connection, which would hold the answer back until the fetch returns.
        """
        offsets, _ = await self._clients()
        return await offsets.end_offsets(partitions)

    async def processed_past(self, targets: Mapping[TopicPartition, int], *, within: float) -> None:
        """Return once the group's committed offset of each partition is at least its target;
        NotCaughtUp after `within` seconds."""
        _, admin = await self._clients()
        deadline = time.monotonic() + within
        waiting = {tp: offset for tp, offset in targets.items() if offset > 0}
        while waiting:
            committed = await admin.list_consumer_group_offsets(
                self._settings.consumer_group, partitions=list(waiting)
            )
            waiting = {
                tp: offset
                for tp, offset in waiting.items()
                if tp not in committed or committed[tp].offset < offset
            }
            if not waiting:
                return
            if time.monotonic() > deadline:
                behind = sum(
                    offset - max(committed[tp].offset if tp in committed else 0, 0)
                    for tp, offset in waiting.items()
                )
                raise NotCaughtUp(
                    f"consumer group {self._settings.consumer_group} is {behind} messages behind "
                    f"after {within:.0f}s"
                )
            await asyncio.sleep(POLL_SECONDS)

    async def close(self) -> None:
        if self._offsets is not None:
            await self._offsets.stop()
        if self._admin is not None:
            await self._admin.close()
        self._offsets = self._admin = None

    async def _clients(self) -> tuple[AIOKafkaConsumer, AIOKafkaAdminClient]:
        async with self._starting:
            if self._offsets is None or self._admin is None:
                options = {
                    "bootstrap_servers": self._settings.kafka_bootstrap_servers,
                    "client_id": f"{self._client_id}-progress",
                    **kafka_client_options(self._settings),
                }
                offsets = AIOKafkaConsumer(group_id=None, enable_auto_commit=False, **options)
                admin = AIOKafkaAdminClient(**options)
                await offsets.start()
                await admin.start()
                self._offsets, self._admin = offsets, admin
            return self._offsets, self._admin
