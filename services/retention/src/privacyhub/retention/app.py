"""Assembles the retention service process."""

from faststream.asgi import AsgiFastStream
from privacyhub.retention.settings import RetentionSettings
from privacyhub.shared.service import ServiceRuntime


def create_runtime(settings: RetentionSettings | None = None) -> ServiceRuntime:
    return ServiceRuntime(settings or RetentionSettings(), name="retention")


def create_app(settings: RetentionSettings | None = None) -> AsgiFastStream:
    return create_runtime(settings).asgi_app()
