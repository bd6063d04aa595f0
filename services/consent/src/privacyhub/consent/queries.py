"""Answers to the gateway's reads of consents and visit statistics, by query name."""

from datetime import date
from typing import Self

from privacyhub.consent.analytics import Analytics
from privacyhub.consent.consents import Consents
from privacyhub.shared.contracts.consent import (
    ANALYTICS_QUERY,
    CONSENTS_OF_VISITOR_QUERY,
    AnalyticsReport,
    VisitorConsents,
)
from privacyhub.shared.queries import QueryHandler, answering
from pydantic import BaseModel, Field, model_validator


class VisitorLookup(BaseModel):
    visitor_id: str


class ReportPeriod(BaseModel):
    from_day: date = Field(alias="from")
    to_day: date = Field(alias="to")

    @model_validator(mode="after")
    def in_order(self) -> Self:
        if self.from_day > self.to_day:
            raise ValueError("'from' lies after 'to'")
        return self


def consent_queries(consents: Consents, analytics: Analytics) -> dict[str, QueryHandler]:
    async def consents_of_visitor(lookup: VisitorLookup) -> VisitorConsents | None:
        return await consents.history(lookup.visitor_id)

    async def analytics_report(period: ReportPeriod) -> AnalyticsReport:
        return await analytics.report(period.from_day, period.to_day)

    return {
        CONSENTS_OF_VISITOR_QUERY: answering(
            VisitorLookup, consents_of_visitor, not_found="no consent choice for that visitor"
        ),
        ANALYTICS_QUERY: answering(ReportPeriod, analytics_report, not_found="no report"),
    }
