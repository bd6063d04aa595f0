"""The privacy officer's desk: the queue with deadlines, registering e-mails and letters, verification, extension and decision, and what to do with an escalated request (retry, amend, close)."""

from datetime import date
from typing import Annotated, Any
from uuid import UUID, uuid4

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED
from privacyhub.gateway.guards import provide_staff_member, requires_role
from privacyhub.gateway.idempotency import command_error_responses, provide_command_id
from privacyhub.gateway.pages import NEXT_PAGE_HEADER, Cursor, Limit, checked_cursor, page_response
from privacyhub.gateway.publishing import EventPublisher
from privacyhub.gateway.queries import QueryClient, ask_owner, command_owner
from privacyhub.gateway.rights.intake import accept_rights_request
from privacyhub.gateway.rights.schemas import (
    AmendmentForm,
    ClosureForm,
    DecisionForm,
    ExtensionForm,
    RequestId,
    RightsRequestAccepted,
    StaffRegistration,
)
from privacyhub.gateway.settings import GatewaySettings
from privacyhub.shared.auth import Role, StaffMember
from privacyhub.shared.contracts.pages import DEFAULT_LIMIT, Page
from privacyhub.shared.contracts.rights import (
    AMENDMENT_COMMAND,
    CLOSURE_COMMAND,
    DECISION_COMMAND,
    EXTENSION_COMMAND,
    OFFICER_VERIFICATION_COMMAND,
    QUEUE_QUERY,
    RESTRICTION_LIFT_COMMAND,
    RETRY_COMMAND,
    AmendmentCommand,
    ClosureCommand,
    DecisionCommand,
    ExtensionCommand,
    OfficerVerification,
    QueueEntry,
    QueueFilter,
    RestrictionLiftCommand,
    RetryCommand,
    RightsRequestView,
    Status,
)
from privacyhub.shared.topics import REQUESTS_COMMANDS, REQUESTS_QUERIES

StaffAction = (
    OfficerVerification
    | DecisionCommand
    | ExtensionCommand
    | RestrictionLiftCommand
    | RetryCommand
    | AmendmentCommand
    | ClosureCommand
)
# The queue concerns no single request and travels under a fixed, non-personal key.
QUEUE_KEY = "rights-request-queue"


async def act_on_request(
    queries: QueryClient, action: str, command: StaffAction
) -> RightsRequestView:
    """A privacy officer's step on one request, taken by the requests service once per the
    command's `action_id`, which it also travels under: the request after it."""
    return await command_owner(
        queries,
        REQUESTS_COMMANDS,
        action,
        command,
        RightsRequestView,
        key=str(command.request_id),
        command_id=command.action_id,
    )


async def rights_queue(queries: QueryClient, which: QueueFilter) -> Page[QueueEntry]:
    """A page of the queue, by due date, earliest first."""
    return await ask_owner(
        queries, REQUESTS_QUERIES, QUEUE_QUERY, which, Page[QueueEntry], key=QUEUE_KEY
    )


async def decide_request(
    queries: QueryClient,
    request_id: UUID,
    decision: DecisionForm,
    staff: StaffMember,
    *,
    command_id: UUID | None = None,
) -> RightsRequestView:
    command = DecisionCommand(
        request_id=request_id,
        outcome=decision.outcome,
        reasons=decision.reasons,
        refused_owners=decision.refused_owners,
        staff_id=staff.staff_id,
        action_id=command_id or uuid4(),
    )
    return await act_on_request(queries, DECISION_COMMAND, command)


async def extend_request(
    queries: QueryClient,
    request_id: UUID,
    extension: ExtensionForm,
    staff: StaffMember,
    *,
    command_id: UUID | None = None,
) -> RightsRequestView:
    command = ExtensionCommand(
        request_id=request_id,
        months=extension.months,
        reasons=extension.reasons,
        staff_id=staff.staff_id,
        action_id=command_id or uuid4(),
    )
    return await act_on_request(queries, EXTENSION_COMMAND, command)


class StaffRightsRequestController(Controller):
    path = "/v1/staff/rights-requests"
    tags = ["staff", "rights requests"]
    guards = [requires_role(Role.PRIVACY_OFFICER)]
    dependencies = {
        "staff": Provide(provide_staff_member),
        "command_id": Provide(provide_command_id),
    }

    @get(operation_id="listRightsRequests", response_headers=[NEXT_PAGE_HEADER])
    async def queue(
        self,
        request: Request[Any, Any, Any],
        queries: NamedDependency[QueryClient],
        status: Annotated[
            Status | None,
            QueryParameter(
                description="Only requests with this status; without it, all open ones."
            ),
        ] = None,
        due_before: Annotated[
            date | None, QueryParameter(description="Only requests due before this day.")
        ] = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[QueueEntry]]:
        """The rights-request queue by due date, earliest first, with the days left; `due_soon` marks those due within 7 days, `overdue` those past their due date. A page at a time: the `Link` header names the next."""
        which = QueueFilter(
            status=status, due_before=due_before, limit=limit, after=checked_cursor(cursor)
        )
        return page_response(await rights_queue(queries, which), request)

    @post(status_code=HTTP_202_ACCEPTED, operation_id="registerRightsRequest")
    async def register(
        self,
        data: JSONBody[StaffRegistration],
        publisher: NamedDependency[EventPublisher],
        settings: NamedDependency[GatewaySettings],
        staff: NamedDependency[StaffMember],
    ) -> RightsRequestAccepted:
        """Register a request that arrived by e-mail or letter, with its real receipt time: the due date counts from that day. An e-mail request gets a verification code by e-mail; a letter is verified by a privacy officer. The access token may be passed on to the requester to follow the request online."""
        return await accept_rights_request(
            publisher,
            subject_id_secret=settings.subject_id_secret.get_secret_value(),
            type=data.type,
            channel=data.channel,
            email=str(data.email),
            details=data.details,
            corrections=data.corrections,
            visitor_ids=[],
            received_at=data.received_at,
            registered_by=staff.staff_id,
        )

    @post(
        "/{request_id:uuid}/verification",
        status_code=HTTP_200_OK,
        operation_id="verifyRightsRequestIdentity",
        responses=command_error_responses({404: "No such request.", 409: "Already decided."}),
    )
    async def verify(
        self,
        request_id: RequestId,
        queries: NamedDependency[QueryClient],
        staff: NamedDependency[StaffMember],
        command_id: NamedDependency[UUID],
    ) -> RightsRequestView:
        """Record that a privacy officer verified the requester's identity (a letter, or a request locked after wrong codes). 409 once decided."""
        command = OfficerVerification(
            request_id=request_id, staff_id=staff.staff_id, action_id=command_id
        )
        return await act_on_request(queries, OFFICER_VERIFICATION_COMMAND, command)

    @post(
        "/{request_id:uuid}/decision",
        status_code=HTTP_200_OK,
        operation_id="decideRightsRequest",
        responses=command_error_responses(
            {404: "No such request.", 409: "Not verified yet, or already decided."}
        ),
    )
    async def decide(
        self,
        request_id: RequestId,
        data: JSONBody[DecisionForm],
        queries: NamedDependency[QueryClient],
        staff: NamedDependency[StaffMember],
        command_id: NamedDependency[UUID],
    ) -> RightsRequestView:
        """Approve, refuse or partially refuse, always with reasons; the requester gets them by e-mail, and a (partial) refusal tells them they may complain to the Autoriteit Persoonsgegevens. A partial refusal names the data owners whose part is refused (`refused_owners`); every other owner carries the request out, as after an approval. Approving or partially refusing needs a verified identity (409 otherwise); 409 once decided."""
        return await decide_request(queries, request_id, data, staff, command_id=command_id)

    @post(
        "/{request_id:uuid}/extension",
        status_code=HTTP_200_OK,
        operation_id="extendRightsRequest",
        responses=command_error_responses(
            {404: "No such request.", 409: "Already extended or decided, or past the first month."}
        ),
    )
    async def extend(
        self,
        request_id: RequestId,
        data: JSONBody[ExtensionForm],
        queries: NamedDependency[QueryClient],
        staff: NamedDependency[StaffMember],
        command_id: NamedDependency[UUID],
    ) -> RightsRequestView:
        """Extend the deadline by one or two months with reasons, e-mailed to the requester. Only once, and only within the first month after receipt (up to and including the first due date); 409 otherwise."""
        return await extend_request(queries, request_id, data, staff, command_id=command_id)

    @post(
        "/{request_id:uuid}/restriction-lift",
        status_code=HTTP_200_OK,
        operation_id="liftRightsRequestRestriction",
        responses=command_error_responses(
            {404: "No such request.", 409: "Not a completed restriction request."}
        ),
    )
    async def lift_restriction(
        self,
        request_id: RequestId,
        queries: NamedDependency[QueryClient],
        staff: NamedDependency[StaffMember],
        command_id: NamedDependency[UUID],
    ) -> RightsRequestView:
        """Lift the restriction a completed restriction request placed: the requester is e-mailed first (Art. 18(3)), then every data owner clears its flag and processing resumes. Lifting again changes nothing; 409 for any other request."""
        command = RestrictionLiftCommand(
            request_id=request_id, staff_id=staff.staff_id, action_id=command_id
        )
        return await act_on_request(queries, RESTRICTION_LIFT_COMMAND, command)

    @post(
        "/{request_id:uuid}/retry",
        status_code=HTTP_200_OK,
        operation_id="retryRightsRequest",
        responses=command_error_responses(
            {404: "No such request.", 409: "Not escalated, closed, or never sent to an owner."}
        ),
    )
    async def retry(
        self,
        request_id: RequestId,
        queries: NamedDependency[QueryClient],
        staff: NamedDependency[StaffMember],
        command_id: NamedDependency[UUID],
    ) -> RightsRequestView:
        """Send an escalated request again, under a new command id, to the data owners that did not answer (`escalation.missing_owners`), and wait for them anew; an owner that answers after all completes it. 409 when the request is not escalated or is closed, and for one that was never sent (`escalation.problem`): amend or close that one."""
        command = RetryCommand(request_id=request_id, staff_id=staff.staff_id, action_id=command_id)
        return await act_on_request(queries, RETRY_COMMAND, command)

    @post(
        "/{request_id:uuid}/amendment",
        status_code=HTTP_200_OK,
        operation_id="amendRightsRequest",
        responses=command_error_responses(
            {404: "No such request.", 409: "Not an escalated, unclosed rectification."}
        ),
    )
    async def amend(
        self,
        request_id: RequestId,
        data: JSONBody[AmendmentForm],
        queries: NamedDependency[QueryClient],
        staff: NamedDependency[StaffMember],
        command_id: NamedDependency[UUID],
    ) -> RightsRequestView:
        """Replace the corrections of an escalated rectification (after checking them with the requester) and carry it out anew by every data owner whose part was granted; a new e-mail address not yet verified for the request first gets a code, and the request waits (`awaiting_new_email_verification`) until it is entered. 409 for any other request."""
        command = AmendmentCommand(
            request_id=request_id,
            corrections=data.corrections,
            staff_id=staff.staff_id,
            action_id=command_id,
        )
        return await act_on_request(queries, AMENDMENT_COMMAND, command)

    @post(
        "/{request_id:uuid}/closure",
        status_code=HTTP_200_OK,
        operation_id="closeRightsRequest",
        responses=command_error_responses(
            {404: "No such request.", 409: "Not escalated, or closed."}
        ),
    )
    async def close(
        self,
        request_id: RequestId,
        data: JSONBody[ClosureForm],
        queries: NamedDependency[QueryClient],
        staff: NamedDependency[StaffMember],
        command_id: NamedDependency[UUID],
    ) -> RightsRequestView:
        """Close an escalated request with what the data owners did so far: it completes with their receipts (and a package of their exports), and the requester is e-mailed the reasons, what was not carried out and that they may complain to the Autoriteit Persoonsgegevens. 409 when the request is not escalated or already closed."""
        command = ClosureCommand(
            request_id=request_id,
            reasons=data.reasons,
            staff_id=staff.staff_id,
            action_id=command_id,
        )
        return await act_on_request(queries, CLOSURE_COMMAND, command)
