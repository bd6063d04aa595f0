from privacyhub.shared.settings import EncryptingServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class ConsentSettings(EncryptingServiceSettings):
    """Consent service settings; its own variables start with `CONSENT_`."""

    model_config = SettingsConfigDict(env_prefix="CONSENT_")

    http_port: int = Field(default=8101, description="Port of /health, /ready and /metrics.")
    mongodb_database: str = Field(
        default="privacyhub_consent", description="The consent service's own database."
    )
    consumer_group: str = Field(
        default="privacyhub-consent",
        description="Kafka consumer group of the consent service.",
    )
    analytics_exemption: bool = Field(
        default=False,
        description="Count page views of visitors without analytics consent in anonymous daily counters "
        "(Dutch analytics exemption, Telecommunicatiewet 11.7a); off: keep nothing of those views.",
    )
    visitor_state_capacity: int = Field(
        default=100_000,
        gt=0,
        description="Visitors whose consent one copy of the service holds in memory (about "
        "300 bytes each); beyond that the least recently seen are read from the database again.",
    )
