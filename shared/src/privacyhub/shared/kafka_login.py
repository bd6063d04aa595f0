"""The Kafka login a process's settings describe, for FastStream brokers and plain aiokafka clients."""

import ssl
from typing import Any

from faststream.kafka.security import parse_security
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512
from privacyhub.shared.settings import CommonSettings

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
