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
from privacyhub.shared.queries import Query, QueryHandler, Reply


def retention_queries(log: DeletionLog, holds: LegalHolds, clock: Clock) -> dict[str, QueryHandler]:
    async def deletion_log(query: Query) -> Reply:
        try:
            lookup = DeletionLogLookup.model_validate(query.arguments)
            entries = await log.page(lookup)
        except ValueError:  # a ValidationError too
            return Reply(status="invalid", reason="expects subject_id, limit and after")
        return Reply(status="found", result=entries.model_dump(mode="json"))

    async def legal_holds(query: Query) -> Reply:
        try:
            views = await holds.page(PageRequest.model_validate(query.arguments), clock())
        except ValueError:  # a ValidationError too
            return Reply(status="invalid", reason="expects limit and after")
        return Reply(status="found", result=views.model_dump(mode="json"))

    return {DELETION_LOG_QUERY: deletion_log, LEGAL_HOLDS_QUERY: legal_holds}
