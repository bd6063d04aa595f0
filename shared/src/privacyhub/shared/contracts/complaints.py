"""Complaints and suspected data breaches (statement §8), owned by the requests service.

A complaint follows a workflow to its resolution; a suspected breach is a complaint
that also opens an entry in the breach register (GDPR Art. 33(5)) with the 72-hour
clock for notifying the Autoriteit Persoonsgegevens. Staff reads reach the requests
service as queries on REQUESTS_QUERIES, their steps as commands on REQUESTS_COMMANDS.
"""

from enum import StrEnum
from typing import Self
from uuid import UUID

from privacyhub.shared.contracts.pages import PageRequest
from pydantic import AwareDatetime, BaseModel, EmailStr, Field, model_validator

COMPLAINT_RECEIVED = "ComplaintReceived"

COMPLAINT_REFERENCE_PATTERN = r"^CP-[0-9A-F]{12}$"
BREACH_ID_PATTERN = r"^BR-[0-9A-F]{12}$"

# Reads the requests service answers on REQUESTS_QUERIES, and steps it takes on REQUESTS_COMMANDS.
COMPLAINTS_QUERY = "complaints"
COMPLAINT_QUERY = "complaint"
BREACH_REGISTER_QUERY = "breach_register"
CHANGE_COMPLAINT_STATUS_COMMAND = "change_complaint_status"
RECORD_BREACH_DECISION_COMMAND = "record_breach_decision"


class ComplaintKind(StrEnum):
    COMPLAINT = "complaint"
    SUSPECTED_BREACH = "suspected_breach"


class ComplaintChannel(StrEnum):
    """How the complaint reached us: the website form, or an e-mail or letter staff registered."""

    WEB = "web"
    EMAIL = "email"
    LETTER = "letter"


class ComplaintStatus(StrEnum):
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"


class BreachStatus(StrEnum):
    AWAITING_DECISION = "awaiting_decision"
    DECIDED = "decided"


def breach_id_for(complaint_reference: str) -> str:
    """The register entry a suspected breach opens: one per complaint, so a redelivery opens no second."""
    return f"BR-{complaint_reference.removeprefix('CP-')}"


class ComplaintReceived(BaseModel):
    """A complaint or suspected breach, accepted by the gateway from the website or from staff."""

    reference: str = Field(
        pattern=COMPLAINT_REFERENCE_PATTERN, description="Reference given to the reporter."
    )
    email: EmailStr
    message: str
    kind: ComplaintKind
    channel: ComplaintChannel = ComplaintChannel.WEB
    received_at: AwareDatetime = Field(
        description="When it reached us; a suspected breach's 72-hour clock starts here."
    )


class ComplaintStep(BaseModel):
    """One status a complaint reached, when, and by whom (None: on intake)."""

    status: ComplaintStatus
    at: AwareDatetime
    by: str | None = None
    note: str | None = None
    command_id: UUID | None = Field(
        default=None, description="The staff action that made the step; a repeat applies once."
    )


class ComplaintSummary(BaseModel):
    """A complaint in the staff queue, without the reporter's address or words."""

    reference: str
    kind: ComplaintKind
    channel: ComplaintChannel
    received_at: AwareDatetime
    status: ComplaintStatus
    breach_id: str | None = Field(
        default=None, description="The breach register entry a suspected breach opened."
    )


class Complaint(ComplaintSummary):
    """One complaint as a privacy officer handles it: who reported what, and its history."""

    email: EmailStr
    message: str
    resolution: str | None = Field(default=None, description="The note made when resolved.")
    receipt_sent_at: AwareDatetime | None = Field(
        default=None, description="When the reporter was e-mailed a receipt."
    )
    history: list[ComplaintStep]


class ComplaintFilter(PageRequest):
    """Which complaints the staff queue lists; None means any."""

    status: ComplaintStatus | None = None
    kind: ComplaintKind | None = None


class ChangeComplaintStatus(BaseModel):
    """A privacy officer moves a complaint on: received → in_progress → resolved (with a note)."""

    command_id: UUID
    reference: str = Field(pattern=COMPLAINT_REFERENCE_PATTERN)
    status: ComplaintStatus
    note: str | None = None
    changed_by: str

    @model_validator(mode="after")
    def _resolution_has_a_note(self) -> Self:
        if self.status is ComplaintStatus.RESOLVED and not (self.note or "").strip():
            raise ValueError("a complaint is resolved only with a resolution note")
        return self


class BreachDecision(BaseModel):
    """Whether the Autoriteit Persoonsgegevens is notified, and why."""

    notify_authority: bool
    reasons: str = Field(min_length=1)
    decided_at: AwareDatetime
    decided_by: str
    notified_at: AwareDatetime | None = None
    authority_reference: str | None = Field(
        default=None, description="The authority's reference of the notification."
    )


class BreachEntry(BaseModel):
    """An entry of the breach register with its 72-hour deadline and how it stands against it."""

    id: str
    complaint_reference: str
    reported_at: AwareDatetime
    notify_deadline: AwareDatetime = Field(description="reported_at + 72 hours.")
    status: BreachStatus
    decision: BreachDecision | None = None
    overdue: bool = Field(description="No decision yet and the deadline has passed.")
    decided_late: bool = Field(description="The decision was recorded after the deadline.")


class RecordBreachDecision(BaseModel):
    """A privacy officer records the notification decision on a register entry; only once."""

    command_id: UUID
    breach_id: str = Field(pattern=BREACH_ID_PATTERN)
    notify_authority: bool
    reasons: str = Field(min_length=1)
    decided_by: str
    notified_at: AwareDatetime | None = None
    authority_reference: str | None = None
