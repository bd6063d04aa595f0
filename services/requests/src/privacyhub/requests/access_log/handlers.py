"""What the access log consumes: the staff reads the gateway reports on STAFF_ACCESS_LOG, for the
service's table (handlers.py)."""

from privacyhub.requests.access_log.log import StaffAccessLog
from privacyhub.shared.contracts.access_log import STAFF_DATA_READ, StaffDataRead
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.service import Handler, ServiceRuntime


def access_log_handlers(runtime: ServiceRuntime, log: StaffAccessLog) -> dict[str, Handler]:
    async def keep_staff_read(envelope: Envelope[StaffDataRead]) -> None:
        """Keep a staff read of personal data in the access log, once."""
        await runtime.processed_events.apply_once(
            envelope.event_id, envelope.type, lambda: log.keep(envelope)
        )

    return {STAFF_DATA_READ: keep_staff_read}
