"""Every subscriber of the requests service, in one table given to `ServiceRuntime.handle`: the
rights requests and the owners' answers to them (rights/handlers.py), complaints
(complaints/handlers.py), the staff reads (access_log/handlers.py), the queries on
REQUESTS_QUERIES (`query_handlers`) and the commands on REQUESTS_COMMANDS (`command_handlers`),
each over the domains' tables, and the expiry commands (expiry.py)."""

from privacyhub.requests.access_log.handlers import access_log_handlers
from privacyhub.requests.access_log.log import StaffAccessLog
from privacyhub.requests.complaints.breaches import BreachRegister
from privacyhub.requests.complaints.handlers import complaint_handlers
from privacyhub.requests.complaints.workflow import Complaints
from privacyhub.requests.mail import Mailer
from privacyhub.requests.rights.execution import RightsExecution
from privacyhub.requests.rights.handlers import rights_handlers
from privacyhub.requests.rights.workflow import RightsWorkflow
from privacyhub.shared.clock import Clock
from privacyhub.shared.service import Handler, ServiceRuntime


def register_handlers(
    runtime: ServiceRuntime,
    *,
    workflow: RightsWorkflow,
    execution: RightsExecution,
    complaints: Complaints,
    breaches: BreachRegister,
    access_log: StaffAccessLog,
    mailer: Mailer,
    queries: dict[str, Handler],
    commands: dict[str, Handler],
    expiry: dict[str, Handler],
    clock: Clock,
) -> None:
    """Subscribe every handler of the service: `queries`, `commands` and `expiry` are the tables
    `query_handlers`, `command_handlers` and expiry.py built for it."""
    runtime.handle(
        {
            **rights_handlers(runtime, workflow, execution),
            **complaint_handlers(runtime, complaints, breaches, mailer, clock),
            **access_log_handlers(runtime, access_log),
            **queries,
            **commands,
            **expiry,
        }
    )
