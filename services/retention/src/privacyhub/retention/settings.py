from privacyhub.shared.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class RetentionSettings(ServiceSettings):
    """Retention service settings; its own variables start with `RETENTION_`."""

    model_config = SettingsConfigDict(env_prefix="RETENTION_")

    http_port: int = Field(default=8104, description="Port of /health, /ready and /metrics.")
    mongodb_database: str = Field(
        default="privacyhub_retention",
        description="The retention service's own database.",
    )
    consumer_group: str = Field(
        default="privacyhub-retention",
        description="Kafka consumer group of the retention service.",
    )
