"""Fail closed: a production process refuses to start on development secrets or plain Kafka.

Every secret has a development value in the repository, so that `make run` and the tests work
without configuration. `PRIVACYHUB_ENVIRONMENT` (default `production`) says whether that is
allowed: in production each process checks the secrets it uses (`CommonSettings.SECRETS`) and
its Kafka protocol before it starts, and ends with one line naming every offending variable.
"""

import binascii
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from privacyhub.shared.crypto import Keyring
from privacyhub.shared.kafka_access import PRINCIPALS
from privacyhub.shared.sealing import (
    MismatchedMessageKeys,
    development_private_key,
    parse_private_keys,
    parse_public_keys,
    raw_public_key,
)
from privacyhub.shared.settings import CommonSettings, read_secret_file
from pydantic import AliasChoices, SecretStr

MIN_SECRET_CHARACTERS = 32
REFUSAL_EXIT_CODE = 2


class UnsafeForProduction(RuntimeError):
    """The configuration would run a production process on public secrets or without TLS."""


def refuse_unsafe(
    settings: CommonSettings, *, secrets: Iterable[str] | None = None, doing: str = "start"
) -> None:
    """Raise UnsafeForProduction in production when a secret the process uses is unsafe, or
    Kafka is reached without SASL_SSL; `secrets` narrows the check to those fields (and skips
    Kafka), for a tool that uses only them and `doing` something else than starting."""
    if settings.environment != "production":
        return
    problems = [
        f"{variable(settings, name)} {problem}"
        for name in (settings.SECRETS if secrets is None else secrets)
        if (problem := CHECKS[name](settings, name)) is not None
    ]
    if secrets is None and settings.kafka_security_protocol != "SASL_SSL":
        problems.append(
            f"KAFKA_SECURITY_PROTOCOL is {settings.kafka_security_protocol}, not SASL_SSL"
        )
    if problems:
        raise UnsafeForProduction(
            f"refusing to {doing} with PRIVACYHUB_ENVIRONMENT=production: " + "; ".join(problems)
        )


@contextmanager
def refusing_unsafe_start() -> Iterator[None]:
    """Around a process's start-up: an unsafe production configuration, or message keys that do
    not match the published public key of the process's principal (in any environment), end it
    with one line on stderr and exit code 2, not a traceback."""
    try:
        yield
    except UnsafeForProduction as refusal:
        print(f"privacyhub: {refusal}", file=sys.stderr)
        raise SystemExit(REFUSAL_EXIT_CODE) from None
    except MismatchedMessageKeys as mismatch:
        print(
            f"privacyhub: refusing to start: {mismatch} "
            "(MESSAGE_PUBLIC_KEYS and the process's MESSAGE_PRIVATE_KEYS)",
            file=sys.stderr,
        )
        raise SystemExit(REFUSAL_EXIT_CODE) from None


def variable(settings: CommonSettings, name: str) -> str:
    """The environment variable that sets the field `name` of these settings."""
    alias = type(settings).model_fields[name].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0]).upper()
    return (settings.model_config.get("env_prefix", "") + name).upper()


def _configured(settings: CommonSettings, name: str) -> str | None:
    """The text the secret `name` was given: from its `_file` variant when that is set, None when unset."""
    path: Path | None = getattr(settings, f"{name}_file", None)
    if path is not None:
        return read_secret_file(path)
    if name not in settings.model_fields_set:
        return None
    value = getattr(settings, name)
    return value.get_secret_value() if isinstance(value, SecretStr) else value


def _hmac_secret(settings: CommonSettings, name: str) -> str | None:
    configured = _configured(settings, name)
    if configured is None:
        return "is unset"
    if configured == type(settings).model_fields[name].get_default().get_secret_value():
        return "is the development value"
    if len(configured) < MIN_SECRET_CHARACTERS:
        return f"is shorter than {MIN_SECRET_CHARACTERS} characters"
    return None


def _key_encryption_keys(settings: CommonSettings, name: str) -> str | None:
    configured = _configured(settings, name)
    if configured is None:
        return "is unset"
    try:
        Keyring.parse(configured)
    except (ValueError, binascii.Error):
        return "cannot be read (id:base64key, each key 256 bits)"
    development = type(settings).model_fields[name].get_default().get_secret_value()
    _, _, development_key = development.partition(":")
    if development_key in configured:
        return "holds the development key"
    return None


def _development_raw_keys() -> set[bytes]:
    return {development_private_key(p).private_bytes_raw() for p in PRINCIPALS}


def _private_keys(settings: CommonSettings, name: str) -> str | None:
    return _message_keys(
        settings,
        name,
        lambda text: {key.private_bytes_raw() for key in parse_private_keys(text)},
        _development_raw_keys(),
    )


def _public_keys(settings: CommonSettings, name: str) -> str | None:
    development = {raw_public_key(development_private_key(p).public_key()) for p in PRINCIPALS}
    return _message_keys(
        settings,
        name,
        lambda text: {raw_public_key(key) for key in parse_public_keys(text).values()},
        development,
    )


def _message_keys(
    settings: CommonSettings,
    name: str,
    parse: Callable[[str], set[bytes]],
    development: set[bytes],
) -> str | None:
    configured = _configured(settings, name)
    if configured is None:
        return "is unset"
    try:
        keys = parse(configured)
    except (ValueError, binascii.Error):
        return "cannot be read"
    if keys & development:
        return "holds a development key"
    return None


CHECKS: dict[str, Callable[[CommonSettings, str], str | None]] = {
    "staff_token_secret": _hmac_secret,
    "subject_id_secret": _hmac_secret,
    "verification_code_secret": _hmac_secret,
    "key_encryption_keys": _key_encryption_keys,
    "message_private_keys": _private_keys,
    "message_public_keys": _public_keys,
}
