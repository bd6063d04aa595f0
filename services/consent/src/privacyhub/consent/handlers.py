"""What the consent service consumes on its hot path: consent choices and page views, in batches."""

from privacyhub.consent.stream import PartitionsOwned, VisitorStream
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import CONSENT_CHOICES, PAGE_VIEWS


def register_handlers(runtime: ServiceRuntime, stream: VisitorStream) -> None:
    """One consumer for both topics, keyed by visitor id alike, so a visitor's choices and views
    reach the same copy of the service (shared/service.py, GROUP_MEMBERSHIP)."""
    runtime.consume_batches(
        CONSENT_CHOICES,
        PAGE_VIEWS,
        handler=stream.apply,
        listener=PartitionsOwned(stream),
    )
