"""Privacy statement versions (statement §9): each publication is an event; the consent service keeps them."""

import hashlib
from datetime import date
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

STATEMENT_PUBLISHED = "StatementPublished"

# Query names the consent service answers on CONSENT_QUERIES.
CURRENT_STATEMENT_QUERY = "statement_current"
STATEMENT_VERSION_QUERY = "statement_version"
STATEMENT_VERSIONS_QUERY = "statement_versions"

VERSION_PATTERN = r"^[0-9][0-9A-Za-z.\-]{0,31}$"
LANGUAGE_PATTERN = r"^[a-z]{2}$"


def text_sha256(text: str) -> str:
    """The content hash a consent proof refers to: SHA-256 of the text's UTF-8 bytes, in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class StatementMetadata(BaseModel):
    """A statement version without its text, as listed."""

    model_config = ConfigDict(frozen=True)

    version: str = Field(pattern=VERSION_PATTERN, description="Version number, e.g. 2.1.")
    published_on: date = Field(description="Date the version was published.")
    language: str = Field(pattern=LANGUAGE_PATTERN, description="ISO 639-1 code, e.g. nl.")
    sha256: str = Field(
        pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the text's UTF-8 bytes, hex."
    )
    material: bool = Field(
        description="A material change: consents given under earlier versions need renewal."
    )
    summary_of_changes: str | None = Field(
        default=None, description="What changed compared with the version before."
    )


class StatementVersion(StatementMetadata):
    """A published version of the privacy statement, with its full text."""

    text: str = Field(min_length=1, description="The full statement text.")

    @model_validator(mode="after")
    def _hash_is_of_the_text(self) -> Self:
        if self.sha256 != text_sha256(self.text):
            raise ValueError("sha256 is not the hash of text")
        return self

    @property
    def metadata(self) -> StatementMetadata:
        return StatementMetadata.model_validate(self.model_dump(exclude={"text"}))
