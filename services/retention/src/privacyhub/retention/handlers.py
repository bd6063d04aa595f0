"""What the retention service does with each message it consumes: contact lifecycle facts a batch at a time, every other message by a handler of its type (its queries too, answered by `query_handlers`)."""

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from privacyhub.retention.deletion_log import DeletionLog, ErasureRequests
from privacyhub.retention.expiry import ExpiryRequests
from privacyhub.retention.holds import LegalHolds, announcement, placed_event
from privacyhub.retention.scheduling import CONTACT_MESSAGES, ContactRetention, StoredMessage
from privacyhub.shared.clock import Clock
from privacyhub.shared.contracts.contact import (
    CONTACT_MESSAGE_STORED,
    ContactMessageAnswered,
    ContactMessageStored,
)
from privacyhub.shared.contracts.retention import (
    EXPIRED_RECORDS_ERASED,
    LIFT_LEGAL_HOLD,
    MARK_CUSTOMER_ENDED,
    PLACE_LEGAL_HOLD,
    ExpiredRecordsErased,
    LegalHoldLifted,
    LegalHoldPlaced,
    LiftLegalHold,
    MarkCustomerEnded,
    PlaceLegalHold,
)
from privacyhub.shared.contracts.subject import (
    SUBJECT_DATA_ERASED,
    SUBJECT_PROCESSING_CHANGED,
    SubjectDataErased,
    SubjectProcessingChanged,
)
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.service import Handler, ServiceRuntime
from privacyhub.shared.topics import CONTACT_LIFECYCLE

logger = logging.getLogger(__name__)

# The owner whose records this service schedules; its recipients' copies are not held (see scheduling.py).
CONTACT_OWNER = "contact"


def kept_contact_messages(answer: SubjectDataErased) -> bool:
    """Whether the contact service kept messages under a hold that an erasure asked for: only its
    own answer says so (the contract lets no owner answer in another's name)."""
    return answer.owner == CONTACT_OWNER and any(
        receipt.owner == CONTACT_OWNER
        and receipt.category == CONTACT_MESSAGES
        and receipt.kept_under_hold
        for receipt in answer.receipts
    )


def register_handlers(
    runtime: ServiceRuntime,
    *,
    contact: ContactRetention,
    holds: LegalHolds,
    requests: ErasureRequests,
    expiry_requests: ExpiryRequests,
    log: DeletionLog,
    hold_news: Any,
    queries: dict[str, Handler],
    clock: Clock,
) -> None:
    """`hold_news` publishes on RETENTION_HOLDS (the owners' copy of the holds, announcement);
    `queries` are the handlers of the reads it answers (`query_handlers`)."""

    async def once(envelope: Envelope, effect: Callable[[], Awaitable[None]]) -> None:
        await runtime.processed_events.apply_once(envelope.event_id, envelope.type, effect)

    async def announce(event: LegalHoldPlaced | LegalHoldLifted) -> None:
        news = announcement(event)
        await hold_news.publish(news, key=news.partition_key)

    async def contact_lifecycle(envelopes: list[Envelope[Any]]) -> None:
        """Remember stored messages, to be deleted when their retention ends; an answered question
        makes its message due a grace period later. A batch at a time: a run of stored messages
        together, each answer in its place, so a subject's facts apply in the order they came."""
        applied = await runtime.processed_events.processed_among(e.event_id for e in envelopes)
        stored: list[StoredMessage] = []
        for envelope in envelopes:
            if envelope.event_id in applied:
                continue
            if envelope.type == CONTACT_MESSAGE_STORED:
                message: ContactMessageStored = envelope.payload
                stored.append(
                    StoredMessage(envelope.subject_id, message.reference, envelope.occurred_at)
                )
                continue
            await contact.messages_stored(stored)
            stored = []
            answered: ContactMessageAnswered = envelope.payload
            await contact.question_answered(
                envelope.subject_id, answered.reference, answered.answered_at
            )
        await contact.messages_stored(stored)

    async def place_hold(envelope: Envelope[PlaceLegalHold]) -> None:
        """Place a legal hold and tell the owners."""
        command = envelope.payload

        async def effect() -> None:
            await holds.place(command)
            await announce(placed_event(command))

        await once(envelope, effect)

    async def lift_hold(envelope: Envelope[LiftLegalHold]) -> None:
        """Lift a legal hold and tell the owners."""
        command = envelope.payload

        async def effect() -> None:
            if not await holds.lift(command):
                logger.warning("no legal hold in force to lift", extra={"hold": command.hold_id})
            # Also when lifted before: an announcement lost on the way goes out again.
            await announce(LegalHoldLifted(hold_id=command.hold_id, lifted_at=command.lifted_at))

        await once(envelope, effect)

    async def customer_ended(envelope: Envelope[MarkCustomerEnded]) -> None:
        """Start the clock for a person who is no longer a customer."""
        ended_at = envelope.payload.ended_at
        await once(envelope, lambda: contact.customer_ended(envelope.subject_id, ended_at))

    async def erasure_receipts(envelope: Envelope[SubjectDataErased]) -> None:
        """Log the owners' receipts for this service's erase commands; of other erasures, note
        what a hold kept."""
        answer = envelope.payload
        request = await requests.get(envelope.correlation_id)
        if request is None:
            if not kept_contact_messages(answer):
                return

            async def erase_when_the_hold_ends() -> None:
                await contact.erasure_kept_under_hold(envelope.subject_id, envelope.occurred_at)

            await once(envelope, erase_when_the_hold_ends)
            return
        await once(envelope, lambda: log.record_receipts(request, answer, logged_at=clock()))

    async def not_an_erasure(envelope: Envelope[SubjectProcessingChanged]) -> None:
        """Rectifications, restrictions and the like travel on the same topic; nothing to keep."""

    async def expiry_receipts(envelope: Envelope[ExpiredRecordsErased]) -> None:
        """Log the owners' receipts for this service's expiry commands."""
        request = await expiry_requests.get(envelope.correlation_id)
        if request is None:
            return  # another copy's command, under another database: not ours to log
        receipt = envelope.payload
        await once(envelope, lambda: log.record_expiry(request, receipt, logged_at=clock()))

    runtime.consume_batches(CONTACT_LIFECYCLE, handler=contact_lifecycle)
    runtime.handle(
        {
            PLACE_LEGAL_HOLD: place_hold,
            LIFT_LEGAL_HOLD: lift_hold,
            MARK_CUSTOMER_ENDED: customer_ended,
            SUBJECT_DATA_ERASED: erasure_receipts,
            SUBJECT_PROCESSING_CHANGED: not_an_erasure,
            EXPIRED_RECORDS_ERASED: expiry_receipts,
            **queries,
        }
    )
