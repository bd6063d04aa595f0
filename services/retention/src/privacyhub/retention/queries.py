"""Reads for privacy officers: the deletion log and the legal holds, answered through topics."""

from privacyhub.retention.deletion_log import DeletionLog
from privacyhub.retention.holds import LegalHolds
from privacyhub.shared.clock import Clock
from privacyhub.shared.contracts.retention import (
    DELETION_LOG_QUERY,
    LEGAL_HOLDS_QUERY,
    DeletionLogLookup,
)
from privacyhub.shared.queries import Query, QueryHandler, Reply
from pydantic import ValidationError


def retention_queries(log: DeletionLog, holds: LegalHolds, clock: Clock) -> dict[str, QueryHandler]:
    async def deletion_log(query: Query) -> Reply:
        try:
            lookup = DeletionLogLookup.model_validate(query.arguments)
        except ValidationError:
            return Reply(status="invalid", reason="expects subject_id and limit (1 to 1000)")
        entries = await log.entries(lookup.subject_id, limit=lookup.limit)
        return Reply(status="found", result=[entry.model_dump(mode="json") for entry in entries])

    async def legal_holds(_: Query) -> Reply:
        views = await holds.all(clock())
        return Reply(status="found", result=[view.model_dump(mode="json") for view in views])

    return {DELETION_LOG_QUERY: deletion_log, LEGAL_HOLDS_QUERY: legal_holds}
