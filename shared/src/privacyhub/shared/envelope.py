"""The envelope every message on every topic travels in."""

from datetime import UTC, datetime
from typing import Generic, TypeVar
from uuid import UUID, uuid4, uuid5

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

PayloadT = TypeVar("PayloadT", bound=BaseModel)


def utc_now() -> datetime:
    return datetime.now(UTC)


def derived_event_id(cause: UUID, effect_type: str) -> UUID:
    """The same cause always yields the same id for an effect, so a redelivered cause re-emits a duplicate consumers drop."""
    return uuid5(cause, effect_type)


class OpenPayload(BaseModel):
    """Any payload, every field kept, until the envelope's type says which contract to read it into."""

    model_config = ConfigDict(extra="allow")


class Envelope(BaseModel, Generic[PayloadT]):
    """A versioned message: `event_id` is the idempotency key, `subject_id` the pseudonymous partition key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID = Field(
        default_factory=uuid4,
        description="Unique per message; consumers deduplicate on it.",
    )
    type: str = Field(
        description="Command (imperative) or event (past tense) name, e.g. ContactMessageReceived."
    )
    schema_version: int = Field(default=1, ge=1, description="Version of the payload schema.")
    occurred_at: AwareDatetime = Field(
        default_factory=utc_now, description="When it happened, UTC."
    )
    subject_id: str = Field(
        min_length=1,
        description="Pseudonymous data-subject id (HMAC of the e-mail, or the visitor id).",
    )
    correlation_id: UUID = Field(
        default_factory=uuid4,
        description="Ties commands, events and replies of one flow together.",
    )
    payload: PayloadT

    @property
    def partition_key(self) -> bytes:
        """Kafka key: the subject id, which the catalogue's `Key` of the message names (a data
        subject, a visitor, a reference, a hold...), so one key's messages stay ordered."""
        return self.subject_id.encode()

    @property
    def record_headers(self) -> list[tuple[str, bytes]]:
        """Kafka headers of the record it travels in: the content type FastStream consumers
        decode by, and the correlation id."""
        return [
            ("content-type", b"application/json"),
            ("correlation_id", str(self.correlation_id).encode()),
        ]
