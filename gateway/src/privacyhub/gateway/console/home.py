"""The console's first page and its style sheet."""

from importlib.resources import files
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.response import Template
from privacyhub.gateway.console.downloads import DOWNLOADS
from privacyhub.gateway.console.pages import current_staff, page
from privacyhub.gateway.console.session import signed_in
from privacyhub.shared.auth import Role

STYLE = files("privacyhub.gateway.console").joinpath("console.css").read_text(encoding="utf-8")


class ConsoleHomeController(Controller):
    path = "/staff"
    include_in_schema = False
    guards = [signed_in]

    @get()
    async def home(self, request: Request[Any, Any, Any]) -> Template:
        """What the signed-in role may open."""
        officer = Role.PRIVACY_OFFICER in current_staff(request).roles
        downloads = [(name, nl, en) for name, (nl, en, _, _) in DOWNLOADS.items()]
        return page(request, "home.html", downloads=downloads if officer else [])


class ConsoleStyleController(Controller):
    path = "/static/staff"
    include_in_schema = False

    @get("/console.css")
    async def style(self) -> Response[str]:
        return Response(STYLE, media_type="text/css", headers={"x-content-type-options": "nosniff"})
