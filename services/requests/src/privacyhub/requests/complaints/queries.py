"""The complaint and breach-register reads the requests service answers on REQUESTS_QUERIES."""

from privacyhub.requests.complaints.breaches import BreachRegister
from privacyhub.requests.complaints.workflow import Complaints
from privacyhub.shared.clock import Clock
from privacyhub.shared.contracts.complaints import (
    BREACH_REGISTER_QUERY,
    COMPLAINT_QUERY,
    COMPLAINTS_QUERY,
    BreachEntry,
    Complaint,
    ComplaintFilter,
)
from privacyhub.shared.contracts.pages import Page, PageRequest
from privacyhub.shared.queries import QueryHandler, answering
from pydantic import BaseModel


class ComplaintLookup(BaseModel):
    reference: str


def complaint_queries(complaints: Complaints) -> dict[str, QueryHandler]:
    """Answers to the gateway's complaint reads, by query name."""

    async def one(lookup: ComplaintLookup) -> Complaint | None:
        return await complaints.get(lookup.reference)

    queue = answering(ComplaintFilter, complaints.listed, not_found="no complaints")
    one_complaint = answering(ComplaintLookup, one, not_found="no complaint with that reference")
    return {COMPLAINTS_QUERY: queue, COMPLAINT_QUERY: one_complaint}


def breach_queries(register: BreachRegister, clock: Clock) -> dict[str, QueryHandler]:
    """Answers to the gateway's breach-register reads, by query name."""

    async def entries(page: PageRequest) -> Page[BreachEntry]:
        return await register.entries(page, now=clock())

    return {BREACH_REGISTER_QUERY: answering(PageRequest, entries, not_found="no breaches")}
