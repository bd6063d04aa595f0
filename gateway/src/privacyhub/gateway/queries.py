"""The asking side of queries and commands through topics (see privacyhub.shared.queries): a query
on the owner's queries topic, a command on its commands topic."""

import asyncio
from functools import cache
from typing import Any, TypeVar
from uuid import UUID, uuid4

from faststream.kafka import KafkaBroker
from litestar.exceptions import InternalServerException, NotFoundException
from privacyhub.gateway.errors import QueryTimeout
from privacyhub.gateway.publishing import EventPublisher
from privacyhub.shared.broker import provisioned
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.queries import COMMAND, QUERY, Command, Query, Refusal, Reply
from privacyhub.shared.topics import GATEWAY_REPLIES, TopicSpec
from pydantic import BaseModel, JsonValue, TypeAdapter

Answer = TypeVar("Answer")


def found(reply: Reply) -> JsonValue:
    """The result of a found reply.

    404 when the owner holds nothing under the id; a refused step answers with its code
    (409, see refusals.py, as does a repeated command: `already_carried_out`); 500 for a query
    the owner could not answer.
    """
    if reply.status == "not_found":
        raise NotFoundException(reply.reason)
    if reply.status == "refused":
        raise Refusal(reply.code or "refused", reply.reason or "The owning service refused this.")
    if reply.status != "found":
        raise InternalServerException(f"the owning service could not answer: {reply.reason}")
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
        return await self._sent(
            topic, Envelope[Query](type=QUERY, subject_id=subject_id, payload=query)
        )

    async def command(
        self, topic: TopicSpec, subject_id: str, command: Command, *, command_id: UUID | None = None
    ) -> Reply:
        """Publish `command` to the owner's commands `topic` and wait for the reply, as `ask`. The
        owner takes it once per event id, its idempotency key: `command_id` (made from an
        `Idempotency-Key` header, idempotency.py), or a new one."""
        envelope = Envelope[Command](
            type=COMMAND, subject_id=subject_id, payload=command, event_id=command_id or uuid4()
        )
        return await self._sent(topic, envelope)

    async def _sent(self, topic: TopicSpec, envelope: Envelope[Query] | Envelope[Command]) -> Reply:
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._waiting[envelope.correlation_id] = future
        try:
            await self._publisher.publish(envelope, topic)
            return await asyncio.wait_for(future, self._timeout_seconds)
        except TimeoutError as error:
            raise QueryTimeout(envelope.payload.name) from error
        finally:
            del self._waiting[envelope.correlation_id]


@cache
def _adapter(answer: Any) -> TypeAdapter[Any]:
    return TypeAdapter(answer)


async def ask_owner(
    queries: QueryClient,
    topic: TopicSpec,
    name: str,
    arguments: BaseModel | dict[str, JsonValue] | None,
    answer: type[Answer],
    *,
    key: str,
) -> Answer:
    """Ask the owning service on `topic` for a read and return its result as `answer`.

    `key` is the envelope's subject and partition key: the id the query is about, or a fixed
    key for a whole list. Errors as `found` raises them.
    """
    query = Query(name=name, arguments=_plain(arguments))
    return _adapter(answer).validate_python(found(await queries.ask(topic, key, query)))


async def command_owner(
    queries: QueryClient,
    topic: TopicSpec,
    name: str,
    arguments: BaseModel,
    answer: type[Answer],
    *,
    key: str,
    command_id: UUID | None = None,
) -> Answer:
    """Have the owning service on its commands `topic` take a step and return its result as
    `answer`; `key` and errors as `ask_owner`. The step is taken once per `command_id` (a new
    one when not given); a repeat is refused as `already_carried_out` (409)."""
    command = Command(name=name, arguments=_plain(arguments))
    reply = await queries.command(topic, key, command, command_id=command_id)
    return _adapter(answer).validate_python(found(reply))


def _plain(arguments: BaseModel | dict[str, JsonValue] | None) -> dict[str, JsonValue]:
    if isinstance(arguments, BaseModel):
        return arguments.model_dump(mode="json")
    return arguments or {}
