"""Queries and commands through topics: the gateway asks (gateway/queries.py), the owning service
answers here (`query_handlers`, `command_handlers`, in the handler table of its handlers.py).

FastStream has no Kafka request/reply, so a query is an envelope on the owner's queries topic, a
command one on its commands topic, and the answer an envelope on GATEWAY_REPLIES with the same
correlation id. A query reads and changes nothing, so it needs no idempotency. A command takes a
step (a decision, a code entered) and is carried out once per event id, its idempotency key: a
redelivered or repeated command is refused as `already_carried_out` instead of taken again
(`ProcessedEvents.answer_once`). The gateway makes that id from an `Idempotency-Key` header
where the asker sends one, so a repeated HTTP request is a repeated command.
"""

from collections.abc import Awaitable, Callable
from typing import Any, Literal, Self

from privacyhub.shared.dead_letter import describe_failure
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.topics import GATEWAY_REPLIES
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

        Owners do not build it: they raise `Refusal`, which `query_handlers` turns into this.
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
# A message handler as shared/service.py declares it (which imports the catalogue, and so this).
Handler = Callable[[Envelope[Any]], Awaitable[None]]


def answering(
    arguments: type[BaseModel],
    step: Callable[[Any], Awaitable[BaseModel | Reply | None]],
    *,
    not_found: str,
) -> Callable[[Query | Command], Awaitable[Reply]]:
    """A handler that reads the arguments into `arguments` (`invalid`, naming the fields, where
    they do not fit), takes `step` on them and answers what it returns: `found` with it, a reply
    as it is, or `not_found` for None. A `Refusal` it raises is answered by `query_handlers`."""

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


ReplyTo = Callable[[Any, Callable[..., Awaitable[Reply]] | None], Awaitable[Reply]]
Send = Callable[[Envelope[Any], Reply], Awaitable[None]]


def _replying(runtime: Any) -> tuple[ReplyTo, Send]:
    """Answering a query or a command by its name, and sending the answer on GATEWAY_REPLIES."""
    replies = runtime.publisher(GATEWAY_REPLIES)

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

    async def send(asked: Envelope[Any], reply: Reply) -> None:
        answer = Envelope[Reply](
            type=REPLY,
            subject_id=asked.subject_id,
            correlation_id=asked.correlation_id,
            payload=reply,
        )
        await replies.publish(answer, key=answer.partition_key)

    return reply_to, send


def query_handlers(runtime: Any, queries: dict[str, QueryHandler]) -> dict[str, Handler]:
    """The owner's handler of its queries topic, for its handler table (`ServiceRuntime.handle`):
    each query answered by its name on GATEWAY_REPLIES through `runtime` (a ServiceRuntime)."""
    reply_to, send = _replying(runtime)

    async def answer_query(envelope: Envelope[Query]) -> None:
        """Answer a read by its name; it changes nothing."""
        query = Query.model_validate(envelope.payload.model_dump())
        await send(envelope, await reply_to(query, queries.get(query.name)))

    return {QUERY: answer_query}


def command_handlers(runtime: Any, commands: dict[str, CommandHandler]) -> dict[str, Handler]:
    """The owner's handler of its commands topic, for its handler table: each command carried
    out by its name once per event id, its idempotency key, and answered on GATEWAY_REPLIES."""
    reply_to, send = _replying(runtime)

    async def carry_out_command(envelope: Envelope[Command]) -> None:
        """Take a step by its name, once per event id, and answer it; a repeated one is refused."""
        command = Command.model_validate(envelope.payload.model_dump())
        reply = await runtime.processed_events.answer_once(
            envelope.event_id,
            COMMAND,
            lambda: reply_to(command, commands.get(command.name)),
            repeated=Reply.refused(
                ALREADY_CARRIED_OUT,
                "This command was carried out before under the same idempotency key; "
                "read the record to see its outcome.",
            ),
        )
        await send(envelope, reply)

    return {COMMAND: carry_out_command}
