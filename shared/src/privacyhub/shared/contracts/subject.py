"""Commands to every data owner about one data subject, and the owners' answers.

One command travels on SUBJECT_COMMANDS; every owner (contact, consent, later
partners) acts on the categories it holds and answers on SUBJECT_RESULTS with
the command's correlation id, so the sender can wait for each owner.
"""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, JsonValue

ERASE_SUBJECT_DATA = "EraseSubjectData"
SUBJECT_DATA_ERASED = "SubjectDataErased"

Category = Literal["contact_messages", "consents", "visit_records"]


class EraseSubjectData(BaseModel):
    """Delete what an owner holds about the subject, for a rights request or a retention rule."""

    reason: Literal["retention", "rights_request"]
    rule: str = Field(description="The retention rule or rights-request id that demands it.")
    categories: list[Category] = Field(description="Only these categories are erased.")
    record_ids: list[str] | None = Field(
        default=None,
        description="Only these records (contact references, say); all of the subject's when absent.",
    )


class Receipt(BaseModel):
    """What an owner erased: counts and categories, never the data itself."""

    owner: str
    category: Category
    erased: int
    kept_under_hold: int = 0
    hold_reasons: list[str] = []
    erased_at: datetime


class SubjectDataErased(BaseModel):
    """One owner's answer to EraseSubjectData."""

    owner: str
    receipts: list[Receipt]
    details: JsonValue = None
