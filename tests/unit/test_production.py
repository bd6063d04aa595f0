"""Fail closed: in production no process starts on the repository's development secrets or
plain Kafka, and the token command signs nothing with the development secret."""

import asyncio
import base64
import os
import secrets
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from privacyhub.consent.settings import ConsentSettings
from privacyhub.contact.settings import ContactSettings
from privacyhub.gateway.settings import GatewaySettings
from privacyhub.partner.settings import PartnerSettings
from privacyhub.requests.settings import RequestsSettings
from privacyhub.retention.settings import RetentionSettings
from privacyhub.shared.kafka_access import PRINCIPALS
from privacyhub.shared.production import UnsafeForProduction, refuse_unsafe, variable
from privacyhub.shared.sealing import (
    development_private_key,
    format_private_key,
    format_public_keys,
)
from privacyhub.shared.settings import CommonSettings

PROCESSES = {
    "privacyhub.gateway": GatewaySettings,
    "privacyhub.consent": ConsentSettings,
    "privacyhub.contact": ContactSettings,
    "privacyhub.requests": RequestsSettings,
    "privacyhub.retention": RetentionSettings,
    "privacyhub.partner": PartnerSettings,
}
SAFE_KAFKA = {
    "kafka_security_protocol": "SASL_SSL",
    "kafka_username": "someone",
    "kafka_password": "a-password",
}


def strong() -> str:
    return secrets.token_urlsafe(32)


def production_values(principal_key: X25519PrivateKey) -> dict[str, object]:
    """Everything any process needs in production, none of it from the repository."""
    public = {p: X25519PrivateKey.generate().public_key() for p in PRINCIPALS}
    return {
        "environment": "production",
        **SAFE_KAFKA,
        "subject_id_secret": strong(),
        "staff_token_secret": strong(),
        "verification_code_secret": strong(),
        "key_encryption_keys": f"k1:{base64.b64encode(os.urandom(32)).decode()}",
        "message_public_keys": format_public_keys(public),
        "message_private_keys": format_private_key(principal_key),
    }


def settings_of(settings_class: type[CommonSettings], **values: object) -> CommonSettings:
    fields = settings_class.model_fields
    return settings_class(_env_file=None, **{k: v for k, v in values.items() if k in fields})


def refusal(settings: CommonSettings) -> str:
    with pytest.raises(UnsafeForProduction) as refused:
        refuse_unsafe(settings)
    return str(refused.value)


@pytest.mark.parametrize("settings_class", PROCESSES.values(), ids=PROCESSES.keys())
def test_each_process_names_every_unset_secret_it_uses_and_plain_kafka(
    settings_class: type[CommonSettings],
) -> None:
    settings = settings_of(settings_class, environment="production")
    message = refusal(settings)
    for name in settings_class.SECRETS:
        assert f"{variable(settings, name)} is unset" in message
    assert "KAFKA_SECURITY_PROTOCOL is PLAINTEXT, not SASL_SSL" in message
    assert "\n" not in message


@pytest.mark.parametrize("settings_class", PROCESSES.values(), ids=PROCESSES.keys())
def test_each_process_starts_on_secrets_of_its_own(settings_class: type[CommonSettings]) -> None:
    refuse_unsafe(settings_of(settings_class, **production_values(X25519PrivateKey.generate())))


def test_development_values_and_short_secrets_are_refused() -> None:
    development_requests = RequestsSettings.model_fields
    values = production_values(X25519PrivateKey.generate()) | {
        "subject_id_secret": development_requests["subject_id_secret"].default,
        "verification_code_secret": "short-but-set",
        "key_encryption_keys": f"k2:{base64.b64encode(os.urandom(32)).decode()},"
        + development_requests["key_encryption_keys"].default.get_secret_value(),
        "message_private_keys": format_private_key(development_private_key("requests")),
        "kafka_security_protocol": "SASL_PLAINTEXT",
    }
    message = refusal(settings_of(RequestsSettings, **values))
    assert "SUBJECT_ID_SECRET is the development value" in message
    assert "REQUESTS_VERIFICATION_CODE_SECRET is shorter than 32 characters" in message
    assert "REQUESTS_KEY_ENCRYPTION_KEYS holds the development key" in message
    assert "REQUESTS_MESSAGE_PRIVATE_KEYS holds a development key" in message
    assert "KAFKA_SECURITY_PROTOCOL is SASL_PLAINTEXT, not SASL_SSL" in message


def test_the_partner_tool_refuses_the_development_key_encryption_key() -> None:
    development = PartnerSettings.model_fields["key_encryption_keys"].default
    values = production_values(X25519PrivateKey.generate()) | {"key_encryption_keys": development}
    message = refusal(settings_of(PartnerSettings, **values))
    assert message.endswith("PARTNER_KEY_ENCRYPTION_KEYS holds the development key")


def test_a_short_or_unreadable_key_encryption_key_is_named_not_a_traceback() -> None:
    short = f"k1:{base64.b64encode(os.urandom(16)).decode()}"
    for unreadable in (short, "no-key-here"):
        values = production_values(X25519PrivateKey.generate()) | {
            "key_encryption_keys": unreadable
        }
        message = refusal(settings_of(ContactSettings, **values))
        assert message.endswith(
            "CONTACT_KEY_ENCRYPTION_KEYS cannot be read (id:base64key, each key 256 bits)"
        )


def test_a_secret_file_is_what_is_checked(tmp_path: Path) -> None:
    development_public = {p: development_private_key(p).public_key() for p in PRINCIPALS}
    public_keys = tmp_path / "public-keys"
    public_keys.write_text(format_public_keys(development_public))
    values = production_values(X25519PrivateKey.generate()) | {
        "message_public_keys_file": public_keys
    }
    message = refusal(settings_of(GatewaySettings, **values))
    assert message.endswith("MESSAGE_PUBLIC_KEYS holds a development key")


def test_development_allows_the_repository_values() -> None:
    refuse_unsafe(settings_of(RequestsSettings, environment="development"))


def clean_environment(**variables: str) -> dict[str, str]:
    """What a process sees on a fresh production host: none of the suite's own variables."""
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **variables}


async def run(*command: str, env: dict[str, str]) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError(f"{command[-1]} did not exit; it is running, not refusing") from None
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def test_every_process_refuses_to_start_in_production_by_default() -> None:
    started = await asyncio.gather(
        *(run(sys.executable, "-m", module, env=clean_environment()) for module in PROCESSES)
    )
    for module, (code, _, stderr) in zip(PROCESSES, started, strict=True):
        assert code == 2, (module, stderr)
        [line] = stderr.splitlines()
        assert line.startswith(
            "privacyhub: refusing to start with PRIVACYHUB_ENVIRONMENT=production"
        )
        assert "MESSAGE_PUBLIC_KEYS is unset" in line and "KAFKA_SECURITY_PROTOCOL" in line


async def test_the_token_command_refuses_the_development_secret_in_production() -> None:
    token_command = str(Path(sys.executable).parent / "privacyhub-token")
    command = (token_command, "--staff-id", "alice", "--role", "privacy_officer")
    code, stdout, stderr = await run(*command, env=clean_environment())
    assert code == 2 and not stdout
    assert "refusing to sign a token" in stderr and "STAFF_TOKEN_SECRET is unset" in stderr

    development = clean_environment(
        STAFF_TOKEN_SECRET=GatewaySettings.model_fields[
            "staff_token_secret"
        ].default.get_secret_value()
    )
    code, stdout, stderr = await run(*command, env=development)
    assert code == 2 and "STAFF_TOKEN_SECRET is the development value" in stderr

    code, stdout, _ = await run(
        *command, env=development | {"PRIVACYHUB_ENVIRONMENT": "development"}
    )
    assert code == 0 and stdout.count(".") == 2  # a JWT
    code, stdout, _ = await run(*command, env=clean_environment(STAFF_TOKEN_SECRET=strong()))
    assert code == 0 and stdout.count(".") == 2


async def test_every_process_refuses_to_start_on_keys_its_principal_did_not_publish() -> None:
    """In any environment: keys that cannot open what is sealed for the process's principal would
    park every message it is sent as a dead letter nobody can read."""
    published = format_public_keys(
        {p: X25519PrivateKey.generate().public_key() for p in PRINCIPALS}
    )
    environment = clean_environment(
        PRIVACYHUB_ENVIRONMENT="development",
        MESSAGE_PUBLIC_KEYS=published,
        # Should a process start after all, it reaches no one's servers.
        KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:1",
        MONGODB_URL="mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=1000",
    )
    started = await asyncio.gather(
        *(run(sys.executable, "-m", module, env=environment) for module in PROCESSES)
    )
    for module, (code, _, stderr) in zip(PROCESSES, started, strict=True):
        assert code == 2, (module, stderr)
        [line] = stderr.splitlines()
        assert line.startswith("privacyhub: refusing to start: the current message private key")
        assert "does not match its published public key" in line
