"""SCRAM users of a secured local broker, with passwords generated per data directory.

Promises:
- ``CredentialStore.create(users)`` generates a random password for ``admin``
  (the provisioning super user), ``broker`` (the node's own links) and every
  given user, and writes them to ``credentials.json`` readable by the owner only.
- Passwords never appear in a ``repr`` and so not in logs or tracebacks.
- The file holds exactly the users whose SCRAM credentials were written at
  storage format time: a user missing from it cannot log in.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

ADMIN = "admin"
BROKER = "broker"
SCRAM_MECHANISM = "SCRAM-SHA-512"
SECURITY_PROTOCOL = "SASL_PLAINTEXT"


@dataclass(frozen=True)
class KafkaCredentials:
    username: str
    password: str = field(repr=False)

    def client_options(self) -> dict[str, str]:
        """aiokafka keyword arguments that log in as this user."""
        return {
            "security_protocol": SECURITY_PROTOCOL,
            "sasl_mechanism": SCRAM_MECHANISM,
            "sasl_plain_username": self.username,
            "sasl_plain_password": self.password,
        }

    def environment(self) -> dict[str, str]:
        """The variables privacyhub processes read to log in as this user."""
        return {
            "KAFKA_SECURITY_PROTOCOL": SECURITY_PROTOCOL,
            "KAFKA_SASL_MECHANISM": SCRAM_MECHANISM,
            "KAFKA_USERNAME": self.username,
            "KAFKA_PASSWORD": self.password,
        }


class UnknownKafkaUserError(RuntimeError):
    """A user asked for has no SCRAM credential on this broker."""


class CredentialStore:
    """``credentials.json`` in a broker's data directory."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def exists(self) -> bool:
        return self.path.exists()

    def create(self, users: Iterable[str]) -> dict[str, KafkaCredentials]:
        """Generate a password for each user (plus admin and broker) and store them; replaces the file."""
        names = dict.fromkeys([ADMIN, BROKER, *users])
        passwords = {name: secrets.token_urlsafe(24) for name in names}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.name + ".partial")
        partial.unlink(missing_ok=True)
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            json.dump(passwords, file, indent=2)
        partial.replace(self.path)
        return _credentials(passwords)

    def load(self) -> dict[str, KafkaCredentials]:
        """Every stored user; raises FileNotFoundError when none were created."""
        return _credentials(json.loads(self.path.read_text()))


def _credentials(passwords: Mapping[str, str]) -> dict[str, KafkaCredentials]:
    return {name: KafkaCredentials(name, password) for name, password in passwords.items()}
