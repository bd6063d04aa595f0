"""What the contact service does with each message it consumes."""

from privacyhub.contact.repository import ContactMessages
from privacyhub.shared.contracts.contact import (
    CONTACT_MESSAGE_STORED,
    ContactMessageReceived,
    ContactMessageStored,
)
from privacyhub.shared.envelope import Envelope, derived_event_id
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import CONTACT_LIFECYCLE, CONTACT_MESSAGES


def stored_event(received: Envelope[ContactMessageReceived]) -> Envelope[ContactMessageStored]:
    return Envelope[ContactMessageStored](
        event_id=derived_event_id(received.event_id, CONTACT_MESSAGE_STORED),
        type=CONTACT_MESSAGE_STORED,
        subject_id=received.subject_id,
        correlation_id=received.correlation_id,
        payload=ContactMessageStored(reference=received.payload.reference),
    )


def register_handlers(runtime: ServiceRuntime, messages: ContactMessages) -> None:
    lifecycle = runtime.publisher(CONTACT_LIFECYCLE, ContactMessageStored)

    @runtime.subscriber(CONTACT_MESSAGES)
    async def store_contact_message(envelope: Envelope[ContactMessageReceived]) -> None:
        """Store a received contact message once, then announce it for retention."""

        async def effect() -> None:
            await messages.store(envelope)
            stored = stored_event(envelope)
            await lifecycle.publish(stored, key=stored.partition_key)

        await runtime.processed_events.apply_once(envelope.event_id, envelope.type, effect)
