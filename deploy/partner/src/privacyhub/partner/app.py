"""Assembles the reference support-partner tool.

It logs in as `partner-support`, which may only read PARTNER_SUPPORT and answer on PARTNER_RESULTS.
Shared questions are kept encrypted per subject (questions.py), under key-encryption keys of its
own (`PARTNER_KEY_ENCRYPTION_KEYS`); erasure, rectification, restriction, objection and export
are carried out on them and answered with the same receipts every data owner sends, under the
owner name `support_partner` the rights workflow waits for.
"""

from datetime import datetime
from typing import Any

from privacyhub.partner.questions import RECIPIENT, SharedQuestions
from privacyhub.partner.settings import PartnerSettings
from privacyhub.shared.batches import publish_in_order
from privacyhub.shared.catalogue import contracts
from privacyhub.shared.clock import Clock
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


def changed(change: ProcessingChange, affected: int | None, at: datetime) -> OwnerAnswer:
    """An answer to a change; None: the command touched nothing the partner was given."""
    changes = [] if affected is None else [Change(category=CATEGORY, affected=affected, at=at)]
    return SUBJECT_PROCESSING_CHANGED, SubjectProcessingChanged(
        owner=OWNER, change=change, changes=changes
    )


async def carry_out(
    questions: SharedQuestions, command_type: str, subject_id: str, command: Any, clock: Clock
) -> OwnerAnswer:
    """Apply one passed-on subject command to the questions the partner holds; `clock` dates the answer."""
    if command_type == EXPORT_SUBJECT_DATA:
        records = [json_record(q) for q in await questions.of_subject(subject_id)]
        export = CategoryExport(category=CATEGORY, basis="legitimate_interest", records=records)
        return SUBJECT_DATA_EXPORTED, SubjectDataExported(owner=OWNER, categories=[export])
    if command_type == ERASE_SUBJECT_DATA:
        receipts = []
        if CATEGORY in command.categories:
            erased = await questions.erase(subject_id, references=command.record_ids)
            receipts.append(
                Receipt(owner=OWNER, category=CATEGORY, erased=erased, erased_at=clock())
            )
        return SUBJECT_DATA_ERASED, SubjectDataErased(owner=OWNER, receipts=receipts)
    if command_type == RECTIFY_SHARED_RECORDS:
        if not command.corrections and command.new_subject_id is None:
            return changed("rectified", None, clock())
        rectified = await questions.rectify(
            subject_id, command.corrections, new_subject_id=command.new_subject_id
        )
        return changed("rectified", rectified, clock())
    if command_type in (RESTRICT_PROCESSING, OBJECT_TO_PROCESSING):
        flag, change = (
            ("restriction", "restricted")
            if command_type == RESTRICT_PROCESSING
            else ("objection", "objected")
        )
        flagged = await questions.flag(subject_id, flag, request_id=command.request_id, at=clock())
        return changed(change, flagged, clock())  # type: ignore[arg-type]
    if command_type == LIFT_RESTRICTION:
        lifted = await questions.unset(
            subject_id, request_id=command.restricted_by, flag="restriction"
        )
        return changed("restriction_lifted", lifted, clock())
    if command_type == WITHDRAW_CONSENTS:
        # The partner was given nothing on the ground of consent.
        return changed("consents_withdrawn", None, clock())
    raise UnprocessableMessage(f"no handling for partner command {command_type!r}")


def create_runtime(
    settings: PartnerSettings | None = None, *, clock: Clock = utc_now
) -> ServiceRuntime:
    """`clock` dates receipts and changes; tests may pass one they control."""
    runtime = ServiceRuntime(settings or PartnerSettings(), name="partner-support")
    questions = SharedQuestions(runtime.db, subject_keys_for(runtime))
    runtime.on_startup(questions.ensure_indexes)
    results = runtime.publisher(PARTNER_RESULTS)

    async def receive_from_jobport(envelope: Envelope[PartnerMessage]) -> None:
        """Keep a shared question, or carry out a subject command and answer with a receipt."""

        async def effect() -> None:
            if envelope.type == RECORD_SHARED:
                await questions.keep(envelope)
                return
            answer_type, answer = await carry_out(
                questions, envelope.type, envelope.subject_id, envelope.payload, clock
            )
            await publish_in_order(
                [(results, a) for a in answered(envelope, OWNER, answer_type, answer)]
            )

        await runtime.processed_events.apply_once(envelope.event_id, envelope.type, effect)

    runtime.handle(dict.fromkeys(contracts(PARTNER_SUPPORT), receive_from_jobport))
    return runtime
