"""Every secret can come from a mounted file (`<VARIABLE>_FILE`), as Compose and Kubernetes
secrets give it: the file's text is the secret, without the line end at its end, the file wins
over the variable, and production checks what the file holds."""

import secrets
from pathlib import Path

import pytest
from privacyhub.consent.settings import ConsentSettings
from privacyhub.contact.settings import ContactSettings
from privacyhub.gateway.settings import GatewaySettings
from privacyhub.partner.settings import PartnerSettings
from privacyhub.requests.settings import RequestsSettings
from privacyhub.retention.settings import RetentionSettings
from privacyhub.shared.production import UnsafeForProduction, refuse_unsafe, variable
from privacyhub.shared.settings import CommonSettings

SETTINGS = (
    GatewaySettings,
    ConsentSettings,
    ContactSettings,
    RequestsSettings,
    RetentionSettings,
    PartnerSettings,
)
FILE_SECRETS = [
    (settings_class, name) for settings_class in SETTINGS for name in settings_class.FILE_SECRETS
]


def file_variable(settings_class: type[CommonSettings], name: str) -> str:
    return variable(settings_class.model_construct(), f"{name}_file")


@pytest.mark.parametrize(
    ("settings_class", "name"),
    FILE_SECRETS,
    ids=[f"{s.__name__}.{n}" for s, n in FILE_SECRETS],
)
def test_a_secret_file_replaces_the_variable(
    settings_class: type[CommonSettings],
    name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = secrets.token_urlsafe(32)
    mounted = tmp_path / name
    mounted.write_text(secret + "\n")
    monkeypatch.setenv(variable(settings_class.model_construct(), name), "from-the-variable")
    monkeypatch.setenv(file_variable(settings_class, name), str(mounted))

    settings = settings_class(_env_file=None)

    assert getattr(settings, name).get_secret_value() == secret


def test_the_file_variables_are_named_after_their_secret() -> None:
    assert file_variable(GatewaySettings, "subject_id_secret") == "SUBJECT_ID_SECRET_FILE"
    assert file_variable(GatewaySettings, "staff_token_secret") == "STAFF_TOKEN_SECRET_FILE"
    assert file_variable(ContactSettings, "kafka_password") == "KAFKA_PASSWORD_FILE"
    assert (
        file_variable(RequestsSettings, "verification_code_secret")
        == "REQUESTS_VERIFICATION_CODE_SECRET_FILE"
    )


def test_a_kafka_login_may_take_its_password_from_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mounted = tmp_path / "kafka_password"
    mounted.write_text("a-password")
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KAFKA_USERNAME", "contact")
    monkeypatch.setenv("KAFKA_PASSWORD_FILE", str(mounted))

    settings = ContactSettings(_env_file=None)

    assert settings.kafka_password is not None
    assert settings.kafka_password.get_secret_value() == "a-password"


def test_production_refuses_a_file_holding_the_development_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mounted = tmp_path / "staff_token_secret"
    development = GatewaySettings.model_fields["staff_token_secret"].get_default()
    mounted.write_text(development.get_secret_value() + "\n")
    monkeypatch.setenv("STAFF_TOKEN_SECRET_FILE", str(mounted))

    settings = GatewaySettings(_env_file=None, environment="production")

    with pytest.raises(UnsafeForProduction, match="STAFF_TOKEN_SECRET is the development value"):
        refuse_unsafe(settings, secrets=["staff_token_secret"])


def test_production_accepts_a_strong_secret_from_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mounted = tmp_path / "verification_code_secret"
    mounted.write_text(secrets.token_urlsafe(32) + "\n")
    monkeypatch.setenv("REQUESTS_VERIFICATION_CODE_SECRET_FILE", str(mounted))

    settings = RequestsSettings(_env_file=None, environment="production")

    refuse_unsafe(settings, secrets=["verification_code_secret"])
