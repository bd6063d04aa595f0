"""Data-subject rights requests (statement §6-§7): intake, the requests service's queries and its lifecycle."""

from datetime import date
from enum import StrEnum
from typing import Literal, Self
from uuid import UUID

from privacyhub.shared.contracts.contact import CompanyName, PersonName
from privacyhub.shared.contracts.pages import PageRequest
from privacyhub.shared.contracts.subject import OwnerReceipt, RectifiableField
from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, model_validator

RIGHTS_REQUEST_RECEIVED = "RightsRequestReceived"
RIGHTS_REQUEST_VERIFIED = "RightsRequestVerified"

SHA256_HEX = r"^[0-9a-f]{64}$"
# A secret the browser keeps, of at least 128 bits in base64url (a UUID4 without dashes fits).
VISITOR_KEY = r"^[A-Za-z0-9_-]{22,128}$"


class RightType(StrEnum):
    """The rights of statement §6."""

    ACCESS = "access"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    PORTABILITY = "portability"
    OBJECTION = "objection"
    WITHDRAW_CONSENT = "withdraw_consent"


class Channel(StrEnum):
    """How a request reached Jobport: the web form, an e-mail to privacy@jobport.nl or a letter."""

    WEB = "web"
    EMAIL = "email"
    LETTER = "letter"


class Status(StrEnum):
    AWAITING_VERIFICATION = "awaiting_verification"
    VERIFICATION_LOCKED = "verification_locked"
    VERIFIED = "verified"
    DECIDED = "decided"
    # An approved rectification of the e-mail address waits until the new address proves its
    # own with the code sent to it; nothing is carried out before.
    AWAITING_NEW_EMAIL_VERIFICATION = "awaiting_new_email_verification"
    EXECUTING = "executing"
    ESCALATED = "escalated"
    COMPLETED = "completed"


OPEN_STATUSES = (
    Status.AWAITING_VERIFICATION,
    Status.VERIFICATION_LOCKED,
    Status.VERIFIED,
    Status.AWAITING_NEW_EMAIL_VERIFICATION,
    Status.EXECUTING,
    Status.ESCALATED,
)


class DecisionOutcome(StrEnum):
    APPROVE = "approve"
    REFUSE = "refuse"
    PARTIALLY_REFUSE = "partially_refuse"


# The outcomes after which the data owners carry the request out (all of them, or the granted ones).
CARRIED_OUT = frozenset({DecisionOutcome.APPROVE, DecisionOutcome.PARTIALLY_REFUSE})


class VerificationMethod(StrEnum):
    EMAIL_CODE = "email_code"
    PRIVACY_OFFICER = "privacy_officer"


class Corrections(BaseModel):
    """A rectification's new values, for the fields the data owners hold; at least one."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: EmailStr | None = Field(default=None, description="The new e-mail address.")
    first_name: PersonName | None = None
    last_name: PersonName | None = None
    company: CompanyName | None = None

    @model_validator(mode="after")
    def _names_a_field(self) -> Self:
        if not self.named():
            raise ValueError("name at least one field to correct")
        return self

    def named(self) -> dict[RectifiableField, str]:
        """The fields to correct and their new values."""
        return {name: value for name, value in self.model_dump().items() if value is not None}


class RightsRequestReceived(BaseModel):
    """A request accepted by the gateway, from the web form or registered by a privacy officer."""

    request_id: UUID = Field(description="Chosen by the gateway; the request's only identifier.")
    type: RightType
    channel: Channel
    email: EmailStr = Field(description="Where the verification code and every update go.")
    details: str | None = Field(default=None, max_length=5000)
    corrections: Corrections | None = Field(
        default=None, description="What a rectification corrects; only for a rectification."
    )
    visitor_ids: list[str] = Field(
        default=[], max_length=20, description="Website visitor ids the person says are theirs."
    )
    received_at: AwareDatetime = Field(description="Receipt, which starts the one-month deadline.")
    access_token_sha256: str = Field(
        pattern=SHA256_HEX,
        description="SHA-256 of the status access token; the token itself never leaves the gateway.",
    )
    registered_by: str | None = Field(
        default=None, description="Staff id of the officer who registered an e-mail or letter."
    )


class RightsRequestVerified(BaseModel):
    """The requester's identity is verified: only now may the request be executed. No personal data."""

    request_id: UUID
    type: RightType
    method: VerificationMethod
    verified_at: AwareDatetime


# Reads the requests service answers on REQUESTS_QUERIES, with their arguments.
STATUS_QUERY = "rights_request_status"
QUEUE_QUERY = "rights_request_queue"
EXPORT_QUERY = "rights_request_export"
# Steps it takes on REQUESTS_COMMANDS, as commands (shared/queries.py): each once per command id.
VERIFY_CODE_COMMAND = "verify_rights_request_code"
RESEND_CODE_COMMAND = "resend_rights_request_code"
OFFICER_VERIFICATION_COMMAND = "verify_rights_request_by_officer"
DECISION_COMMAND = "decide_rights_request"
EXTENSION_COMMAND = "extend_rights_request"
RESTRICTION_LIFT_COMMAND = "lift_rights_request_restriction"
RETRY_COMMAND = "retry_rights_request"
AMENDMENT_COMMAND = "amend_rights_request"
CLOSURE_COMMAND = "close_rights_request"


class StatusLookup(BaseModel):
    request_id: UUID
    access_token_sha256: str = Field(pattern=SHA256_HEX)


class PackageLookup(StatusLookup):
    """One chunk of the package: a reply is one Kafka message, so the package comes a chunk at a
    time. It goes only to who holds the download code the completion e-mail brought to the
    verified address, as well as the access token."""

    download_code_sha256: str = Field(pattern=SHA256_HEX)
    chunk: int = Field(default=0, ge=0)


class PackageChunk(BaseModel):
    """The reply to a PackageLookup."""

    filename: str
    zip_base64: str
    chunks: int = Field(ge=1, description="How many chunks the whole package has.")


class CodeAttempt(BaseModel):
    """One try at the e-mailed code; `attempt_id` keeps a redelivered try from counting twice."""

    request_id: UUID
    code: str
    attempt_id: UUID


class CodeResend(StatusLookup):
    """The holder of the access token asks for a new code; `command_id` keeps a redelivery from mailing twice."""

    command_id: UUID


class CodeResent(BaseModel):
    """A new code is on its way by e-mail; the codes sent before it no longer work."""

    request_id: UUID
    code_valid_until: AwareDatetime
    resends_left: int = Field(description="How many more new codes may be asked for.")


class QueueFilter(PageRequest):
    status: Status | None = None
    due_before: date | None = None


class OfficerVerification(BaseModel):
    request_id: UUID
    staff_id: str
    action_id: UUID


REFUSED_OWNERS = (
    "The data owners whose part of the request is refused (a partial refusal names some, never "
    "all); every other owner carries it out."
)


class DecisionCommand(BaseModel):
    request_id: UUID
    outcome: DecisionOutcome
    reasons: str = Field(min_length=1, max_length=5000)
    refused_owners: list[str] = Field(default=[], description=REFUSED_OWNERS)
    staff_id: str
    action_id: UUID


class ExtensionCommand(BaseModel):
    request_id: UUID
    months: Literal[1, 2]
    reasons: str = Field(min_length=1, max_length=5000)
    staff_id: str
    action_id: UUID


class RetryCommand(BaseModel):
    """A privacy officer sends an escalated request again to the owners that did not answer."""

    request_id: UUID
    staff_id: str
    action_id: UUID


class AmendmentCommand(BaseModel):
    """A privacy officer corrects what an escalated rectification asks, and carries it out anew."""

    request_id: UUID
    corrections: Corrections
    staff_id: str
    action_id: UUID


class ClosureCommand(BaseModel):
    """A privacy officer closes an escalated request with what was done so far, with reasons."""

    request_id: UUID
    reasons: str = Field(min_length=1, max_length=5000)
    staff_id: str
    action_id: UUID


class RestrictionLiftCommand(BaseModel):
    """A privacy officer lifts the restriction a completed restriction request placed."""

    request_id: UUID
    staff_id: str
    action_id: UUID


HIDDEN_REASONS = (
    "What the officer wrote; null to a token holder who did not verify the address with the "
    "e-mailed code (the e-mail to that address brings it)."
)


class Decision(BaseModel):
    outcome: DecisionOutcome
    reasons: str | None = Field(description=HIDDEN_REASONS)
    refused_owners: list[str] = Field(default=[], description=REFUSED_OWNERS)
    decided_at: AwareDatetime


class Extension(BaseModel):
    months: int
    reasons: str | None = Field(description=HIDDEN_REASONS)
    extended_at: AwareDatetime


class Escalation(BaseModel):
    """Why a request waits for the privacy officer, who may retry, amend or close it."""

    missing_owners: list[str] = Field(
        default=[], description="Data owners that did not answer in time; a retry asks them again."
    )
    problem: str | None = Field(
        default=None,
        description="Why execution could not start (a rectification that names nothing to "
        "correct, or whose new e-mail address was not verified in time): amend or close the "
        "request.",
    )


class Closure(BaseModel):
    """An escalated request the privacy officer closed with what the owners had done."""

    reasons: str | None = Field(description=HIDDEN_REASONS)
    missing_owners: list[str] = Field(description="Data owners that had not carried it out.")
    closed_at: AwareDatetime


class RightsRequestView(BaseModel):
    """What the requester (with the access token) and the privacy officer see of a request."""

    request_id: UUID
    type: RightType
    channel: Channel
    status: Status
    received_at: AwareDatetime
    due_date: date = Field(description="Last day to answer, extension included.")
    verified_at: AwareDatetime | None = None
    extension: Extension | None = None
    decision: Decision | None = None
    completed_at: AwareDatetime | None = None
    escalation: Escalation | None = Field(
        default=None, description="Why the request is escalated, while it is."
    )
    closure: Closure | None = None
    restriction_lifted_at: AwareDatetime | None = Field(
        default=None,
        description="When a privacy officer lifted the restriction this request placed.",
    )
    receipts: list[OwnerReceipt] = Field(
        default=[], description="What every data owner did, once the request is completed."
    )


class QueueEntry(BaseModel):
    """One line of the privacy officer's queue; no personal data."""

    request_id: UUID
    type: RightType
    channel: Channel
    status: Status
    received_at: AwareDatetime
    due_date: date
    days_left: int = Field(description="Days until the due date; negative once overdue.")
    due_soon: bool = Field(description="Due within 7 days.")
    overdue: bool
    extended: bool
    missing_owners: list[str] = Field(
        default=[], description="Data owners that did not answer in time (an escalated request)."
    )
    problem: str | None = Field(
        default=None, description="Why execution could not start (an escalated request)."
    )
    outcome: DecisionOutcome | None = Field(default=None, description="The decision, once made.")
    decided_at: AwareDatetime | None = None
    answered_at: AwareDatetime | None = Field(
        default=None,
        description="When the requester had the answer: the request carried out (or closed), or "
        "the refusal.",
    )
    deadline_met: bool | None = Field(
        default=None,
        description="Answered by the due date; false once overdue unanswered; none while open "
        "and not yet due.",
    )


class Rejection(StrEnum):
    """Why the requests service refused a verification or staff action: the code of a `refused` Reply."""

    WRONG_CODE = "wrong_code"
    CODE_EXPIRED = "code_expired"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    NO_CODE_FOR_LETTERS = "no_code_for_letters"
    ALREADY_VERIFIED = "already_verified"
    RESEND_TOO_SOON = "resend_too_soon"
    TOO_MANY_RESENDS = "too_many_resends"
    NOT_VERIFIED = "not_verified"
    ALREADY_DECIDED = "already_decided"
    ALREADY_EXTENDED = "already_extended"
    EXTENSION_TOO_LATE = "extension_too_late"
    NOT_READY = "not_ready"
    PACKAGE_GONE = "package_gone"
    WRONG_DOWNLOAD_CODE = "wrong_download_code"
    NOT_A_COMPLETED_RESTRICTION = "not_a_completed_restriction"
    NOT_A_PARTIAL_REFUSAL = "not_a_partial_refusal"
    NOT_ESCALATED = "not_escalated"
    NEEDS_AMENDMENT = "needs_amendment"
    NOT_A_RECTIFICATION = "not_a_rectification"
