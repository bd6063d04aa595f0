from pathlib import Path
from typing import Literal

from privacyhub.shared.auth import Role
from privacyhub.shared.settings import CommonSettings
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict


class GatewaySettings(CommonSettings):
    """Gateway settings; its own variables start with `GATEWAY_`."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_")
    SECRETS = (*CommonSettings.SECRETS, "staff_token_secret", "subject_id_secret")

    http_port: int = Field(default=8000, description="Port the HTTP API listens on.")
    cors_allowed_origins: list[str] = Field(
        default=["http://localhost:3000"],
        description="Website origins allowed to call the public API from browsers.",
    )
    max_body_bytes: int = Field(
        default=64 * 1024,
        gt=0,
        description="Larger request bodies are refused with 413.",
    )
    rate_limit_per_minute: int = Field(
        default=120,
        gt=0,
        description="Requests per client address per minute before 429 with `Retry-After`: a "
        "client may send them at once, then its allowance refills continuously (a token bucket "
        "per gateway copy). Health, readiness, metrics and the OpenAPI document are not limited.",
    )
    site_hosts: list[str] = Field(
        default=["www.jobport.nl", "jobport.nl"],
        min_length=1,
        description="Hosts of the website whose page views are counted; a page view of any other "
        "host is refused (422).",
    )
    intake_per_address_per_day: int = Field(
        default=10,
        gt=0,
        description="Rights requests and complaints one e-mail address may be given on the public "
        "forms per day, across all clients, before 429 with `Retry-After`: each one e-mails that "
        "address. Counted per gateway copy, by pseudonymous subject id.",
    )
    kafka_linger_ms: int = Field(
        default=5,
        ge=0,
        description="How long a message may wait for others before the gateway sends them to "
        "Kafka together; each request still answers only once Kafka acknowledged its own.",
    )
    query_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How long a read waits for the owning service's answer before it fails with 504.",
    )
    kafka_retry_after_seconds: int = Field(
        default=5,
        gt=0,
        description="Retry-After sent with a 503 when Kafka cannot take a message.",
    )
    revoked_tokens_file: Path | None = Field(
        default=None,
        description="A file of revoked staff tokens' ids (`jti`, which `privacyhub-token` prints), "
        "one a line, `#` starting a comment; a token it lists is refused with 401. The file is "
        "read again whenever it changes, so a revocation needs no restart.",
    )
    operations_token: SecretStr | None = Field(
        default=None,
        description="When set, `/metrics` and the OpenAPI document (`/schema`) answer only "
        "requests bearing it (`Authorization: Bearer ...`, as Prometheus sends it), and 401 to "
        "any other; unset, they are public. Health and readiness stay public for probes.",
    )
    staff_oidc_issuer: str | None = Field(
        default=None,
        description="The OpenID Connect provider staff sign in to the console with (its issuer "
        "URL; the provider's settings are read from `/.well-known/openid-configuration` under "
        "it). Unset: the console signs in only with a pasted staff token (and, in development, "
        "locally).",
    )
    staff_oidc_client_id: str | None = Field(
        default=None, description="The console's client id at the OpenID Connect provider."
    )
    staff_oidc_client_secret_file: Path | None = Field(
        default=None,
        description="A file holding the console's client secret at the OpenID Connect provider "
        "(a mounted secret).",
    )
    staff_oidc_role_claim: str = Field(
        default="roles",
        description="The ID token claim that holds the staff member's groups or roles (a list or "
        "one string).",
    )
    staff_oidc_roles: dict[str, Role] = Field(
        default={role.value: role for role in Role},
        description="Which value of the role claim gives which staff role, as JSON "
        '(`{"privacy-team": "privacy_officer"}`); a value not listed gives none. Default: each '
        "role's own name.",
    )
    sensitive_data_policy: Literal["refuse", "redact"] = Field(
        default="refuse",
        description=(
            "What the contact form does with a password, BSN, ID-document number, IBAN, "
            "payment card number or medical term in any of its fields (the device description "
            "too): refuse it with 422 (`refuse`) or publish the text with it replaced by a "
            "placeholder (`redact`). Such data in the e-mail address's local part is refused "
            "under either policy: a redacted address would reach nobody."
        ),
    )
