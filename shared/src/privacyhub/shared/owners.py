"""The registered owners of personal data: every subject command expects one answer from each.

Adding a partner that holds personal data is one line here (and its subscriber). An owner answers
the subject commands through `subject_command_handlers`, in the handler table of its handlers.py.
"""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from privacyhub.shared.catalogue import UndeclaredMessage, declared_reading
from privacyhub.shared.contracts.subject import (
    SUBJECT_DATA_EXPORTED,
    SUBJECT_PROCESSING_CHANGED,
    Category,
    CategoryExport,
    Change,
    ProcessingChange,
    Receipt,
    SubjectCommand,
    SubjectDataExported,
    SubjectMessage,
    SubjectProcessingChanged,
)
from privacyhub.shared.envelope import Envelope, derived_event_id
from privacyhub.shared.topics import SUBJECT_COMMANDS, SUBJECT_EXPORTS, SUBJECT_RESULTS, TopicSpec
from pydantic import BaseModel, JsonValue, TypeAdapter
from pydantic_core import to_json

DATA_OWNERS: dict[str, tuple[Category, ...]] = {
    "contact": ("contact_messages",),
    "consent": ("consents", "visit_records"),
    "support_partner": (
        "contact_messages",
    ),  # a recipient (Art. 19): reached through the contact service
}


# Records per message of an export: sealed for each reader of SUBJECT_EXPORTS (base64, so a third
# more each), a part stays well under Kafka's 1 MiB message limit.
EXPORT_PART_BYTES = 128 * 1024

OwnerAnswer = tuple[str, BaseModel]
CommandHandler = Callable[[Envelope[Any], Any], Awaitable[OwnerAnswer]]
PassOn = Callable[[Envelope[Any], SubjectCommand], Awaitable[None]]
# A message handler as shared/service.py declares it.
Handler = Callable[[Envelope[Any]], Awaitable[None]]


def subject_command_handlers(
    runtime: Any,
    *,
    handlers: dict[str, CommandHandler],
    catch_up: Sequence[TopicSpec],
    pass_on: PassOn | None = None,
) -> dict[str, Handler]:
    """The owner's handlers of the subject commands, for its handler table (`ServiceRuntime.handle`):
    `handlers` must cover every command the catalogue gives `runtime` (a ServiceRuntime) on
    SUBJECT_COMMANDS, and the table subscribes one dispatcher by envelope type to the topic (two
    subscribers on one topic in one consumer group would split its partitions between them).

    Each command addressed to the owner (its `owners`, or every owner) has its effect once and is
    answered under the command's correlation id (`answer_topic`: an export only where the rights
    workflow alone reads it), once the owner has processed everything on `catch_up` (the topics
    that bring it the subject's data) accepted before it. `pass_on` first hands every command to
    the recipients the owner shared data with, addressed to the owner or not.
    """
    declared = declared_reading(runtime.process, SUBJECT_COMMANDS)
    if set(handlers) != set(declared):
        raise UndeclaredMessage(
            f"{runtime.name} handles {sorted(handlers)} on {SUBJECT_COMMANDS.name}; "
            f"the catalogue declares {sorted(declared)}"
        )
    answers = AnswerPublishers(runtime)

    async def carry_out_subject_command(envelope: Envelope[Any]) -> None:
        """Act on a command about one data subject and answer with a receipt or an export."""
        handler = handlers[envelope.type]
        command: SubjectCommand = envelope.payload  # read into its contract by the table

        async def effect() -> None:
            await runtime.caught_up(*catch_up)
            if pass_on is not None:
                await pass_on(envelope, command)
            if not command.addresses(runtime.name):
                return  # the owner's part of a rights request was refused
            answer_type, answer = await handler(envelope, command)
            await runtime.publish_in_order(
                [(answers.of(a), a) for a in answered(envelope, runtime.name, answer_type, answer)]
            )

        await runtime.processed_events.apply_once(envelope.event_id, envelope.type, effect)

    return dict.fromkeys(handlers, carry_out_subject_command)


def answer_topic(answer_type: str) -> TopicSpec:
    """Where an owner's answer travels: an export on a topic only the rights workflow may read
    (and its payload is sealed for it alone), a receipt where the retention service reads it too."""
    return SUBJECT_EXPORTS if answer_type == SUBJECT_DATA_EXPORTED else SUBJECT_RESULTS


class AnswerPublishers:
    """A runtime's publishers of owners' answers, each answer to its `answer_topic`."""

    def __init__(self, runtime: Any) -> None:
        self._publishers = {
            topic.name: runtime.publisher(topic) for topic in (SUBJECT_RESULTS, SUBJECT_EXPORTS)
        }

    def of(self, answer: Envelope[SubjectMessage]) -> Any:
        return self._publishers[answer_topic(answer.type).name]


def answered(
    command: Envelope[Any], owner: str, answer_type: str, answer: BaseModel
) -> list[Envelope[SubjectMessage]]:
    """The owner's answer to `command` as it travels, under the command's correlation id: an
    export in parts small enough for Kafka, anything else whole. A redelivered command yields
    the same answer ids, so the receiver counts each part once."""
    parts = export_parts(answer) if isinstance(answer, SubjectDataExported) else [answer]
    return [
        Envelope[SubjectMessage](
            event_id=derived_event_id(command.event_id, f"{owner}:{answer_type}:{number}"),
            type=answer_type,
            subject_id=command.subject_id,
            correlation_id=command.correlation_id,
            payload=SubjectMessage.model_validate(part.model_dump(mode="json")),
        )
        for number, part in enumerate(parts, start=1)
    ]


def export_parts(
    export: SubjectDataExported, *, budget: int = EXPORT_PART_BYTES
) -> list[SubjectDataExported]:
    """The export cut into parts of about `budget` bytes of records each, in order; a category
    with no records still appears, and a record is never split."""
    parts: list[list[CategoryExport]] = [[]]
    size = 0
    for category in export.categories:
        current = category.model_copy(update={"records": []})
        parts[-1].append(current)
        for record in category.records:
            record_size = len(to_json(record))
            if size and size + record_size > budget:
                current = category.model_copy(update={"records": []})
                parts.append([current])
                size = 0
            current.records.append(record)
            size += record_size
    return [
        SubjectDataExported(
            owner=export.owner, categories=categories, part=number, parts=len(parts)
        )
        for number, categories in enumerate(parts, start=1)
    ]


def processing_changed(
    owner: str,
    change: ProcessingChange,
    changes: Sequence[Change],
    erased: Sequence[Receipt] = (),
) -> OwnerAnswer:
    """An owner's answer to a change of processing: what it changed per category, and (for a
    withdrawal) what it erased."""
    answer = SubjectProcessingChanged(
        owner=owner, change=change, changes=list(changes), erased=list(erased)
    )
    return SUBJECT_PROCESSING_CHANGED, answer


def json_record(document: dict[str, Any]) -> dict[str, JsonValue]:
    """A stored document as JSON (datetimes as ISO text), for an export."""
    return _JSON.dump_python(document, mode="json")


_JSON: TypeAdapter[dict[str, Any]] = TypeAdapter(dict[str, Any])
