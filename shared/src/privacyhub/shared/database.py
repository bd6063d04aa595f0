"""The one way to reach a service's own MongoDB-protocol database."""

from privacyhub.shared.settings import ServiceSettings
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase


def connect(settings: ServiceSettings) -> tuple[AsyncMongoClient, AsyncDatabase]:
    client: AsyncMongoClient = AsyncMongoClient(
        settings.mongodb_url, tz_aware=True, serverSelectionTimeoutMS=5000
    )
    return client, client[settings.mongodb_database]
