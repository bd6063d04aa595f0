"""The contact service's hot path: contact messages, a batch at a time.

Per batch, not per message:
- the restrictions of the batch's subjects, read in one query (restrictions.py);
- the data keys of its subjects, from the cache or made together in one bulk (an existing key
  looked up instead), and their confirmation in one bulk (FieldCipher.store_all);
- one unordered insert of every message, each new document of its reference carrying its
  subject's restriction, so no read ever finds a restricted person's new message unflagged;
- the lifecycle events and the disclosures to the recipients handed to Kafka together, and one
  wait for all their acknowledgements, only after the insert: a message is announced stored,
  and disclosed, once it is durable;
- one insert of the disclosure log, keyed by the disclosures' event ids.

Per message, only what is rare: a reference that had a document already (an answer recorded
before its message, or a message delivered again) is written alone (`ContactMessages.store_late`),
and its answer, when the document now holds both, is announced. A message applied before (its
event id marked processed) announces and discloses nothing again.

Nothing here filters by anything but `_id`, FerretDB v1 scanning the whole collection otherwise,
except for the restrictions, whose collection holds only the few restricted subjects.
"""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from privacyhub.contact.repository import ContactMessages
from privacyhub.contact.restrictions import Restrictions
from privacyhub.contact.sharing import Disclosure, Sharing
from privacyhub.shared.contracts.contact import (
    CONTACT_MESSAGE_ANSWERED,
    CONTACT_MESSAGE_STORED,
    ContactMessageAnswered,
    ContactMessageReceived,
    ContactMessageStored,
)
from privacyhub.shared.envelope import Envelope, derived_event_id
from privacyhub.shared.idempotency import ProcessedEvents
from privacyhub.shared.publishing import Publication

Received = Envelope[ContactMessageReceived]


def stored_event(received: Received) -> Envelope[ContactMessageStored]:
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


class ContactIntake:
    def __init__(
        self,
        *,
        messages: ContactMessages,
        restrictions: Restrictions,
        sharing: Sharing,
        lifecycle: Any,
        processed_events: ProcessedEvents,
    ) -> None:
        self._messages = messages
        self._restrictions = restrictions
        self._sharing = sharing
        self._lifecycle = lifecycle
        self._processed_events = processed_events

    async def apply(self, envelopes: Sequence[Envelope[Any]]) -> None:
        """Store, announce and disclose a batch of received messages."""
        received, seen = [], set()
        for envelope in envelopes:  # the same message may come twice in one poll
            if envelope.event_id not in seen:
                seen.add(envelope.event_id)
                received.append(envelope)
        restricted = await self._restrictions.of_all({e.subject_id for e in received})
        late = await self._messages.store_all(received, restricted)
        late_ids = {id(e) for e in late}

        announced: list[Publication] = []
        disclosures: list[Disclosure] = []
        for envelope in received:
            if id(envelope) in late_ids:
                continue
            announced.append((self._lifecycle, stored_event(envelope)))
            flags = {"restriction": restricted.get(envelope.subject_id)}  # as written
            disclosures += self._sharing.disclosures_of(envelope, flags)
        applied_before = await self._processed_events.processed_among(e.event_id for e in late)
        for envelope in late:
            if envelope.event_id in applied_before:
                continue  # announced and disclosed when it was applied
            document = await self._messages.store_late(
                envelope, restricted.get(envelope.subject_id)
            )
            if document is None:
                continue  # erased meanwhile
            announced.append((self._lifecycle, stored_event(envelope)))
            if (answered := answered_event(document)) is not None:
                announced.append((self._lifecycle, answered))
            disclosures += self._sharing.disclosures_of(envelope, document)
        await self._sharing.send(disclosures, along=announced)
