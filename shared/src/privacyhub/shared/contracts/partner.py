"""What travels to and from a registered recipient (a support partner) on its own topics.

On the recipient's topic (PARTNER_SUPPORT) the contact service publishes two kinds of envelope:
a `SharedRecord` with exactly the fields the processing register declares for the recipient,
and the subject commands it must apply to what it received (Art. 19), stripped of everything it
was never given. The recipient answers on PARTNER_RESULTS with the usual owner answers
(`SubjectDataErased`, `SubjectProcessingChanged`, `SubjectDataExported`), which the contact service
passes on to the rights workflow.
"""

from pydantic import BaseModel, ConfigDict

RECORD_SHARED = "RecordShared"
RECTIFY_SHARED_RECORDS = "RectifySharedRecords"


class SharedRecord(BaseModel):
    """One disclosure: the recipient's declared fields of one record and nothing else.

    Its fields come from the register (`Recipient.fields`), not from this class, so the
    register stays the one place that says what a recipient receives.
    """

    model_config = ConfigDict(extra="allow")


class RectifySharedRecords(BaseModel):
    """Correct what the recipient holds, in the recipient's own field names (`reply_to`).

    `corrections` may be empty: the correction touched nothing it was given, and it answers all the same.
    """

    request_id: str
    corrections: dict[str, str] = {}
    new_subject_id: str | None = None


class PartnerMessage(BaseModel):
    """Any payload on a recipient's topic, read into its contract by the envelope's type."""

    model_config = ConfigDict(extra="allow")
