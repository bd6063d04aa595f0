"""The console's first page and its style sheet."""

from importlib.resources import files
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.response import Template
from privacyhub.gateway.console.pages import page
from privacyhub.gateway.console.session import signed_in

STYLE = files("privacyhub.gateway.console").joinpath("console.css").read_text(encoding="utf-8")


class ConsoleHomeController(Controller):
    path = "/staff"
    include_in_schema = False
    guards = [signed_in]

    @get()
    async def home(self, request: Request[Any, Any, Any]) -> Template:
        """What the signed-in role may open."""
        return page(request, "home.html")


class ConsoleStyleController(Controller):
    path = "/static/staff"
    include_in_schema = False

    @get("/console.css")
    async def style(self) -> Response[str]:
        return Response(STYLE, media_type="text/css", headers={"x-content-type-options": "nosniff"})
