"""Answers to the gateway's reads of consents and visit statistics, by query name."""

from datetime import date

from privacyhub.consent.analytics import Analytics
from privacyhub.consent.consents import Consents
from privacyhub.shared.contracts.consent import ANALYTICS_QUERY, CONSENTS_OF_VISITOR_QUERY
from privacyhub.shared.queries import Query, QueryHandler, Reply


def consent_queries(consents: Consents, analytics: Analytics) -> dict[str, QueryHandler]:
    async def consents_of_visitor(query: Query) -> Reply:
        visitor_id = query.arguments.get("visitor_id")
        if not isinstance(visitor_id, str):
            return Reply(status="invalid", reason="argument 'visitor_id' must be text")
        found = await consents.history(visitor_id)
        if found is None:
            return Reply(status="not_found", reason="no consent choice for that visitor")
        return Reply(status="found", result=found.model_dump(mode="json"))

    async def analytics_report(query: Query) -> Reply:
        try:
            from_day = date.fromisoformat(str(query.arguments["from"]))
            to_day = date.fromisoformat(str(query.arguments["to"]))
        except (KeyError, ValueError):
            return Reply(status="invalid", reason="arguments 'from' and 'to' must be ISO dates")
        if from_day > to_day:
            return Reply(status="invalid", reason="'from' lies after 'to'")
        report = await analytics.report(from_day, to_day)
        return Reply(status="found", result=report.model_dump(mode="json"))

    return {
        CONSENTS_OF_VISITOR_QUERY: consents_of_visitor,
        ANALYTICS_QUERY: analytics_report,
    }
