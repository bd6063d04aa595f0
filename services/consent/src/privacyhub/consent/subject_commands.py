"""The consent service as a data owner, for the visitor ids a verified rights request links to a subject.

Consent records are proof the controller must keep (legal obligation); visit records are
processed under analytics consent. Nothing here rests on legitimate interest, and no name
or e-mail address is held, so objection and rectification change nothing in this service.

The personal fields of both are encrypted under each visitor's data key: export reads them
decrypted, and erasure destroys a visitor's key once nothing of the visitor is kept, so copies
made earlier (backups) cannot be read either. Restriction flags are clear fields, set in place.

Every command first waits until the service has processed every choice and page view accepted
before it (shared/progress.py), so an export holds them and an erasure leaves none behind. A
command that changes what governs a visitor's views (restriction, its lifting, erasure,
withdrawal) changes the stored state, then tells the copy that holds the visitor in memory
(`VisitorStateChanged`, stream.py) and waits until that copy has read it; only then does it
flag, unlink or erase the visits, so views that copy linked in the meantime are included.
"""

from datetime import UTC, datetime
from functools import partial
from typing import Any
from uuid import uuid5

from aiokafka import TopicPartition
from privacyhub.consent.consents import CURRENT, Consents
from privacyhub.consent.restrictions import Restrictions
from privacyhub.consent.statements import Statements
from privacyhub.consent.visits import VISITS, Visits
from privacyhub.shared.contracts.consent import (
    VISITOR_STATE_CHANGED,
    ConsentGiven,
    ConsentSource,
    Purposes,
    VisitorStateChanged,
)
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
from privacyhub.shared.envelope import Envelope, derived_event_id, utc_now
from privacyhub.shared.owners import OwnerAnswer, answer_subject_commands, json_record
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import CONSENT_CHOICES, PAGE_VIEWS

OWNER = "consent"
SINCE_EVER = datetime.min.replace(tzinfo=UTC)


def register_subject_commands(
    runtime: ServiceRuntime,
    *,
    consents: Consents,
    visits: Visits,
    restrictions: Restrictions,
    statements: Statements,
    keys: SubjectKeys,
) -> None:
    current, visit_records = runtime.db[CURRENT], runtime.db[VISITS]
    notices = runtime.publisher(CONSENT_CHOICES, VisitorStateChanged)

    async def tell_holders(
        envelope: Envelope[SubjectMessage],
        visitor_ids: list[str],
        change: Any,
    ) -> None:
        """Have the copies holding the visitors read them again; return once they have."""
        targets: dict[TopicPartition, int] = {}
        for visitor_id in visitor_ids:
            notice = Envelope[VisitorStateChanged](
                event_id=derived_event_id(envelope.event_id, f"{change}:{visitor_id}"),
                type=VISITOR_STATE_CHANGED,
                subject_id=visitor_id,
                correlation_id=envelope.correlation_id,
                payload=VisitorStateChanged(visitor_id=visitor_id, change=change),
            )
            sent = await notices.publish(notice, key=notice.partition_key)
            partition = TopicPartition(CONSENT_CHOICES.name, sent.partition)
            targets[partition] = max(targets.get(partition, 0), sent.offset + 1)
        await runtime.progress.processed_past(
            targets, within=runtime.settings.catch_up_timeout_seconds
        )

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
        restricted = await restrictions.of(command.visitor_ids)
        choices = []
        for document in await consents.choices_of(command.visitor_ids):
            document.pop("_id")  # the consent id, which the record holds too
            held = in_force.get(document["consent_id"])
            marks = {"in_force": held is not None}
            if held is not None:
                restriction = restricted.get(document["visitor_id"])
                marks |= {"needs_renewal": held.get("needs_renewal", False)}
                marks |= {"restriction": restriction and without_id(restriction)}
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

    async def erase(envelope: Envelope[SubjectMessage], command: EraseSubjectData) -> OwnerAnswer:
        at, receipts = utc_now(), []
        if "consents" in command.categories:
            erased = await consents.erase(command.visitor_ids)
            await restrictions.erase(command.visitor_ids)
            receipts.append(Receipt(owner=OWNER, category="consents", erased=erased, erased_at=at))
        await tell_holders(envelope, command.visitor_ids, "erased")
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
            withdrawn += 1
        await tell_holders(envelope, command.visitor_ids, "consents_withdrawn")
        linked_before = await visit_records.count_documents(of(command.visitor_ids))
        for visitor_id in command.visitor_ids:
            # Anonymous counts (a purpose that needs no consent) keep what they may; the rest goes.
            await visits.unlink(visitor_id, since=SINCE_EVER, until=None)
        linked_after = await visit_records.count_documents(of(command.visitor_ids))
        erased = Receipt(
            owner=OWNER, category="visit_records", erased=linked_before - linked_after, erased_at=at
        )
        return changed(
            "consents_withdrawn", [Change(category="consents", affected=withdrawn, at=at)], [erased]
        )

    async def restrict(
        envelope: Envelope[SubjectMessage], command: RestrictProcessing
    ) -> OwnerAnswer:
        at = utc_now()
        restricted = await restrictions.place(
            command.visitor_ids, since=at, request_id=command.request_id
        )
        await tell_holders(envelope, command.visitor_ids, "restricted")
        flag = {"$set": {"restriction": {"since": at, "request_id": command.request_id}}}
        flagged_visits = await visit_records.update_many(
            {**of(command.visitor_ids), "restriction": {"$exists": False}}, flag
        )
        return changed(
            "restricted",
            [
                Change(category="consents", affected=restricted, at=at),
                Change(category="visit_records", affected=flagged_visits.modified_count, at=at),
            ],
        )

    async def lift(envelope: Envelope[SubjectMessage], command: LiftRestriction) -> OwnerAnswer:
        at = utc_now()
        lifted = await restrictions.lift(command.visitor_ids, restricted_by=command.restricted_by)
        await tell_holders(envelope, command.visitor_ids, "restriction_lifted")
        lifted_visits = await visit_records.update_many(
            {**of(command.visitor_ids), "restriction.request_id": command.restricted_by},
            {"$unset": {"restriction": ""}},
        )
        return changed(
            "restriction_lifted",
            [
                Change(category="consents", affected=len(lifted), at=at),
                Change(category="visit_records", affected=lifted_visits.modified_count, at=at),
            ],
        )

    async def object_to(_: Envelope[SubjectMessage], __: Any) -> OwnerAnswer:
        return changed("objected", [])

    async def rectify(_: Envelope[SubjectMessage], __: Any) -> OwnerAnswer:
        return changed("rectified", [])

    answer_subject_commands(
        runtime,
        catch_up=(CONSENT_CHOICES, PAGE_VIEWS),
        handlers={
            EXPORT_SUBJECT_DATA: export,
            ERASE_SUBJECT_DATA: erase,
            WITHDRAW_CONSENTS: withdraw,
            RESTRICT_PROCESSING: restrict,
            LIFT_RESTRICTION: lift,
            OBJECT_TO_PROCESSING: object_to,
            RECTIFY_SUBJECT_DATA: rectify,
        },
    )


def without_id(document: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in document.items() if name != "_id"}
