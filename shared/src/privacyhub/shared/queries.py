"""Queries and commands through topics: the gateway asks (gateway/queries.py), the owning service
answers here.

FastStream has no Kafka request/reply, so a query or a command is an envelope on the owner's
query topic and the answer an envelope on GATEWAY_REPLIES with the same correlation id. A query
reads and changes nothing, so it needs no idempotency. A command takes a step (a decision, a
code entered) and is carried out once per event id, its idempotency key: a redelivered command
is refused as `already_carried_out` instead of taken again (`ProcessedEvents.answer_once`).
"""

from collections.abc import Awaitable, Callable
from typing import Any, Literal, Self

from privacyhub.shared.dead_letter import describe_failure
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.topics import GATEWAY_REPLIES, TopicSpec
from pydantic import BaseModel, JsonValue, ValidationError

QUERY = "Query"
COMMAND = "Command"
REPLY = "QueryAnswered"
# The refusal a command gets when its event id was carried out before.
ALREADY_CARRIED_OUT = "already_carried_out"


class Query(BaseModel):
    """A named read with its arguments (a visitor id, a date range)."""

    name: str
    arguments: dict[str, JsonValue] = {}


class Command(BaseModel):
    """A named step with its arguments (a decision on a request, a code entered)."""

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


class NoArguments(BaseModel):
    """The arguments of a read that takes none (a whole list, the version in force)."""


QueryHandler = Callable[[Query], Awaitable[Reply]]
CommandHandler = Callable[[Command], Awaitable[Reply]]


def answering(
    arguments: type[BaseModel],
    step: Callable[[Any], Awaitable[BaseModel | Reply | None]],
    *,
    not_found: str,
) -> Callable[[Query | Command], Awaitable[Reply]]:
    """A handler that reads the arguments into `arguments` (`invalid`, naming the fields, where
    they do not fit), takes `step` on them and answers what it returns: `found` with it, a reply
    as it is, or `not_found` for None. A `Refusal` it raises is answered by `answer_queries`."""

    async def answer(asked: Query | Command) -> Reply:
        try:
            parsed = arguments.model_validate(asked.arguments)
        except ValidationError as error:
            return Reply(status="invalid", reason=describe_failure(error))
        outcome = await step(parsed)
        if outcome is None:
            return Reply(status="not_found", reason=not_found)
        if isinstance(outcome, Reply):
            return outcome
        return Reply(status="found", result=outcome.model_dump(mode="json"))

    return answer


def answer_queries(
    runtime: Any,
    topic: TopicSpec,
    queries: dict[str, QueryHandler],
    commands: dict[str, CommandHandler] | None = None,
) -> None:
    """Subscribe `runtime` (a ServiceRuntime) to `topic` and answer each query and command by its
    name: one subscriber for both, as two in one consumer group would split the topic between them."""
    replies = runtime.publisher(GATEWAY_REPLIES)
    commands = commands or {}

    async def reply_to(
        asked: Query | Command, handler: Callable[..., Awaitable[Reply]] | None
    ) -> Reply:
        if handler is None:
            return Reply(
                status="invalid", reason=f"unknown {type(asked).__name__.lower()} {asked.name!r}"
            )
        try:
            return await handler(asked)
        except Refusal as refusal:
            return Reply.refused(refusal.code, refusal.reason)

    @runtime.subscriber(topic)
    async def answer(envelope: Envelope[Query]) -> None:
        if envelope.type == COMMAND:
            command = Command.model_validate(envelope.payload.model_dump())
            reply = await runtime.processed_events.answer_once(
                envelope.event_id,
                COMMAND,
                lambda: reply_to(command, commands.get(command.name)),
                repeated=Reply.refused(ALREADY_CARRIED_OUT, "This command was carried out before."),
            )
        else:
            reply = await reply_to(envelope.payload, queries.get(envelope.payload.name))
        answer = Envelope[Reply](
            type=REPLY,
            subject_id=envelope.subject_id,
            correlation_id=envelope.correlation_id,
            payload=reply,
        )
        await replies.publish(answer, key=answer.partition_key)
