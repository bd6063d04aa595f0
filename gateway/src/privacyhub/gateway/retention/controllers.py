"""The privacy officer's retention desk: legal holds, ended customer relationships, the deletion log."""

import secrets
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_202_ACCEPTED
from privacyhub.gateway.guards import provide_staff_member, requires_role
from privacyhub.gateway.pages import NEXT_PAGE_HEADER, Cursor, Limit, checked_cursor, page_response
from privacyhub.gateway.publishing import EventPublisher
from privacyhub.gateway.queries import QueryClient, ask_owner
from privacyhub.gateway.retention.schemas import (
    CustomerEndedAccepted,
    LegalHoldAccepted,
    LegalHoldForm,
)
from privacyhub.shared.auth import Role, StaffMember
from privacyhub.shared.contracts.pages import DEFAULT_LIMIT, Page, PageRequest
from privacyhub.shared.contracts.retention import (
    DELETION_LOG_QUERY,
    HOLD_ID_PATTERN,
    LEGAL_HOLDS_QUERY,
    LIFT_LEGAL_HOLD,
    MARK_CUSTOMER_ENDED,
    PLACE_LEGAL_HOLD,
    SUBJECT_ID_PATTERN,
    DeletionLogEntry,
    DeletionLogLookup,
    LegalHoldView,
    LiftLegalHold,
    MarkCustomerEnded,
    PlaceLegalHold,
)
from privacyhub.shared.envelope import utc_now
from privacyhub.shared.topics import RETENTION_QUERIES

# Reads of whole lists concern no single person and travel under fixed, non-personal keys.
HOLDS_KEY = "legal-holds"
DELETION_LOG_KEY = "deletion-log"

HoldId = Annotated[str, PathParameter(pattern=HOLD_ID_PATTERN, description="e.g. LH-0A1B2C3D4E5F")]
SubjectId = Annotated[
    str,
    PathParameter(pattern=SUBJECT_ID_PATTERN, description="The person's pseudonymous subject id."),
]


def new_hold_id() -> str:
    return f"LH-{secrets.token_hex(6).upper()}"


async def place_legal_hold(
    publisher: EventPublisher, form: LegalHoldForm, staff: StaffMember
) -> LegalHoldAccepted:
    """Send the command placing the hold `form` describes; its id once Kafka holds it."""
    hold = PlaceLegalHold(
        hold_id=new_hold_id(), **form.model_dump(), placed_by=staff.staff_id, placed_at=utc_now()
    )
    # Placing and lifting travel under the hold id, which keeps them in order; it is no personal data.
    await publisher.send(PLACE_LEGAL_HOLD, hold, subject_id=hold.hold_id)
    return LegalHoldAccepted(hold_id=hold.hold_id)


async def lift_legal_hold(
    publisher: EventPublisher, hold_id: str, staff: StaffMember
) -> LegalHoldAccepted:
    lifting = LiftLegalHold(hold_id=hold_id, lifted_by=staff.staff_id, lifted_at=utc_now())
    await publisher.send(LIFT_LEGAL_HOLD, lifting, subject_id=hold_id)
    return LegalHoldAccepted(hold_id=hold_id)


async def legal_holds(queries: QueryClient, which: PageRequest) -> Page[LegalHoldView]:
    """A page of the legal holds, latest first."""
    return await ask_owner(
        queries, RETENTION_QUERIES, LEGAL_HOLDS_QUERY, which, Page[LegalHoldView], key=HOLDS_KEY
    )


async def deletion_log(queries: QueryClient, lookup: DeletionLogLookup) -> Page[DeletionLogEntry]:
    """A page of the deletion log, latest first."""
    return await ask_owner(
        queries,
        RETENTION_QUERIES,
        DELETION_LOG_QUERY,
        lookup,
        Page[DeletionLogEntry],
        key=lookup.subject_id or DELETION_LOG_KEY,
    )


class LegalHoldController(Controller):
    path = "/v1/staff/legal-holds"
    tags = ["staff", "retention"]
    guards = [requires_role(Role.PRIVACY_OFFICER)]
    dependencies = {"staff_member": Provide(provide_staff_member)}

    @post(status_code=HTTP_202_ACCEPTED, operation_id="placeLegalHold")
    async def place(
        self,
        data: JSONBody[LegalHoldForm],
        staff_member: NamedDependency[StaffMember],
        publisher: NamedDependency[EventPublisher],
    ) -> LegalHoldAccepted:
        """Place a legal hold on a person's data, a category, or one category of one person: what it covers is kept past its retention period, for the hold's purpose only, until the hold ends or is lifted; then it is deleted. Answers 202 with the hold id once Kafka holds the command."""
        return await place_legal_hold(publisher, data, staff_member)

    @delete(
        "/{hold_id:str}",
        status_code=HTTP_202_ACCEPTED,
        operation_id="liftLegalHold",
    )
    async def lift(
        self,
        hold_id: HoldId,
        staff_member: NamedDependency[StaffMember],
        publisher: NamedDependency[EventPublisher],
    ) -> LegalHoldAccepted:
        """Lift a legal hold before its end date: what it kept and is due is deleted by the next sweep. Answers 202 once Kafka holds the command; lifting an unknown or lifted hold changes nothing."""
        return await lift_legal_hold(publisher, hold_id, staff_member)

    @get(operation_id="listLegalHolds", response_headers=[NEXT_PAGE_HEADER])
    async def holds(
        self,
        request: Request[Any, Any, Any],
        queries: NamedDependency[QueryClient],
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[LegalHoldView]]:
        """Every legal hold, latest first, with its status: active, ended (its end date passed) or lifted. Holds that ended or were lifted more than the register's retention period ago are gone. A page at a time: the `Link` header names the next."""
        which = PageRequest(limit=limit, after=checked_cursor(cursor))
        return page_response(await legal_holds(queries, which), request)


class CustomerRelationshipController(Controller):
    path = "/v1/staff/customers"
    tags = ["staff", "retention"]
    guards = [requires_role(Role.PRIVACY_OFFICER)]
    dependencies = {"staff_member": Provide(provide_staff_member)}

    @post(
        "/{subject:str}/ended",
        status_code=HTTP_202_ACCEPTED,
        operation_id="markCustomerEnded",
    )
    async def ended(
        self,
        subject: SubjectId,
        staff_member: NamedDependency[StaffMember],
        publisher: NamedDependency[EventPublisher],
    ) -> CustomerEndedAccepted:
        """Record that the person is no longer a customer as of now: their contact messages are deleted a grace period later, or earlier when an answered question is due first (statement §4). Answers 202 once Kafka holds the command."""
        ending = MarkCustomerEnded(ended_at=utc_now(), recorded_by=staff_member.staff_id)
        await publisher.send(MARK_CUSTOMER_ENDED, ending, subject_id=subject)
        return CustomerEndedAccepted(subject_id=subject, ended_at=ending.ended_at)


class DeletionLogController(Controller):
    path = "/v1/staff/deletion-log"
    tags = ["staff", "retention"]
    guards = [requires_role(Role.PRIVACY_OFFICER)]

    @get(operation_id="listDeletionLog", response_headers=[NEXT_PAGE_HEADER])
    async def entries(
        self,
        request: Request[Any, Any, Any],
        queries: NamedDependency[QueryClient],
        subject: Annotated[
            str | None,
            QueryParameter(
                pattern=SUBJECT_ID_PATTERN,
                description="Only this person's deletions (their pseudonymous subject id).",
            ),
        ] = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[DeletionLogEntry]]:
        """The proof of deletion by retention rules, latest first: per erase command and owner the category, the rule, how many records were asked and erased, and when; a hash of the subject id, never the data."""
        lookup = DeletionLogLookup(subject_id=subject, limit=limit, after=checked_cursor(cursor))
        return page_response(await deletion_log(queries, lookup), request)
