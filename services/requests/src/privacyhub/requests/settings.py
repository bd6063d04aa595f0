from privacyhub.shared.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class RequestsSettings(ServiceSettings):
    """Requests service settings; its own variables start with `REQUESTS_`."""

    model_config = SettingsConfigDict(env_prefix="REQUESTS_")

    http_port: int = Field(default=8103, description="Port of /health, /ready and /metrics.")
    mongodb_database: str = Field(
        default="privacyhub_requests",
        description="The requests service's own database.",
    )
    consumer_group: str = Field(
        default="privacyhub-requests",
        description="Kafka consumer group of the requests service.",
    )
