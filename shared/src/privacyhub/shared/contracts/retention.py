"""Staff commands to the retention service, its reads, and what they answer (statement §4).

Holds and customer relationships are decided by a privacy officer at the gateway; the
retention service keeps them, schedules deletions from them and logs every erasure.

Categories kept for a period from a stored moment (a visit, a staff read) are erased by the
owners on the retention service's `EraseExpiredRecords`, one command per category, answered
with `ExpiredRecordsErased`.
"""

from datetime import datetime
from typing import Literal, Self
from uuid import UUID

from privacyhub.shared.contracts.consent import VisitorId
from privacyhub.shared.contracts.pages import PageRequest
from privacyhub.shared.contracts.subject import Category
from pydantic import AwareDatetime, BaseModel, Field, model_validator

PLACE_LEGAL_HOLD = "PlaceLegalHold"
LIFT_LEGAL_HOLD = "LiftLegalHold"
MARK_CUSTOMER_ENDED = "MarkCustomerEnded"
ERASE_EXPIRED_RECORDS = "EraseExpiredRecords"
EXPIRED_RECORDS_ERASED = "ExpiredRecordsErased"
LEGAL_HOLD_PLACED = "LegalHoldPlaced"
LEGAL_HOLD_LIFTED = "LegalHoldLifted"

DELETION_LOG_QUERY = "deletion_log"
LEGAL_HOLDS_QUERY = "legal_holds"

HOLD_ID_PATTERN = r"^LH-[0-9A-F]{12}$"
# A person is known by the HMAC of their e-mail address (privacyhub.shared.identity).
SUBJECT_ID_PATTERN = r"^[0-9a-f]{64}$"
HOLD_REASON_MAX_LENGTH = 500

ExpiringCategory = Literal[
    "visit_records",
    "consent_proofs",
    "staff_access_log",
    "complaints",
    "disclosures",
    "breach_register",
    "anonymous_visit_counts",
    "rights_requests",
    "unverified_rights_requests",
    "deletion_log",
    "expiry_bookkeeping",
]
"""Register categories whose period runs from a moment their owner stores, erased by `EraseExpiredRecords`."""

HeldCategory = Category | ExpiringCategory
VISITOR_HELD_CATEGORIES: frozenset[str] = frozenset({"consents", "consent_proofs", "visit_records"})
"""What the consent service keeps of a website visitor, whom a hold names by visitor id: the
consent service knows a visitor by nothing else until a rights request links them to a person."""


def hold_scope_refused(
    subject_id: str | None, visitor_id: str | None, category: str | None
) -> str | None:
    """Why a hold's scope cannot be placed, or None: it names a person, a visitor or a category
    (or one category of one of them), never a person and a visitor at once."""
    if subject_id is None and visitor_id is None and category is None:
        return "a legal hold needs a subject_id, a visitor_id, a category or a category with one of them"
    if subject_id is not None and visitor_id is not None:
        return (
            "a legal hold names a person (subject_id) or a website visitor (visitor_id), not both"
        )
    if visitor_id is not None and category not in (None, *VISITOR_HELD_CATEGORIES):
        return f"a visitor's hold can keep only {', '.join(sorted(VISITOR_HELD_CATEGORIES))}"
    return None


class PlaceLegalHold(BaseModel):
    """Keep a subject's data, a category, or one category of one subject, for a legal purpose until `ends_at`."""

    hold_id: str = Field(pattern=HOLD_ID_PATTERN)
    subject_id: str | None = Field(
        default=None, pattern=SUBJECT_ID_PATTERN, description="Only this person's data."
    )
    visitor_id: VisitorId | None = Field(
        default=None, description="Only this website visitor's consents and visits."
    )
    category: HeldCategory | None = Field(default=None, description="Only this category of data.")
    reason: str = Field(min_length=1, max_length=HOLD_REASON_MAX_LENGTH)
    ends_at: AwareDatetime = Field(description="When the legal retention period ends.")
    placed_by: str = Field(min_length=1, description="Staff id of the privacy officer.")
    placed_at: AwareDatetime

    @model_validator(mode="after")
    def has_a_scope(self) -> Self:
        if refusal := hold_scope_refused(self.subject_id, self.visitor_id, self.category):
            raise ValueError(refusal)
        return self


class LiftLegalHold(BaseModel):
    """End a hold before its end date; what it kept is deleted by the next sweep once due."""

    hold_id: str = Field(pattern=HOLD_ID_PATTERN)
    lifted_by: str = Field(min_length=1)
    lifted_at: AwareDatetime


class MarkCustomerEnded(BaseModel):
    """The person (the envelope's subject) is no longer a customer: starts the clock for their contact data."""

    ended_at: AwareDatetime
    recorded_by: str = Field(min_length=1)


class LegalHoldPlaced(BaseModel):
    """The retention service tells the data owners what a hold keeps, so a rights erasure leaves it alone.

    The envelope's subject id is the hold id: placing and lifting stay in order, and the key names no one.
    """

    hold_id: str = Field(pattern=HOLD_ID_PATTERN)
    subject_id: str | None = Field(default=None, pattern=SUBJECT_ID_PATTERN)
    visitor_id: VisitorId | None = None
    category: HeldCategory | None = None
    reason: str = Field(min_length=1, max_length=HOLD_REASON_MAX_LENGTH)
    ends_at: AwareDatetime


class LegalHoldLifted(BaseModel):
    """The hold ended before its end date; what it kept may be erased again."""

    hold_id: str = Field(pattern=HOLD_ID_PATTERN)
    lifted_at: AwareDatetime


LegalHoldEvent = LegalHoldPlaced | LegalHoldLifted


# Everything a privacy officer sends the retention service.
RetentionCommand = PlaceLegalHold | LiftLegalHold | MarkCustomerEnded


class DeletionLogLookup(PageRequest):
    """Arguments of the deletion-log query: a page of one person's entries, or of everyone's."""

    subject_id: str | None = None


class DeletionLogEntry(BaseModel):
    """One owner's proof of one erasure by a retention rule, without personal data."""

    subject_hash: str | None = Field(
        default=None,
        description="SHA-256 of the pseudonymous subject id; none for a period erased across a category.",
    )
    category: HeldCategory
    rule: str = Field(description="The retention rule that made the records due.")
    requested: int | None = Field(
        default=None, description="Records the erase command named; none when it named a cutoff."
    )
    cutoff: datetime | None = Field(
        default=None, description="Records whose period started before this moment were due."
    )
    count: int = Field(description="Records the owner erased, as its receipt says.")
    kept_under_hold: int
    owner: str
    command_id: UUID
    requested_at: datetime
    erased_at: datetime = Field(description="When the owner erased them, from its receipt.")
    logged_at: datetime


HoldStatus = Literal["active", "ended", "lifted"]


class LegalHoldView(BaseModel):
    """A legal hold as a privacy officer sees it."""

    hold_id: str
    subject_id: str | None = None
    category: HeldCategory | None = None
    reason: str
    ends_at: datetime
    placed_by: str
    placed_at: datetime
    lifted_by: str | None = None
    lifted_at: datetime | None = None
    status: HoldStatus


class EraseExpiredRecords(BaseModel):
    """Erase every record of `category` whose retention period started before `cutoff`.

    The envelope's subject id is the category (the command is about no one in particular, and
    its Kafka key names no one); `held_subject_ids` are the subjects a legal hold keeps.
    """

    category: ExpiringCategory
    rule: str = Field(description="The register's rule, e.g. `visit_records.P396D`.")
    cutoff: AwareDatetime
    held_subject_ids: list[str] = Field(
        default=[], description="Subjects whose records a legal hold keeps: skipped and counted."
    )


class ExpiredRecordsErased(BaseModel):
    """An owner's receipt for `EraseExpiredRecords`: counts, never the data."""

    owner: str
    category: ExpiringCategory
    rule: str
    cutoff: datetime
    erased: int
    kept_under_hold: int
    erased_at: datetime
