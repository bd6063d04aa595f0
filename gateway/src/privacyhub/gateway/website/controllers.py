"""The website kit: privacyhub.js for the site's pages (banner, consent, page-view beacon), and a demo
page at /demo that shows it on a Jobport-like page. Not part of the API, so not in its document."""

from html import escape
from importlib.resources import files
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.datastructures import CacheControlHeader

_FILES = files("privacyhub.gateway.website")
KIT = _FILES.joinpath("privacyhub.js").read_text(encoding="utf-8")
DEMO_PAGE = _FILES.joinpath("demo.html").read_text(encoding="utf-8")
DEMO_STYLE = _FILES.joinpath("demo.css").read_text(encoding="utf-8")

NOT_SNIFFED = {"x-content-type-options": "nosniff"}
# Scripts and styles only from files of this origin: no inline script can run on the page.
DEMO_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
FIVE_MINUTES = CacheControlHeader(max_age=300, public=True)


class WebsiteKitController(Controller):
    path = "/static"
    include_in_schema = False

    @get("/privacyhub.js", cache_control=FIVE_MINUTES)
    async def kit(self) -> Response[str]:
        """The script a website loads with one tag; other sites' pages load it too."""
        return Response(
            KIT,
            media_type="text/javascript",
            headers={**NOT_SNIFFED, "cross-origin-resource-policy": "cross-origin"},
        )

    @get("/demo.css", cache_control=FIVE_MINUTES)
    async def demo_style(self) -> Response[str]:
        return Response(DEMO_STYLE, media_type="text/css", headers=NOT_SNIFFED)


class DemoController(Controller):
    path = "/demo"
    include_in_schema = False

    @get()
    async def demo(self, request: Request[Any, Any, Any]) -> Response[str]:
        """A Jobport-like page with the kit loaded from this gateway, under a strict policy."""
        gateway = escape(str(request.base_url).rstrip("/"))
        return Response(
            DEMO_PAGE.replace("{gateway}", gateway),
            media_type="text/html",
            headers={
                **NOT_SNIFFED,
                "content-security-policy": DEMO_POLICY,
                "referrer-policy": "strict-origin-when-cross-origin",
            },
        )
