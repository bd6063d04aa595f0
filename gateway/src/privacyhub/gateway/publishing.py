"""Publishing from the gateway: a message is accepted only once Kafka has acknowledged it."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from aiokafka.errors import KafkaError
from faststream.kafka import KafkaBroker
from privacyhub.gateway.errors import KafkaUnavailable
from privacyhub.shared.broker import declare_publication
from privacyhub.shared.contracts.access_log import StaffDataRead
from privacyhub.shared.contracts.complaints import ComplaintReceived
from privacyhub.shared.contracts.consent import ConsentGiven, PageViewed
from privacyhub.shared.contracts.contact import ContactMessageReceived, MarkContactAnswered
from privacyhub.shared.contracts.retention import RetentionCommand
from privacyhub.shared.contracts.rights import RightsRequestReceived
from privacyhub.shared.contracts.statement import StatementVersion
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.topics import (
    COMPLAINTS,
    CONSENT_CHOICES,
    CONTACT_COMMANDS,
    CONTACT_MESSAGES,
    PAGE_VIEWS,
    RETENTION_COMMANDS,
    RIGHTS_REQUESTS,
    STAFF_ACCESS_LOG,
    STATEMENT_VERSIONS,
    TopicSpec,
)
from pydantic import BaseModel

logger = logging.getLogger(__name__)


class EventPublisher:
    """Connects in the background (the gateway starts, and says not ready, while Kafka is down)."""

    def __init__(
        self,
        broker: KafkaBroker,
        *,
        timeout_seconds: float,
        reconnect_seconds: float = 1.0,
    ) -> None:
        self._broker = broker
        self._timeout_seconds = timeout_seconds
        self._reconnect_seconds = reconnect_seconds
        self._connected = asyncio.Event()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    async def publish(self, envelope: Envelope[Any], topic: TopicSpec) -> None:
        """Return once Kafka acknowledged (acks=all); raise `KafkaUnavailable` otherwise."""
        if not self.connected:
            raise KafkaUnavailable("not connected to Kafka")
        try:
            await asyncio.wait_for(
                self._broker.publish(
                    envelope,
                    topic.name,
                    key=envelope.partition_key,
                    correlation_id=str(envelope.correlation_id),
                ),
                timeout=self._timeout_seconds,
            )
        except (TimeoutError, KafkaError) as error:
            logger.warning(
                "Kafka did not acknowledge",
                extra={"topic": topic.name, "error": type(error).__name__},
            )
            raise KafkaUnavailable(type(error).__name__) from error

    async def ready(self) -> bool:
        return self.connected and await self._broker.ping(timeout=2.0)

    async def _connect_until_connected(self) -> None:
        while True:
            try:
                await self._broker.start()
            except KafkaError as error:
                logger.warning("Kafka unreachable, retrying", extra={"error": type(error).__name__})
                await asyncio.sleep(self._reconnect_seconds)
            else:
                self._connected.set()
                return

    @asynccontextmanager
    async def lifespan(self, _app: Any = None) -> AsyncIterator[None]:
        connecting = asyncio.create_task(self._connect_until_connected())
        try:
            yield
        finally:
            connecting.cancel()
            with suppress(asyncio.CancelledError):
                await connecting
            await self._stop_broker()

    async def _stop_broker(self) -> None:
        # With Kafka gone, the producer would wait for it forever; shutting down must not.
        try:
            await asyncio.wait_for(self._broker.stop(), timeout=self._timeout_seconds + 2)
        except TimeoutError:
            logger.warning("Kafka unreachable at shutdown; stopped without a clean goodbye")


# What the gateway publishes where; declared so the AsyncAPI document lists it.
PUBLICATIONS: tuple[tuple[TopicSpec, type[BaseModel]], ...] = (
    (CONTACT_MESSAGES, ContactMessageReceived),
    (CONTACT_COMMANDS, MarkContactAnswered),
    (STATEMENT_VERSIONS, StatementVersion),
    (PAGE_VIEWS, PageViewed),
    (CONSENT_CHOICES, ConsentGiven),
    (COMPLAINTS, ComplaintReceived),
    (RIGHTS_REQUESTS, RightsRequestReceived),
    (RETENTION_COMMANDS, RetentionCommand),
    (STAFF_ACCESS_LOG, StaffDataRead),
)


def declare_publications(broker: KafkaBroker) -> None:
    for topic, payload in PUBLICATIONS:
        declare_publication(broker, topic, payload, publisher="gateway")


class Accepted(BaseModel):
    """What a public intake answers with 202."""

    reference: str
