"""Where the session's real servers listen (tests/conftest.py chooses and starts them)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoints:
    kafka_bootstrap_servers: str
    mongodb_url: str
