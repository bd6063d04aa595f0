"""Reads through topics: the gateway asks (gateway/queries.py), the owning service answers here.

FastStream has no Kafka request/reply, so a query is an envelope on the owner's
query topic and the answer an envelope on GATEWAY_REPLIES with the same
correlation id. Queries change nothing, so they need no idempotency.
"""

from collections.abc import Awaitable, Callable
from typing import Any, Literal, Self

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
    """`found` carries `result`; the others a reason without personal data.

    `not_found`: nothing under the id. `invalid`: a query the owner cannot answer (a bug in the
    asker). `refused`: the owner declined a step the data's state does not allow, and `code`
    names why (e.g. `already_decided`).
    """

    status: Literal["found", "not_found", "invalid", "refused"]
    result: JsonValue = None
    code: str | None = None
    reason: str | None = None

    @classmethod
    def refused(cls, code: str, reason: str) -> Self:
        """A declined step: a machine-readable `code` and a sentence without personal data.

        Owners do not build it: they raise `Refusal`, which `answer_queries` turns into this.
        """
        return cls(status="refused", code=code, reason=reason)


class Refusal(Exception):
    """A step the data's state does not allow: raised by an owner's handler, answered as `Reply.refused`.

    The gateway raises it again from such a reply, and answers it in HTTP (gateway/errors.py).
    """

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


QueryHandler = Callable[[Query], Awaitable[Reply]]


def answer_queries(runtime: Any, topic: TopicSpec, handlers: dict[str, QueryHandler]) -> None:
    """Subscribe `runtime` (a ServiceRuntime) to `topic` and answer each query by its name."""
    replies = runtime.publisher(GATEWAY_REPLIES)

    @runtime.subscriber(topic)
    async def answer(envelope: Envelope[Query]) -> None:
        handler = handlers.get(envelope.payload.name)
        if handler is None:
            reply = Reply(status="invalid", reason=f"unknown query {envelope.payload.name!r}")
        else:
            try:
                reply = await handler(envelope.payload)
            except Refusal as refusal:
                reply = Reply.refused(refusal.code, refusal.reason)
        answer = Envelope[Reply](
            type=REPLY,
            subject_id=envelope.subject_id,
            correlation_id=envelope.correlation_id,
            payload=reply,
        )
        await replies.publish(answer, key=answer.partition_key)
