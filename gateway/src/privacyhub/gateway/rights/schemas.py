from datetime import date, timedelta
from typing import Annotated, Literal
from uuid import UUID

from litestar.params import PathParameter
from privacyhub.shared.contracts.rights import (
    REFUSED_OWNERS,
    VISITOR_KEY,
    Channel,
    Corrections,
    DecisionOutcome,
    RightType,
    Status,
)
from privacyhub.shared.envelope import utc_now
from privacyhub.shared.owners import DATA_OWNERS
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    ValidationInfo,
    field_validator,
)

# Staff clocks and the gateway's may differ a little; a receipt later than this is a typing error.
CLOCK_SKEW = timedelta(minutes=5)

Reasons = Annotated[str, Field(min_length=1, max_length=5000)]
RequestId = Annotated[UUID, PathParameter(description="The request id given when it was accepted.")]


CORRECTIONS = (
    "For a rectification, and only then: each field to correct with its new value, checked as "
    "the contact form checks it."
)


def only_for_a_rectification(
    corrections: Corrections | None, info: ValidationInfo
) -> Corrections | None:
    rectification = info.data.get("type") is RightType.RECTIFICATION
    if rectification and corrections is None:
        raise ValueError("a rectification names the fields to correct and their new values")
    if not rectification and corrections is not None:
        raise ValueError("only a rectification names corrections")
    return corrections


class RightsRequestForm(BaseModel):
    """A request from the website's rights form."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    type: RightType = Field(description="The right the person exercises.")
    email: EmailStr = Field(description="The verification code and every update go here.")
    details: str | None = Field(
        default=None, max_length=5000, description="What the request is about, in own words."
    )
    corrections: Corrections | None = Field(
        default=None, validate_default=True, description=CORRECTIONS
    )
    visitor_keys: list[Annotated[str, Field(pattern=VISITOR_KEY)]] = Field(
        default=[],
        max_length=20,
        description="The secret visitor keys the person's browser keeps; each stands for the "
        "visitor id that is its SHA-256 in base64url without padding, whose page views and "
        "choices the request then covers. A visitor id is not accepted: anyone may have seen it.",
    )

    _corrections_only_for_a_rectification = field_validator("corrections")(only_for_a_rectification)


class RightsRequestAccepted(BaseModel):
    """A request Kafka holds; identity is verified before anything is done with it."""

    request_id: UUID
    status: Status = Status.AWAITING_VERIFICATION
    due_date: date = Field(description="Last day to answer: one calendar month after receipt.")
    access_token: str = Field(
        description=(
            "Shown only now. Send it as `Authorization: Bearer <access_token>` to "
            "GET /v1/rights-requests/{request_id} to follow the request, and to "
            "POST /v1/rights-requests/{request_id}/code for a new verification code."
        )
    )


class CodeEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=20, description="The code from the e-mail.")


class VerificationResult(BaseModel):
    request_id: UUID
    status: Status
    due_date: date


class StaffRegistration(BaseModel):
    """A request that arrived by e-mail at privacy@jobport.nl or by letter, entered by a privacy officer."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    channel: Literal[Channel.EMAIL, Channel.LETTER]
    received_at: AwareDatetime = Field(
        description="When it arrived, with a time zone; the deadline counts from this day."
    )
    type: RightType
    email: EmailStr = Field(
        description="Where the verification code (e-mail channel) and every update go."
    )
    details: str | None = Field(default=None, max_length=5000)
    corrections: Corrections | None = Field(
        default=None, validate_default=True, description=CORRECTIONS
    )

    _corrections_only_for_a_rectification = field_validator("corrections")(only_for_a_rectification)

    @field_validator("received_at")
    @classmethod
    def not_in_the_future(cls, received_at: AwareDatetime) -> AwareDatetime:
        if received_at > utc_now() + CLOCK_SKEW:
            raise ValueError("lies in the future")
        return received_at


# The registered data owners (shared/owners.py), the parts a partial refusal can refuse.
DataOwner = Literal[tuple(DATA_OWNERS)]  # type: ignore[valid-type]


class DecisionForm(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    outcome: DecisionOutcome
    reasons: Reasons = Field(description="Why; e-mailed to the requester as written.")
    refused_owners: list[DataOwner] = Field(
        default=[],
        max_length=len(DATA_OWNERS) - 1,
        validate_default=True,
        description=REFUSED_OWNERS + " Required for `partially_refuse`, absent otherwise.",
    )

    @field_validator("refused_owners")
    @classmethod
    def only_a_partial_refusal_names_refused_owners(
        cls, refused: list[str], info: ValidationInfo
    ) -> list[str]:
        partial = info.data.get("outcome") is DecisionOutcome.PARTIALLY_REFUSE
        if partial and not refused:
            raise ValueError("a partial refusal names the data owners whose part is refused")
        if not partial and refused:
            raise ValueError("only a partial refusal names refused owners")
        if set(refused) >= set(DATA_OWNERS):
            raise ValueError("refusing every owner's part is a refusal: use outcome refuse")
        return sorted(set(refused))


class AmendmentForm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    corrections: Corrections = Field(description="The fields to correct and their new values.")


class ClosureForm(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reasons: Reasons = Field(
        description="Why the request closes with part of it undone; e-mailed to the requester."
    )


class ExtensionForm(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    months: Literal[1, 2] = Field(description="Further months, at most two in all.")
    reasons: Reasons = Field(description="Why more time is needed; e-mailed to the requester.")
