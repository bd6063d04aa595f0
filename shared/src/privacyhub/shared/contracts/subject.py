"""Commands to every data owner about one data subject, and the owners' answers.

One command travels on SUBJECT_COMMANDS; every owner (contact, consent, later
partners) acts on the categories it holds and answers on SUBJECT_RESULTS with
the command's correlation id, so the sender can wait for each owner. For a
rights request the correlation id is the request id. The envelope's subject id
is the pseudonymous e-mail subject; `visitor_ids` name the website visitors a
verified request links to that subject.
"""

from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

ERASE_SUBJECT_DATA = "EraseSubjectData"
SUBJECT_DATA_ERASED = "SubjectDataErased"
EXPORT_SUBJECT_DATA = "ExportSubjectData"
SUBJECT_DATA_EXPORTED = "SubjectDataExported"
RECTIFY_SUBJECT_DATA = "RectifySubjectData"
RESTRICT_PROCESSING = "RestrictProcessing"
LIFT_RESTRICTION = "LiftRestriction"
OBJECT_TO_PROCESSING = "ObjectToProcessing"
WITHDRAW_CONSENTS = "WithdrawConsents"
SUBJECT_PROCESSING_CHANGED = "SubjectProcessingChanged"

Category = Literal["contact_messages", "consents", "visit_records"]
LegalBasis = Literal["consent", "contract", "legitimate_interest", "legal_obligation"]
RectifiableField = Literal["email", "first_name", "last_name", "company"]
ProcessingChange = Literal[
    "rectified", "restricted", "restriction_lifted", "objected", "consents_withdrawn"
]

# Portability (GDPR Art. 20) covers only data processed under these bases.
PORTABLE_BASES: frozenset[str] = frozenset({"consent", "contract"})


class SubjectCommand(BaseModel):
    """What every command to the data owners carries besides its own fields."""

    owners: list[str] | None = Field(
        default=None,
        description="Only these data owners act on the command and answer it; every registered "
        "owner when absent. A partially refused rights request leaves out the owners whose part "
        "was refused.",
    )

    def addresses(self, owner: str) -> bool:
        return self.owners is None or owner in self.owners


class EraseSubjectData(SubjectCommand):
    """Delete what an owner holds about the subject, for a rights request or a retention rule."""

    reason: Literal["retention", "rights_request"]
    rule: str = Field(description="The retention rule or rights-request id that demands it.")
    categories: list[Category] = Field(description="Only these categories are erased.")
    record_ids: list[str] | None = Field(
        default=None,
        description="Only these records (contact references, say); all of the subject's when absent.",
    )
    visitor_ids: list[str] = Field(
        default=[],
        description="Website visitor ids a verified rights request links to the subject.",
    )


class Receipt(BaseModel):
    """What an owner erased: counts and categories, never the data itself."""

    owner: str
    category: Category
    erased: int
    kept_under_hold: int = 0
    hold_reasons: list[str] = []
    erased_at: datetime


def receipts_of_the_owner(owner: str, receipts: list[Receipt]) -> None:
    """An owner answers for itself only: a receipt in another owner's name is refused."""
    if any(receipt.owner != owner for receipt in receipts):
        raise ValueError("every receipt must name the owner that answers")


class SubjectDataErased(BaseModel):
    """One owner's answer to EraseSubjectData."""

    owner: str
    receipts: list[Receipt]
    details: JsonValue = None

    @model_validator(mode="after")
    def _receipts_are_the_owners(self) -> Self:
        receipts_of_the_owner(self.owner, self.receipts)
        return self


class ExportSubjectData(SubjectCommand):
    """Send everything held about the subject, for an access or portability request."""

    request_id: str
    visitor_ids: list[str] = []


class CategoryExport(BaseModel):
    """The records of one category, as JSON, with the legal basis they are processed under."""

    category: Category
    basis: LegalBasis
    records: list[dict[str, JsonValue]]


class SubjectDataExported(BaseModel):
    """One owner's answer to ExportSubjectData: personal data, so only on SUBJECT_RESULTS.

    A large export travels in `parts` messages (shared/owners.py cuts it), each small enough for
    Kafka; a category's records may continue in the next part. The answer is complete once all
    parts are in.
    """

    owner: str
    categories: list[CategoryExport]
    part: int = Field(default=1, ge=1, description="This message's place among the parts, from 1.")
    parts: int = Field(default=1, ge=1, description="How many messages the export travels in.")

    @model_validator(mode="after")
    def _part_is_one_of_the_parts(self) -> Self:
        if self.part > self.parts:
            raise ValueError("part must not exceed parts")
        return self


class RectifySubjectData(SubjectCommand):
    """Correct the named fields everywhere they are held.

    A new e-mail address makes a new pseudonymous subject, so the sender computes
    `new_subject_id` and owners re-key the records they hold under the old one.
    """

    request_id: str
    corrections: dict[RectifiableField, str] = Field(min_length=1)
    new_subject_id: str | None = None
    visitor_ids: list[str] = []


class RestrictProcessing(SubjectCommand):
    """Keep the subject's data but exclude it from processing, visibly flagged, until lifted."""

    request_id: str
    visitor_ids: list[str] = []


class LiftRestriction(SubjectCommand):
    """End a restriction placed for `restricted_by` (the rights request that asked for it)."""

    request_id: str
    restricted_by: str
    visitor_ids: list[str] = []


class ObjectToProcessing(SubjectCommand):
    """Stop processing the subject's data on the ground of legitimate interest."""

    request_id: str
    visitor_ids: list[str] = []


class WithdrawConsents(SubjectCommand):
    """Withdraw every consent; visit data goes unless a purpose that needs no consent keeps it."""

    request_id: str
    visitor_ids: list[str] = []


class Change(BaseModel):
    """What changed in one category: a count, never the data."""

    category: Category
    affected: int
    at: datetime
    note: str | None = None


class SubjectProcessingChanged(BaseModel):
    """One owner's answer to rectification, restriction, its lifting, objection or withdrawal."""

    owner: str
    change: ProcessingChange
    changes: list[Change]
    erased: list[Receipt] = Field(
        default=[], description="What was erased along the way (visit data on a withdrawal)."
    )

    @model_validator(mode="after")
    def _receipts_are_the_owners(self) -> Self:
        receipts_of_the_owner(self.owner, self.erased)
        return self


class SubjectMessage(BaseModel):
    """Any payload on the subject topics, read into its contract by the envelope's type."""

    model_config = ConfigDict(extra="allow")


def read_payload(
    type_name: str, payload: SubjectMessage, table: dict[str, type[BaseModel]]
) -> BaseModel | None:
    """The payload as its contract, or None for a type the table (the catalogue's `contracts`)
    does not know."""
    contract = table.get(type_name)
    if contract is None:
        return None
    return contract.model_validate(payload.model_dump())


class OwnerReceipt(BaseModel):
    """One line of the proof a rights request keeps: what one owner did in one category."""

    owner: str
    category: Category
    action: Literal["erased", "exported"] | ProcessingChange
    count: int
    kept_under_hold: int = 0
    hold_reasons: list[str] = []
    at: datetime
