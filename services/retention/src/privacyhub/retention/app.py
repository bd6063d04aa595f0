"""Assembles the retention service process."""

from datetime import timedelta

from faststream.asgi import AsgiFastStream
from privacyhub.retention.deletion_log import DeletionLog, ErasureRequests
from privacyhub.retention.expiry import (
    ExpiryMetrics,
    ExpiryRequests,
    ExpirySweeper,
    own_expiries,
    period_rules,
    stored_elsewhere,
)
from privacyhub.retention.handlers import register_handlers
from privacyhub.retention.holds import HoldAnnouncer, LegalHolds
from privacyhub.retention.queries import retention_queries
from privacyhub.retention.records import EndedCustomers, RetainedRecords
from privacyhub.retention.schedule import DueDeletions
from privacyhub.retention.scheduling import ContactRetention
from privacyhub.retention.settings import RetentionSettings, registered_retention
from privacyhub.retention.sweep import Sweeper, SweepMetrics
from privacyhub.shared.clock import Clock
from privacyhub.shared.envelope import utc_now
from privacyhub.shared.queries import query_handlers
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import (
    RETENTION_EXPIRY,
    RETENTION_HOLDS,
    SUBJECT_COMMANDS,
)


def create_runtime(
    settings: RetentionSettings | None = None, *, clock: Clock = utc_now
) -> ServiceRuntime:
    """`clock` tells the time for due dates and holds; tests may pass one they control."""
    settings = settings or RetentionSettings()
    runtime = ServiceRuntime(settings, name="retention")
    schedule = DueDeletions(runtime.db)
    records = RetainedRecords(runtime.db)
    customers = EndedCustomers(runtime.db)
    holds = LegalHolds(runtime.db)
    requests = ErasureRequests(runtime.db)
    log = DeletionLog(runtime.db)
    expiry_requests = ExpiryRequests(runtime.db)
    for store in (schedule, records, log):
        runtime.on_startup(store.ensure_indexes)
    contact = ContactRetention(
        schedule=schedule,
        records=records,
        customers=customers,
        grace=timedelta(seconds=settings.contact_grace_period_seconds),
    )
    hold_news = runtime.publisher(RETENTION_HOLDS)
    register_handlers(
        runtime,
        contact=contact,
        holds=holds,
        requests=requests,
        expiry_requests=expiry_requests,
        log=log,
        hold_news=hold_news,
        queries=query_handlers(runtime, retention_queries(log, holds, clock)),
        clock=clock,
    )
    sweeper = Sweeper(
        schedule=schedule,
        holds=holds,
        requests=requests,
        customers=customers,
        publisher=runtime.publisher(SUBJECT_COMMANDS),
        clock=clock,
        batch_size=settings.sweep_batch_size,
        keep_ended_for=registered_retention("retention_schedule"),
        metrics=SweepMetrics(runtime.registry),
    )
    runtime.every(
        settings.sweep_interval_seconds,
        sweeper.sweep,
        what="sweep of due records",
        failures=sweeper.failures,
    )
    expiry = ExpirySweeper(
        rules=period_rules(),
        holds=holds,
        requests=expiry_requests,
        publisher=runtime.publisher(RETENTION_EXPIRY),
        clock=clock,
        metrics=ExpiryMetrics(runtime.registry),
        own=own_expiries(log=log, erasure_requests=requests, expiry_requests=expiry_requests),
        log=log,
        published=stored_elsewhere(),
    )
    runtime.every(
        settings.expiry_sweep_interval_seconds,
        expiry.sweep,
        what="sweep of expired periods",
        failures=expiry.failures,
    )
    announcer = HoldAnnouncer(
        holds=holds,
        publisher=hold_news,
        clock=clock,
        registry=runtime.registry,
    )
    runtime.every(
        settings.sweep_interval_seconds,
        announcer.announce,
        what="announcement of the holds in force",
        failures=announcer.failures,
        once=True,
    )
    return runtime


def create_app(settings: RetentionSettings | None = None) -> AsgiFastStream:
    return create_runtime(settings).asgi_app()
