"""The asking side of reads through topics (see privacyhub.shared.queries)."""

import asyncio
from uuid import UUID

from faststream.kafka import KafkaBroker
from litestar.exceptions import InternalServerException, NotFoundException
from privacyhub.gateway.errors import QueryTimeout
from privacyhub.gateway.publishing import EventPublisher
from privacyhub.shared.broker import provisioned
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.queries import QUERY, Query, Reply
from privacyhub.shared.topics import GATEWAY_REPLIES, TopicSpec
from pydantic import JsonValue


def found(reply: Reply) -> JsonValue:
    """The result of a found reply; 404 when the owner holds nothing under the id, 500 for a query it refused."""
    if reply.status == "not_found":
        raise NotFoundException(reply.reason)
    if reply.status != "found":
        raise InternalServerException(f"the owning service refused the query: {reply.reason}")
    return reply.result


class QueryClient:
    """Every gateway instance reads all replies and keeps those it is waiting for."""

    def __init__(
        self, broker: KafkaBroker, publisher: EventPublisher, *, timeout_seconds: float
    ) -> None:
        self._publisher = publisher
        self._timeout_seconds = timeout_seconds
        self._waiting: dict[UUID, asyncio.Future[Reply]] = {}
        # No consumer group: each instance sees every reply from the moment it starts.
        broker.subscriber(provisioned(GATEWAY_REPLIES), auto_offset_reset="latest")(self._receive)

    async def _receive(self, envelope: Envelope[Reply]) -> None:
        waiting = self._waiting.get(envelope.correlation_id)
        if waiting is not None and not waiting.done():
            waiting.set_result(envelope.payload)

    async def ask(self, topic: TopicSpec, subject_id: str, query: Query) -> Reply:
        """Publish `query` to the owner's `topic` and wait for the reply; 503 if Kafka is down, 504 if no reply comes."""
        envelope = Envelope[Query](type=QUERY, subject_id=subject_id, payload=query)
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._waiting[envelope.correlation_id] = future
        try:
            await self._publisher.publish(envelope, topic)
            return await asyncio.wait_for(future, self._timeout_seconds)
        except TimeoutError as error:
            raise QueryTimeout(query.name) from error
        finally:
            del self._waiting[envelope.correlation_id]
