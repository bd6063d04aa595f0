"""Complaints (their reporters' words shown only after the access reason is given, and logged) with
the status change, and the breach register with its 72-hour clock and the decision form."""

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template
from privacyhub.gateway.access_log import StaffReads, reason_problem, staff_reads_of
from privacyhub.gateway.complaints.schemas import BreachDecisionForm, ComplaintStatusChange
from privacyhub.gateway.complaints.staff import (
    BreachId,
    ComplaintReference,
    breach_register,
    change_complaint_status,
    complaint_queue,
    decide_breach,
    read_complaint,
)
from privacyhub.gateway.console.pages import (
    AMSTERDAM,
    current_staff,
    field_problems,
    form_values,
    page,
    refusal_problems,
    see_other,
)
from privacyhub.gateway.console.session import OFFICER_ONLY
from privacyhub.gateway.pages import Cursor, checked_cursor, every_page
from privacyhub.gateway.publishing import EventPublisher
from privacyhub.gateway.queries import QueryClient
from privacyhub.gateway.settings import GatewaySettings
from privacyhub.shared.contracts.complaints import BreachEntry, ComplaintFilter, ComplaintStatus
from privacyhub.shared.contracts.pages import MAX_LIMIT, PageRequest
from privacyhub.shared.envelope import utc_now
from privacyhub.shared.queries import Refusal
from pydantic import ValidationError


class ComplaintsController(Controller):
    path = "/staff/klachten"
    include_in_schema = False
    guards = OFFICER_ONLY

    @get()
    async def complaints(
        self,
        request: Request[Any, Any, Any],
        queries: NamedDependency[QueryClient],
        cursor: Cursor = None,
    ) -> Template:
        """The complaints, oldest first, without reporters' addresses or words."""
        found = await complaint_queue(queries, ComplaintFilter(after=checked_cursor(cursor)))
        return page(request, "complaints.html", complaints=found.items, next_cursor=found.next)

    @get("/{reference:str}")
    async def ask_reason(
        self, request: Request[Any, Any, Any], reference: ComplaintReference
    ) -> Template:
        """Before a complaint is shown: why the officer needs it."""
        return page(request, "complaint.html", reference=reference, complaint=None, values={})

    @post("/{reference:str}")
    async def complaint(
        self,
        request: Request[Any, Any, Any],
        reference: ComplaintReference,
        queries: NamedDependency[QueryClient],
        publisher: NamedDependency[EventPublisher],
        settings: NamedDependency[GatewaySettings],
    ) -> Template:
        """The complaint, its read logged with the reason first."""
        form = await request.form()
        reads = self._reads(request, reference, form, publisher, settings)
        if isinstance(reads, Template):
            return reads
        return self._page(request, reference, await read_complaint(queries, reference, reads), form)

    @post("/{reference:str}/status")
    async def change_status(
        self,
        request: Request[Any, Any, Any],
        reference: ComplaintReference,
        queries: NamedDependency[QueryClient],
        publisher: NamedDependency[EventPublisher],
        settings: NamedDependency[GatewaySettings],
    ) -> Template:
        """Move the complaint one step on; the answer shows it, so the reason is asked first."""
        form = await request.form()
        reads = self._reads(request, reference, form, publisher, settings)
        if isinstance(reads, Template):
            return reads
        try:
            change = ComplaintStatusChange.model_validate(
                {"status": form.get("status"), "note": form.get("note") or None}
            )
            complaint = await change_complaint_status(
                queries, reference, change, current_staff(request), reads
            )
        except ValidationError as error:
            problems = field_problems(error)
        except Refusal as refused:
            problems = refusal_problems(refused, default_field="status")
        else:
            return self._page(request, reference, complaint, form, done=True)
        complaint = await read_complaint(queries, reference, reads)
        return self._page(request, reference, complaint, form, problems, status=422)

    @classmethod
    def _reads(
        cls,
        request: Request[Any, Any, Any],
        reference: str,
        form: Any,
        publisher: EventPublisher,
        settings: GatewaySettings,
    ) -> StaffReads | Template:
        """The reads logged with the reason the form gives; without a good one, the page asking again."""
        reason = str(form.get("reason", ""))
        if problem := reason_problem(reason):
            problems = {"reason": _said(problem)}
            return cls._page(request, reference, None, form, problems, status=422)
        return staff_reads_of(request, reason, publisher, settings)

    @staticmethod
    def _page(
        request: Request[Any, Any, Any],
        reference: str,
        complaint: Any,
        form: Any,
        problems: dict[str, str] | None = None,
        *,
        status: int = 200,
        done: bool = False,
    ) -> Template:
        return page(
            request,
            "complaint.html",
            status=status,
            reference=reference,
            complaint=complaint,
            statuses=list(ComplaintStatus),
            values=form_values(form),
            problems=problems or {},
            done=done,
        )


def _said(problem: str) -> str:
    return f"Geef een reden op (hoogstens 200 tekens). / {problem[0].upper()}{problem[1:]}."


class BreachRegisterConsoleController(Controller):
    path = "/staff/datalekken"
    include_in_schema = False
    guards = OFFICER_ONLY

    @get()
    async def register(
        self,
        request: Request[Any, Any, Any],
        queries: NamedDependency[QueryClient],
        cursor: Cursor = None,
    ) -> Template:
        """The register with each entry's 72 hours: how long is left, or that they passed."""
        found = await breach_register(queries, PageRequest(after=checked_cursor(cursor)))
        return page(
            request,
            "breaches.html",
            entries=found.items,
            next_cursor=found.next,
            hours_left=hours_left,
        )

    @get("/{breach_id:str}")
    async def entry(
        self,
        request: Request[Any, Any, Any],
        breach_id: BreachId,
        queries: NamedDependency[QueryClient],
    ) -> Template:
        """One entry, with the decision form while it is undecided."""
        return self._page(request, await register_entry(queries, breach_id), {}, {})

    @post("/{breach_id:str}/besluit")
    async def decide(
        self,
        request: Request[Any, Any, Any],
        breach_id: BreachId,
        queries: NamedDependency[QueryClient],
    ) -> Template | Redirect:
        """Record whether the Autoriteit Persoonsgegevens is notified, and why."""
        form = await request.form()
        notified_at = form.get("notified_at") or None
        values = {
            "notify_authority": form.get("notify_authority"),
            "reasons": form.get("reasons", ""),
            "notified_at": _in_amsterdam(notified_at) if notified_at else None,
            "authority_reference": form.get("authority_reference") or None,
        }
        try:
            decision = BreachDecisionForm.model_validate(values)
            await decide_breach(queries, breach_id, decision, current_staff(request))
        except ValidationError as error:
            problems = field_problems(error)
        except Refusal as refused:
            problems = refusal_problems(refused, default_field="notify_authority")
        else:
            return see_other(f"/staff/datalekken/{breach_id}")
        entry = await register_entry(queries, breach_id)
        return self._page(request, entry, form_values(form), problems, status=422)

    @staticmethod
    def _page(
        request: Request[Any, Any, Any],
        entry: BreachEntry,
        values: dict[str, Any],
        problems: dict[str, str],
        *,
        status: int = 200,
    ) -> Template:
        return page(
            request,
            "breach.html",
            status=status,
            entry=entry,
            values=values,
            problems=problems,
            hours_left=hours_left,
        )


def hours_left(entry: BreachEntry) -> int:
    """Whole hours until the 72-hour deadline; negative once it passed."""
    return int((entry.notify_deadline - utc_now()).total_seconds() // 3600)


def _in_amsterdam(typed: str) -> Any:
    """A `datetime-local` field's value, which has no zone, as Dutch time; as typed if unreadable."""
    try:
        return datetime.fromisoformat(typed).replace(tzinfo=AMSTERDAM)
    except ValueError:
        return typed


async def register_entry(queries: QueryClient, breach_id: str) -> BreachEntry:
    """The breach register's entry; 404 when there is none."""
    entries = await every_page(
        lambda cursor: breach_register(queries, PageRequest(limit=MAX_LIMIT, after=cursor))
    )
    if found := [entry for entry in entries if entry.id == breach_id]:
        return found[0]
    raise NotFoundException()
