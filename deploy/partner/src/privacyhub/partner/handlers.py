"""What the partner tool does with each message on its topic: one handler per message type.

A shared question is kept; every subject command is carried out on the questions kept and
answered with the same receipts every data owner sends, under the owner name `support_partner`
the rights workflow waits for.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from privacyhub.partner.questions import RECIPIENT, SharedQuestions
from privacyhub.shared.batches import publish_in_order
from privacyhub.shared.clock import Clock
from privacyhub.shared.contracts.partner import (
    RECORD_SHARED,
    RECTIFY_SHARED_RECORDS,
    PartnerMessage,
    RectifySharedRecords,
)
from privacyhub.shared.contracts.subject import (
    ERASE_SUBJECT_DATA,
    EXPORT_SUBJECT_DATA,
    LIFT_RESTRICTION,
    OBJECT_TO_PROCESSING,
    RESTRICT_PROCESSING,
    SUBJECT_DATA_ERASED,
    SUBJECT_DATA_EXPORTED,
    SUBJECT_PROCESSING_CHANGED,
    WITHDRAW_CONSENTS,
    CategoryExport,
    Change,
    EraseSubjectData,
    ExportSubjectData,
    LiftRestriction,
    ObjectToProcessing,
    ProcessingChange,
    Receipt,
    RestrictProcessing,
    SubjectDataErased,
    SubjectDataExported,
    SubjectProcessingChanged,
    WithdrawConsents,
)
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.owners import OwnerAnswer, answered, json_record
from privacyhub.shared.service import Handler, ServiceRuntime
from privacyhub.shared.topics import PARTNER_RESULTS

OWNER = RECIPIENT  # its answers name it as Jobport's register does
CATEGORY = "contact_messages"

CarryOut = Callable[[Envelope[Any]], Awaitable[OwnerAnswer]]


def register_handlers(runtime: ServiceRuntime, questions: SharedQuestions, clock: Clock) -> None:
    results = runtime.publisher(PARTNER_RESULTS)

    def answering(carry_out: CarryOut) -> Handler:
        """`carry_out` once per command, its answer published on PARTNER_RESULTS."""

        async def handler(envelope: Envelope[Any]) -> None:
            async def effect() -> None:
                answer_type, answer = await carry_out(envelope)
                await publish_in_order(
                    [(results, a) for a in answered(envelope, OWNER, answer_type, answer)]
                )

            await runtime.processed_events.apply_once(envelope.event_id, envelope.type, effect)

        handler.__doc__ = carry_out.__doc__
        return handler

    def changed(change: ProcessingChange, affected: int | None) -> OwnerAnswer:
        """An answer to a change; None: the command touched nothing the partner was given."""
        changes = (
            [] if affected is None else [Change(category=CATEGORY, affected=affected, at=clock())]
        )
        return SUBJECT_PROCESSING_CHANGED, SubjectProcessingChanged(
            owner=OWNER, change=change, changes=changes
        )

    async def keep_question(envelope: Envelope[PartnerMessage]) -> None:
        """Keep a question the contact service shared, once."""

        async def effect() -> None:
            await questions.keep(envelope)

        await runtime.processed_events.apply_once(envelope.event_id, envelope.type, effect)

    async def export(envelope: Envelope[ExportSubjectData]) -> OwnerAnswer:
        """Export the subject's shared questions."""
        records = [json_record(q) for q in await questions.of_subject(envelope.subject_id)]
        exported = CategoryExport(category=CATEGORY, basis="legitimate_interest", records=records)
        return SUBJECT_DATA_EXPORTED, SubjectDataExported(owner=OWNER, categories=[exported])

    async def erase(envelope: Envelope[EraseSubjectData]) -> OwnerAnswer:
        """Erase the subject's shared questions (those named, if any) and answer with a receipt."""
        command, receipts = envelope.payload, []
        if CATEGORY in command.categories:
            erased = await questions.erase(envelope.subject_id, references=command.record_ids)
            receipts.append(
                Receipt(owner=OWNER, category=CATEGORY, erased=erased, erased_at=clock())
            )
        return SUBJECT_DATA_ERASED, SubjectDataErased(owner=OWNER, receipts=receipts)

    async def rectify(envelope: Envelope[RectifySharedRecords]) -> OwnerAnswer:
        """Correct the subject's shared questions in the partner's own field names."""
        command = envelope.payload
        if not command.corrections and command.new_subject_id is None:
            return changed("rectified", None)
        rectified = await questions.rectify(
            envelope.subject_id, command.corrections, new_subject_id=command.new_subject_id
        )
        return changed("rectified", rectified)

    async def restrict(envelope: Envelope[RestrictProcessing]) -> OwnerAnswer:
        """Flag the subject's shared questions as restricted (Art. 18)."""
        flagged = await questions.flag(
            envelope.subject_id, "restriction", request_id=envelope.payload.request_id, at=clock()
        )
        return changed("restricted", flagged)

    async def object_to(envelope: Envelope[ObjectToProcessing]) -> OwnerAnswer:
        """Flag the subject's shared questions as objected to (Art. 21)."""
        flagged = await questions.flag(
            envelope.subject_id, "objection", request_id=envelope.payload.request_id, at=clock()
        )
        return changed("objected", flagged)

    async def lift(envelope: Envelope[LiftRestriction]) -> OwnerAnswer:
        """Lift the restriction the same request placed."""
        lifted = await questions.unset(
            envelope.subject_id, request_id=envelope.payload.restricted_by, flag="restriction"
        )
        return changed("restriction_lifted", lifted)

    async def withdraw(envelope: Envelope[WithdrawConsents]) -> OwnerAnswer:
        """Nothing to withdraw: the partner was given nothing on the ground of consent."""
        return changed("consents_withdrawn", None)

    runtime.handle(
        {
            RECORD_SHARED: keep_question,
            ERASE_SUBJECT_DATA: answering(erase),
            EXPORT_SUBJECT_DATA: answering(export),
            RECTIFY_SHARED_RECORDS: answering(rectify),
            RESTRICT_PROCESSING: answering(restrict),
            LIFT_RESTRICTION: answering(lift),
            OBJECT_TO_PROCESSING: answering(object_to),
            WITHDRAW_CONSENTS: answering(withdraw),
        }
    )
