from privacyhub.shared.settings import EncryptingServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class ContactSettings(EncryptingServiceSettings):
    """Contact service settings; its own variables start with `CONTACT_`."""

    model_config = SettingsConfigDict(env_prefix="CONTACT_")

    http_port: int = Field(default=8102, description="Port of /health, /ready and /metrics.")
    mongodb_database: str = Field(
        default="privacyhub_contact", description="The contact service's own database."
    )
    consumer_group: str = Field(
        default="privacyhub-contact",
        description="Kafka consumer group of the contact service.",
    )
