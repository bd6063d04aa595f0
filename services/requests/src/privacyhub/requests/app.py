"""Assembles the requests service process."""

from faststream.asgi import AsgiFastStream
from privacyhub.requests.settings import RequestsSettings
from privacyhub.shared.service import ServiceRuntime


def create_runtime(settings: RequestsSettings | None = None) -> ServiceRuntime:
    return ServiceRuntime(settings or RequestsSettings(), name="requests")


def create_app(settings: RequestsSettings | None = None) -> AsgiFastStream:
    return create_runtime(settings).asgi_app()
