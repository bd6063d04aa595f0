"""A gateway with no Kafka to reach, for tests of what it does before publishing anything."""

from privacyhub.gateway.settings import GatewaySettings


def offline_gateway(**settings: object) -> GatewaySettings:
    """Settings pointing at a port nothing listens on (1): intakes and reads answer 503."""
    return GatewaySettings(kafka_bootstrap_servers="127.0.0.1:1", **settings)
