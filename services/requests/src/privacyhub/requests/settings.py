from pathlib import Path
from typing import Literal

from privacyhub.shared.owners import DATA_OWNERS
from privacyhub.shared.settings import EncryptingServiceSettings
from pydantic import EmailStr, Field, SecretStr
from pydantic_settings import SettingsConfigDict


class RequestsSettings(EncryptingServiceSettings):
    """Requests service settings; its own variables start with `REQUESTS_`."""

    model_config = SettingsConfigDict(env_prefix="REQUESTS_")
    SECRETS = (
        *EncryptingServiceSettings.SECRETS,
        "subject_id_secret",
        "verification_code_secret",
    )
    FILE_SECRETS = (*EncryptingServiceSettings.FILE_SECRETS, "verification_code_secret")

    http_port: int = Field(default=8103, description="Port of /health, /ready and /metrics.")
    mongodb_database: str = Field(
        default="privacyhub_requests",
        description="The requests service's own database.",
    )
    consumer_group: str = Field(
        default="privacyhub-requests",
        description="Kafka consumer group of the requests service.",
    )
    smtp_host: str = Field(
        default="127.0.0.1", description="SMTP server that sends e-mails to requesters."
    )
    smtp_port: int = Field(default=25, gt=0, description="Port of the SMTP server.")
    smtp_tls: Literal["auto", "starttls", "tls", "none"] = Field(
        default="auto",
        description=(
            "Encryption towards the SMTP server: `auto` (STARTTLS when the server offers it), "
            "`starttls` (required), `tls` (implicit TLS, usually port 465) or `none`."
        ),
    )
    smtp_username: str | None = Field(
        default=None, description="SMTP login, when the server wants one."
    )
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password.")
    smtp_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        description="How long an SMTP exchange may take before the e-mail counts as not sent and is retried.",
    )
    mail_sender: str = Field(
        default="Jobport privacy <privacy@jobport.nl>",
        description="From address of e-mails to requesters.",
    )
    verification_code_lifetime_seconds: float = Field(
        default=15 * 60,
        gt=0,
        description="How long an e-mailed verification code is valid.",
    )
    verification_max_attempts: int = Field(
        default=5,
        ge=1,
        description="Wrong codes after which a request is locked (429) until a privacy officer verifies it.",
    )
    verification_code_resends: int = Field(
        default=3,
        ge=0,
        description="New codes a requester may ask for per request; more are refused (429). Wrong "
        "codes count across all of them, so a new code never lifts the lock.",
    )
    verification_code_resend_interval_seconds: float = Field(
        default=60,
        ge=0,
        description="How long after a code was sent a new one may be asked for; sooner is "
        "refused (429), so a double click sends one e-mail and no code overtakes the one before.",
    )
    verification_code_secret: SecretStr = Field(
        default=SecretStr("development-only-verification-code-secret"),
        description="HMAC key under which verification codes are stored. Set it in production.",
    )
    verification_code_secret_file: Path | None = Field(
        default=None,
        description="A file holding the verification code key (a mounted secret); when set it is "
        "read instead of the verification code secret variable.",
    )
    data_owners: list[str] = Field(
        default_factory=lambda: list(DATA_OWNERS),
        min_length=1,
        description="Data owners an approved request waits for, one answer each (shared/owners.py "
        "registers them); add a partner here once its tool answers subject commands.",
    )
    owner_timeout_seconds: float = Field(
        default=2 * 24 * 60 * 60,
        gt=0,
        description="How long a data owner may take to answer before the request is escalated on "
        "the privacy officer's queue with the owners that are missing; also how long an approved "
        "rectification waits for its new e-mail address to be verified before it is escalated.",
    )
    package_download_days: int = Field(
        default=30,
        ge=1,
        description="An access or portability package is deleted this many days after the "
        "request was carried out, or the grace below after its first full download, whichever "
        "comes first: it copies data its owners erase on their own schedule.",
    )
    package_download_grace_minutes: int = Field(
        default=60,
        ge=0,
        description="How long a package stays after its first full download, so an interrupted "
        "download can be tried again.",
    )
    owner_sweep_interval_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How often the service looks for data owners that did not answer in time, "
        "for requests to tell the privacy officer about, and for packages past their window.",
    )
    privacy_officer_email: EmailStr = Field(
        default="privacy@jobport.nl",
        description="Where the privacy officer is e-mailed, once per request, about an escalated "
        "request and about one due within 7 days without a decision; the e-mail names the request "
        "id, the owners that did not answer and the due date, never the requester or the details.",
    )
