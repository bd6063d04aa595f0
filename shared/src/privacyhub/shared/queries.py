"""Reads through topics: the gateway asks (gateway/queries.py), the owning service answers here.

FastStream has no Kafka request/reply, so a query is an envelope on the owner's
query topic and the answer an envelope on GATEWAY_REPLIES with the same
correlation id. Queries change nothing, so they need no idempotency.
"""

from collections.abc import Awaitable, Callable
from typing import Any, Literal

from privacyhub.shared.envelope import Envelope
from privacyhub.shared.topics import GATEWAY_REPLIES, TopicSpec
from pydantic import BaseModel, JsonValue

QUERY = "Query"
REPLY = "QueryAnswered"


class Query(BaseModel):
    """A named read with its arguments (a visitor id, a date range)."""

    name: str
    arguments: dict[str, JsonValue] = {}


class Reply(BaseModel):
    """`found` carries `result`; `not_found` and `invalid` carry a reason without personal data."""

    status: Literal["found", "not_found", "invalid"]
    result: JsonValue = None
    reason: str | None = None


QueryHandler = Callable[[Query], Awaitable[Reply]]


def answer_queries(runtime: Any, topic: TopicSpec, handlers: dict[str, QueryHandler]) -> None:
    """Subscribe `runtime` (a ServiceRuntime) to `topic` and answer each query by its name."""
    replies = runtime.publisher(GATEWAY_REPLIES, Reply)

    @runtime.subscriber(topic)
    async def answer(envelope: Envelope[Query]) -> None:
        handler = handlers.get(envelope.payload.name)
        if handler is None:
            reply = Reply(status="invalid", reason=f"unknown query {envelope.payload.name!r}")
        else:
            reply = await handler(envelope.payload)
        answer = Envelope[Reply](
            type=REPLY,
            subject_id=envelope.subject_id,
            correlation_id=envelope.correlation_id,
            payload=reply,
        )
        await replies.publish(answer, key=answer.partition_key)
