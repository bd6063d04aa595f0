"""The staff access log (statement §5): every staff read of personal data, kept by the requests service.

An entry says who read (staff id and roles), what (route template, data category and the
record's reference), whose (the pseudonymous subject id, in the envelope), when and why;
never the data that was read.
"""

from privacyhub.shared.contracts.pages import PageRequest
from pydantic import AwareDatetime, BaseModel, Field

STAFF_DATA_READ = "StaffDataRead"

# Query name the requests service answers on REQUESTS_QUERIES.
ACCESS_LOG_QUERY = "access_log"

ACCESS_REASON_MAX_LENGTH = 200


class StaffDataRead(BaseModel):
    """A staff member read one record of a person's data; published before the data is shown."""

    staff_id: str = Field(min_length=1)
    roles: list[str] = Field(description="The reader's roles at the time of the read.")
    route: str = Field(description="Route template read, e.g. /v1/staff/contact/{reference}.")
    category: str = Field(description="Data category of the processing register.")
    record: str = Field(description="Reference of the record read, e.g. CT-0A1B2C3D4E5F.")
    reason: str = Field(min_length=1, max_length=ACCESS_REASON_MAX_LENGTH)
    read_at: AwareDatetime


class AccessLogEntry(StaffDataRead):
    """A stored read, as a privacy officer and the person read about see it."""

    subject_id: str


class AccessLogLookup(PageRequest):
    """Whose reads to list, a page at a time: a pseudonymous subject id."""

    subject_id: str = Field(min_length=1)
