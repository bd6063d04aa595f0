"""What the partner tool does with the messages on its topic: a table from message type to what
carrying it out answers, applied a batch at a time.

Shared questions are kept, a run of them in one insert; every subject command is carried out on
the questions kept, in its place between them, and answered with the same receipts every data
owner sends, under the owner name `support_partner` the rights workflow waits for.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from privacyhub.partner.questions import RECIPIENT, SharedQuestions
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
    WithdrawConsents,
)
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.owners import OwnerAnswer, answered, json_record, processing_changed
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import PARTNER_RESULTS, PARTNER_SUPPORT

OWNER = RECIPIENT  # its answers name it as Jobport's register does
CATEGORY = "contact_messages"

CarryOut = Callable[[Envelope[Any]], Awaitable[OwnerAnswer]]


def register_handlers(runtime: ServiceRuntime, questions: SharedQuestions, clock: Clock) -> None:
    results = runtime.publisher(PARTNER_RESULTS)

    def changed(change: ProcessingChange, affected: int | None) -> OwnerAnswer:
        """An answer to a change; None: the command touched nothing the partner was given."""
        changes = (
            [] if affected is None else [Change(category=CATEGORY, affected=affected, at=clock())]
        )
        return processing_changed(OWNER, change, changes)

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

    carry_out: dict[str, CarryOut] = {
        ERASE_SUBJECT_DATA: erase,
        EXPORT_SUBJECT_DATA: export,
        RECTIFY_SHARED_RECORDS: rectify,
        RESTRICT_PROCESSING: restrict,
        LIFT_RESTRICTION: lift,
        OBJECT_TO_PROCESSING: object_to,
        WITHDRAW_CONSENTS: withdraw,
    }

    async def receive_from_jobport(envelopes: list[Envelope[Any]]) -> None:
        """Keep shared questions, or carry out a subject command and answer it: a run of questions
        kept together, each command in its place, so a subject's messages apply in their order."""
        applied = await runtime.processed_events.processed_among(e.event_id for e in envelopes)
        shared: list[Envelope[PartnerMessage]] = []
        for envelope in envelopes:
            if envelope.event_id in applied:
                continue
            if envelope.type == RECORD_SHARED:
                shared.append(envelope)
                continue
            await questions.keep(shared)
            shared = []
            answer_type, answer = await carry_out[envelope.type](envelope)
            await runtime.publish_in_order(
                [(results, a) for a in answered(envelope, OWNER, answer_type, answer)]
            )
        await questions.keep(shared)

    runtime.consume_batches(PARTNER_SUPPORT, handler=receive_from_jobport)
