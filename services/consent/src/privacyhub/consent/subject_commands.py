"""The consent service as a data owner, for the visitor ids a verified rights request links to a subject.

Consent records are proof the controller must keep (legal obligation); visit records are
processed under analytics consent. Nothing here rests on legitimate interest, and no name
or e-mail address is held, so objection and rectification change nothing in this service.

The personal fields of both are encrypted under each visitor's data key: export reads them
decrypted, and erasure destroys a visitor's key once nothing of the visitor is kept, so copies
made earlier (backups) cannot be read either. Restriction flags are clear fields, set in place.
"""

from datetime import UTC, datetime
from functools import partial
from typing import Any
from uuid import uuid5

from privacyhub.consent.consents import CURRENT, Consents
from privacyhub.consent.statements import Statements
from privacyhub.consent.visits import VISITS, Visits
from privacyhub.shared.contracts.consent import ConsentGiven, ConsentSource, Purposes
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
    Receipt,
    RestrictProcessing,
    SubjectDataErased,
    SubjectDataExported,
    SubjectMessage,
    SubjectProcessingChanged,
    WithdrawConsents,
)
from privacyhub.shared.crypto import SubjectKeys
from privacyhub.shared.dead_letter import UnprocessableMessage
from privacyhub.shared.envelope import Envelope, utc_now
from privacyhub.shared.owners import OwnerAnswer, answer_subject_commands, json_record
from privacyhub.shared.service import ServiceRuntime

OWNER = "consent"
SINCE_EVER = datetime.min.replace(tzinfo=UTC)


def register_subject_commands(
    runtime: ServiceRuntime,
    *,
    consents: Consents,
    visits: Visits,
    statements: Statements,
    keys: SubjectKeys,
) -> None:
    current, visit_records = runtime.db[CURRENT], runtime.db[VISITS]

    def of(visitor_ids: list[str]) -> dict[str, Any]:
        return {"visitor_id": {"$in": visitor_ids}}

    async def anything_held_for(visitor_id: str) -> bool:
        return await consents.held_for(visitor_id) or await visits.held_for(visitor_id)

    def changed(
        command: str, changes: list[Change], erased: list[Receipt] | None = None
    ) -> OwnerAnswer:
        answer = SubjectProcessingChanged(
            owner=OWNER,
            change=command,
            changes=changes,
            erased=erased or [],  # type: ignore[arg-type]
        )
        return SUBJECT_PROCESSING_CHANGED, answer

    async def export(_: Envelope[SubjectMessage], command: Any) -> OwnerAnswer:
        in_force = {
            document["consent_id"]: document
            async for document in current.find({"_id": {"$in": command.visitor_ids}})
        }
        choices = []
        for document in await consents.choices_of(command.visitor_ids):
            document.pop("_id")  # the consent id, which the record holds too
            held = in_force.get(document["consent_id"])
            marks = {"in_force": held is not None}
            if held is not None:
                marks |= {"needs_renewal": held.get("needs_renewal", False)}
                marks |= {"restriction": held.get("restriction")}
            choices.append(json_record(document | marks))
        views = [
            json_record({"page_view_id": document.pop("_id")} | document)
            for document in await visits.of_visitors(command.visitor_ids)
        ]
        answer = SubjectDataExported(
            owner=OWNER,
            categories=[
                CategoryExport(category="consents", basis="legal_obligation", records=choices),
                CategoryExport(category="visit_records", basis="consent", records=views),
            ],
        )
        return SUBJECT_DATA_EXPORTED, answer

    async def erase(_: Envelope[SubjectMessage], command: EraseSubjectData) -> OwnerAnswer:
        at, receipts = utc_now(), []
        if "consents" in command.categories:
            erased = await consents.erase(command.visitor_ids)
            receipts.append(Receipt(owner=OWNER, category="consents", erased=erased, erased_at=at))
        if "visit_records" in command.categories:
            erased = await visits.erase(command.visitor_ids)
            receipts.append(
                Receipt(owner=OWNER, category="visit_records", erased=erased, erased_at=at)
            )
        for visitor_id in command.visitor_ids:
            await keys.destroy_when_unused(visitor_id, partial(anything_held_for, visitor_id))
        return SUBJECT_DATA_ERASED, SubjectDataErased(owner=OWNER, receipts=receipts)

    async def withdraw(
        envelope: Envelope[SubjectMessage], command: WithdrawConsents
    ) -> OwnerAnswer:
        at, withdrawn = utc_now(), 0
        linked_before = await visit_records.count_documents(of(command.visitor_ids))
        async for in_force in current.find({"_id": {"$in": command.visitor_ids}}):
            statement = await statements.get(in_force["statement_version"])
            if statement is None:
                raise UnprocessableMessage("consent in force refers to an unknown statement")
            withdrawal = ConsentGiven(
                # Derived from the command, so a redelivery records the same withdrawal again.
                consent_id=str(uuid5(envelope.event_id, in_force["_id"])),
                visitor_id=in_force["_id"],
                purposes=Purposes.only_necessary(),
                statement_version=statement.version,
                source=ConsentSource.API,
                given_at=at,
            )
            await consents.record(withdrawal, statement)
            # Anonymous counters (a purpose that needs no consent) keep what they may; the rest goes.
            await visits.unlink(in_force["_id"], since=SINCE_EVER, until=None)
            withdrawn += 1
        linked_after = await visit_records.count_documents(of(command.visitor_ids))
        erased = Receipt(
            owner=OWNER, category="visit_records", erased=linked_before - linked_after, erased_at=at
        )
        return changed(
            "consents_withdrawn", [Change(category="consents", affected=withdrawn, at=at)], [erased]
        )

    async def restrict(_: Envelope[SubjectMessage], command: RestrictProcessing) -> OwnerAnswer:
        at = utc_now()
        flag = {"$set": {"restriction": {"since": at, "request_id": command.request_id}}}
        flagged_consents = await current.update_many({"_id": {"$in": command.visitor_ids}}, flag)
        flagged_visits = await visit_records.update_many(of(command.visitor_ids), flag)
        return changed(
            "restricted",
            [
                Change(category="consents", affected=flagged_consents.modified_count, at=at),
                Change(category="visit_records", affected=flagged_visits.modified_count, at=at),
            ],
        )

    async def lift(_: Envelope[SubjectMessage], command: LiftRestriction) -> OwnerAnswer:
        at = utc_now()
        restricted = {"restriction.request_id": command.restricted_by}
        unflag = {"$unset": {"restriction": ""}}
        lifted_consents = await current.update_many(
            {"_id": {"$in": command.visitor_ids}, **restricted}, unflag
        )
        lifted_visits = await visit_records.update_many(
            {**of(command.visitor_ids), **restricted}, unflag
        )
        return changed(
            "restriction_lifted",
            [
                Change(category="consents", affected=lifted_consents.modified_count, at=at),
                Change(category="visit_records", affected=lifted_visits.modified_count, at=at),
            ],
        )

    async def object_to(_: Envelope[SubjectMessage], __: Any) -> OwnerAnswer:
        return changed("objected", [])

    async def rectify(_: Envelope[SubjectMessage], __: Any) -> OwnerAnswer:
        return changed("rectified", [])

    answer_subject_commands(
        runtime,
        {
            EXPORT_SUBJECT_DATA: export,
            ERASE_SUBJECT_DATA: erase,
            WITHDRAW_CONSENTS: withdraw,
            RESTRICT_PROCESSING: restrict,
            LIFT_RESTRICTION: lift,
            OBJECT_TO_PROCESSING: object_to,
            RECTIFY_SUBJECT_DATA: rectify,
        },
    )
