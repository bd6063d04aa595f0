"""The data owners' answers to rights-request commands: receipts, and exports on a topic of their own."""

from privacyhub.requests.rights.execution import RightsExecution
from privacyhub.shared.contracts.subject import SubjectMessage
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import SUBJECT_EXPORTS, SUBJECT_RESULTS


def register_owner_results(runtime: ServiceRuntime, execution: RightsExecution) -> None:
    @runtime.subscriber(SUBJECT_RESULTS)
    @runtime.subscriber(SUBJECT_EXPORTS)
    async def record_owner_answer(envelope: Envelope[SubjectMessage]) -> None:
        """Count each owner's answer once; complete the request when every owner answered."""
        await runtime.processed_events.apply_once(
            envelope.event_id, envelope.type, lambda: execution.record(envelope)
        )
