"""What the requests service does with each rights request it consumes."""

from privacyhub.requests.rights.workflow import RightsWorkflow
from privacyhub.shared.contracts.rights import RightsRequestReceived
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import RIGHTS_REQUESTS


def register_handlers(runtime: ServiceRuntime, workflow: RightsWorkflow) -> None:
    @runtime.subscriber(RIGHTS_REQUESTS)
    async def receive_rights_request(envelope: Envelope[RightsRequestReceived]) -> None:
        """Store a request once, confirm its receipt and e-mail the verification code."""
        await runtime.processed_events.apply_once(
            envelope.event_id, envelope.type, lambda: workflow.receive(envelope)
        )
