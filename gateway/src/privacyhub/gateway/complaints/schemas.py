from typing import Literal

from privacyhub.shared.contracts.complaints import ComplaintChannel, ComplaintKind, ComplaintStatus
from privacyhub.shared.envelope import utc_now
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    ValidationInfo,
    field_validator,
)

MAX_TEXT = 5000


def not_in_the_future(moment: AwareDatetime | None) -> AwareDatetime | None:
    if moment is not None and moment > utc_now():
        raise ValueError("must not lie in the future")
    return moment


class ComplaintForm(BaseModel):
    """A complaint about how personal data is handled, or a suspected data breach ("datalek")."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: EmailStr = Field(description="Where we reach the reporter.")
    message: str = Field(min_length=1, max_length=MAX_TEXT, description="What happened.")
    kind: ComplaintKind = Field(
        description="`suspected_breach` opens an entry in the breach register with the 72-hour clock."
    )


class RegisteredComplaintForm(ComplaintForm):
    """A complaint that came in by e-mail or letter, registered by a privacy officer."""

    channel: Literal[ComplaintChannel.EMAIL, ComplaintChannel.LETTER]
    received_at: AwareDatetime = Field(
        description="When the e-mail or letter arrived; a breach's 72 hours run from here."
    )

    _received_in_the_past = field_validator("received_at")(not_in_the_future)


class ComplaintStatusChange(BaseModel):
    """The next step of a complaint: received → in_progress → resolved."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    status: ComplaintStatus
    note: str | None = Field(
        default=None,
        max_length=MAX_TEXT,
        validate_default=True,
        description="How it was resolved; required for `resolved`.",
    )

    @field_validator("note")
    @classmethod
    def _resolution_has_a_note(cls, note: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("status") is ComplaintStatus.RESOLVED and not note:
            raise ValueError("a resolution note is required to resolve a complaint")
        return note or None


class BreachDecisionForm(BaseModel):
    """Whether the Autoriteit Persoonsgegevens is notified of a breach, and why."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    notify_authority: bool
    reasons: str = Field(
        min_length=1, max_length=MAX_TEXT, description="Why notified or not (Art. 33(5))."
    )
    notified_at: AwareDatetime | None = Field(
        default=None, description="When the authority was notified, if it was."
    )
    authority_reference: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="The authority's reference of the notification, if it was notified.",
    )

    _notified_in_the_past = field_validator("notified_at")(not_in_the_future)

    @field_validator("notified_at", "authority_reference")
    @classmethod
    def _only_when_notified(cls, value: object, info: ValidationInfo) -> object:
        if value is not None and info.data.get("notify_authority") is False:
            raise ValueError("only when notify_authority is true")
        return value
