"""The consent service's retention periods (processing register): visits, consent choices, counts.

Visit records go 13 months after the visit; a consent choice goes five years after a later choice
replaced it, and the choice in force stays however old it is; an anonymous daily counter goes
three years after its day (it names no one, but the register declares a period for it too). Both are encrypted under the
visitor's data key, which is destroyed once nothing of the visitor is left here.
"""

from functools import partial

from privacyhub.consent.consents import Consents
from privacyhub.consent.visits import Visits
from privacyhub.shared.contracts.retention import EraseExpiredRecords
from privacyhub.shared.crypto import SubjectKeys
from privacyhub.shared.expiry import Erased, answer_expiry_commands
from privacyhub.shared.service import ServiceRuntime

OWNER = "consent"


def register_expiry(
    runtime: ServiceRuntime, *, consents: Consents, visits: Visits, keys: SubjectKeys
) -> None:
    async def anything_held_for(visitor_id: str) -> bool:
        return await consents.held_for(visitor_id) or await visits.held_for(visitor_id)

    async def shred_emptied(visitor_ids: set[str]) -> None:
        for visitor_id in sorted(visitor_ids):
            await keys.destroy_when_unused(visitor_id, partial(anything_held_for, visitor_id))

    async def expire_visits(command: EraseExpiredRecords) -> Erased:
        erased, kept, visitors = await visits.erase_visited_before(
            command.cutoff, held=command.held_subject_ids
        )
        await shred_emptied(visitors)
        return Erased(erased=erased, kept_under_hold=kept)

    async def expire_replaced_choices(command: EraseExpiredRecords) -> Erased:
        erased, kept, visitors = await consents.erase_replaced_before(
            command.cutoff, held=command.held_subject_ids
        )
        await shred_emptied(visitors)
        return Erased(erased=erased, kept_under_hold=kept)

    async def expire_counts(command: EraseExpiredRecords) -> Erased:
        return Erased(erased=await visits.erase_counts_before(command.cutoff), kept_under_hold=0)

    answer_expiry_commands(
        runtime,
        owner=OWNER,
        expiries={
            "visit_records": expire_visits,
            "consent_proofs": expire_replaced_choices,
            "anonymous_visit_counts": expire_counts,
        },
    )
