"""Services run in-process against the session's real Kafka and MongoDB-protocol servers.

Each test session gets databases and consumer groups of its own (named after `RUN`), so runs never
see each other's data. Every service a conftest or test module runs comes from `running_service`.
"""

import inspect
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Literal, TypeVar

import pytest
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.settings import ServiceSettings
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.endpoints import Endpoints

SettingsT = TypeVar("SettingsT", bound=ServiceSettings)
Scope = Literal["session", "package", "module", "class", "function"]

RUN = uuid.uuid4().hex[:8]


async def observed(endpoints: Endpoints, database: str) -> AsyncIterator[AsyncDatabase]:
    """A service's database as an outside observer (a DPO's audit) sees it."""
    client: AsyncMongoClient = AsyncMongoClient(endpoints.mongodb_url, tz_aware=True)
    try:
        yield client[database]
    finally:
        await client.close()


async def unstarted_runtime(
    settings: ServiceSettings, *, name: str
) -> AsyncIterator[ServiceRuntime]:
    """The runtime of service `name` with its clients, not consuming: a test drives its parts
    itself. Its database (and its data keys' database) is dropped afterwards."""
    runtime = ServiceRuntime(settings, name=name)
    try:
        yield runtime
    finally:
        await runtime.mongo.drop_database(settings.mongodb_database)
        await runtime.mongo.drop_database(settings.subject_keys_database_name)
        await runtime.progress.close()
        await runtime.mongo.close()


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


def running_service(
    name: str,
    *,
    settings: Callable[..., ServiceSettings] | Callable[..., Awaitable[ServiceSettings]],
    runtime: Callable[..., ServiceRuntime],
    scope: Scope = "session",
    service: str | None = None,
) -> tuple[Any, Any, Any]:
    """The fixtures of a service the tests run in-process, the same for every service:

    - `<name>_settings`: what `settings` makes (awaited when it is a coroutine function);
    - `<name>_service` (or `service`): the runtime `runtime` builds, consuming for the `scope`;
    - `<name>_db`: its database as an outside observer (a DPO's audit) sees it.

    The parameters of `settings` and `runtime` name the fixtures each is made from, as a fixture's
    parameters do: `runtime` takes `<name>_settings` and whatever else it needs (a clock a test
    moves, a service that must run first). Assign the three to their names in a conftest or test
    module: `contact_settings, contact_service, contact_db = running_service("contact", ...)`.
    """
    settings_name, service_name, db_name = (
        f"{name}_settings",
        service or f"{name}_service",
        f"{name}_db",
    )

    if inspect.iscoroutinefunction(settings):

        async def made_settings(**fixtures: Any) -> ServiceSettings:
            return await settings(**fixtures)

    else:

        def made_settings(**fixtures: Any) -> ServiceSettings:  # type: ignore[misc]
            return settings(**fixtures)  # type: ignore[return-value]

    async def running(**fixtures: Any) -> AsyncIterator[ServiceRuntime]:
        async with runtime(**fixtures).running() as started:
            yield started

    async def database(
        endpoints: Endpoints, **made: ServiceSettings
    ) -> AsyncIterator[AsyncDatabase]:
        """The service's database as an outside observer (a DPO's audit) sees it."""
        async for db in observed(endpoints, made[settings_name].mongodb_database):
            yield db

    database_parameters = [
        inspect.Parameter("endpoints", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        inspect.Parameter(settings_name, inspect.Parameter.KEYWORD_ONLY),
    ]
    made_settings.__doc__ = settings.__doc__ or f"The {name} service's settings."
    running.__doc__ = runtime.__doc__ or f"The {name} service, consuming for the {scope}."
    return (
        _fixture(made_settings, settings_name, inspect.signature(settings), scope),
        _fixture(running, service_name, inspect.signature(runtime), scope),
        _fixture(database, db_name, inspect.Signature(database_parameters), scope),
    )


def _fixture(
    function: Callable[..., Any], name: str, takes: inspect.Signature, scope: Scope
) -> Any:
    """`function` as the fixture `name` taking the fixtures `takes` names: pytest reads a
    fixture's parameters from its signature."""
    function.__signature__ = takes.replace(return_annotation=inspect.Signature.empty)  # type: ignore[attr-defined]
    function.__name__ = function.__qualname__ = name
    return pytest.fixture(scope=scope, name=name)(function)
