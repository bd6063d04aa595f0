"""The one way to make a Kafka broker: login, idempotent producer, acks=all, metrics, dead letters."""

import logging
import ssl
from typing import Any

from faststream.kafka import KafkaBroker, Topic
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from faststream.kafka.security import parse_security
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512
from privacyhub.shared.dead_letter import dead_letter_middleware
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.settings import CommonSettings
from privacyhub.shared.topics import TopicSpec
from prometheus_client import CollectorRegistry

SASL_MECHANISMS: dict[str, type[SASLPlaintext | SASLScram256 | SASLScram512]] = {
    "PLAIN": SASLPlaintext,
    "SCRAM-SHA-256": SASLScram256,
    "SCRAM-SHA-512": SASLScram512,
}


def kafka_security(settings: CommonSettings) -> BaseSecurity | None:
    """The Kafka login the settings describe; None for a plaintext broker without one."""
    if settings.kafka_security_protocol == "PLAINTEXT":
        return None
    if settings.kafka_username is None or settings.kafka_password is None:
        raise ValueError("a Kafka login needs KAFKA_USERNAME and KAFKA_PASSWORD")
    tls = ssl.create_default_context() if settings.kafka_security_protocol == "SASL_SSL" else None
    return SASL_MECHANISMS[settings.kafka_sasl_mechanism](
        settings.kafka_username, settings.kafka_password.get_secret_value(), ssl_context=tls
    )


def kafka_client_options(settings: CommonSettings) -> dict[str, Any]:
    """The same login as aiokafka keyword arguments, for admin clients and plain consumers."""
    return parse_security(kafka_security(settings))


def make_broker(
    settings: CommonSettings,
    *,
    client_id: str,
    registry: CollectorRegistry,
    retry_backoff_seconds: float = 1.0,
    bounded_requests: bool = False,
) -> KafkaBroker:
    """A broker whose publishes return only once every in-sync replica has the message.

    `bounded_requests` caps every Kafka request at the publish timeout, so a message the
    gateway answered 503 for expires instead of being sent later. Consumers in a group
    must not have it: joining a group can legitimately take longer.
    """
    options = {}
    if bounded_requests:
        options["request_timeout_ms"] = int(settings.kafka_publish_timeout_seconds * 1000)
    broker = KafkaBroker(
        settings.kafka_bootstrap_servers,
        security=kafka_security(settings),
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        **options,
        logger=logging.getLogger(f"privacyhub.{client_id}.broker"),
    )
    broker.add_middleware(
        KafkaPrometheusMiddleware(
            registry=registry, app_name=client_id, metrics_prefix="privacyhub"
        )
    )
    broker.add_middleware(
        dead_letter_middleware(broker, retry_backoff_seconds=retry_backoff_seconds)
    )
    return broker


def declare_publication(
    broker: KafkaBroker, topic: TopicSpec, payload: Any, *, publisher: str
) -> Any:
    """What `publisher` sends on `topic`, listed in the AsyncAPI document under a name of its own,
    so two processes (or two payloads) on one topic do not overwrite each other there."""
    return broker.publisher(
        topic.name,
        schema=Envelope[payload],
        title=f"{topic.name}:{publisher}:{getattr(payload, '__name__', 'Event')}",
        description=topic.description,
    )


def provisioned(topic: TopicSpec) -> Topic:
    """A topic to subscribe to without creating it: only `ensure_topics` creates topics, with
    their declared partitions and retention (FastStream would otherwise make a one-partition copy)."""
    return Topic(topic.name, declare=False)
