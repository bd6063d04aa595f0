"""The privacy officer's side of complaints and the breach register (statement §8, GDPR Art. 33)."""

from typing import Annotated, Any
from uuid import UUID, uuid4

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED
from privacyhub.gateway.access_log import StaffReads, provide_staff_reads
from privacyhub.gateway.complaints.controllers import publish_complaint
from privacyhub.gateway.complaints.schemas import (
    BreachDecisionForm,
    ComplaintStatusChange,
    RegisteredComplaintForm,
)
from privacyhub.gateway.guards import provide_staff_member, requires_role
from privacyhub.gateway.idempotency import command_error_responses, provide_command_id
from privacyhub.gateway.pages import NEXT_PAGE_HEADER, Cursor, Limit, checked_cursor, page_response
from privacyhub.gateway.publishing import Accepted, EventPublisher
from privacyhub.gateway.queries import QueryClient, ask_owner, command_owner
from privacyhub.gateway.settings import GatewaySettings
from privacyhub.shared.auth import Role, StaffMember
from privacyhub.shared.contracts.complaints import (
    BREACH_ID_PATTERN,
    BREACH_REGISTER_QUERY,
    CHANGE_COMPLAINT_STATUS_COMMAND,
    COMPLAINT_QUERY,
    COMPLAINT_REFERENCE_PATTERN,
    COMPLAINTS_QUERY,
    RECORD_BREACH_DECISION_COMMAND,
    BreachEntry,
    ChangeComplaintStatus,
    Complaint,
    ComplaintFilter,
    ComplaintKind,
    ComplaintStatus,
    ComplaintSummary,
    RecordBreachDecision,
)
from privacyhub.shared.contracts.pages import DEFAULT_LIMIT, Page, PageRequest
from privacyhub.shared.topics import REQUESTS_COMMANDS, REQUESTS_QUERIES

# Reads of whole lists concern no single person and travel under fixed, non-personal keys;
# actions on one complaint or entry travel under its reference, which keeps them in order.
QUEUE_KEY = "complaints"
REGISTER_KEY = "breach-register"

ComplaintReference = Annotated[
    str, PathParameter(pattern=COMPLAINT_REFERENCE_PATTERN, description="e.g. CP-0A1B2C3D4E5F")
]
BreachId = Annotated[
    str, PathParameter(pattern=BREACH_ID_PATTERN, description="e.g. BR-0A1B2C3D4E5F")
]


async def complaint_queue(queries: QueryClient, which: ComplaintFilter) -> Page[ComplaintSummary]:
    return await ask_owner(
        queries, REQUESTS_QUERIES, COMPLAINTS_QUERY, which, Page[ComplaintSummary], key=QUEUE_KEY
    )


async def read_complaint(
    queries: QueryClient, reference: str, staff_reads: StaffReads
) -> Complaint:
    """One complaint, its read written to the access log before it is returned."""
    complaint = await ask_owner(
        queries,
        REQUESTS_QUERIES,
        COMPLAINT_QUERY,
        {"reference": reference},
        Complaint,
        key=reference,
    )
    await staff_reads.record(category="complaints", record=reference, email=complaint.email)
    return complaint


async def change_complaint_status(
    queries: QueryClient,
    reference: str,
    change: ComplaintStatusChange,
    staff: StaffMember,
    staff_reads: StaffReads,
    *,
    command_id: UUID | None = None,
) -> Complaint:
    """The complaint moved one step on, as it now stands; its read logged as `read_complaint`.
    The step is taken once per `command_id` (a new one when not given)."""
    command = ChangeComplaintStatus(
        command_id=command_id or uuid4(),
        reference=reference,
        status=change.status,
        note=change.note,
        changed_by=staff.staff_id,
    )
    complaint = await command_owner(
        queries,
        REQUESTS_COMMANDS,
        CHANGE_COMPLAINT_STATUS_COMMAND,
        command,
        Complaint,
        key=reference,
        command_id=command.command_id,
    )
    await staff_reads.record(category="complaints", record=reference, email=complaint.email)
    return complaint


async def breach_register(queries: QueryClient, which: PageRequest) -> Page[BreachEntry]:
    return await ask_owner(
        queries, REQUESTS_QUERIES, BREACH_REGISTER_QUERY, which, Page[BreachEntry], key=REGISTER_KEY
    )


async def decide_breach(
    queries: QueryClient,
    breach_id: str,
    decision: BreachDecisionForm,
    staff: StaffMember,
    *,
    command_id: UUID | None = None,
) -> BreachEntry:
    """The breach's decision recorded, once per `command_id` (a new one when not given)."""
    command = RecordBreachDecision(
        command_id=command_id or uuid4(),
        breach_id=breach_id,
        decided_by=staff.staff_id,
        **decision.model_dump(),
    )
    return await command_owner(
        queries,
        REQUESTS_COMMANDS,
        RECORD_BREACH_DECISION_COMMAND,
        command,
        BreachEntry,
        key=breach_id,
        command_id=command.command_id,
    )


class ComplaintQueueController(Controller):
    path = "/v1/staff/complaints"
    tags = ["staff", "complaints"]
    guards = [requires_role(Role.PRIVACY_OFFICER)]
    dependencies = {
        "staff_member": Provide(provide_staff_member),
        "staff_reads": Provide(provide_staff_reads),
        "command_id": Provide(provide_command_id),
    }

    @get(operation_id="listComplaints", response_headers=[NEXT_PAGE_HEADER])
    async def queue(
        self,
        request: Request[Any, Any, Any],
        queries: NamedDependency[QueryClient],
        status: Annotated[
            ComplaintStatus | None, QueryParameter(description="Only complaints in this status.")
        ] = None,
        kind: Annotated[
            ComplaintKind | None, QueryParameter(description="Only complaints of this kind.")
        ] = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[ComplaintSummary]]:
        """The complaints queue, oldest first, without reporters' addresses or words (those are in a single complaint). A page at a time: the `Link` header names the next."""
        which = ComplaintFilter(status=status, kind=kind, limit=limit, after=checked_cursor(cursor))
        return page_response(await complaint_queue(queries, which), request)

    @post(status_code=HTTP_202_ACCEPTED, operation_id="registerComplaint")
    async def register(
        self,
        data: JSONBody[RegisteredComplaintForm],
        publisher: NamedDependency[EventPublisher],
        settings: NamedDependency[GatewaySettings],
    ) -> Accepted:
        """Register a complaint or suspected breach that came in by e-mail or letter. Answers 202 with its reference once Kafka holds it; a breach's 72 hours run from `received_at`."""
        return await publish_complaint(
            data,
            channel=data.channel,
            received_at=data.received_at,
            publisher=publisher,
            settings=settings,
        )

    @get("/{reference:str}", operation_id="getComplaint")
    async def complaint(
        self,
        reference: ComplaintReference,
        queries: NamedDependency[QueryClient],
        staff_reads: NamedDependency[StaffReads],
    ) -> Complaint:
        """One complaint with the reporter's address and message, its status and history; 404 when there is none. Requires the `X-Access-Reason` header; the read is written to the access log before the complaint is shown."""
        return await read_complaint(queries, reference, staff_reads)

    @post(
        "/{reference:str}/status",
        status_code=HTTP_200_OK,
        operation_id="changeComplaintStatus",
        responses=command_error_responses(
            {409: "The complaint's current status does not allow this step (`invalid_transition`)."}
        ),
    )
    async def change_status(
        self,
        reference: ComplaintReference,
        data: JSONBody[ComplaintStatusChange],
        staff_member: NamedDependency[StaffMember],
        queries: NamedDependency[QueryClient],
        staff_reads: NamedDependency[StaffReads],
        command_id: NamedDependency[UUID],
    ) -> Complaint:
        """Move a complaint one step on: received → in_progress → resolved, the last with a resolution note. Answers the complaint as it now stands, with the reporter's address and message: so it requires the `X-Access-Reason` header, and the read is written to the access log before the answer; 404 when there is none, 409 for any other step."""
        return await change_complaint_status(
            queries, reference, data, staff_member, staff_reads, command_id=command_id
        )


class BreachRegisterController(Controller):
    path = "/v1/staff/breaches"
    tags = ["staff", "breaches"]
    guards = [requires_role(Role.PRIVACY_OFFICER)]
    dependencies = {
        "staff_member": Provide(provide_staff_member),
        "command_id": Provide(provide_command_id),
    }

    @get(operation_id="listBreachRegister", response_headers=[NEXT_PAGE_HEADER])
    async def register(
        self,
        request: Request[Any, Any, Any],
        queries: NamedDependency[QueryClient],
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[BreachEntry]]:
        """The breach register (GDPR Art. 33(5)), oldest report first: each entry's 72-hour deadline for notifying the Autoriteit Persoonsgegevens, the decision and its reasons, `overdue` when undecided past the deadline and `decided_late` when decided after it. A page at a time: the `Link` header names the next."""
        which = PageRequest(limit=limit, after=checked_cursor(cursor))
        return page_response(await breach_register(queries, which), request)

    @post(
        "/{breach_id:str}/decision",
        status_code=HTTP_200_OK,
        operation_id="recordBreachDecision",
        responses=command_error_responses(
            {409: "A decision on this breach is already recorded (`already_decided`)."}
        ),
    )
    async def decide(
        self,
        breach_id: BreachId,
        data: JSONBody[BreachDecisionForm],
        staff_member: NamedDependency[StaffMember],
        queries: NamedDependency[QueryClient],
        command_id: NamedDependency[UUID],
    ) -> BreachEntry:
        """Record whether the Autoriteit Persoonsgegevens is notified of this breach, with the reasons (and, when notified, when and under which reference). Answers the register entry; 404 when there is none, 409 when it was decided before: a decision is recorded once."""
        return await decide_breach(queries, breach_id, data, staff_member, command_id=command_id)
