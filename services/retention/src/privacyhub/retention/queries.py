"""Reads for privacy officers: the deletion log and the legal holds, answered through topics."""

from privacyhub.retention.deletion_log import DeletionLog
from privacyhub.retention.holds import LegalHolds
from privacyhub.shared.clock import Clock
from privacyhub.shared.contracts.pages import PageRequest
from privacyhub.shared.contracts.retention import (
    DELETION_LOG_QUERY,
    LEGAL_HOLDS_QUERY,
    DeletionLogLookup,
)
from privacyhub.shared.queries import QueryHandler, Reply, answering
from pydantic import BaseModel


def retention_queries(log: DeletionLog, holds: LegalHolds, clock: Clock) -> dict[str, QueryHandler]:
    async def deletion_log(lookup: DeletionLogLookup) -> BaseModel | Reply:
        try:
            return await log.page(lookup)
        except ValueError:  # a cursor of another list
            return Reply(status="invalid", reason="expects subject_id, limit and after")

    async def legal_holds(request: PageRequest) -> BaseModel | Reply:
        try:
            return await holds.page(request, clock())
        except ValueError:  # a cursor of another list
            return Reply(status="invalid", reason="expects limit and after")

    return {
        DELETION_LOG_QUERY: answering(DeletionLogLookup, deletion_log, not_found="no log"),
        LEGAL_HOLDS_QUERY: answering(PageRequest, legal_holds, not_found="no holds"),
    }
