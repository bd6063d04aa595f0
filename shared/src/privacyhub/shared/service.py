"""The one shape of a consuming service: broker, own database, health, readiness, metrics, graceful stop.

A service module builds a `ServiceRuntime`, registers its handlers with
`runtime.subscriber(...)`, and hands `runtime.asgi_app()` to `run`. Uvicorn turns
SIGTERM into an orderly lifespan shutdown: consumers stop, in-flight handlers
finish and commit, then the database client closes.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from faststream import AckPolicy
from faststream.asgi import AsgiFastStream, AsgiResponse, get
from faststream.kafka import KafkaBroker
from privacyhub.shared.broker import declare_publication, make_broker, provisioned
from privacyhub.shared.database import connect
from privacyhub.shared.idempotency import ProcessedEvents
from privacyhub.shared.logs import configure_logging
from privacyhub.shared.settings import ServiceSettings
from privacyhub.shared.topics import TopicSpec
from prometheus_client import CollectorRegistry, make_asgi_app

StartupTask = Callable[[], Awaitable[None]]


class ServiceRuntime:
    """Everything a service's handlers need, made once at start-up."""

    def __init__(self, settings: ServiceSettings, *, name: str) -> None:
        configure_logging(service=name, level=settings.log_level)
        self.settings = settings
        self.name = name
        self.registry = CollectorRegistry()
        self.broker: KafkaBroker = make_broker(
            settings,
            client_id=name,
            registry=self.registry,
            retry_backoff_seconds=settings.retry_backoff_seconds,
        )
        self.mongo, self.db = connect(settings)
        self.processed_events = ProcessedEvents(self.db)
        self._startup_tasks: list[StartupTask] = []
        self._publications: dict[tuple[str, Any], Any] = {}

    def subscriber(self, topic: TopicSpec, **options: Any) -> Any:
        """Subscribe in the service's consumer group; offsets are committed only after the handler's effect."""
        return self.broker.subscriber(
            provisioned(topic),
            group_id=self.settings.consumer_group,
            ack_policy=AckPolicy.NACK_ON_ERROR,
            auto_offset_reset="earliest",
            **options,
        )

    def publisher(self, topic: TopicSpec, payload: Any) -> Any:
        """A declared publication: what the service sends where, also listed in the AsyncAPI document."""
        key = (topic.name, payload)
        if key not in self._publications:  # modules of one service may declare the same one
            self._publications[key] = declare_publication(
                self.broker, topic, payload, publisher=self.name
            )
        return self._publications[key]

    def on_startup(self, task: StartupTask) -> StartupTask:
        """Register a task (index creation, say) that runs before consuming starts."""
        self._startup_tasks.append(task)
        return task

    async def _run_startup_tasks(self) -> None:
        for task in self._startup_tasks:
            await task()

    async def ready(self) -> bool:
        """Kafka and the service's database both answer."""
        try:
            await self.db.command("ping")
        except Exception:
            return False
        return await self.broker.ping(timeout=2.0)

    @asynccontextmanager
    async def running(self) -> AsyncIterator["ServiceRuntime"]:
        """Start-up tasks, then consuming; on exit consumers stop before the database closes."""
        await self._run_startup_tasks()
        await self.broker.start()
        try:
            yield self
        finally:
            await self.broker.stop()
            await self.mongo.close()

    def asgi_app(self) -> AsgiFastStream:
        runtime = self

        @get
        async def health(scope: Any) -> AsgiResponse:
            return AsgiResponse(
                b'{"status":"ok"}', 200, headers={"content-type": "application/json"}
            )

        @get
        async def ready(scope: Any) -> AsgiResponse:
            ok = await runtime.ready()
            body = b'{"status":"ready"}' if ok else b'{"status":"not ready"}'
            return AsgiResponse(
                body, 200 if ok else 503, headers={"content-type": "application/json"}
            )

        @asynccontextmanager
        async def lifespan() -> AsyncIterator[None]:
            await runtime._run_startup_tasks()
            yield
            await runtime.mongo.close()

        return AsgiFastStream(
            self.broker,
            asgi_routes=[
                ("/health", health),
                ("/ready", ready),
                ("/metrics", make_asgi_app(self.registry)),
            ],
            lifespan=lifespan,
            logger=logging.getLogger(f"privacyhub.{self.name}"),
        )


def run(app: AsgiFastStream, settings: ServiceSettings) -> None:
    """Serve until SIGINT or SIGTERM."""
    # Uvicorn's own log config would bypass the redacting JSON pipeline; its access log holds client IPs.
    options = {
        "host": settings.http_host,
        "port": settings.http_port,
        "log_config": None,
        "access_log": "false",  # FastStream parses this option as CLI text
    }
    asyncio.run(app.run(run_extra_options=options))
