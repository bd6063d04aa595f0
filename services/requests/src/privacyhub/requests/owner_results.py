"""The data owners' answers to rights-request commands, and the sweep that escalates silent owners."""

import asyncio

from privacyhub.requests.execution import RightsExecution
from privacyhub.shared.contracts.subject import SubjectMessage
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import SUBJECT_RESULTS


def register_owner_results(runtime: ServiceRuntime, execution: RightsExecution) -> None:
    @runtime.subscriber(SUBJECT_RESULTS)
    async def record_owner_answer(envelope: Envelope[SubjectMessage]) -> None:
        """Count each owner's answer once; complete the request when every owner answered."""
        await runtime.processed_events.apply_once(
            envelope.event_id, envelope.type, lambda: execution.record(envelope)
        )

    sweeps: set[asyncio.Task] = set()
    started: list[bool] = []

    def serving() -> bool:
        """True until the broker, once started, stops: the sweep then ends before the database closes."""
        if runtime.broker.running:
            started[:] = [True]
            return True
        return not started

    async def start_sweeping() -> None:
        sweep = asyncio.get_running_loop().create_task(execution.sweep_while(serving))
        sweeps.add(sweep)
        sweep.add_done_callback(sweeps.discard)

    runtime.on_startup(start_sweeping)
