"""What the requests service does with each rights-request message it consumes: the requests
themselves, and the data owners' answers to the commands it sent for them (receipts, and exports
on a topic of their own), for the service's table (handlers.py)."""

from privacyhub.requests.rights.execution import RightsExecution
from privacyhub.requests.rights.workflow import RightsWorkflow
from privacyhub.shared.contracts.rights import RIGHTS_REQUEST_RECEIVED, RightsRequestReceived
from privacyhub.shared.contracts.subject import (
    SUBJECT_DATA_ERASED,
    SUBJECT_DATA_EXPORTED,
    SUBJECT_PROCESSING_CHANGED,
    SubjectMessage,
)
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.service import Handler, ServiceRuntime


def rights_handlers(
    runtime: ServiceRuntime, workflow: RightsWorkflow, execution: RightsExecution
) -> dict[str, Handler]:
    async def receive_rights_request(envelope: Envelope[RightsRequestReceived]) -> None:
        """Store a request once, confirm its receipt and e-mail the verification code."""
        await runtime.processed_events.apply_once(
            envelope.event_id, envelope.type, lambda: workflow.receive(envelope)
        )

    async def record_owner_answer(envelope: Envelope[SubjectMessage]) -> None:
        """Count each owner's answer once; complete the request when every owner answered."""
        await runtime.processed_events.apply_once(
            envelope.event_id, envelope.type, lambda: execution.record(envelope)
        )

    return {
        RIGHTS_REQUEST_RECEIVED: receive_rights_request,
        SUBJECT_DATA_ERASED: record_owner_answer,
        SUBJECT_PROCESSING_CHANGED: record_owner_answer,
        SUBJECT_DATA_EXPORTED: record_owner_answer,
    }
