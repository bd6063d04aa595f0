"""What the contact service does with each message it consumes."""

from typing import Any
from uuid import UUID

from privacyhub.contact.repository import ContactMessages
from privacyhub.contact.sharing import Sharing
from privacyhub.shared.contracts.contact import (
    CONTACT_MESSAGE_ANSWERED,
    CONTACT_MESSAGE_STORED,
    ContactLifecycleEvent,
    ContactMessageAnswered,
    ContactMessageReceived,
    ContactMessageStored,
    MarkContactAnswered,
)
from privacyhub.shared.envelope import Envelope, derived_event_id
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import CONTACT_COMMANDS, CONTACT_LIFECYCLE, CONTACT_MESSAGES


def stored_event(received: Envelope[ContactMessageReceived]) -> Envelope[ContactMessageStored]:
    return Envelope[ContactMessageStored](
        event_id=derived_event_id(received.event_id, CONTACT_MESSAGE_STORED),
        type=CONTACT_MESSAGE_STORED,
        subject_id=received.subject_id,
        correlation_id=received.correlation_id,
        payload=ContactMessageStored(reference=received.payload.reference),
    )


def answered_event(document: dict[str, Any] | None) -> Envelope[ContactMessageAnswered] | None:
    """The announcement of an answer, once the document holds both the answer and the message's subject.

    Built from the stored document alone, so whichever handler completes the pair
    announces the same event with the same id.
    """
    if document is None or "answered_at" not in document or "subject_id" not in document:
        return None
    return Envelope[ContactMessageAnswered](
        event_id=derived_event_id(UUID(document["answer_command_id"]), CONTACT_MESSAGE_ANSWERED),
        type=CONTACT_MESSAGE_ANSWERED,
        occurred_at=document["answered_at"],
        subject_id=document["subject_id"],
        correlation_id=UUID(document["answer_correlation_id"]),
        payload=ContactMessageAnswered(
            reference=document["_id"], answered_at=document["answered_at"]
        ),
    )


def register_handlers(runtime: ServiceRuntime, messages: ContactMessages, sharing: Sharing) -> None:
    lifecycle = runtime.publisher(CONTACT_LIFECYCLE, ContactLifecycleEvent)

    @runtime.subscriber(CONTACT_MESSAGES)
    async def store_contact_message(envelope: Envelope[ContactMessageReceived]) -> None:
        """Store a received contact message once, announce it (and an answer given before it arrived)
        for retention, and disclose it to the recipients the processing register declares, unless restricted."""

        async def effect() -> None:
            document = await messages.store(envelope)
            stored = stored_event(envelope)
            await lifecycle.publish(stored, key=stored.partition_key)
            answered = answered_event(document)
            if answered is not None:
                await lifecycle.publish(answered, key=answered.partition_key)
            if document is not None:
                await sharing.disclose_to_recipients(envelope, document)

        await runtime.processed_events.apply_once(envelope.event_id, envelope.type, effect)

    @runtime.subscriber(CONTACT_COMMANDS)
    async def mark_contact_answered(command: Envelope[MarkContactAnswered]) -> None:
        """Record that a question was answered, and announce it for retention once its message is stored too."""

        # The command (keyed by reference) and the message (keyed by subject) travel on different
        # topics, so the answer may come first, say while this service catches up after an outage.
        # Dead-lettering it would lose the answer and keep the data for ever; retrying it would block
        # its partition. So the answer is recorded under its reference, and storing the message announces it.
        async def effect() -> None:
            document = await messages.record_answer(command)
            if document is None or document.get("answer_command_id") != str(command.event_id):
                return  # answered before by another command, which announced it
            answered = answered_event(document)
            if answered is not None:
                await lifecycle.publish(answered, key=answered.partition_key)

        await runtime.processed_events.apply_once(command.event_id, command.type, effect)
