"""KAFKA_BOOTSTRAP_SERVERS is a comma-separated list, as its description says: every broker a
process makes bootstraps from each server in it, not from the whole text as one host."""

from privacyhub.shared.broker import make_broker
from privacyhub.shared.settings import CommonSettings
from prometheus_client import CollectorRegistry


def test_a_broker_bootstraps_from_each_listed_server() -> None:
    settings = CommonSettings(
        _env_file=None,
        environment="development",
        kafka_bootstrap_servers="kafka-1:9092, kafka-2:9092,kafka-3:9092",
    )

    broker = make_broker(settings, client_id="gateway", registry=CollectorRegistry())

    assert broker._connection_kwargs["bootstrap_servers"] == [
        "kafka-1:9092",
        "kafka-2:9092",
        "kafka-3:9092",
    ]
