"""The requests service's periodic sweep: escalate requests whose owners stay silent, then tell the
privacy officer what needs them (officer_alerts.py)."""

import asyncio
import logging
from collections.abc import Callable

from privacyhub.requests.execution import RightsExecution
from privacyhub.requests.officer_alerts import OfficerAlerts
from privacyhub.shared.service import ServiceRuntime

logger = logging.getLogger(__name__)


async def sweep_while(
    running: Callable[[], bool],
    *,
    execution: RightsExecution,
    alerts: OfficerAlerts,
    interval_seconds: float,
) -> None:
    """Sweep every interval for as long as `running()` says so."""
    while True:
        await asyncio.sleep(interval_seconds)
        if not running():
            return
        try:
            escalated = await execution.escalate_overdue()
            alerted = await alerts.send_due()
        except Exception:
            logger.warning("rights request sweep failed; trying again next interval", exc_info=True)
            continue
        if escalated:
            logger.warning(
                "rights requests escalated: owners did not answer", extra={"count": escalated}
            )
        if alerted:
            logger.info("privacy officer e-mailed", extra={"count": alerted})


def sweep_while_serving(
    runtime: ServiceRuntime,
    *,
    execution: RightsExecution,
    alerts: OfficerAlerts,
    interval_seconds: float,
) -> None:
    """Start sweeping with `runtime`; the sweep ends once its broker, having started, stops."""
    sweeps: set[asyncio.Task] = set()
    started: list[bool] = []

    def serving() -> bool:
        """True until the broker, once started, stops: the sweep then ends before the database closes."""
        if runtime.broker.running:
            started[:] = [True]
            return True
        return not started

    async def start_sweeping() -> None:
        sweep = asyncio.get_running_loop().create_task(
            sweep_while(
                serving,
                execution=execution,
                alerts=alerts,
                interval_seconds=interval_seconds,
            )
        )
        sweeps.add(sweep)
        sweep.add_done_callback(sweeps.discard)

    runtime.on_startup(start_sweeping)
