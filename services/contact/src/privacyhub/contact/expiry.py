"""The contact service's retention periods (processing register): the disclosure log.

A disclosure is logged five years after it was made, then it goes: the log names the recipient,
the reference, the subject id and the field names, never the data, so it holds nothing encrypted
and no data key depends on it. The notes of subject commands passed on to recipients belong to
the same log and go the same way. Contact messages themselves are scheduled by the retention service
(answered or no longer a customer), not by a period.
"""

from privacyhub.contact.partner_answers import PassedOnCommands
from privacyhub.contact.sharing import Disclosures
from privacyhub.shared.clock import Clock
from privacyhub.shared.contracts.retention import EraseExpiredRecords
from privacyhub.shared.expiry import Erased, ExpiryReceipts, expiry_handler
from privacyhub.shared.service import Handler, ServiceRuntime

OWNER = "contact"


def expiry_handlers(
    runtime: ServiceRuntime,
    *,
    disclosures: Disclosures,
    passed_on: PassedOnCommands,
    receipts: ExpiryReceipts,
    clock: Clock,
) -> dict[str, Handler]:
    async def expire_disclosures(command: EraseExpiredRecords) -> Erased:
        held = command.held_subject_ids
        erased, kept = await disclosures.erase_disclosed_before(command.cutoff, held=held)
        notes_erased, notes_kept = await passed_on.erase_passed_on_before(command.cutoff, held=held)
        return Erased(erased=erased + notes_erased, kept_under_hold=kept + notes_kept)

    return expiry_handler(
        runtime,
        owner=OWNER,
        receipts=receipts,
        clock=clock,
        expiries={"disclosures": expire_disclosures},
    )
