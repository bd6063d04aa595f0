from datetime import date

from privacyhub.shared.contracts.statement import LANGUAGE_PATTERN, VERSION_PATTERN
from pydantic import BaseModel, ConfigDict, Field


class StatementDraft(BaseModel):
    """A new statement version as an admin submits it; the gateway adds the SHA-256 of the text."""

    model_config = ConfigDict(extra="forbid")

    version: str = Field(pattern=VERSION_PATTERN, description="New version number, e.g. 2.2.")
    published_on: date = Field(description="Date the version is published.")
    language: str = Field(pattern=LANGUAGE_PATTERN, description="ISO 639-1 code, e.g. nl.")
    text: str = Field(min_length=1, max_length=60_000, description="The full statement text.")
    material: bool = Field(
        description="A material change: consents given under earlier versions need renewal."
    )
    summary_of_changes: str | None = Field(
        default=None, max_length=2000, description="What changed compared with the version before."
    )


class StatementAccepted(BaseModel):
    """A publication Kafka holds; the consent service makes it current."""

    version: str
    sha256: str
