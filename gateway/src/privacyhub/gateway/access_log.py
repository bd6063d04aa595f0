"""Need-to-know for staff reads of personal data (statement §5), and the access log that proves it.

A route that shows a person's data asks for the `staff_reads` dependency: the caller must state
why in the `X-Access-Reason` header (422 without it), and the route records each read with
`staff_reads.record(...)` before it answers. The entry goes to Kafka first; when Kafka cannot
take it the read fails with 503, so no read goes unlogged. The requests service keeps the log;
a privacy officer reads it here, and the person sees it in an access request's package.
"""

from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import HeaderParameter, QueryParameter
from privacyhub.gateway.guards import authenticate, requires_role
from privacyhub.gateway.pages import NEXT_PAGE_HEADER, Cursor, Limit, checked_cursor, page_response
from privacyhub.gateway.publishing import EventPublisher
from privacyhub.gateway.queries import QueryClient, ask_owner
from privacyhub.gateway.settings import GatewaySettings
from privacyhub.shared.auth import Role, StaffMember
from privacyhub.shared.contracts.access_log import (
    ACCESS_LOG_QUERY,
    ACCESS_REASON_MAX_LENGTH,
    STAFF_DATA_READ,
    AccessLogEntry,
    AccessLogLookup,
    StaffDataRead,
)
from privacyhub.shared.contracts.pages import DEFAULT_LIMIT, Page
from privacyhub.shared.envelope import utc_now
from privacyhub.shared.identity import subject_id_for_email
from privacyhub.shared.topics import REQUESTS_QUERIES

REASON_HEADER = "X-Access-Reason"
# Python's \s also matches \x1c-\x1f and \x85, a JSON Schema (ECMAScript) \s does not: named, so the
# API document and the validator refuse the same addresses.
EMAIL_PATTERN = r"^[^@\s\x1c-\x1f\x85]+@[^@\s\x1c-\x1f\x85]+$"

AccessReason = Annotated[
    str | None,
    HeaderParameter(
        name=REASON_HEADER,
        description="Required: why you need this person's data now (need-to-know); kept in the access log.",
    ),
]


class StaffReads:
    """The reads of personal data one staff request makes, each logged before its data is returned."""

    def __init__(
        self,
        *,
        staff: StaffMember,
        route: str,
        reason: str,
        publisher: EventPublisher,
        subject_id_secret: str,
    ) -> None:
        self._staff = staff
        self._route = route
        self._reason = reason
        self._publisher = publisher
        self._subject_id_secret = subject_id_secret

    async def record(self, *, category: str, record: str, email: str) -> None:
        """Log that the caller read `record` (of register `category`) about the person with `email`; 503 if Kafka does not take it."""
        read = StaffDataRead(
            staff_id=self._staff.staff_id,
            roles=sorted(self._staff.roles),
            route=self._route,
            category=category,
            record=record,
            reason=self._reason,
            read_at=utc_now(),
        )
        await self._publisher.send(
            STAFF_DATA_READ, read, subject_id=subject_id_for_email(self._subject_id_secret, email)
        )


def reason_problem(reason: str | None) -> str | None:
    """What is wrong with a stated access reason, or None when it will do."""
    if reason is None or not reason.strip():
        return "state why you need this data"
    if len(reason) > ACCESS_REASON_MAX_LENGTH:
        return f"at most {ACCESS_REASON_MAX_LENGTH} characters"
    return None


def staff_reads_of(
    request: Request, reason: str, publisher: EventPublisher, settings: GatewaySettings
) -> StaffReads:
    """The reads the signed-in staff member makes on this request, for `reason` (already checked)."""
    return StaffReads(
        staff=authenticate(request),
        route=request.scope["path_template"],
        reason=reason,
        publisher=publisher,
        subject_id_secret=settings.subject_id_secret.get_secret_value(),
    )


async def provide_staff_reads(
    request: Request,
    publisher: NamedDependency[EventPublisher],
    settings: NamedDependency[GatewaySettings],
    access_reason: AccessReason = None,
) -> StaffReads:
    """Dependency of every staff route that returns personal data: requires the stated reason."""
    # Checked here rather than by parameter constraints, so that every refusal names the header.
    if problem := reason_problem(access_reason):
        raise ValidationException(extra=[{"key": REASON_HEADER, "message": problem}])
    return staff_reads_of(request, str(access_reason), publisher, settings)


def access_log_lookup(
    settings: GatewaySettings,
    *,
    subject: str | None,
    email: str | None,
    limit: int = DEFAULT_LIMIT,
    after: str | None = None,
) -> AccessLogLookup:
    """Whose reads to list: the subject id, or the one an e-mail address stands for."""
    if email is not None:
        subject = subject_id_for_email(settings.subject_id_secret.get_secret_value(), email)
    return AccessLogLookup(subject_id=str(subject), limit=limit, after=after)


async def access_log_entries(queries: QueryClient, lookup: AccessLogLookup) -> Page[AccessLogEntry]:
    """A page of the person's entries, oldest first."""
    return await ask_owner(
        queries,
        REQUESTS_QUERIES,
        ACCESS_LOG_QUERY,
        lookup,
        Page[AccessLogEntry],
        key=lookup.subject_id,
    )


class AccessLogController(Controller):
    path = "/v1/staff/access-log"
    tags = ["staff", "access log"]
    guards = [requires_role(Role.PRIVACY_OFFICER)]

    @get(operation_id="listAccessLog", response_headers=[NEXT_PAGE_HEADER])
    async def entries(
        self,
        request: Request[Any, Any, Any],
        queries: NamedDependency[QueryClient],
        settings: NamedDependency[GatewaySettings],
        subject: Annotated[
            str | None,
            QueryParameter(min_length=1, description="The person's pseudonymous subject id."),
        ] = None,
        email: Annotated[
            str | None,
            QueryParameter(
                pattern=EMAIL_PATTERN,
                description="The person's e-mail address, instead of `subject`.",
            ),
        ] = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[AccessLogEntry]]:
        """Who of the staff read this person's data, oldest first: staff id and roles, route, data category, record, when and the stated reason; never the data read. Give the subject id or the e-mail address, not both. A page at a time: the `Link` header names the next."""
        if (subject is None) == (email is None):
            raise ValidationException(
                extra=[{"key": "subject", "message": "give either subject or email"}]
            )
        lookup = access_log_lookup(
            settings, subject=subject, email=email, limit=limit, after=checked_cursor(cursor)
        )
        return page_response(await access_log_entries(queries, lookup), request)
