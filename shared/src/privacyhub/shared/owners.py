"""The registered owners of personal data: every subject command expects one answer from each.

Adding a partner that holds personal data is one line here (and its subscriber).
"""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from privacyhub.shared.contracts.subject import (
    COMMAND_CONTRACTS,
    Category,
    SubjectMessage,
    read_payload,
)
from privacyhub.shared.dead_letter import UnprocessableMessage
from privacyhub.shared.envelope import Envelope, derived_event_id
from privacyhub.shared.topics import SUBJECT_COMMANDS, SUBJECT_RESULTS, TopicSpec
from pydantic import BaseModel, JsonValue, TypeAdapter

DATA_OWNERS: dict[str, tuple[Category, ...]] = {
    "contact": ("contact_messages",),
    "consent": ("consents", "visit_records"),
    "support_partner": (
        "contact_messages",
    ),  # a recipient (Art. 19): reached through the contact service
}


OwnerAnswer = tuple[str, BaseModel]
CommandHandler = Callable[[Envelope[SubjectMessage], Any], Awaitable[OwnerAnswer]]


def answer_subject_commands(
    runtime: Any,
    *,
    handlers: dict[str, CommandHandler],
    catch_up: Sequence[TopicSpec],
) -> Callable[[Envelope[SubjectMessage]], Awaitable[None]]:
    """Subscribe `runtime` (a ServiceRuntime) to SUBJECT_COMMANDS with ONE dispatcher by envelope type.

    Two subscribers on one topic in one consumer group would split its partitions between them,
    so an owner registers every command it handles here. Each command has its effect once and is
    answered on SUBJECT_RESULTS under the command's correlation id, once the owner has processed
    everything on `catch_up` (the topics that bring it the subject's data) accepted before it.
    """
    results = runtime.publisher(SUBJECT_RESULTS, SubjectMessage)

    @runtime.subscriber(SUBJECT_COMMANDS)
    async def carry_out_subject_command(envelope: Envelope[SubjectMessage]) -> None:
        """Act on a command about one data subject and answer with a receipt or an export."""
        handler = handlers.get(envelope.type)
        if handler is None:
            raise UnprocessableMessage(f"no handler for subject command {envelope.type!r}")
        command = read_payload(envelope.type, envelope.payload, COMMAND_CONTRACTS)

        async def effect() -> None:
            await runtime.caught_up(*catch_up)
            answer_type, answer = await handler(envelope, command)
            answered = Envelope[SubjectMessage](
                event_id=derived_event_id(envelope.event_id, f"{runtime.name}:{answer_type}"),
                type=answer_type,
                subject_id=envelope.subject_id,
                correlation_id=envelope.correlation_id,
                payload=SubjectMessage.model_validate(answer.model_dump(mode="json")),
            )
            await results.publish(answered, key=answered.partition_key)

        await runtime.processed_events.apply_once(envelope.event_id, envelope.type, effect)

    return carry_out_subject_command


def json_record(document: dict[str, Any]) -> dict[str, JsonValue]:
    """A stored document as JSON (datetimes as ISO text), for an export."""
    return _JSON.dump_python(document, mode="json")


_JSON: TypeAdapter[dict[str, Any]] = TypeAdapter(dict[str, Any])
