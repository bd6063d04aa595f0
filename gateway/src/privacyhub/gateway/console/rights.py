"""The rights-request queue by due date, a request's page, and its decision and extension forms."""

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.response import Template
from privacyhub.gateway.console.pages import (
    current_staff,
    field_problems,
    form_values,
    page,
    refusal_problems,
)
from privacyhub.gateway.console.session import OFFICER_ONLY
from privacyhub.gateway.pages import Cursor, checked_cursor, every_page
from privacyhub.gateway.queries import QueryClient
from privacyhub.gateway.rights.schemas import DecisionForm, ExtensionForm, RequestId
from privacyhub.gateway.rights.staff import decide_request, extend_request, rights_queue
from privacyhub.shared.contracts.pages import MAX_LIMIT
from privacyhub.shared.contracts.rights import (
    DecisionOutcome,
    QueueEntry,
    QueueFilter,
    RightsRequestView,
    Status,
)
from privacyhub.shared.owners import DATA_OWNERS
from privacyhub.shared.queries import Refusal
from pydantic import ValidationError

# Where a request may be found: the open queue first, then the closed ones.
LOOKED_IN = (None, Status.DECIDED, Status.COMPLETED)


async def queue_entry(queries: QueryClient, request_id: UUID) -> QueueEntry:
    """The request's line of the queue, whatever its status; 404 when there is none."""
    for status in LOOKED_IN:
        entries = await every_page(
            lambda cursor, status=status: rights_queue(
                queries, QueueFilter(status=status, limit=MAX_LIMIT, after=cursor)
            )
        )
        if found := [entry for entry in entries if entry.request_id == request_id]:
            return found[0]
    raise NotFoundException()


class RightsQueueController(Controller):
    path = "/staff/verzoeken"
    include_in_schema = False
    guards = OFFICER_ONLY

    @get()
    async def queue(
        self,
        request: Request[Any, Any, Any],
        queries: NamedDependency[QueryClient],
        cursor: Cursor = None,
    ) -> Template:
        """The open requests by due date, earliest first; overdue and due within 7 days said so."""
        found = await rights_queue(queries, QueueFilter(after=checked_cursor(cursor)))
        return page(request, "queue.html", entries=found.items, next_cursor=found.next)

    @get("/{request_id:uuid}")
    async def request_page(
        self,
        request: Request[Any, Any, Any],
        request_id: RequestId,
        queries: NamedDependency[QueryClient],
    ) -> Template:
        """One request, with the decision and extension forms while they apply."""
        return self._page(request, await queue_entry(queries, request_id))

    @post("/{request_id:uuid}/besluit")
    async def decide(
        self,
        request: Request[Any, Any, Any],
        request_id: RequestId,
        queries: NamedDependency[QueryClient],
    ) -> Template:
        """Approve, refuse or partially refuse, with reasons, as the staff API does."""
        form = await request.form()
        values = {
            "outcome": form.get("outcome"),
            "reasons": form.get("reasons", ""),
            "refused_owners": form.getall("refused_owners", []),
        }
        try:
            decision = DecisionForm.model_validate(values)
            done = await decide_request(queries, request_id, decision, current_staff(request))
        except ValidationError as error:
            return await self._again(request, request_id, queries, form, field_problems(error))
        except Refusal as refused:
            problems = refusal_problems(refused, default_field="outcome")
            return await self._again(request, request_id, queries, form, problems)
        return self._page(request, done, done="besluit")

    @post("/{request_id:uuid}/verlenging")
    async def extend(
        self,
        request: Request[Any, Any, Any],
        request_id: RequestId,
        queries: NamedDependency[QueryClient],
    ) -> Template:
        """Extend the deadline by one or two months with reasons, as the staff API does."""
        form = await request.form()
        months = str(form.get("months", ""))
        # A form sends text; the API's form takes the number of months, as JSON would give it.
        values = {
            "months": int(months) if months.isdigit() else months,
            "reasons": form.get("extension_reasons", ""),
        }
        try:
            extension = ExtensionForm.model_validate(values)
            done = await extend_request(queries, request_id, extension, current_staff(request))
        except ValidationError as error:
            problems = {
                ("extension_reasons" if field == "reasons" else field): problem
                for field, problem in field_problems(error).items()
            }
            return await self._again(request, request_id, queries, form, problems)
        except Refusal as refused:
            problems = refusal_problems(refused, default_field="months")
            return await self._again(request, request_id, queries, form, problems)
        return self._page(request, done, done="verlenging")

    async def _again(
        self,
        request: Request[Any, Any, Any],
        request_id: RequestId,
        queries: QueryClient,
        form: Any,
        problems: dict[str, str],
    ) -> Template:
        entry = await queue_entry(queries, request_id)
        values = {**form_values(form), "refused_owners": form.getall("refused_owners", [])}
        return self._page(request, entry, status=422, problems=problems, values=values)

    @staticmethod
    def _page(
        request: Request[Any, Any, Any],
        rights_request: QueueEntry | RightsRequestView,
        *,
        status: int = 200,
        **context: Any,
    ) -> Template:
        return page(
            request,
            "request.html",
            status=status,
            rights_request=rights_request,
            outcomes=list(DecisionOutcome),
            owners=DATA_OWNERS,
            values=context.pop("values", {"refused_owners": []}),
            **context,
        )
