"""Services run in-process against the session's real Kafka and MongoDB-protocol servers.

Each test session gets databases and consumer groups of its own (named after `RUN`), so runs never
see each other's data.
"""

import uuid
from collections.abc import AsyncIterator
from typing import TypeVar

from privacyhub.shared.settings import ServiceSettings
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.endpoints import Endpoints

SettingsT = TypeVar("SettingsT", bound=ServiceSettings)

RUN = uuid.uuid4().hex[:8]


async def observed(endpoints: Endpoints, database: str) -> AsyncIterator[AsyncDatabase]:
    """A service's database as an outside observer (a DPO's audit) sees it."""
    client: AsyncMongoClient = AsyncMongoClient(endpoints.mongodb_url, tz_aware=True)
    try:
        yield client[database]
    finally:
        await client.close()


def service_settings(
    settings_class: type[SettingsT], endpoints: Endpoints, name: str, **overrides: object
) -> SettingsT:
    """A service's settings on the session's servers, with a database and consumer group of this run.

    Groups start with `privacyhub-<service>`, the prefix the Kafka ACLs grant each service.
    """
    fields: dict[str, object] = {
        "kafka_bootstrap_servers": endpoints.kafka_bootstrap_servers,
        "mongodb_url": endpoints.mongodb_url,
        "mongodb_database": f"test_{name}_{RUN}",
        "consumer_group": f"privacyhub-{name}-test-{RUN}",
        "retry_backoff_seconds": 0.2,
    }
    return settings_class(**(fields | overrides))
