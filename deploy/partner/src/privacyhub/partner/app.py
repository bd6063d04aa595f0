"""Assembles the reference support-partner tool.

It logs in as `partner-support`, which may only read PARTNER_SUPPORT and answer on PARTNER_RESULTS.
Shared questions are kept encrypted per subject (questions.py), under key-encryption keys of its
own (`PARTNER_KEY_ENCRYPTION_KEYS`); erasure, rectification, restriction, objection and export
are carried out on them and answered with the same receipts every data owner sends, under the
owner name `support_partner` the rights workflow waits for.
"""

from typing import Any

from privacyhub.partner.questions import RECIPIENT, SharedQuestions
from privacyhub.partner.settings import PartnerSettings
from privacyhub.shared.batches import publish_in_order
from privacyhub.shared.contracts.partner import (
    RECORD_SHARED,
    RECTIFY_SHARED_RECORDS,
    PartnerMessage,
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
    ProcessingChange,
    Receipt,
    SubjectDataErased,
    SubjectDataExported,
    SubjectProcessingChanged,
)
from privacyhub.shared.crypto import subject_keys_for
from privacyhub.shared.dead_letter import UnprocessableMessage
from privacyhub.shared.envelope import Envelope, utc_now
from privacyhub.shared.owners import OwnerAnswer, answered, json_record
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import PARTNER_RESULTS, PARTNER_SUPPORT

OWNER = RECIPIENT  # its answers name it as Jobport's register does
CATEGORY = "contact_messages"


def changed(change: ProcessingChange, affected: int | None) -> OwnerAnswer:
    """An answer to a change; None: the command touched nothing the partner was given."""
    changes = (
        [] if affected is None else [Change(category=CATEGORY, affected=affected, at=utc_now())]
    )
    return SUBJECT_PROCESSING_CHANGED, SubjectProcessingChanged(
        owner=OWNER, change=change, changes=changes
    )


async def carry_out(
    questions: SharedQuestions, command_type: str, subject_id: str, command: Any
) -> OwnerAnswer:
    """Apply one passed-on subject command to the questions the partner holds."""
    if command_type == EXPORT_SUBJECT_DATA:
        records = [json_record(q) for q in await questions.of_subject(subject_id)]
        export = CategoryExport(category=CATEGORY, basis="legitimate_interest", records=records)
        return SUBJECT_DATA_EXPORTED, SubjectDataExported(owner=OWNER, categories=[export])
    if command_type == ERASE_SUBJECT_DATA:
        receipts = []
        if CATEGORY in command.categories:
            erased = await questions.erase(subject_id, references=command.record_ids)
            receipts.append(
                Receipt(owner=OWNER, category=CATEGORY, erased=erased, erased_at=utc_now())
            )
        return SUBJECT_DATA_ERASED, SubjectDataErased(owner=OWNER, receipts=receipts)
    if command_type == RECTIFY_SHARED_RECORDS:
        if not command.corrections and command.new_subject_id is None:
            return changed("rectified", None)
        rectified = await questions.rectify(
            subject_id, command.corrections, new_subject_id=command.new_subject_id
        )
        return changed("rectified", rectified)
    if command_type in (RESTRICT_PROCESSING, OBJECT_TO_PROCESSING):
        flag, change = (
            ("restriction", "restricted")
            if command_type == RESTRICT_PROCESSING
            else ("objection", "objected")
        )
        flagged = await questions.flag(
            subject_id, flag, request_id=command.request_id, at=utc_now()
        )
        return changed(change, flagged)  # type: ignore[arg-type]
    if command_type == LIFT_RESTRICTION:
        lifted = await questions.unset(
            subject_id, request_id=command.restricted_by, flag="restriction"
        )
        return changed("restriction_lifted", lifted)
    if command_type == WITHDRAW_CONSENTS:
        # The partner was given nothing on the ground of consent.
        return changed("consents_withdrawn", None)
    raise UnprocessableMessage(f"no handling for partner command {command_type!r}")


def create_runtime(settings: PartnerSettings | None = None) -> ServiceRuntime:
    runtime = ServiceRuntime(settings or PartnerSettings(), name="partner-support")
    questions = SharedQuestions(runtime.db, subject_keys_for(runtime))
    runtime.on_startup(questions.ensure_indexes)
    results = runtime.publisher(PARTNER_RESULTS)

    async def receive_from_jobport(envelopes: list[Envelope[PartnerMessage]]) -> None:
        """Keep shared questions, or carry out a subject command and answer with a receipt. A batch
        at a time: a run of shared questions kept together, each command in its place, so a
        subject's messages apply in the order they came."""
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
            answer_type, answer = await carry_out(
                questions, envelope.type, envelope.subject_id, envelope.payload
            )
            await publish_in_order(
                [(results, a) for a in answered(envelope, OWNER, answer_type, answer)]
            )
        await questions.keep(shared)

    runtime.consume_batches(PARTNER_SUPPORT, handler=receive_from_jobport)
    return runtime
