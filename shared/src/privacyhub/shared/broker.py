"""The one way to make a Kafka broker: login, idempotent producer, acks=all, metrics, dead letters,
personal data sealed for its readers."""

import logging
from typing import Any, Union

from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker, Topic
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from privacyhub.shared.dead_letter import dead_letter_middleware
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.kafka_login import kafka_security
from privacyhub.shared.sealing import READERS, MessageKeys, sealing_middleware
from privacyhub.shared.settings import CommonSettings
from privacyhub.shared.topics import TopicSpec
from prometheus_client import CollectorRegistry
from pydantic import BaseModel

METRICS_PREFIX = "privacyhub"


def make_broker(
    settings: CommonSettings,
    *,
    client_id: str,
    registry: CollectorRegistry,
    retry_backoff_seconds: float = 1.0,
    bounded_requests: bool = False,
    keys: MessageKeys | None = None,
) -> KafkaBroker:
    """A broker whose publishes return only once every in-sync replica has the message.

    `bounded_requests` caps every Kafka request at the publish timeout, so a message the
    gateway answered 503 for expires instead of being sent later. Consumers in a group
    must not have it: joining a group can legitimately take longer. `client_id` is the Kafka
    principal the process acts as: payloads sealed for it are the ones it can open, with `keys`
    (by default the keys its settings name).
    """
    options = {}
    if bounded_requests:
        options["request_timeout_ms"] = int(settings.kafka_publish_timeout_seconds * 1000)
    broker = KafkaBroker(
        # FastStream takes a string as one server: a comma-separated list must arrive as a list.
        [server.strip() for server in settings.kafka_bootstrap_servers.split(",")],
        security=kafka_security(settings),
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        **options,
        logger=logging.getLogger(f"privacyhub.{client_id}.broker"),
    )
    broker.add_middleware(
        KafkaPrometheusMiddleware(
            registry=registry, app_name=client_id, metrics_prefix=METRICS_PREFIX
        )
    )
    broker.add_middleware(
        dead_letter_middleware(
            broker, registry=registry, retry_backoff_seconds=retry_backoff_seconds
        )
    )
    # Innermost, so a dead letter keeps the message as it came: sealed.
    broker.add_middleware(
        sealing_middleware(keys or MessageKeys.from_settings(settings, client_id))
    )
    return broker


def kafka_producer(broker: KafkaBroker) -> AIOKafkaProducer:
    """The aiokafka producer `broker` connected with (its login, idempotent, acks=all), for the
    publications that skip FastStream's per-message path (publishing.py). FastStream keeps it
    private; this is the one place that reaches for it."""
    return broker.config.producer._producer.producer


def declare_publication(
    broker: KafkaBroker, topic: TopicSpec, payloads: tuple[type[BaseModel], ...], *, publisher: str
) -> Any:
    """What `publisher` sends on `topic` (the catalogue's payloads), listed in the AsyncAPI document
    under a name of its own, so two processes on one topic do not overwrite each other there."""
    payload = payloads[0] if len(payloads) == 1 else Union[payloads]  # noqa: UP007
    return broker.publisher(
        topic.name,
        schema=Envelope[payload],  # type: ignore[valid-type]
        title=f"{topic.name}:{publisher}",
        description=_described(topic),
    )


def _described(topic: TopicSpec) -> str:
    readers = READERS.get(topic.name)
    if readers is None:
        return topic.description
    return (
        f"{topic.description} The payload travels sealed (HPKE, X25519) for: "
        f"{', '.join(readers)}; see `sealed_payload` in shared/sealing.py."
    )


def provisioned(topic: TopicSpec) -> Topic:
    """A topic to subscribe to without creating it: only `ensure_topics` creates topics, with
    their declared partitions and retention (FastStream would otherwise make a one-partition copy)."""
    return Topic(topic.name, declare=False)
