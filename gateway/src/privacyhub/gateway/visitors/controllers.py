from datetime import date
from typing import Annotated, Any, Literal
from uuid import uuid4

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import HeaderParameter, JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_202_ACCEPTED
from privacyhub.gateway.guards import requires_role
from privacyhub.gateway.lean_intake import RequestHeaders
from privacyhub.gateway.publishing import EventPublisher
from privacyhub.gateway.queries import QueryClient, found
from privacyhub.gateway.visitors.page_views import PageViews, opted_out
from privacyhub.gateway.visitors.schemas import (
    ConsentAccepted,
    ConsentForm,
    PageViewAccepted,
    PageViewForm,
)
from privacyhub.shared.auth import Role
from privacyhub.shared.contracts.consent import (
    ANALYTICS_QUERY,
    CONSENT_GIVEN,
    CONSENTS_OF_VISITOR_QUERY,
    VISITOR_ID_PATTERN,
    AnalyticsReport,
    ConsentGiven,
    ConsentSource,
    Purposes,
    VisitorConsents,
    VisitorId,
)
from privacyhub.shared.contracts.statement import (
    CURRENT_STATEMENT_QUERY,
    STATEMENT_VERSION_QUERY,
    StatementVersion,
)
from privacyhub.shared.envelope import utc_now
from privacyhub.shared.queries import Query
from privacyhub.shared.topics import CONSENT_QUERIES

# Reads that concern no single visitor travel under fixed, non-personal keys.
STATEMENT_SUBJECT = "statement"
ANALYTICS_SUBJECT = "analytics"

MAX_REPORT_DAYS = 366

GlobalPrivacyControl = Annotated[
    str | None,
    HeaderParameter(
        name="Sec-GPC",
        description="Global Privacy Control: `1` switches every non-necessary purpose off.",
    ),
]
# Litestar checks a path parameter's lengths from the type, but not its pattern.
VisitorIdInPath = Annotated[
    VisitorId,
    PathParameter(pattern=VISITOR_ID_PATTERN, description="The visitor cookie's value."),
]


def invalid_field(field: str, problem: str) -> ValidationException:
    return ValidationException("invalid field", extra=[{"key": field, "message": problem}])


async def known_statement(queries: QueryClient, version: str) -> StatementVersion:
    """The statement version a choice refers to; 422 when no such version was ever published."""
    reply = await queries.ask(
        CONSENT_QUERIES,
        STATEMENT_SUBJECT,
        Query(name=STATEMENT_VERSION_QUERY, arguments={"version": version}),
    )
    if reply.status == "not_found":
        raise invalid_field("statement_version", f"no privacy statement has version {version}")
    return StatementVersion.model_validate(found(reply))


async def current_statement(queries: QueryClient) -> StatementVersion:
    reply = await queries.ask(
        CONSENT_QUERIES, STATEMENT_SUBJECT, Query(name=CURRENT_STATEMENT_QUERY)
    )
    return StatementVersion.model_validate(found(reply))


async def publish_choice(publisher: EventPublisher, choice: ConsentGiven) -> ConsentAccepted:
    await publisher.send(CONSENT_GIVEN, choice, subject_id=choice.visitor_id)
    return ConsentAccepted(
        consent_id=choice.consent_id,
        purposes=choice.purposes,
        statement_version=choice.statement_version,
        source=choice.source,
    )


class PageViewController(Controller):
    """The page-view intake as Litestar declares and documents it; the entrance hands its POSTs
    to a lean intake (lean_intake.py) that records them the same way, through `PageViews`."""

    path = "/v1/pageviews"
    tags = ["visitors"]

    @post(status_code=HTTP_202_ACCEPTED, operation_id="recordPageView")
    async def record(
        self,
        data: JSONBody[PageViewForm],
        request: Request[Any, Any, State],
        sec_gpc: GlobalPrivacyControl = None,  # read from the headers below; declared for the docs
    ) -> PageViewAccepted:
        """Record one page view. The user agent (from the body, else the User-Agent header) is reduced to device type, OS and browser; query strings are cut from the addresses; the IP address is never read. With analytics consent the visit is linked to the visitor, without it at most anonymous counters are kept. 202 once Kafka holds it."""
        page_views: PageViews = request.app.state.page_views
        return await page_views.record(data, RequestHeaders(request.scope))


class ConsentController(Controller):
    path = "/v1/consents"
    tags = ["visitors", "consent"]

    @post(status_code=HTTP_202_ACCEPTED, operation_id="giveConsent")
    async def give(
        self,
        data: JSONBody[ConsentForm],
        queries: NamedDependency[QueryClient],
        publisher: NamedDependency[EventPublisher],
        sec_gpc: GlobalPrivacyControl = None,
    ) -> ConsentAccepted:
        """Record a consent choice per purpose, with the privacy statement version the visitor saw (422 when that version does not exist). A `Sec-GPC: 1` header switches analytics and marketing off, whatever the body says, and is recorded as the source. Answers 202 with the consent id and the choice as recorded."""
        await known_statement(queries, data.statement_version)
        gpc = opted_out(sec_gpc)
        choice = ConsentGiven(
            consent_id=str(uuid4()),
            visitor_id=data.visitor_id,
            purposes=Purposes.only_necessary() if gpc else data.purposes,
            statement_version=data.statement_version,
            source=ConsentSource.GPC if gpc else ConsentSource(data.source),
            given_at=utc_now(),
        )
        return await publish_choice(publisher, choice)

    @post(
        "/{visitor_id:str}/withdrawal",
        status_code=HTTP_202_ACCEPTED,
        operation_id="withdrawConsent",
    )
    async def withdraw(
        self,
        visitor_id: VisitorIdInPath,
        queries: NamedDependency[QueryClient],
        publisher: NamedDependency[EventPublisher],
        source: Annotated[
            Literal["banner", "api"], QueryParameter(description="banner (default) or api.")
        ] = "banner",
        sec_gpc: GlobalPrivacyControl = None,
    ) -> ConsentAccepted:
        """Withdraw consent in one call, without a body: every non-necessary purpose off from this moment, recorded under the statement version in force, and kept in the history like any choice. Visits are no longer linked to the visitor from the moment of withdrawal. Answers 202 with the consent id."""
        statement = await current_statement(queries)
        choice = ConsentGiven(
            consent_id=str(uuid4()),
            visitor_id=visitor_id,
            purposes=Purposes.only_necessary(),
            statement_version=statement.version,
            source=ConsentSource.GPC if opted_out(sec_gpc) else ConsentSource(source),
            given_at=utc_now(),
        )
        return await publish_choice(publisher, choice)

    @get("/{visitor_id:str}", operation_id="getConsents")
    async def consents(
        self, visitor_id: VisitorIdInPath, queries: NamedDependency[QueryClient]
    ) -> VisitorConsents:
        """The visitor's consent in force and every choice made, oldest first, each with its proof (statement version and SHA-256, time, source). 404 when the visitor never made a choice."""
        reply = await queries.ask(
            CONSENT_QUERIES,
            visitor_id,
            Query(name=CONSENTS_OF_VISITOR_QUERY, arguments={"visitor_id": visitor_id}),
        )
        return VisitorConsents.model_validate(found(reply))


class AnalyticsController(Controller):
    path = "/v1/staff/analytics"
    tags = ["staff", "visitors"]
    guards = [requires_role(Role.ANALYST)]

    @get(operation_id="getVisitAnalytics")
    async def report(
        self,
        queries: NamedDependency[QueryClient],
        from_day: Annotated[date, QueryParameter(name="from", description="First UTC day.")],
        to_day: Annotated[date, QueryParameter(name="to", description="Last UTC day, included.")],
    ) -> AnalyticsReport:
        """Aggregate visit statistics for a range of at most 366 UTC days (analyst): visitors and page views per day, top pages, top referring sites, and device type, OS and browser shares. Holds no visitor ids."""
        if from_day > to_day:
            raise invalid_field("from", "must not be after to")
        if (to_day - from_day).days >= MAX_REPORT_DAYS:
            raise invalid_field("to", f"the range spans at most {MAX_REPORT_DAYS} days")
        reply = await queries.ask(
            CONSENT_QUERIES,
            ANALYTICS_SUBJECT,
            Query(
                name=ANALYTICS_QUERY,
                arguments={"from": from_day.isoformat(), "to": to_day.isoformat()},
            ),
        )
        return AnalyticsReport.model_validate(found(reply))
