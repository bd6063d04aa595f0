"""Typed settings read from the environment (or a `.env` file), once per process."""

from pathlib import Path
from typing import ClassVar, Literal, Self

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def read_secret_file(path: Path) -> str:
    """The secret a mounted file holds: its text without the line ending an editor or `echo`
    leaves at its end, so the file and the variable give one secret the same value."""
    return path.read_text(encoding="utf-8").rstrip("\r\n")


class CommonSettings(BaseSettings):
    """Settings every process reads, from unprefixed variables (`KAFKA_BOOTSTRAP_SERVERS`, `MONGODB_URL`, ...).

    Each process's own fields carry its prefix (`CONTACT_HTTP_PORT`), so one `.env` serves all processes.
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # The secret fields the process uses, checked before a production start (shared/production.py).
    SECRETS: ClassVar[tuple[str, ...]] = ("message_public_keys", "message_private_keys")
    # Secrets whose `<name>_file` field, when set, replaces the value with the file's text as soon
    # as the settings are read. The message and key-encryption keys read their files where they are
    # parsed instead (sealing.py, crypto.py).
    FILE_SECRETS: ClassVar[tuple[str, ...]] = (
        "kafka_password",
        "subject_id_secret",
        "staff_token_secret",
    )

    environment: Literal["development", "production"] = Field(
        validation_alias=AliasChoices("privacyhub_environment"),
        default="production",
        description="`production` refuses to start while a secret the process uses is unset, a "
        "development value from the repository or too short, or Kafka is reached without "
        "`SASL_SSL`; `development` (what `make run` and the tests set) allows all of that.",
    )

    kafka_bootstrap_servers: str = Field(
        validation_alias=AliasChoices("kafka_bootstrap_servers"),
        default="127.0.0.1:9092",
        description="Kafka bootstrap servers, comma separated host:port.",
    )
    kafka_replication_factor: int = Field(
        validation_alias=AliasChoices("kafka_replication_factor"),
        default=1,
        ge=1,
        description="Replication factor for topics this deployment creates.",
    )
    kafka_publish_timeout_seconds: float = Field(
        validation_alias=AliasChoices("kafka_publish_timeout_seconds"),
        default=5.0,
        gt=0,
        description="How long a publish may wait for Kafka's acknowledgement before it fails.",
    )
    kafka_security_protocol: Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        validation_alias=AliasChoices("kafka_security_protocol"),
        default="PLAINTEXT",
        description="How the process connects to Kafka: `PLAINTEXT` (no login), `SASL_PLAINTEXT` "
        "(login, unencrypted) or `SASL_SSL` (login over TLS, checked against the system's CAs).",
    )
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = Field(
        validation_alias=AliasChoices("kafka_sasl_mechanism"),
        default="SCRAM-SHA-512",
        description="SASL mechanism of the Kafka login.",
    )
    kafka_username: str | None = Field(
        validation_alias=AliasChoices("kafka_username"),
        default=None,
        description="Kafka principal the process logs in as; its ACLs decide which topics "
        "and consumer groups it may use. Needed unless the protocol is `PLAINTEXT`.",
    )
    kafka_password: SecretStr | None = Field(
        validation_alias=AliasChoices("kafka_password"),
        default=None,
        description="Password of the Kafka login.",
    )
    kafka_password_file: Path | None = Field(
        validation_alias=AliasChoices("kafka_password_file"),
        default=None,
        description="A file holding the password of the Kafka login (a mounted secret); when set "
        "it is read instead of the password variable.",
    )
    mongodb_url: str = Field(
        validation_alias=AliasChoices("mongodb_url"),
        default="mongodb://127.0.0.1:27017/",
        description="MongoDB-protocol server URL (MongoDB 7+ or FerretDB v1).",
    )
    subject_id_secret: SecretStr = Field(
        validation_alias=AliasChoices("subject_id_secret"),
        default=SecretStr("development-only-subject-id-secret"),
        description="HMAC key that turns an e-mail address into a pseudonymous subject id. Set it in production.",
    )
    subject_id_secret_file: Path | None = Field(
        validation_alias=AliasChoices("subject_id_secret_file"),
        default=None,
        description="A file holding the subject id key (a mounted secret); when set it is read "
        "instead of the subject id secret variable.",
    )
    staff_token_secret: SecretStr = Field(
        validation_alias=AliasChoices("staff_token_secret"),
        default=SecretStr("development-only-staff-token-secret"),
        description="HMAC key that signs and verifies staff bearer tokens. Set it in production.",
    )
    staff_token_secret_file: Path | None = Field(
        validation_alias=AliasChoices("staff_token_secret_file"),
        default=None,
        description="A file holding the staff token key (a mounted secret); when set it is read "
        "instead of the staff token secret variable.",
    )
    message_public_keys: str | None = Field(
        validation_alias=AliasChoices("message_public_keys"),
        default=None,
        description="Public keys that personal data on Kafka is sealed for, one per Kafka principal, "
        "as `principal:base64key[,principal:base64key...]` (raw X25519 keys); unset: the development "
        "keys. Set it in production.",
    )
    message_public_keys_file: Path | None = Field(
        validation_alias=AliasChoices("message_public_keys_file"),
        default=None,
        description="A file holding the public keys in the same format; when set it is read instead "
        "of the public keys variable.",
    )
    message_private_keys: SecretStr | None = Field(
        default=None,
        description="The process's own private keys that open personal data sealed for its "
        "principal, base64 raw X25519 keys, comma separated: the first is current (its public key "
        "is the one published), older ones still open what was sealed before a rotation; unset: "
        "the development key of its principal. Set it in production.",
    )
    message_private_keys_file: Path | None = Field(
        default=None,
        description="A file holding the private keys in the same format (a mounted secret); when "
        "set it is read instead of the private keys variable.",
    )
    log_level: str = Field(
        validation_alias=AliasChoices("log_level"),
        default="INFO",
        description="Minimum log level: DEBUG, INFO, WARNING, ERROR.",
    )
    http_host: str = Field(
        validation_alias=AliasChoices("http_host"),
        default="127.0.0.1",
        description="Address the process's HTTP server binds.",
    )

    @model_validator(mode="after")
    def _read_secret_files(self) -> Self:
        for name in self.FILE_SECRETS:
            path: Path | None = getattr(self, f"{name}_file")
            if path is not None:
                setattr(self, name, SecretStr(read_secret_file(path)))
        return self

    @model_validator(mode="after")
    def _kafka_login_is_complete(self) -> Self:
        if self.kafka_security_protocol != "PLAINTEXT" and not (
            self.kafka_username and self.kafka_password
        ):
            raise ValueError(
                f"KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs "
                "KAFKA_USERNAME and KAFKA_PASSWORD"
            )
        return self


class ServiceSettings(CommonSettings):
    """Settings of a Kafka-consuming service with its own database."""

    http_port: int = Field(description="Port of the health, readiness and metrics endpoints.")
    mongodb_database: str = Field(
        description="The service's own database; no other service reads it."
    )
    consumer_group: str = Field(description="Kafka consumer group; run more copies to scale out.")
    retry_backoff_seconds: float = Field(
        default=1.0,
        ge=0,
        description="Pause before a message that failed for a transient reason is redelivered.",
    )
    catch_up_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How long an export, erasure or other command about a person may wait for "
        "the service to process everything accepted before it; longer, and the command is "
        "retried after the pause above.",
    )


class EncryptingServiceSettings(ServiceSettings):
    """Settings of a service that keeps personal data encrypted per data subject (shared/crypto.py).

    Each such service has key-encryption keys of its own; the gateway and services without
    personal data at rest never see them.
    """

    SECRETS = (*ServiceSettings.SECRETS, "key_encryption_keys")

    key_encryption_keys: SecretStr = Field(
        default=SecretStr("development-only:S6xlOF8qVmfeyVM+yN274jZo6ym3tjt/sPdmigdAKO4="),
        description="Key-encryption keys that wrap the per-subject data keys, as "
        "`id:base64key[,id:base64key...]` (256-bit keys); the first wraps new keys, the others "
        "only unwrap until the start-up rotation has re-wrapped everything. Set it in production.",
    )
    key_encryption_keys_file: Path | None = Field(
        default=None,
        description="A file holding the key-encryption keys in the same format (a mounted secret); "
        "when set it is read instead of the key-encryption keys variable.",
    )
    subject_keys_database: str | None = Field(
        default=None,
        description="Database of the per-subject data keys, apart from the service's data so that "
        "a backup of the data holds no keys; default: the service's database name with `_keys`.",
    )

    @property
    def subject_keys_database_name(self) -> str:
        return self.subject_keys_database or f"{self.mongodb_database}_keys"
