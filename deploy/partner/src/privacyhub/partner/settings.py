from privacyhub.shared.settings import EncryptingServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class PartnerSettings(EncryptingServiceSettings):
    """Reference support-partner tool settings; its own variables start with `PARTNER_`."""

    model_config = SettingsConfigDict(env_prefix="PARTNER_")

    http_port: int = Field(default=8105, description="Port of /health, /ready and /metrics.")
    mongodb_database: str = Field(
        default="privacyhub_partner_support",
        description="The partner tool's own database (the questions it was given).",
    )
    consumer_group: str = Field(
        default="privacyhub-partner-support",
        description="Kafka consumer group of the partner tool; its login may use only this prefix.",
    )
