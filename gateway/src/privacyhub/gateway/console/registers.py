"""Legal holds (list, place, lift), the processing register, the deletion log, and the access log
(whose entries about a person are shown only after the access reason is given, and logged)."""

import re
from datetime import date, datetime, time
from typing import Any, get_args

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from privacyhub.gateway.access_log import (
    EMAIL_PATTERN,
    access_log_entries,
    access_log_lookup,
    reason_problem,
    staff_reads_of,
)
from privacyhub.gateway.console.downloads import Format, download
from privacyhub.gateway.console.pages import (
    AMSTERDAM,
    current_staff,
    field_problems,
    form_values,
    page,
    see_other,
)
from privacyhub.gateway.console.session import OFFICER_ONLY, signed_in
from privacyhub.gateway.guards import any_staff
from privacyhub.gateway.pages import every_page
from privacyhub.gateway.publishing import EventPublisher
from privacyhub.gateway.queries import QueryClient
from privacyhub.gateway.retention.controllers import (
    HoldId,
    deletion_log,
    legal_holds,
    lift_legal_hold,
    place_legal_hold,
)
from privacyhub.gateway.retention.schemas import LegalHoldForm
from privacyhub.gateway.settings import GatewaySettings
from privacyhub.shared.contracts.access_log import AccessLogEntry
from privacyhub.shared.contracts.pages import MAX_LIMIT, PageRequest
from privacyhub.shared.contracts.retention import DeletionLogLookup, HeldCategory
from privacyhub.shared.identity import subject_id_for_email
from privacyhub.shared.register import load_register
from pydantic import ValidationError

CATEGORIES = sorted({value for kind in get_args(HeldCategory) for value in get_args(kind)})


class LegalHoldsConsoleController(Controller):
    path = "/staff/bewaarplichten"
    include_in_schema = False
    guards = OFFICER_ONLY

    @get()
    async def holds(
        self,
        request: Request[Any, Any, Any],
        queries: NamedDependency[QueryClient],
        geplaatst: FromQuery[str | None] = None,
        opgeheven: FromQuery[str | None] = None,
    ) -> Template:
        """Every hold with its status, and the form that places one."""
        return await self._page(request, queries, {}, {}, placed=geplaatst, lifted=opgeheven)

    @post()
    async def place(
        self,
        request: Request[Any, Any, Any],
        queries: NamedDependency[QueryClient],
        publisher: NamedDependency[EventPublisher],
        settings: NamedDependency[GatewaySettings],
    ) -> Template | Redirect:
        """Place a hold on a person (by e-mail address), a visitor, a category, or one category of one of them."""
        form = await request.form()
        email = str(form.get("email", "")).strip()
        ends_on = str(form.get("ends_on", ""))
        values = {
            "subject_id": subject_id_for_email(settings.subject_id_secret.get_secret_value(), email)
            if email
            else None,
            "visitor_id": form.get("visitor_id") or None,
            "category": form.get("category") or None,
            "reason": form.get("reason", ""),
            "ends_at": _end_of(ends_on),
        }
        problems: dict[str, str] = {}
        if email and not re.match(EMAIL_PATTERN, email):
            problems["email"] = "Dit is geen e-mailadres. / This is not an e-mail address."
        try:
            hold = LegalHoldForm.model_validate(values)
        except ValidationError as error:
            found = field_problems(error)
            problems |= {_FIELDS.get(name, name): problem for name, problem in found.items()}
        if problems:
            return await self._page(request, queries, form_values(form), problems, status=422)
        accepted = await place_legal_hold(publisher, hold, current_staff(request))
        return see_other(f"/staff/bewaarplichten?geplaatst={accepted.hold_id}")

    @post("/{hold_id:str}/opheffen")
    async def lift(
        self,
        request: Request[Any, Any, Any],
        hold_id: HoldId,
        publisher: NamedDependency[EventPublisher],
    ) -> Redirect:
        """Lift a hold: what it kept and is due is deleted by the next sweep."""
        await lift_legal_hold(publisher, hold_id, current_staff(request))
        return see_other(f"/staff/bewaarplichten?opgeheven={hold_id}")

    @staticmethod
    async def _page(
        request: Request[Any, Any, Any],
        queries: QueryClient,
        values: dict[str, Any],
        problems: dict[str, str],
        *,
        status: int = 200,
        placed: str | None = None,
        lifted: str | None = None,
    ) -> Template:
        return page(
            request,
            "holds.html",
            status=status,
            holds=await every_page(
                lambda cursor: legal_holds(queries, PageRequest(limit=MAX_LIMIT, after=cursor))
            ),
            categories=CATEGORIES,
            values=values,
            problems=problems,
            placed=placed,
            lifted=lifted,
        )


# A hold's fields as the console's form names them: a person is given by e-mail address.
_FIELDS = {"subject_id": "email", "ends_at": "ends_on", "form": "form"}


def _end_of(day: str) -> datetime | str:
    """The end of a typed day in Dutch time; as typed when it is no date (the form says so)."""
    try:
        return datetime.combine(date.fromisoformat(day), time(23, 59, 59), AMSTERDAM)
    except ValueError:
        return day


class ProcessingRegisterConsoleController(Controller):
    path = "/staff/verwerkingsregister"
    include_in_schema = False
    guards = [signed_in, any_staff()]

    @get()
    async def register(self, request: Request[Any, Any, Any]) -> Template:
        """The register of processing activities (Art. 30), for every staff role."""
        register = load_register()
        purposes = {purpose.id: purpose for purpose in register.purposes}
        return page(request, "register.html", register=register, purposes=purposes)


class DeletionLogConsoleController(Controller):
    path = "/staff/verwijderlog"
    include_in_schema = False
    guards = OFFICER_ONLY

    @get()
    async def log(
        self, request: Request[Any, Any, Any], queries: NamedDependency[QueryClient]
    ) -> Template:
        """The latest erasures by retention rules: a hash of the subject id, never the data."""
        latest = await deletion_log(queries, DeletionLogLookup(limit=MAX_LIMIT))
        return page(request, "deletion_log.html", entries=latest.items)


class AccessLogConsoleController(Controller):
    path = "/staff/toegangslog"
    include_in_schema = False
    guards = OFFICER_ONLY

    @get()
    async def ask(self, request: Request[Any, Any, Any]) -> Template:
        """Whose reads to show, and why."""
        return page(request, "access_log.html", entries=None, values={})

    @post()
    async def entries(
        self,
        request: Request[Any, Any, Any],
        queries: NamedDependency[QueryClient],
        publisher: NamedDependency[EventPublisher],
        settings: NamedDependency[GatewaySettings],
    ) -> Template | Response[str]:
        """Who of the staff read this person's data, as a page or a download; this look is itself
        logged, with its reason."""
        form = await request.form()
        email = str(form.get("email", "")).strip()
        reason = str(form.get("reason", ""))
        problems = {}
        if not re.match(EMAIL_PATTERN, email):
            problems["email"] = "Dit is geen e-mailadres. / This is not an e-mail address."
        if problem := reason_problem(reason):
            problems["reason"] = f"Geef een reden op (hoogstens 200 tekens). / {problem}."
        if problems:
            return page(
                request,
                "access_log.html",
                status=422,
                entries=None,
                values=form_values(form),
                problems=problems,
            )
        reads = staff_reads_of(request, reason, publisher, settings)
        await reads.record(category="staff_access_log", record="access-log", email=email)
        entries = await every_page(
            lambda cursor: access_log_entries(
                queries,
                access_log_lookup(
                    settings, subject=None, email=email, limit=MAX_LIMIT, after=cursor
                ),
            )
        )
        if (format := form.get("format")) in get_args(Format):
            return download("toegangslog", AccessLogEntry, entries, format)
        return page(request, "access_log.html", entries=entries, values=form_values(form))
