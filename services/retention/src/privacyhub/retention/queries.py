"""Reads for privacy officers: the deletion log and the legal holds, answered through topics."""

from privacyhub.retention.deletion_log import DeletionLog
from privacyhub.retention.holds import LegalHolds
from privacyhub.shared.clock import Clock
from privacyhub.shared.contracts.retention import (
    DELETION_LOG_QUERY,
    LEGAL_HOLDS_QUERY,
    DeletionLogLookup,
)
from privacyhub.shared.queries import NoArguments, QueryHandler, Reply, answering


def retention_queries(log: DeletionLog, holds: LegalHolds, clock: Clock) -> dict[str, QueryHandler]:
    async def deletion_log(lookup: DeletionLogLookup) -> Reply:
        entries = await log.entries(lookup.subject_id, limit=lookup.limit)
        return Reply(status="found", result=[entry.model_dump(mode="json") for entry in entries])

    async def legal_holds(_: NoArguments) -> Reply:
        views = await holds.all(clock())
        return Reply(status="found", result=[view.model_dump(mode="json") for view in views])

    return {
        DELETION_LOG_QUERY: answering(DeletionLogLookup, deletion_log, not_found="no log"),
        LEGAL_HOLDS_QUERY: answering(NoArguments, legal_holds, not_found="no holds"),
    }
