"""The one shape of a consuming service: broker, own database, health, readiness, metrics, graceful stop.

A service module builds a `ServiceRuntime`, registers its handlers with
`runtime.subscriber(...)`, and hands `runtime.asgi_app()` to `run`. Uvicorn turns
SIGTERM into an orderly lifespan shutdown: consumers stop, in-flight handlers
finish and commit, then the database client closes.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiokafka import ConsumerRebalanceListener, TopicPartition
from aiokafka.coordinator.assignors.range import RangePartitionAssignor
from faststream import AckPolicy
from faststream.asgi import AsgiFastStream, AsgiResponse, get
from faststream.kafka import KafkaBroker
from privacyhub.shared.batches import BatchConsumer, BatchHandler, subscribe_batches
from privacyhub.shared.broker import declare_publication, make_broker, provisioned
from privacyhub.shared.catalogue import (
    LONGEST_RETENTION,
    Process,
    UndeclaredMessage,
    declared_publishing,
    declared_reading,
    governs,
    read_by,
    topics_of,
)
from privacyhub.shared.collector import freeze_start_up_objects
from privacyhub.shared.database import connect
from privacyhub.shared.dispatch import only_declared_types
from privacyhub.shared.envelope import Envelope, OpenPayload, utc_now
from privacyhub.shared.idempotency import ProcessedEvents
from privacyhub.shared.logs import configure_logging
from privacyhub.shared.production import refuse_unsafe
from privacyhub.shared.progress import GroupProgress
from privacyhub.shared.publishing import OrderedPublishing, Publication
from privacyhub.shared.sealing import MessageKeys
from privacyhub.shared.settings import ServiceSettings
from privacyhub.shared.topics import TopicSpec
from prometheus_client import CollectorRegistry, Counter, make_asgi_app
from pydantic import BaseModel

StartupTask = Callable[[], Awaitable[None]]
Handler = Callable[[Envelope[Any]], Awaitable[None]]
"""What a service does with one message of a type: a plain function of the envelope."""
PeriodicTask = Callable[[Callable[[], bool]], Awaitable[int | None]]
"""Called with `serving`: a long task checks it between steps and returns once it is False. It
may return how many things it did (commands sent, say), logged when there were any."""


@dataclass(frozen=True)
class Periodic:
    """A task the service runs on a timer while it consumes (`ServiceRuntime.every`)."""

    seconds: float
    task: PeriodicTask
    what: str
    failures: Counter | None
    once: bool


logger = logging.getLogger(__name__)

# Range assignment gives each copy the same partition numbers of every topic it reads, so topics
# keyed alike (consent choices and page views, by visitor) meet in one copy. Every consumer of a
# group must offer the same strategy, so every subscriber of a service uses it. Each subscriber
# joins the group on its own, and every join makes the others rejoin at their next heartbeat: a
# heartbeat each second (not three) lets a copy with many subscribers settle in seconds.
GROUP_MEMBERSHIP = {
    "partition_assignment_strategy": (RangePartitionAssignor,),
    "heartbeat_interval_ms": 1000,
}
PROCESSED_EVENTS_SWEEP_SECONDS = 3600.0
# How long `running` waits for every subscriber to be given its partitions before it goes on and
# says so; readiness waits for the same without a bound.
SETTLE_SECONDS = 60.0


class Membership(ConsumerRebalanceListener):  # type: ignore[misc]
    """Whether one subscriber holds its share of its topics' partitions, and has loaded what it
    keeps in memory for them: `inner`, a service's own listener, loads it before this says so.

    A share may be empty (a copy beside more copies than a topic has partitions); during a
    rebalance, between revocation and the new assignment, the subscriber holds none.
    """

    def __init__(self, inner: ConsumerRebalanceListener | None = None) -> None:
        self._inner = inner
        self.holding = False

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        self.holding = False
        if self._inner is not None:
            await self._inner.on_partitions_revoked(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        if self._inner is not None:
            await self._inner.on_partitions_assigned(assigned)
        self.holding = True


class ServiceRuntime:
    """Everything a service's handlers need, made once at start-up."""

    def __init__(self, settings: ServiceSettings, *, name: str) -> None:
        refuse_unsafe(settings)
        configure_logging(service=name, level=settings.log_level)
        self.settings = settings
        self.name = name
        self.process = Process(name)
        self.registry = CollectorRegistry()
        self.message_keys = MessageKeys.from_settings(settings, name)
        self.broker: KafkaBroker = make_broker(
            settings,
            client_id=name,
            registry=self.registry,
            retry_backoff_seconds=settings.retry_backoff_seconds,
            keys=self.message_keys,
        )
        self.broker.add_middleware(only_declared_types(self.process))  # innermost: sees it opened
        self._publishing = OrderedPublishing(
            self.broker, self.message_keys, registry=self.registry, app_name=name
        )
        self.mongo, self.db = connect(settings)
        self.processed_events = ProcessedEvents(self.db)
        self.progress = GroupProgress(settings, client_id=name)
        self._startup_tasks: list[StartupTask] = []
        self._publications: dict[str, Any] = {}
        self._periodic: list[Periodic] = []
        self._running_periodic: list[asyncio.Task] = []
        self._stopping = asyncio.Event()
        self._memberships: list[Membership] = []
        self._handled: dict[str, frozenset[str]] = {}  # topic name -> the types `handle` gave it
        self.on_startup(self.processed_events.ensure_indexes)
        self.every(
            PROCESSED_EVENTS_SWEEP_SECONDS,
            self._forget_old_events,
            what="forget processed events no topic can bring back",
        )

    def subscriber(self, topic: TopicSpec, **options: Any) -> Any:
        """Subscribe in the service's consumer group; offsets are committed only after the handler's
        effect. The handler is given only the message types the catalogue says the service reads
        there; any other is parked on the dead-letter topic."""
        if governs(topic.name):
            declared_reading(self.process, topic)
        return self.broker.subscriber(
            provisioned(topic),
            group_id=self.settings.consumer_group,
            ack_policy=AckPolicy.NACK_ON_ERROR,
            auto_offset_reset="earliest",
            **GROUP_MEMBERSHIP,
            listener=self._membership(),
            **options,
        )

    def handle(self, handlers: Mapping[str, Handler]) -> None:
        """Subscribe the service's handlers, a table from message type to a plain function of the
        envelope: one subscriber per topic the catalogue says the types travel on, which reads each
        envelope into its type's payload and calls that type's handler. Every type the catalogue
        gives the service on such a topic needs a handler; one left out fails at start-up, and so
        does a topic given in two tables (two subscribers in one group would split it)."""
        tables: dict[str, tuple[TopicSpec, dict[str, Handler]]] = {}
        for message_type, handler in handlers.items():
            topics = topics_of(m for m in read_by(self.process) if m.type == message_type)
            if not topics:
                raise UndeclaredMessage(
                    f"the catalogue gives {self.name} no {message_type!r} to read"
                )
            for topic in topics:
                tables.setdefault(topic.name, (topic, {}))[1][message_type] = handler
        for topic, table in tables.values():
            declared = declared_reading(self.process, topic)
            if set(table) != set(declared):
                raise UndeclaredMessage(
                    f"{self.name} handles {sorted(table)} on {topic.name}; "
                    f"the catalogue declares {sorted(declared)}"
                )
            if topic.name in self._handled:
                raise ValueError(
                    f"{self.name} handles {topic.name} in two tables; give its types in one"
                )
        for topic, table in tables.values():
            declared = declared_reading(self.process, topic)
            self._handled[topic.name] = frozenset(table)
            self._dispatch(topic, {kind: (declared[kind], table[kind]) for kind in table})

    def handled(self) -> dict[str, frozenset[str]]:
        """The message types `handle` subscribed, by topic name."""
        return dict(self._handled)

    def _dispatch(
        self, topic: TopicSpec, table: Mapping[str, tuple[type[BaseModel], Handler]]
    ) -> None:
        payloads = tuple(dict.fromkeys(payload for payload, _ in table.values()))
        # A topic of several payloads is read open first: its envelope's type says which it is.
        schema = Envelope[payloads[0] if len(payloads) == 1 else OpenPayload]  # type: ignore[valid-type]
        described = [
            f"{kind}: {(handler.__doc__ or '').strip()}" for kind, (_, handler) in table.items()
        ]

        @self.subscriber(topic, title=f"{topic.name}:{self.name}", description=" ".join(described))
        async def dispatch(envelope: schema) -> None:  # type: ignore[valid-type]
            payload, handler = table[envelope.type]
            if not isinstance(envelope.payload, payload):
                envelope = Envelope[payload].model_validate(  # type: ignore[valid-type]
                    envelope.model_dump(exclude={"payload"})
                    | {"payload": envelope.payload.model_dump()}
                )
            await handler(envelope)

    def _membership(self, inner: ConsumerRebalanceListener | None = None) -> Membership:
        membership = Membership(inner)
        self._memberships.append(membership)
        return membership

    def consume_batches(
        self,
        *topics: TopicSpec,
        handler: BatchHandler,
        listener: ConsumerRebalanceListener | None = None,
        first: Sequence[TopicSpec] = (),
        marks_processed: bool = True,
    ) -> Any:
        """Consume `topics` in batches (shared/batches.py) with one consumer per copy, so topics
        keyed alike are co-partitioned in it; `listener` hears which partitions it was given. The
        handler is given the message types the catalogue says the service reads there; the
        records of the `first` topics in a poll before the others (shared/batches.py). Each
        message applied is marked in `processed_events`, unless `marks_processed` is False: for
        a handler that never asks what it applied before (BatchConsumer)."""
        contracts = {}
        for topic in topics:
            contracts |= declared_reading(self.process, topic)
        consumer = BatchConsumer(
            broker=self.broker,
            keys=self.message_keys,
            processed_events=self.processed_events if marks_processed else None,
            contracts=contracts,
            handler=handler,
            progress=self.progress,
            first=[topic.name for topic in first],
        )
        return subscribe_batches(
            self.broker,
            consumer,
            [provisioned(topic) for topic in topics],
            group_id=self.settings.consumer_group,
            **GROUP_MEMBERSHIP,
            listener=self._membership(listener),
            description=f"Batches of {', '.join(sorted(contracts))}.",
        )

    async def caught_up(self, *topics: TopicSpec) -> None:
        """Return once this service's group has processed every message on `topics` appended
        before the call; NotCaughtUp (redelivery later) after the configured bound."""
        await self.progress.caught_up(topics, within=self.settings.catch_up_timeout_seconds)

    async def _forget_old_events(self, serving: Callable[[], bool]) -> None:
        await self.processed_events.expire_before(utc_now() - LONGEST_RETENTION)
        return None

    def publisher(self, topic: TopicSpec) -> Any:
        """What the service sends on `topic`, as the catalogue declares it (also listed in the
        AsyncAPI document); modules of one service may ask for the same one."""
        if topic.name not in self._publications:
            payloads = declared_publishing(self.process, topic)
            self._publications[topic.name] = declare_publication(
                self.broker, topic, payloads, publisher=self.name
            )
        return self._publications[topic.name]

    async def publish_in_order(self, publications: Iterable[Publication]) -> None:
        """Publish envelopes on their publishers' topics, each keyed by its subject, and return
        once Kafka has acknowledged all (OrderedPublishing.publish_in_order)."""
        await self._publishing.publish_in_order(publications)

    def on_startup(self, task: StartupTask) -> StartupTask:
        """Register a task (index creation, say) that runs before consuming starts."""
        self._startup_tasks.append(task)
        return task

    def every(
        self,
        seconds: float,
        task: PeriodicTask,
        *,
        what: str,
        failures: Counter | None = None,
        once: bool = False,
    ) -> None:
        """Run `task(serving)` every `seconds` while the service consumes, from after start-up until
        it stops; a failure is logged (and counted in `failures`) and the task runs again at the
        next interval. `once`: after each start it runs until it succeeds once, then no more (an
        announcement each start owes). Stopping waits for a running task, so it never outlives the
        broker or the database it uses. This is the one way a service runs work on a timer."""
        self._periodic.append(Periodic(seconds, task, what, failures, once))

    def serving(self) -> bool:
        """Whether the service consumes and is not stopping."""
        return self.broker.running and not self._stopping.is_set()

    async def _run_startup_tasks(self) -> None:
        for task in self._startup_tasks:
            await task()

    async def _start_periodic(self) -> None:
        self._stopping.clear()
        self._running_periodic = [
            asyncio.create_task(self._repeat(periodic)) for periodic in self._periodic
        ]

    async def _stop_periodic(self) -> None:
        self._stopping.set()
        await asyncio.gather(*self._running_periodic)
        self._running_periodic = []

    async def _repeat(self, periodic: Periodic) -> None:
        while True:
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=periodic.seconds)
            except TimeoutError:
                if await self._run_once(periodic) and periodic.once:
                    return
            else:
                return

    async def _run_once(self, periodic: Periodic) -> bool:
        """Whether the task succeeded."""
        try:
            done = await periodic.task(self.serving)
        except Exception:
            if periodic.failures is not None:
                periodic.failures.inc()
            logger.warning(
                "periodic task failed; trying again next interval",
                extra={"task": periodic.what},
                exc_info=True,
            )
            return False
        if done:
            logger.info("periodic task done", extra={"task": periodic.what, "count": done})
        return True

    def holding_partitions(self) -> bool:
        """Every subscriber holds its share of partitions, with what it keeps in memory loaded:
        what is published from now on is consumed without waiting for a group to settle. The
        subscribers join the group one after another, and each join reassigns the partitions of
        those before it."""
        return all(membership.holding for membership in self._memberships)

    async def _settled(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_SECONDS
        while loop.time() < deadline:
            if self.holding_partitions():
                return
            await asyncio.sleep(0.1)
        logger.info("started before every subscriber held its partitions")

    async def ready(self) -> bool:
        """Serving: every subscriber holds its partitions (holding_partitions), and Kafka and the
        service's database both answer."""
        if not self.holding_partitions():
            return False
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
        await self._settled()
        await self._start_periodic()
        try:
            yield self
        finally:
            await self._stop_periodic()
            await self.broker.stop()
            await self.progress.close()
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
            await runtime.progress.close()
            await runtime.mongo.close()

        return AsgiFastStream(
            self.broker,
            asgi_routes=[
                ("/health", health),
                ("/ready", ready),
                ("/metrics", make_asgi_app(self.registry)),
            ],
            lifespan=lifespan,
            after_startup=[self._start_periodic],
            on_shutdown=[self._stop_periodic],
            logger=logging.getLogger(f"privacyhub.{self.name}"),
        )


def run(app: AsgiFastStream, settings: ServiceSettings) -> None:
    """Serve until SIGINT or SIGTERM."""
    app.after_startup(freeze_start_up_objects)
    # Uvicorn's own log config would bypass the redacting JSON pipeline; its access log holds client IPs.
    options = {
        "host": settings.http_host,
        "port": settings.http_port,
        "log_config": None,
        "access_log": "false",  # FastStream parses this option as CLI text
    }
    asyncio.run(app.run(run_extra_options=options))
