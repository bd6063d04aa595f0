from datetime import timedelta

from privacyhub.shared.register import load_register
from privacyhub.shared.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


def registered_retention(category_id: str) -> timedelta:
    """The retention period the processing register declares for a data category."""
    category = next(c for c in load_register().categories if c.id == category_id)
    return category.retention.period


def registered_contact_grace_seconds() -> float:
    return registered_retention("contact_messages").total_seconds()


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
    contact_grace_period_seconds: float = Field(
        default_factory=registered_contact_grace_seconds,
        gt=0,
        description="How long contact messages are kept after the question was answered or the "
        "person stopped being a customer, whichever comes first (statement §4). Default: the "
        "period the processing register declares for contact messages (30 days).",
    )
    sweep_interval_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How often the service sweeps the records that are due for deletion.",
    )
    expiry_sweep_interval_seconds: float = Field(
        default=3600.0,
        gt=0,
        description="How often the service asks each owner to erase the records whose retention "
        "period in the processing register has ended (visits, anonymous counts, consent choices "
        "replaced long ago, staff reads, resolved complaints, decided breaches, disclosures, "
        "completed, refused and unverified rights requests, expiry receipts) and erases its own "
        "(the deletion log, expiry requests).",
    )
    sweep_batch_size: int = Field(
        default=1000,
        ge=1,
        description="How many scheduled records one round of a sweep reads and sends erase "
        "commands for; a sweep takes rounds until it has seen every scheduled record.",
    )
