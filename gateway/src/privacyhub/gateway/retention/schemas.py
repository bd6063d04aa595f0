from datetime import datetime
from typing import Self

from privacyhub.shared.contracts.consent import VisitorId
from privacyhub.shared.contracts.retention import (
    HOLD_REASON_MAX_LENGTH,
    SUBJECT_ID_PATTERN,
    HeldCategory,
    hold_scope_refused,
)
from privacyhub.shared.envelope import utc_now
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator


class LegalHoldForm(BaseModel):
    """A legal retention period: the data it covers is kept for that purpose only, until `ends_at`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    subject_id: str | None = Field(
        default=None,
        pattern=SUBJECT_ID_PATTERN,
        description="Keep this person's data (their pseudonymous subject id).",
    )
    visitor_id: VisitorId | None = Field(
        default=None,
        description="Keep this website visitor's consents and visits (the visitor cookie's value): "
        "the consent service knows a visitor by nothing else.",
    )
    category: HeldCategory | None = Field(default=None, description="Keep this category of data.")
    reason: str = Field(
        min_length=1,
        max_length=HOLD_REASON_MAX_LENGTH,
        description="The legal ground and purpose, e.g. a fiscal retention obligation or a claim.",
    )
    ends_at: AwareDatetime = Field(description="When the legal retention period ends.")

    @field_validator("ends_at")
    @classmethod
    def in_the_future(cls, ends_at: datetime) -> datetime:
        if ends_at <= utc_now():
            raise ValueError("must lie in the future")
        return ends_at

    @model_validator(mode="after")
    def has_a_scope(self) -> Self:
        if refusal := hold_scope_refused(self.subject_id, self.visitor_id, self.category):
            raise ValueError(refusal)
        return self


class LegalHoldAccepted(BaseModel):
    hold_id: str


class CustomerEndedAccepted(BaseModel):
    subject_id: str
    ended_at: datetime
