"""Assembles the requests service process: its stores, its domains' workflows and its periodic
sweep; every subscriber is registered in handlers.py."""

from faststream.asgi import AsgiFastStream
from privacyhub.requests.access_log.log import StaffAccessLog
from privacyhub.requests.access_log.queries import access_log_queries
from privacyhub.requests.complaints.breaches import BreachRegister
from privacyhub.requests.complaints.commands import breach_commands, complaint_commands
from privacyhub.requests.complaints.queries import breach_queries, complaint_queries
from privacyhub.requests.complaints.workflow import Complaints
from privacyhub.requests.expiry import expiry_handlers
from privacyhub.requests.handlers import register_handlers
from privacyhub.requests.mail import Mailer
from privacyhub.requests.rights.commands import rights_commands
from privacyhub.requests.rights.execution import RightsExecution
from privacyhub.requests.rights.execution_store import Executions
from privacyhub.requests.rights.officer_alerts import AlertClaims, OfficerAlerts
from privacyhub.requests.rights.queries import rights_queries
from privacyhub.requests.rights.requests_store import RightsRequests
from privacyhub.requests.rights.sweep import sweep_rights_requests
from privacyhub.requests.rights.verification_codes import VerificationCodes
from privacyhub.requests.rights.workflow import RightsWorkflow
from privacyhub.requests.settings import RequestsSettings
from privacyhub.shared.clock import Clock
from privacyhub.shared.crypto import subject_keys_for
from privacyhub.shared.envelope import utc_now
from privacyhub.shared.expiry import ExpiryReceipts
from privacyhub.shared.queries import command_handlers, query_handlers
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import REQUESTS_LIFECYCLE, SUBJECT_COMMANDS


def create_runtime(
    settings: RequestsSettings | None = None, *, clock: Clock = utc_now
) -> ServiceRuntime:
    """`clock` tells the time for deadlines; tests pass one they can move."""
    settings = settings or RequestsSettings()
    runtime = ServiceRuntime(settings, name="requests")
    keys = subject_keys_for(runtime)
    rights_requests = RightsRequests(runtime.db, keys)
    runtime.on_startup(rights_requests.ensure_indexes)
    lifecycle = runtime.publisher(REQUESTS_LIFECYCLE)
    owner_commands = runtime.publisher(SUBJECT_COMMANDS)
    executions = Executions(runtime.db, keys)
    runtime.on_startup(executions.ensure_indexes)
    access_log = StaffAccessLog(runtime.db)
    runtime.on_startup(access_log.ensure_indexes)
    codes = VerificationCodes(
        requests=rights_requests, mailer=Mailer(settings), settings=settings, clock=clock
    )
    execution = RightsExecution(
        requests=rights_requests,
        executions=executions,
        access_log=access_log,
        mailer=Mailer(settings),
        codes=codes,
        send_command=lambda command: owner_commands.publish(command, key=command.partition_key),
        settings=settings,
        clock=clock,
    )
    workflow = RightsWorkflow(
        requests=rights_requests,
        mailer=Mailer(settings),
        codes=codes,
        announce_verified=lambda event: lifecycle.publish(event, key=event.partition_key),
        settings=settings,
        clock=clock,
        carry_out=execution.start,
    )
    sweep_rights_requests(
        runtime,
        execution=execution,
        alerts=OfficerAlerts(
            rights_requests,
            AlertClaims(runtime.db),
            mailer=Mailer(settings),
            settings=settings,
            clock=clock,
        ),
        interval_seconds=settings.owner_sweep_interval_seconds,
    )
    complaints = Complaints(runtime.db, keys)
    breaches = BreachRegister(runtime.db)
    runtime.on_startup(complaints.ensure_indexes)
    runtime.on_startup(breaches.ensure_indexes)
    register_handlers(
        runtime,
        workflow=workflow,
        execution=execution,
        complaints=complaints,
        breaches=breaches,
        access_log=access_log,
        mailer=Mailer(settings),
        queries=query_handlers(
            runtime,
            {
                **rights_queries(workflow, execution),
                **complaint_queries(complaints),
                **breach_queries(breaches, clock),
                **access_log_queries(access_log),
            },
        ),
        commands=command_handlers(
            runtime,
            {
                **rights_commands(workflow, codes, execution),
                **complaint_commands(complaints, clock),
                **breach_commands(breaches, clock),
            },
        ),
        expiry=expiry_handlers(
            runtime,
            access_log=access_log,
            complaints=complaints,
            breaches=breaches,
            executions=executions,
            receipts=ExpiryReceipts(runtime.db),
            clock=clock,
        ),
        clock=clock,
    )
    return runtime


def create_app(settings: RequestsSettings | None = None) -> AsgiFastStream:
    return create_runtime(settings).asgi_app()
