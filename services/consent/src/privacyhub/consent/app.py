"""Assembles the consent service process."""

from faststream.asgi import AsgiFastStream
from privacyhub.consent.analytics import Analytics
from privacyhub.consent.consents import Consents
from privacyhub.consent.expiry import expiry_handlers
from privacyhub.consent.handlers import register_handlers
from privacyhub.consent.holds import KeptErasures
from privacyhub.consent.notices import VisitorNotices
from privacyhub.consent.queries import consent_queries, statement_queries
from privacyhub.consent.restrictions import Restrictions
from privacyhub.consent.settings import ConsentSettings
from privacyhub.consent.statements import Statements
from privacyhub.consent.stream import VisitorStream
from privacyhub.consent.subject_commands import owner_handlers
from privacyhub.consent.visitor_state import VisitorStates
from privacyhub.consent.visits import Visits
from privacyhub.shared.clock import Clock
from privacyhub.shared.crypto import subject_keys_for
from privacyhub.shared.envelope import utc_now
from privacyhub.shared.expiry import ExpiryReceipts
from privacyhub.shared.legal_holds import HeldData
from privacyhub.shared.queries import query_handlers
from privacyhub.shared.service import ServiceRuntime


def create_runtime(
    settings: ConsentSettings | None = None, *, clock: Clock = utc_now
) -> ServiceRuntime:
    """`clock` dates expiry receipts; tests may pass one they control."""
    settings = settings or ConsentSettings()
    runtime = ServiceRuntime(settings, name="consent")
    keys = subject_keys_for(runtime)
    statements = Statements(runtime.db)
    consents = Consents(runtime.db, keys)
    visits = Visits(runtime.db, keys, analytics_exemption=settings.analytics_exemption)
    restrictions = Restrictions(runtime.db)
    runtime.on_startup(statements.ensure_seeded)
    runtime.on_startup(consents.ensure_indexes)
    runtime.on_startup(visits.ensure_indexes)
    stream = VisitorStream(
        consents=consents,
        visits=visits,
        restrictions=restrictions,
        statements=statements,
        keys=keys,
        states=VisitorStates(capacity=settings.visitor_state_capacity),
    )
    notices = VisitorNotices(runtime)
    kept_erasures = KeptErasures(runtime.db)
    held = HeldData(runtime.db)
    expiry = expiry_handlers(
        runtime,
        consents=consents,
        visits=visits,
        restrictions=restrictions,
        keys=keys,
        notices=notices,
        kept_erasures=kept_erasures,
        receipts=ExpiryReceipts(runtime.db),
        clock=clock,
    )
    subject_commands = owner_handlers(
        runtime,
        consents=consents,
        visits=visits,
        restrictions=restrictions,
        statements=statements,
        keys=keys,
        notices=notices,
        held=held,
        kept_erasures=kept_erasures,
    )
    queries = query_handlers(
        runtime,
        {**consent_queries(consents, Analytics(runtime.db, keys)), **statement_queries(statements)},
    )
    register_handlers(
        runtime,
        stream,
        statements,
        consents.mark_needing_renewal,
        subject_commands=subject_commands,
        queries=queries,
        expiry=expiry,
        held=held,
    )
    return runtime


def create_app(settings: ConsentSettings | None = None) -> AsgiFastStream:
    return create_runtime(settings).asgi_app()
