"""What the retention service does with each message it consumes."""

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from privacyhub.retention.deletion_log import DeletionLog, ErasureRequests
from privacyhub.retention.expiry import ExpiryRequests
from privacyhub.retention.holds import LegalHolds, announcement, placed_event
from privacyhub.retention.scheduling import CONTACT_MESSAGES, ContactRetention
from privacyhub.shared.catalogue import contracts
from privacyhub.shared.clock import Clock
from privacyhub.shared.contracts.contact import (
    CONTACT_MESSAGE_ANSWERED,
    CONTACT_MESSAGE_STORED,
    ContactLifecycleEvent,
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
    RetentionCommand,
)
from privacyhub.shared.contracts.subject import (
    SubjectDataErased,
    SubjectMessage,
    read_payload,
)
from privacyhub.shared.dead_letter import UnprocessableMessage
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import (
    CONTACT_LIFECYCLE,
    RETENTION_COMMANDS,
    RETENTION_EXPIRY_RECEIPTS,
    SUBJECT_RESULTS,
)
from pydantic import BaseModel

logger = logging.getLogger(__name__)

# The owner whose records this service schedules; its recipients' copies are not held (see scheduling.py).
CONTACT_OWNER = "contact"


def contract_of(envelope: Envelope, contracts: dict[str, type[BaseModel]]) -> BaseModel:
    """The payload, checked to be the contract its envelope type names."""
    contract = contracts.get(envelope.type)
    if contract is None or not isinstance(envelope.payload, contract):
        raise UnprocessableMessage(f"{envelope.type!r} is not a message this handler takes")
    return envelope.payload


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
    clock: Clock,
) -> None:
    """`hold_news` publishes on RETENTION_HOLDS (the owners' copy of the holds, announcement)."""

    async def once(envelope: Envelope, effect: Callable[[], Awaitable[None]]) -> None:
        await runtime.processed_events.apply_once(envelope.event_id, envelope.type, effect)

    async def announce(event: LegalHoldPlaced | LegalHoldLifted) -> None:
        news = announcement(event)
        await hold_news.publish(news, key=news.partition_key)

    @runtime.subscriber(CONTACT_LIFECYCLE)
    async def schedule_contact_messages(envelope: Envelope[ContactLifecycleEvent]) -> None:
        """Remember each stored message; an answer makes it due a grace period later."""
        event = contract_of(
            envelope,
            {
                CONTACT_MESSAGE_STORED: ContactMessageStored,
                CONTACT_MESSAGE_ANSWERED: ContactMessageAnswered,
            },
        )

        async def effect() -> None:
            if isinstance(event, ContactMessageAnswered):
                await contact.question_answered(
                    envelope.subject_id, event.reference, event.answered_at
                )
            elif isinstance(event, ContactMessageStored):
                await contact.message_stored(
                    envelope.subject_id, event.reference, envelope.occurred_at
                )

        await once(envelope, effect)

    @runtime.subscriber(RETENTION_COMMANDS)
    async def carry_out_retention_command(envelope: Envelope[RetentionCommand]) -> None:
        """Place or lift a legal hold, or start the clock for a person who is no longer a customer."""
        command = contract_of(
            envelope,
            {
                PLACE_LEGAL_HOLD: PlaceLegalHold,
                LIFT_LEGAL_HOLD: LiftLegalHold,
                MARK_CUSTOMER_ENDED: MarkCustomerEnded,
            },
        )

        async def effect() -> None:
            if isinstance(command, PlaceLegalHold):
                await holds.place(command)
                await announce(placed_event(command))
            elif isinstance(command, LiftLegalHold):
                if not await holds.lift(command):
                    logger.warning(
                        "no legal hold in force to lift", extra={"hold": command.hold_id}
                    )
                # Also when lifted before: an announcement lost on the way goes out again.
                await announce(
                    LegalHoldLifted(hold_id=command.hold_id, lifted_at=command.lifted_at)
                )
            elif isinstance(command, MarkCustomerEnded):
                await contact.customer_ended(envelope.subject_id, command.ended_at)

        await once(envelope, effect)

    @runtime.subscriber(SUBJECT_RESULTS)
    async def log_erasure_receipts(envelope: Envelope[SubjectMessage]) -> None:
        """Log the owners' receipts for this service's erase commands; of other erasures, note what a hold kept."""
        answer = read_payload(envelope.type, envelope.payload, contracts(SUBJECT_RESULTS))
        if not isinstance(answer, SubjectDataErased):
            return
        request = await requests.get(envelope.correlation_id)
        if request is None:
            if not kept_contact_messages(answer):
                return

            async def erase_when_the_hold_ends() -> None:
                await contact.erasure_kept_under_hold(envelope.subject_id, envelope.occurred_at)

            await once(envelope, erase_when_the_hold_ends)
            return

        async def effect() -> None:
            await log.record_receipts(request, answer, logged_at=clock())

        await once(envelope, effect)

    @runtime.subscriber(RETENTION_EXPIRY_RECEIPTS)
    async def log_expiry_receipts(envelope: Envelope[ExpiredRecordsErased]) -> None:
        """Log the owners' receipts for this service's expiry commands."""
        receipt = contract_of(envelope, {EXPIRED_RECORDS_ERASED: ExpiredRecordsErased})
        request = await expiry_requests.get(envelope.correlation_id)
        if request is None:
            return  # another copy's command, under another database: not ours to log

        async def effect() -> None:
            await log.record_expiry(request, receipt, logged_at=clock())

        await once(envelope, effect)
