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

An erasure or withdrawal for a rights request keeps what a legal hold covers, and says so
(holds.py); the expiry of the category erases it once the hold has ended (expiry.py).
"""

from datetime import UTC, datetime
from functools import partial
from typing import Any
from uuid import uuid5

from privacyhub.consent.consents import Consents
from privacyhub.consent.holds import ConsentCategory, HeldApart, KeptErasures, hold_apart
from privacyhub.consent.notices import VisitorNotices
from privacyhub.consent.restrictions import Restrictions
from privacyhub.consent.statements import Statements
from privacyhub.consent.visits import Visits
from privacyhub.shared.contracts.consent import (
    ConsentGiven,
    ConsentSource,
    Purposes,
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
    WithdrawConsents,
)
from privacyhub.shared.crypto import SubjectKeys
from privacyhub.shared.dead_letter import UnprocessableMessage
from privacyhub.shared.envelope import Envelope, utc_now
from privacyhub.shared.legal_holds import HeldData
from privacyhub.shared.owners import (
    OwnerAnswer,
    json_record,
    processing_changed,
    subject_command_handlers,
)
from privacyhub.shared.service import Handler, ServiceRuntime
from privacyhub.shared.topics import CONSENT_CHOICES, PAGE_VIEWS

OWNER = "consent"
SINCE_EVER = datetime.min.replace(tzinfo=UTC)


def owner_handlers(
    runtime: ServiceRuntime,
    *,
    consents: Consents,
    visits: Visits,
    restrictions: Restrictions,
    statements: Statements,
    keys: SubjectKeys,
    notices: VisitorNotices,
    held: HeldData,
    kept_erasures: KeptErasures,
) -> dict[str, Handler]:
    """The consent service's handlers of the subject commands, for the table of handlers.py."""

    async def tell_holders(
        envelope: Envelope[SubjectMessage], visitor_ids: list[str], change: Any
    ) -> None:
        await notices.tell_holders(envelope.event_id, envelope.correlation_id, visitor_ids, change)

    async def apart(
        envelope: Envelope[SubjectMessage],
        command: EraseSubjectData | WithdrawConsents,
        category: ConsentCategory,
    ) -> HeldApart:
        """The command's visitors to erase in `category` now, and those a hold keeps (rights
        requests only: a retention rule's erasure was checked against the holds when it was sent)."""
        if getattr(command, "reason", "rights_request") != "rights_request":
            return HeldApart(erase=list(command.visitor_ids), kept=[], reasons=[])
        return await hold_apart(held, envelope.subject_id, command.visitor_ids, category, utc_now())

    def receipt(category: ConsentCategory, erased: int, kept: int, apart: HeldApart) -> Receipt:
        reasons = apart.reasons if kept else []
        return Receipt(
            owner=OWNER,
            category=category,
            erased=erased,
            kept_under_hold=kept,
            hold_reasons=reasons,
            erased_at=utc_now(),
        )

    async def anything_held_for(visitor_id: str) -> bool:
        return await consents.held_for(visitor_id) or await visits.held_for(visitor_id)

    changed = partial(processing_changed, OWNER)

    async def export(_: Envelope[SubjectMessage], command: Any) -> OwnerAnswer:
        in_force = {
            document["consent_id"]: document
            for document in await consents.choices_in_force(command.visitor_ids)
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
        at, receipts, told = utc_now(), [], set()
        if "consents" in command.categories:
            choices = await apart(envelope, command, "consents")
            erased = await consents.erase(choices.erase)
            await restrictions.erase(choices.erase)
            kept = await consents.count_of(choices.kept)
            receipts.append(receipt("consents", erased, kept, choices))
            await kept_erasures.settle(envelope.subject_id, choices, "consents", at)
            told |= set(choices.erase)
        if "visit_records" in command.categories:
            views = await apart(envelope, command, "visit_records")
            told |= set(views.erase)
        await tell_holders(envelope, sorted(told), "erased")
        if "visit_records" in command.categories:
            erased = await visits.erase(views.erase)
            kept = await visits.count_of(views.kept)
            receipts.append(receipt("visit_records", erased, kept, views))
            await kept_erasures.settle(envelope.subject_id, views, "visit_records", at)
        for visitor_id in command.visitor_ids:
            await keys.destroy_when_unused(visitor_id, partial(anything_held_for, visitor_id))
        return SUBJECT_DATA_ERASED, SubjectDataErased(owner=OWNER, receipts=receipts)

    async def withdraw(
        envelope: Envelope[SubjectMessage], command: WithdrawConsents
    ) -> OwnerAnswer:
        at, withdrawn = utc_now(), 0
        for in_force in await consents.choices_in_force(command.visitor_ids):
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
        views = await apart(envelope, command, "visit_records")
        linked_before = await visits.count_of(views.erase)
        for visitor_id in views.erase:
            # Anonymous counts (a purpose that needs no consent) keep what they may; the rest goes.
            await visits.unlink(visitor_id, since=SINCE_EVER, until=None)
        erased = linked_before - await visits.count_of(views.erase)
        kept = await visits.count_of(views.kept)
        await kept_erasures.settle(envelope.subject_id, views, "visit_records", at)
        return changed(
            "consents_withdrawn",
            [Change(category="consents", affected=withdrawn, at=at)],
            [receipt("visit_records", erased, kept, views)],
        )

    async def restrict(
        envelope: Envelope[SubjectMessage], command: RestrictProcessing
    ) -> OwnerAnswer:
        at = utc_now()
        restricted = await restrictions.place(
            command.visitor_ids, since=at, request_id=command.request_id
        )
        await tell_holders(envelope, command.visitor_ids, "restricted")
        flagged_visits = await visits.flag_restricted(
            command.visitor_ids, since=at, request_id=command.request_id
        )
        return changed(
            "restricted",
            [
                Change(category="consents", affected=restricted, at=at),
                Change(category="visit_records", affected=flagged_visits, at=at),
            ],
        )

    async def lift(envelope: Envelope[SubjectMessage], command: LiftRestriction) -> OwnerAnswer:
        at = utc_now()
        lifted = await restrictions.lift(command.visitor_ids, restricted_by=command.restricted_by)
        await tell_holders(envelope, command.visitor_ids, "restriction_lifted")
        lifted_visits = await visits.lift_restriction(
            command.visitor_ids, restricted_by=command.restricted_by
        )
        return changed(
            "restriction_lifted",
            [
                Change(category="consents", affected=len(lifted), at=at),
                Change(category="visit_records", affected=lifted_visits, at=at),
            ],
        )

    async def object_to(_: Envelope[SubjectMessage], __: Any) -> OwnerAnswer:
        return changed("objected", [])

    async def rectify(_: Envelope[SubjectMessage], __: Any) -> OwnerAnswer:
        return changed("rectified", [])

    return subject_command_handlers(
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
