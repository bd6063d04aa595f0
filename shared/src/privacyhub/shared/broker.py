"""The one way to make a Kafka broker: idempotent producer, acks=all, metrics, dead letters."""

import logging

from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from privacyhub.shared.dead_letter import dead_letter_middleware
from privacyhub.shared.settings import CommonSettings
from prometheus_client import CollectorRegistry


def make_broker(
    settings: CommonSettings,
    *,
    client_id: str,
    registry: CollectorRegistry,
    retry_backoff_seconds: float = 1.0,
) -> KafkaBroker:
    """A broker whose publishes return only once every in-sync replica has the message."""
    broker = KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        request_timeout_ms=int(settings.kafka_publish_timeout_seconds * 1000),
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
