"""Assembles the contact service process."""

from faststream.asgi import AsgiFastStream
from privacyhub.contact.handlers import register_handlers
from privacyhub.contact.repository import ContactMessages
from privacyhub.contact.settings import ContactSettings
from privacyhub.contact.subject_commands import register_subject_commands
from privacyhub.shared.service import ServiceRuntime


def create_runtime(settings: ContactSettings | None = None) -> ServiceRuntime:
    runtime = ServiceRuntime(settings or ContactSettings(), name="contact")
    messages = ContactMessages(runtime.db)
    runtime.on_startup(messages.ensure_indexes)
    register_handlers(runtime, messages)
    register_subject_commands(runtime)
    return runtime


def create_app(settings: ContactSettings | None = None) -> AsgiFastStream:
    return create_runtime(settings).asgi_app()
