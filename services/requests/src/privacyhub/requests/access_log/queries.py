"""The privacy officer's read of the access log, on REQUESTS_QUERIES."""

from privacyhub.requests.access_log.log import StaffAccessLog
from privacyhub.shared.contracts.access_log import (
    ACCESS_LOG_QUERY,
    AccessLogEntry,
    AccessLogLookup,
)
from privacyhub.shared.contracts.pages import Page
from privacyhub.shared.queries import QueryHandler, Reply, answering


def access_log_queries(log: StaffAccessLog) -> dict[str, QueryHandler]:
    """The privacy officer's read of one person's access log, by query name."""

    async def of_subject(lookup: AccessLogLookup) -> Page[AccessLogEntry] | Reply:
        try:
            return await log.page(lookup)
        except ValueError as error:  # a cursor of another list
            return Reply(status="invalid", reason=str(error))

    return {ACCESS_LOG_QUERY: answering(AccessLogLookup, of_subject, not_found="no entries")}
