"""Settings for a copy of a service that a test starts beside the session's own."""

from typing import TypeVar

from privacyhub.consent.settings import ConsentSettings
from privacyhub.shared.kafka_access import ACCESS
from privacyhub.shared.settings import ServiceSettings

from tests.support.endpoints import Endpoints
from tests.support.kafka import at_the_end

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


async def from_now_on(bootstrap_servers: str, settings: ServiceSettings, principal: str) -> None:
    """Commit the copy's group at the end of every topic `principal` reads, so that the copy
    handles only what comes next: not the session's history (thousands of page views, old
    expiry commands it would answer), which would keep it busy while a test waits."""
    [access] = [access for access in ACCESS if access.principal == principal]
    topics = (topic.name for topic in access.reads)
    await at_the_end(bootstrap_servers, settings.consumer_group, *topics)


async def analytics_exempt_copy(
    endpoints: Endpoints, consent_settings: ConsentSettings, name: str
) -> ConsentSettings:
    """A consent deployment that relies on the Dutch analytics exemption (Tw 11.7a): it counts
    views without consent anonymously. A separate copy, from the topics' ends on (`from_now_on`)."""
    settings = separate_copy(consent_settings, name).model_copy(
        update={"analytics_exemption": True}
    )
    await from_now_on(endpoints.kafka_bootstrap_servers, settings, "consent")
    return settings
