"""Publishing from the gateway: a message is accepted only once Kafka has acknowledged it.

The gateway publishes with an aiokafka producer of its own instead of through FastStream's
publish path: a page view is one encode, one seal and one send, with no middleware chain in
between. FastStream still declares what the gateway publishes (the AsyncAPI document) and
consumes the replies to its reads. The producer is idempotent with acks=all, as every producer
of the project (shared/broker.py), and waits `linger_ms` before sending, so the page views of
concurrent requests share one produce request; each request still waits for the
acknowledgement of its own message.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager, suppress
from typing import Any
from uuid import UUID

from aiokafka import AIOKafkaProducer
from aiokafka.errors import (
    InvalidProducerEpoch,
    KafkaError,
    OutOfOrderSequenceNumber,
    ProducerFenced,
)
from faststream.kafka import KafkaBroker
from privacyhub.gateway.errors import KafkaUnavailable
from privacyhub.shared.broker import declare_publication
from privacyhub.shared.catalogue import (
    Process,
    declared_publishing,
    published_by,
    topic_for,
    topics_of,
)
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.kafka_login import kafka_client_options
from privacyhub.shared.sealing import MessageKeys
from privacyhub.shared.settings import CommonSettings
from privacyhub.shared.topics import (
    TopicSpec,
)
from pydantic import BaseModel

logger = logging.getLogger(__name__)

PRINCIPAL = "gateway"
# After these an idempotent producer refuses every later send (a broker that restarted may no
# longer know its sequence numbers): only a new producer, with a new producer id, sends again.
PRODUCER_BROKEN = (OutOfOrderSequenceNumber, InvalidProducerEpoch, ProducerFenced)


class EventPublisher:
    """Connects in the background (the gateway starts, and says not ready, while Kafka is down)."""

    def __init__(
        self,
        broker: KafkaBroker,
        settings: CommonSettings,
        *,
        linger_ms: int = 0,
        reconnect_seconds: float = 1.0,
    ) -> None:
        self._broker = broker
        self._settings = settings
        self._keys = MessageKeys.from_settings(settings, PRINCIPAL)
        self._timeout_seconds = settings.kafka_publish_timeout_seconds
        self._linger_ms = linger_ms
        self._reconnect_seconds = reconnect_seconds
        self._producer: AIOKafkaProducer | None = None
        self._replacing: asyncio.Task[None] | None = None

    @property
    def connected(self) -> bool:
        return self._producer is not None

    async def send(
        self,
        message_type: str,
        payload: BaseModel,
        *,
        subject_id: str,
        correlation_id: UUID | None = None,
    ) -> None:
        """Publish one of the gateway's messages in its envelope, on the topic the catalogue gives
        it; as `publish`, return once Kafka acknowledged it."""
        envelope = Envelope[type(payload)](  # type: ignore[misc]
            type=message_type,
            subject_id=subject_id,
            payload=payload,
            **({"correlation_id": correlation_id} if correlation_id else {}),
        )
        await self.publish(envelope, topic_for(Process.GATEWAY, message_type))

    async def publish(self, envelope: Envelope[Any], topic: TopicSpec) -> None:
        """Return once Kafka acknowledged (acks=all); raise `KafkaUnavailable` otherwise."""
        producer = self._producer
        if producer is None:
            raise KafkaUnavailable("not connected to Kafka")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout_seconds
        try:
            # send() itself waits at most the producer's request timeout (metadata, buffer space).
            delivery = await producer.send(
                topic.name,
                self._keys.encoded(topic.name, envelope),
                key=envelope.partition_key,
                headers=envelope.record_headers,
            )
            # One timer on the acknowledgement instead of asyncio.timeout, whose task
            # cancellation bookkeeping cost more than the rest of the send.
            expiry = loop.call_at(deadline, _expire, delivery)
            try:
                await delivery
            finally:
                expiry.cancel()
        except (TimeoutError, KafkaError) as error:
            logger.warning(
                "Kafka did not acknowledge",
                extra={"topic": topic.name, "error": type(error).__name__},
            )
            if isinstance(error, PRODUCER_BROKEN):
                self._replace(producer)
            raise KafkaUnavailable(type(error).__name__) from error

    def _replace(self, broken: AIOKafkaProducer) -> None:
        """Drop a producer that can send no more and connect a new one in the background;
        meanwhile intakes answer 503, as while Kafka is down."""
        if self._producer is not broken:
            return  # replaced already, on another request's failure
        self._producer = None
        logger.warning("replacing the Kafka producer, which can send no more")

        async def replace() -> None:
            await self._stop_within(broken.stop(), "producer")
            self._producer = await self._started_producer()

        self._replacing = asyncio.create_task(replace())

    async def ready(self) -> bool:
        return self.connected and await self._broker.ping(timeout=2.0)

    def _new_producer(self) -> AIOKafkaProducer:
        return AIOKafkaProducer(
            bootstrap_servers=self._settings.kafka_bootstrap_servers,
            client_id=PRINCIPAL,
            acks="all",
            enable_idempotence=True,
            linger_ms=self._linger_ms,
            # A message answered 503 must expire, not be sent later.
            request_timeout_ms=int(self._timeout_seconds * 1000),
            **kafka_client_options(self._settings),
        )

    async def _connect_until_connected(self) -> None:
        producer = await self._started_producer()
        try:
            while True:
                try:
                    await self._broker.start()
                except KafkaError as error:
                    logger.warning(
                        "Kafka unreachable, retrying", extra={"error": type(error).__name__}
                    )
                    await asyncio.sleep(self._reconnect_seconds)
                else:
                    self._producer = producer
                    return
        except asyncio.CancelledError:
            await self._stop_within(producer.stop(), "producer")
            raise

    async def _started_producer(self) -> AIOKafkaProducer:
        """A new producer, started once Kafka answers."""
        while True:
            producer = self._new_producer()
            try:
                await producer.start()
            except KafkaError as error:
                logger.warning("Kafka unreachable, retrying", extra={"error": type(error).__name__})
                await producer.stop()
                await asyncio.sleep(self._reconnect_seconds)
            else:
                return producer

    @asynccontextmanager
    async def lifespan(self, _app: Any = None) -> AsyncIterator[None]:
        connecting = asyncio.create_task(self._connect_until_connected())
        try:
            yield
        finally:
            for task in (connecting, self._replacing):
                if task is not None:
                    task.cancel()
                    with suppress(asyncio.CancelledError):
                        await task
            await self._stop()

    async def _stop(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await self._stop_within(producer.stop(), "producer")
        # Stopped even when the producer was not: its reply consumer would retry a gone Kafka forever.
        await self._stop_within(self._broker.stop(), "broker")

    async def _stop_within(self, stopping: Awaitable[None], client: str) -> None:
        # With Kafka gone, a client would wait for it forever; shutting down must not.
        try:
            async with asyncio.timeout(self._timeout_seconds + 2):
                await stopping
        except TimeoutError:
            logger.warning(
                "Kafka unreachable at shutdown; stopped without a clean goodbye",
                extra={"client": client},
            )


def _expire(delivery: asyncio.Future[Any]) -> None:
    # aiokafka leaves a future that is already done alone when the batch completes later.
    if not delivery.done():
        delivery.set_exception(TimeoutError())


def declare_publications(broker: KafkaBroker) -> None:
    """What the catalogue says the gateway publishes, so the AsyncAPI document lists it."""
    for topic in topics_of(published_by(Process.GATEWAY)):
        declare_publication(
            broker, topic, declared_publishing(Process.GATEWAY, topic), publisher="gateway"
        )


class Accepted(BaseModel):
    """What a public intake answers with 202."""

    reference: str
