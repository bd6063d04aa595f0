"""The contact service as a data owner: export, erase, rectify, restrict and object for one subject.

Contact messages are processed to answer questions, on legitimate interest (statement §2b).
Legal holds belong to the retention service; an erasure for a rights request keeps the messages
a hold in force covers (as this service learned the holds, shared/legal_holds.py) and says so,
with the holds' reasons, in its receipt. The retention service erases them when the hold ends
(retention/scheduling.py). Its own erasures it checks against the holds before sending them.

A restriction is kept per subject (restrictions.py) and written onto each new message in the
write that stores it (intake.py); restricting and lifting also flag and unflag the messages held.
An erasure that leaves the subject no message forgets the restriction with the data key.
"""

from datetime import datetime
from typing import Any

from privacyhub.contact.repository import ContactMessages
from privacyhub.contact.restrictions import Restrictions
from privacyhub.contact.sharing import Sharing
from privacyhub.shared.contracts.subject import (
    ERASE_SUBJECT_DATA,
    EXPORT_SUBJECT_DATA,
    LIFT_RESTRICTION,
    OBJECT_TO_PROCESSING,
    RECTIFY_SUBJECT_DATA,
    RESTRICT_PROCESSING,
    SUBJECT_DATA_ERASED,
    SUBJECT_DATA_EXPORTED,
    SUBJECT_PROCESSING_CHANGED,
    WITHDRAW_CONSENTS,
    CategoryExport,
    Change,
    EraseSubjectData,
    LiftRestriction,
    ObjectToProcessing,
    ProcessingChange,
    Receipt,
    RectifySubjectData,
    RestrictProcessing,
    SubjectDataErased,
    SubjectDataExported,
    SubjectMessage,
    SubjectProcessingChanged,
)
from privacyhub.shared.envelope import Envelope, utc_now
from privacyhub.shared.legal_holds import HeldData
from privacyhub.shared.owners import (
    OwnerAnswer,
    json_record,
    processing_changed,
    subject_command_handlers,
)
from privacyhub.shared.service import Handler, ServiceRuntime
from privacyhub.shared.topics import CONTACT_MESSAGES

OWNER = "contact"
CATEGORY = "contact_messages"
# Bookkeeping of the service itself, not data the person gave us.
INTERNAL_FIELDS = ("answer_command_id", "answer_correlation_id")


async def erase_messages(
    repository: ContactMessages,
    subject_id: str,
    *,
    record_ids: list[str] | None = None,
    hold_reasons: list[str] | None = None,
) -> Receipt:
    """Delete the subject's messages (only `record_ids` when given); with `hold_reasons` a hold keeps them all.

    Erasing the subject's last message destroys the subject's key as well.
    """
    erased, held = await repository.erase(
        subject_id, record_ids=record_ids, keep_all=bool(hold_reasons)
    )
    return Receipt(
        owner=OWNER,
        category=CATEGORY,
        erased=erased,
        kept_under_hold=len(held),
        hold_reasons=hold_reasons if held else [],
        erased_at=utc_now(),
    )


def owner_handlers(
    runtime: ServiceRuntime,
    repository: ContactMessages,
    restrictions: Restrictions,
    sharing: Sharing,
    *,
    held: HeldData,
) -> dict[str, Handler]:
    """The contact service's handlers of the subject commands, for the table of handlers.py."""

    def changed(change: ProcessingChange, affected: int, at: datetime) -> OwnerAnswer:
        return processing_changed(
            OWNER, change, [Change(category=CATEGORY, affected=affected, at=at)]
        )

    async def export(envelope: Envelope[SubjectMessage], _: Any) -> OwnerAnswer:
        records = [
            json_record(
                {"reference": document.pop("_id")}
                | {k: v for k, v in document.items() if k not in INTERNAL_FIELDS}
            )
            for document in await repository.of_subject(envelope.subject_id)
        ]
        records = await sharing.with_disclosures(records)
        answer = SubjectDataExported(
            owner=OWNER,
            categories=[
                CategoryExport(category=CATEGORY, basis="legitimate_interest", records=records)
            ],
        )
        return SUBJECT_DATA_EXPORTED, answer

    async def erase(envelope: Envelope[SubjectMessage], command: EraseSubjectData) -> OwnerAnswer:
        receipts = []
        if CATEGORY in command.categories:
            hold_reasons = (
                await held.reasons(envelope.subject_id, CATEGORY, utc_now())
                if command.reason == "rights_request"
                else []
            )
            receipts.append(
                await erase_messages(
                    repository,
                    envelope.subject_id,
                    record_ids=command.record_ids,
                    hold_reasons=hold_reasons,
                )
            )
            await forget_restriction_unless_held(envelope.subject_id)
        return SUBJECT_DATA_ERASED, SubjectDataErased(owner=OWNER, receipts=receipts)

    async def forget_restriction_unless_held(subject_id: str) -> None:
        """A restriction is of the data held: once the subject has no message left, it goes too."""
        if not await repository.holds_any(subject_id):
            await restrictions.erase(subject_id)

    async def rectify(
        envelope: Envelope[SubjectMessage], command: RectifySubjectData
    ) -> OwnerAnswer:
        at = utc_now()
        moving = command.new_subject_id not in (None, envelope.subject_id)
        restriction = await restrictions.of(envelope.subject_id) if moving else None
        if restriction is not None and command.new_subject_id is not None:
            await restrictions.place(command.new_subject_id, restriction)  # it goes with the data
        corrected = await repository.rectify(
            envelope.subject_id,
            command.corrections,
            new_subject_id=command.new_subject_id,
            at=at,
        )
        if restriction is not None:
            await forget_restriction_unless_held(envelope.subject_id)
        return changed("rectified", corrected, at)

    async def restrict(
        envelope: Envelope[SubjectMessage], command: RestrictProcessing
    ) -> OwnerAnswer:
        """Restrict the subject, then flag the messages held.

        The consumer reads a subject's restriction when it stores a message and writes the
        message with it, so every message whose batch reads the restriction document written
        here is stored flagged. A message whose batch read it before it was written is stored
        unflagged; but that message was on its topic before that read, so before the end offsets
        that the catch-up after the write takes, and its batch is committed (stored) by the time
        that catch-up returns, and the flagging by subject after it finds it. The catch-up this command
        began with (subject_command_handlers) does not suffice: a batch may read the restriction
        after it and before the write here, and land after the flagging.
        """
        at = utc_now()
        restriction = {"since": at, "request_id": command.request_id}
        await restrictions.place(envelope.subject_id, restriction)
        await runtime.caught_up(CONTACT_MESSAGES)
        flagged = await repository.flag_restricted(envelope.subject_id, restriction)
        return changed("restricted", flagged, at)

    async def lift(envelope: Envelope[SubjectMessage], command: LiftRestriction) -> OwnerAnswer:
        """End the subject's restriction, then unflag the messages it flagged; the catch-up in
        between makes sure that a message stored flagged by a batch that read the restriction
        before it ended is stored before the unflagging (see `restrict`)."""
        await restrictions.lift(envelope.subject_id, restricted_by=command.restricted_by)
        await runtime.caught_up(CONTACT_MESSAGES)
        lifted = await repository.lift_restriction(
            envelope.subject_id, restricted_by=command.restricted_by
        )
        return changed("restriction_lifted", lifted, utc_now())

    async def object_to(
        envelope: Envelope[SubjectMessage], command: ObjectToProcessing
    ) -> OwnerAnswer:
        at = utc_now()
        objection = {"since": at, "request_id": command.request_id}
        flagged = await repository.flag_objected(envelope.subject_id, objection)
        return changed("objected", flagged, at)

    async def withdraw(envelope: Envelope[SubjectMessage], _: Any) -> OwnerAnswer:
        # Contact messages rest on legitimate interest, not consent: nothing here to withdraw.
        return SUBJECT_PROCESSING_CHANGED, SubjectProcessingChanged(
            owner=OWNER, change="consents_withdrawn", changes=[]
        )

    return subject_command_handlers(
        runtime,
        catch_up=(CONTACT_MESSAGES,),
        pass_on=sharing.pass_on,
        handlers={
            EXPORT_SUBJECT_DATA: export,
            ERASE_SUBJECT_DATA: erase,
            RECTIFY_SUBJECT_DATA: rectify,
            RESTRICT_PROCESSING: restrict,
            LIFT_RESTRICTION: lift,
            OBJECT_TO_PROCESSING: object_to,
            WITHDRAW_CONSENTS: withdraw,
        },
    )
