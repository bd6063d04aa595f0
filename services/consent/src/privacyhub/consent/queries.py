"""Answers to the gateway's reads of consents, visit statistics and the statement, by query name."""

from datetime import date
from typing import Self

from privacyhub.consent.analytics import Analytics
from privacyhub.consent.consents import Consents
from privacyhub.consent.statements import Statements
from privacyhub.shared.contracts.consent import (
    ANALYTICS_QUERY,
    CONSENTS_OF_VISITOR_QUERY,
    AnalyticsReport,
    VisitorConsents,
)
from privacyhub.shared.contracts.statement import (
    CURRENT_STATEMENT_QUERY,
    STATEMENT_VERSION_QUERY,
    STATEMENT_VERSIONS_QUERY,
    StatementVersion,
)
from privacyhub.shared.queries import NoArguments, QueryHandler, Reply, answering
from pydantic import BaseModel, Field, model_validator


class VisitorLookup(BaseModel):
    visitor_id: str


class VersionLookup(BaseModel):
    version: str


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


def statement_queries(statements: Statements) -> dict[str, QueryHandler]:
    async def current(_: NoArguments) -> StatementVersion:
        return await statements.current()

    async def one_version(lookup: VersionLookup) -> StatementVersion | None:
        return await statements.get(lookup.version)

    async def all_versions(_: NoArguments) -> Reply:
        versions = await statements.all()
        return Reply(status="found", result=[v.model_dump(mode="json") for v in versions])

    not_found = "no statement with that version"
    return {
        CURRENT_STATEMENT_QUERY: answering(NoArguments, current, not_found=not_found),
        STATEMENT_VERSION_QUERY: answering(VersionLookup, one_version, not_found=not_found),
        STATEMENT_VERSIONS_QUERY: answering(NoArguments, all_versions, not_found=not_found),
    }
