"""The privacy officer's read of the access log, on REQUESTS_QUERIES."""

from privacyhub.requests.access_log.log import StaffAccessLog
from privacyhub.shared.contracts.access_log import ACCESS_LOG_QUERY, AccessLogLookup
from privacyhub.shared.queries import QueryHandler, Reply, answering


def access_log_queries(log: StaffAccessLog) -> dict[str, QueryHandler]:
    """The privacy officer's read of one person's access log, by query name."""

    async def of_subject(lookup: AccessLogLookup) -> Reply:
        return Reply(status="found", result=await log.exported(lookup.subject_id))

    return {ACCESS_LOG_QUERY: answering(AccessLogLookup, of_subject, not_found="no entries")}
