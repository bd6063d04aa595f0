"""Need-to-know for staff reads of personal data (statement §5), and the access log that proves it.

A route that shows a person's data asks for the `staff_reads` dependency: the caller must state
why in the `X-Access-Reason` header (422 without it), and the route records each read with
`staff_reads.record(...)` before it answers. The entry goes to Kafka first; when Kafka cannot
take it the read fails with 503, so no read goes unlogged. The requests service keeps the log;
a privacy officer reads it here, and the person sees it in an access request's package.
"""

from typing import Annotated

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import HeaderParameter, QueryParameter
from privacyhub.gateway.guards import authenticate, requires_role
from privacyhub.gateway.publishing import EventPublisher
from privacyhub.gateway.queries import QueryClient, found
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
from privacyhub.shared.envelope import utc_now
from privacyhub.shared.identity import subject_id_for_email
from privacyhub.shared.queries import Query
from privacyhub.shared.topics import REQUESTS_QUERIES
from pydantic import TypeAdapter

REASON_HEADER = "X-Access-Reason"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+$"

AccessReason = Annotated[
    str | None,
    HeaderParameter(
        name=REASON_HEADER,
        description="Required: why you need this person's data now (need-to-know); kept in the access log.",
    ),
]

_ENTRIES = TypeAdapter(list[AccessLogEntry])


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
    settings: GatewaySettings, *, subject: str | None, email: str | None
) -> AccessLogLookup:
    """Whose reads to list: the subject id, or the one an e-mail address stands for."""
    if email is not None:
        subject = subject_id_for_email(settings.subject_id_secret.get_secret_value(), email)
    return AccessLogLookup(subject_id=str(subject))


async def access_log_entries(queries: QueryClient, lookup: AccessLogLookup) -> list[AccessLogEntry]:
    query = Query(name=ACCESS_LOG_QUERY, arguments=lookup.model_dump(mode="json"))
    return _ENTRIES.validate_python(
        found(await queries.ask(REQUESTS_QUERIES, lookup.subject_id, query))
    )


class AccessLogController(Controller):
    path = "/v1/staff/access-log"
    tags = ["staff", "access log"]
    guards = [requires_role(Role.PRIVACY_OFFICER)]

    @get(operation_id="listAccessLog")
    async def entries(
        self,
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
    ) -> list[AccessLogEntry]:
        """Who of the staff read this person's data, oldest first: staff id and roles, route, data category, record, when and the stated reason; never the data read. Give the subject id or the e-mail address, not both."""
        if (subject is None) == (email is None):
            raise ValidationException(
                extra=[{"key": "subject", "message": "give either subject or email"}]
            )
        lookup = access_log_lookup(settings, subject=subject, email=email)
        return await access_log_entries(queries, lookup)
