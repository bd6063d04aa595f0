"""The requests service's retention periods (processing register): staff reads, resolved complaints, breaches.

An access-log entry goes two years after the read, a complaint two years after it was resolved,
a breach-register entry five years after its decision was recorded (an undecided one stays).
Complaints are encrypted under the reporter's data key, which is destroyed once nothing of the
reporter is left here (execution_store.py decides what still needs it); access-log entries hold
no encrypted data.

A completed or refused rights request goes five years after its completion or refusal, whole:
its receipts prove the execution for as long as the register keeps that proof, then they go too,
with the request's owner exports and export package. A request nobody verified (awaiting its
code, or locked after too many wrong ones) goes a month after it was received.
"""

from privacyhub.requests.access_log.log import StaffAccessLog
from privacyhub.requests.complaints.breaches import BreachRegister
from privacyhub.requests.complaints.workflow import Complaints
from privacyhub.requests.rights.execution_store import Executions
from privacyhub.shared.clock import Clock
from privacyhub.shared.contracts.retention import EraseExpiredRecords
from privacyhub.shared.expiry import Erased, ExpiryReceipts, expiry_handler
from privacyhub.shared.service import Handler, ServiceRuntime

OWNER = "requests"


def expiry_handlers(
    runtime: ServiceRuntime,
    *,
    access_log: StaffAccessLog,
    complaints: Complaints,
    breaches: BreachRegister,
    executions: Executions,
    receipts: ExpiryReceipts,
    clock: Clock,
) -> dict[str, Handler]:
    async def expire_reads(command: EraseExpiredRecords) -> Erased:
        erased, kept = await access_log.erase_read_before(
            command.cutoff, held=command.held_subject_ids
        )
        return Erased(erased=erased, kept_under_hold=kept)

    async def expire_resolved_complaints(command: EraseExpiredRecords) -> Erased:
        erased, kept, reporters = await complaints.erase_resolved_before(
            command.cutoff, held=command.held_subject_ids
        )
        for subject_id in sorted(reporters):
            await executions.destroy_key_when_unused(subject_id)
        return Erased(erased=erased, kept_under_hold=kept)

    async def expire_decided_breaches(command: EraseExpiredRecords) -> Erased:
        return Erased(erased=await breaches.erase_decided_before(command.cutoff), kept_under_hold=0)

    async def expire_completed_requests(command: EraseExpiredRecords) -> Erased:
        erased, kept = await executions.erase_completed_before(
            command.cutoff, held=command.held_subject_ids
        )
        return Erased(erased=erased, kept_under_hold=kept)

    async def expire_unverified_requests(command: EraseExpiredRecords) -> Erased:
        erased, kept = await executions.erase_unverified_before(
            command.cutoff, held=command.held_subject_ids
        )
        return Erased(erased=erased, kept_under_hold=kept)

    return expiry_handler(
        runtime,
        owner=OWNER,
        receipts=receipts,
        clock=clock,
        expiries={
            "staff_access_log": expire_reads,
            "complaints": expire_resolved_complaints,
            "breach_register": expire_decided_breaches,
            "rights_requests": expire_completed_requests,
            "unverified_rights_requests": expire_unverified_requests,
        },
    )
