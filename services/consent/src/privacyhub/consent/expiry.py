"""The consent service's retention periods (processing register): visits, consent choices, counts.

Visit records go 13 months after the visit; a consent choice goes five years after a later choice
replaced it, and the choice in force stays however old it is; an anonymous daily counter goes
three years after its day (it names no one, but the register declares a period for it too). Both are encrypted under the
visitor's data key, which is destroyed once nothing of the visitor is left here.

An expiry command names the subjects and visitors a legal hold keeps; what a hold kept of a
rights-request erasure (holds.py) goes with the first expiry of its category that names neither.
"""

from functools import partial
from uuid import UUID, uuid5

from privacyhub.consent.consents import Consents
from privacyhub.consent.holds import KeptErasures
from privacyhub.consent.notices import VisitorNotices
from privacyhub.consent.restrictions import Restrictions
from privacyhub.consent.visits import Visits
from privacyhub.shared.clock import Clock
from privacyhub.shared.contracts.retention import EraseExpiredRecords
from privacyhub.shared.crypto import SubjectKeys
from privacyhub.shared.expiry import Erased, ExpiryReceipts, expiry_handler
from privacyhub.shared.service import Handler, ServiceRuntime

OWNER = "consent"
KEPT_ERASURE_NOTICES = uuid5(UUID(int=0), "privacyhub.consent.kept-erasures")


def expiry_handlers(
    runtime: ServiceRuntime,
    *,
    consents: Consents,
    visits: Visits,
    restrictions: Restrictions,
    keys: SubjectKeys,
    notices: VisitorNotices,
    kept_erasures: KeptErasures,
    receipts: ExpiryReceipts,
    clock: Clock,
) -> dict[str, Handler]:
    async def anything_held_for(visitor_id: str) -> bool:
        return await consents.held_for(visitor_id) or await visits.held_for(visitor_id)

    async def shred_emptied(visitor_ids: set[str]) -> None:
        for visitor_id in sorted(visitor_ids):
            await keys.destroy_when_unused(visitor_id, partial(anything_held_for, visitor_id))

    async def expire_visits(command: EraseExpiredRecords) -> Erased:
        erased, kept, visitors = await visits.erase_visited_before(
            command.cutoff, held=command.held_subject_ids
        )
        released = await kept_erasures.released("visit_records", command.held_subject_ids)
        if released:
            erased += await visits.erase(released)
            await kept_erasures.erased(["visit_records"], released)
        await shred_emptied(visitors | set(released))
        return Erased(erased=erased, kept_under_hold=kept)

    async def expire_replaced_choices(command: EraseExpiredRecords) -> Erased:
        erased, kept, visitors = await consents.erase_replaced_before(
            command.cutoff, held=command.held_subject_ids
        )
        released = await kept_erasures.released("consent_proofs", command.held_subject_ids)
        if released:
            erased += await consents.erase(released)
            await restrictions.erase(released)
            # The copies holding these visitors in memory must stop acting on an erased choice.
            cause = uuid5(KEPT_ERASURE_NOTICES, f"{command.rule}:{command.cutoff.isoformat()}")
            await notices.tell_holders(cause, cause, released, "erased")
            await kept_erasures.erased(["consents"], released)
        await shred_emptied(visitors | set(released))
        return Erased(erased=erased, kept_under_hold=kept)

    async def expire_counts(command: EraseExpiredRecords) -> Erased:
        return Erased(erased=await visits.erase_counts_before(command.cutoff), kept_under_hold=0)

    return expiry_handler(
        runtime,
        owner=OWNER,
        receipts=receipts,
        clock=clock,
        expiries={
            "visit_records": expire_visits,
            "consent_proofs": expire_replaced_choices,
            "anonymous_visit_counts": expire_counts,
        },
    )
