"""The privacy portal at /privacy: the statement and its versions, the contact form, rights requests
(code entry, status, download) and complaints. Plain pages whose same-origin scripts post to the
public JSON API; not part of the API, so not in its document."""

from importlib.resources import files
from typing import Annotated

from litestar import Controller, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import NotFoundException
from litestar.params import PathParameter

_FILES = files("privacyhub.gateway.portal")
LAYOUT = _FILES.joinpath("layout.html").read_text(encoding="utf-8")

# Each page: its title (Dutch / English), and the name of its script and body. Its forms say
# method="post": should the script not run, nothing typed lands in an address or a server's log.
PAGES = {
    "": ("Privacyverklaring / Privacy statement", "statement"),
    "contact": ("Contact", "contact"),
    "rechten": ("Je privacyrechten / Your privacy rights", "rights"),
    "verzoek": ("Je verzoek volgen / Follow your request", "request"),
    "klacht": ("Klacht of datalek melden / Report a complaint or data breach", "complaint"),
}
SCRIPTS = {
    f"{name}.js": _FILES.joinpath(f"{name}.js").read_text(encoding="utf-8")
    for name in ("portal", *(script for _, script in PAGES.values()))
}
STYLE = _FILES.joinpath("portal.css").read_text(encoding="utf-8")

NOT_SNIFFED = {"x-content-type-options": "nosniff"}
# Scripts and styles only from files of this origin, and no referrer: a page's address never
# travels on, though the request page's address carries its access token for a moment only.
PORTAL_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    **NOT_SNIFFED,
    "content-security-policy": PORTAL_POLICY,
    "referrer-policy": "no-referrer",
}
FIVE_MINUTES = CacheControlHeader(max_age=300, public=True)


def render(slug: str) -> str:
    """A page in the portal's layout, its own link marked as the current one."""
    title, script = PAGES[slug]
    body = _FILES.joinpath("pages", f"{script}.html").read_text(encoding="utf-8")
    page = LAYOUT.replace("{title}", title).replace("{script}", script).replace("{main}", body)
    href = f'href="/privacy/{slug}"' if slug else 'href="/privacy"'
    return page.replace(f"<li><a {href}>", f'<li><a {href} aria-current="page">', 1)


RENDERED = {slug: render(slug) for slug in PAGES}


class PortalController(Controller):
    path = "/privacy"
    include_in_schema = False

    @get()
    async def statement(self) -> Response[str]:
        """The portal's first page: the privacy statement and its versions."""
        return Response(RENDERED[""], media_type="text/html", headers=PAGE_HEADERS)

    @get("/{page:str}")
    async def page(self, page: Annotated[str, PathParameter()]) -> Response[str]:
        """A page of the portal, Dutch first with English beside it."""
        if page not in RENDERED:
            raise NotFoundException()
        return Response(RENDERED[page], media_type="text/html", headers=PAGE_HEADERS)


class PortalAssetsController(Controller):
    path = "/static/portal"
    include_in_schema = False

    @get("/{name:str}", cache_control=FIVE_MINUTES)
    async def asset(self, name: Annotated[str, PathParameter()]) -> Response[str]:
        """The portal's scripts (one per page and one they share) and its style sheet."""
        if name == "portal.css":
            return Response(STYLE, media_type="text/css", headers=NOT_SNIFFED)
        if name not in SCRIPTS:
            raise NotFoundException()
        return Response(SCRIPTS[name], media_type="text/javascript", headers=NOT_SNIFFED)
