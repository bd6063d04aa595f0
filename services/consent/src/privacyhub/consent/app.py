"""Assembles the consent service process."""

from faststream.asgi import AsgiFastStream
from privacyhub.consent.settings import ConsentSettings
from privacyhub.shared.service import ServiceRuntime


def create_runtime(settings: ConsentSettings | None = None) -> ServiceRuntime:
    return ServiceRuntime(settings or ConsentSettings(), name="consent")


def create_app(settings: ConsentSettings | None = None) -> AsgiFastStream:
    return create_runtime(settings).asgi_app()
