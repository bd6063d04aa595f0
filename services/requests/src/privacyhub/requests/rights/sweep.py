"""The requests service's periodic sweep: escalate requests whose owners stay silent (or whose new
e-mail address stays unverified), tell the privacy officer what needs them (officer_alerts.py),
and delete packages past their window."""

import logging
from collections.abc import Callable

from privacyhub.requests.rights.execution import RightsExecution
from privacyhub.requests.rights.officer_alerts import OfficerAlerts
from privacyhub.shared.service import ServiceRuntime

logger = logging.getLogger(__name__)


def sweep_rights_requests(
    runtime: ServiceRuntime,
    *,
    execution: RightsExecution,
    alerts: OfficerAlerts,
    interval_seconds: float,
) -> None:
    """Sweep every interval while `runtime` serves (`ServiceRuntime.every`)."""

    async def sweep(serving: Callable[[], bool]) -> None:
        escalated = await execution.escalate_overdue()
        alerted = await alerts.send_due()
        expired = await execution.expire_packages()
        if expired:
            logger.info("export packages past their window deleted", extra={"count": expired})
        if escalated:
            logger.warning(
                "rights requests escalated: owners did not answer, or a new address was not verified",
                extra={"count": escalated},
            )
        if alerted:
            logger.info("privacy officer e-mailed", extra={"count": alerted})

    runtime.every(interval_seconds, sweep, what="rights request sweep")
