"""Settings for a copy of a service that a test starts beside the session's own."""

from typing import TypeVar

from privacyhub.shared.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)


def separate_copy(settings: S, name: str) -> S:
    """`settings` with a database and a consumer group of their own, so that a test can start,
    stall and stop the copy without the session's copy taking its messages or seeing its data."""
    return settings.model_copy(
        update={
            "mongodb_database": f"{settings.mongodb_database}_{name}",
            "consumer_group": f"{settings.consumer_group}-{name}",
        }
    )
