"""Assembles the contact service process."""

from faststream.asgi import AsgiFastStream
from privacyhub.contact.expiry import expiry_handlers
from privacyhub.contact.handlers import register_handlers
from privacyhub.contact.partner_answers import PassedOnCommands
from privacyhub.contact.queries import contact_queries
from privacyhub.contact.repository import ContactMessages
from privacyhub.contact.restrictions import Restrictions
from privacyhub.contact.settings import ContactSettings
from privacyhub.contact.sharing import Disclosures, Sharing
from privacyhub.contact.subject_commands import owner_handlers
from privacyhub.shared.clock import Clock
from privacyhub.shared.crypto import subject_keys_for
from privacyhub.shared.envelope import utc_now
from privacyhub.shared.expiry import ExpiryReceipts
from privacyhub.shared.legal_holds import HeldData
from privacyhub.shared.queries import query_handlers
from privacyhub.shared.service import ServiceRuntime


def create_runtime(
    settings: ContactSettings | None = None, *, clock: Clock = utc_now
) -> ServiceRuntime:
    """`clock` dates disclosures and expiry receipts; tests may pass one they control."""
    runtime = ServiceRuntime(settings or ContactSettings(), name="contact")
    serve_contact(runtime, Restrictions(runtime.db), clock=clock)
    return runtime


def serve_contact(runtime: ServiceRuntime, restrictions: Restrictions, *, clock: Clock) -> None:
    """Give `runtime` the contact service's stores and subscribers. The intake and the subject
    commands share one store of restrictions; a test of their race gives one that stops at the
    worst moment."""
    messages = ContactMessages(runtime.db, subject_keys_for(runtime))
    runtime.on_startup(messages.ensure_indexes)
    disclosures = Disclosures(runtime.db)
    runtime.on_startup(disclosures.ensure_indexes)
    passed_on = PassedOnCommands(runtime.db)
    runtime.on_startup(passed_on.ensure_indexes)
    sharing = Sharing(runtime, disclosures, passed_on, clock=clock)
    held = HeldData(runtime.db)
    expiry = expiry_handlers(
        runtime,
        disclosures=disclosures,
        passed_on=passed_on,
        receipts=ExpiryReceipts(runtime.db),
        clock=clock,
    )
    register_handlers(
        runtime,
        messages,
        restrictions,
        sharing,
        passed_on,
        [r.id for r in sharing.recipients],
        subject_commands=owner_handlers(runtime, messages, restrictions, sharing, held=held),
        queries=query_handlers(runtime, contact_queries(messages)),
        expiry=expiry,
        held=held,
    )


def create_app(settings: ContactSettings | None = None) -> AsgiFastStream:
    return create_runtime(settings).asgi_app()
