"""How a console page is answered: a template in the console's layout, under a policy that lets no
script run at all, never cached, never named in a referrer; and the problems of a form, each at its
field, Dutch first."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import StrictUndefined
from litestar import Request, Response
from litestar.enums import MediaType
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from litestar.template import TemplateConfig
from privacyhub.gateway.errors import KafkaUnavailable, QueryTimeout
from privacyhub.gateway.guards import STAFF_MEMBER_KEY
from privacyhub.gateway.refusals import refusal
from privacyhub.shared.auth import Role, StaffMember
from privacyhub.shared.queries import Refusal
from pydantic import ValidationError

TEMPLATES = Path(__file__).parent / "templates"
CONSOLE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "content-security-policy": CONSOLE_POLICY,
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
}

# The console's sections, in the menu's order: path, Dutch and English name, who may open it.
OFFICER = frozenset({Role.PRIVACY_OFFICER})
SECTIONS = (
    ("/staff/verzoeken", "Verzoeken", "Rights requests", OFFICER),
    ("/staff/klachten", "Klachten", "Complaints", OFFICER),
    ("/staff/datalekken", "Datalekken", "Breach register", OFFICER),
    ("/staff/bewaarplichten", "Bewaarplichten", "Legal holds", OFFICER),
    ("/staff/verwerkingsregister", "Verwerkingsregister", "Processing register", frozenset(Role)),
    ("/staff/verwijderlog", "Verwijderlog", "Deletion log", OFFICER),
    ("/staff/toegangslog", "Toegangslog", "Access log", OFFICER),
)

# Where a refusal of the owning service belongs on its form.
REFUSAL_FIELDS = {
    "not_verified": "outcome",
    "already_decided": "outcome",
    "not_a_partial_refusal": "refused_owners",
    "already_extended": "months",
    "extension_too_late": "months",
    "invalid_transition": "status",
}


AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """The console's templates; times are shown in Dutch time."""
    return TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine, engine_callback=_strict)


def _strict(jinja: JinjaTemplateEngine) -> None:
    """A name or attribute a template gets wrong fails the page, rather than showing nothing."""
    jinja.engine.undefined = StrictUndefined
    jinja.engine.globals.update(amsterdam=AMSTERDAM)


def signed_in_staff(request: Request[Any, Any, Any]) -> StaffMember | None:
    return request.scope.get("state", {}).get(STAFF_MEMBER_KEY)


def current_staff(request: Request[Any, Any, Any]) -> StaffMember:
    """Who is signed in; the console's guard has made sure someone is."""
    staff = signed_in_staff(request)
    if staff is None:
        raise NotAuthorizedException("sign in to the staff console")
    return staff


def page(
    request: Request[Any, Any, Any], template: str, *, status: int = 200, **context: Any
) -> Template:
    staff = signed_in_staff(request)
    sections = [s for s in SECTIONS if staff is not None and staff.roles & s[3]]
    return Template(
        template_name=template,
        context={"staff": staff, "sections": sections, "problems": {}, "done": None, **context},
        status_code=status,
        headers=PAGE_HEADERS,
        media_type=MediaType.HTML,
    )


def see_other(path: str) -> Redirect:
    return Redirect(path, status_code=HTTP_303_SEE_OTHER, headers=PAGE_HEADERS)


def field_problems(error: ValidationError) -> dict[str, str]:
    """Each invalid field's problem; a problem of the whole form under `form`."""
    problems: dict[str, str] = {}
    for detail in error.errors():
        field = str(detail["loc"][0]) if detail["loc"] else "form"
        said = f"Ongeldig / Invalid: {detail['msg'].removeprefix('Value error, ')}"
        problems[field] = f"{problems[field]} {said}" if field in problems else said
    return problems


def refusal_problems(refused: Refusal, *, default_field: str) -> dict[str, str]:
    """The owner's refusal, at the field it concerns: its Dutch, and the owner's own English."""
    field = REFUSAL_FIELDS.get(refused.code, default_field)
    return {field: f"{refusal(refused.code).nl} / {refused.reason}"}


def form_values(form: Mapping[str, Any]) -> dict[str, Any]:
    """A submitted form without its CSRF token, to fill the form again after a problem."""
    return {name: value for name, value in form.items() if name != "_csrf_token"}


def to_sign_in(_: Request[Any, Any, Any], __: NotAuthorizedException) -> Response[Any]:
    return see_other("/staff/aanmelden")


def error_page(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """A refused or failed console request as a page: 403 for another role or a missing CSRF token."""
    return page(request, "error.html", status=exc.status_code, status_code=exc.status_code)


def unavailable_page(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    """Kafka did not take a message, or the owning service did not answer in time."""
    return page(request, "error.html", status=503, status_code=503)


EXCEPTION_PAGES = {
    NotAuthorizedException: to_sign_in,
    HTTPException: error_page,
    KafkaUnavailable: unavailable_page,
    QueryTimeout: unavailable_page,
}
