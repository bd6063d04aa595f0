"""Signing in to the console and out: a pasted staff token, verified exactly as the staff API
verifies a bearer token (signature, audience, lifetime, revocation), or in development a local
sign-in with a staff id and roles."""

from datetime import timedelta
from typing import Any

import httpx
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.response import Redirect, Template
from privacyhub.gateway.console.oidc import (
    OpenIdSignIn,
    SignInRefused,
    expired_transaction_cookie,
)
from privacyhub.gateway.console.pages import PAGE_HEADERS, page, see_other
from privacyhub.gateway.console.session import end_session, start_session
from privacyhub.gateway.guards import verified_staff
from privacyhub.gateway.settings import GatewaySettings
from privacyhub.shared.auth import Role, StaffMember, new_token_id
from privacyhub.shared.envelope import utc_now

MAX_STAFF_ID = 100
# A local or provider sign-in lasts as long as a token of `privacyhub-token` lives by default.
LOCAL_SESSION = timedelta(hours=8)


class SignInController(Controller):
    path = "/staff"
    include_in_schema = False

    @get("/aanmelden")
    async def form(
        self, request: Request[Any, Any, Any], settings: NamedDependency[GatewaySettings]
    ) -> Template:
        """The sign-in page: paste a token; in development also the local sign-in."""
        return self._page(request, settings)

    @post("/aanmelden/token")
    async def with_token(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[GatewaySettings],
    ) -> Template | Redirect:
        """Sign in with a staff token, as the staff API would take it."""
        token = str((await request.form()).get("token", "")).strip()
        try:
            staff = verified_staff(request, token)
        except NotAuthorizedException:
            problem = (
                "Dit token is ongeldig, verlopen of ingetrokken. "
                "/ This token is invalid, expired or revoked."
            )
            return self._page(request, settings, status=401, problems={"token": problem})
        start_session(request, staff, staff.expires_at or utc_now())
        return see_other("/staff")

    @post("/aanmelden/lokaal")
    async def locally(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[GatewaySettings],
    ) -> Template | Redirect:
        """Sign in as any staff id with any roles: only in development."""
        if settings.environment != "development":
            raise NotFoundException()
        form = await request.form()
        staff_id = str(form.get("staff_id", "")).strip()
        roles = {Role(role) for role in form.getall("roles", []) if role in set(Role)}
        problems = {}
        if not staff_id or len(staff_id) > MAX_STAFF_ID:
            problems["staff_id"] = "Vul je medewerkersnaam in. / Enter your staff id."
        if not roles:
            problems["roles"] = "Kies minstens één rol. / Choose at least one role."
        if problems:
            return self._page(request, settings, status=422, problems=problems)
        staff = StaffMember(staff_id=staff_id, roles=frozenset(roles), token_id=new_token_id())
        start_session(request, staff, utc_now() + LOCAL_SESSION)
        return see_other("/staff")

    @get("/aanmelden/oidc")
    async def with_provider(
        self, request: Request[Any, Any, Any], settings: NamedDependency[GatewaySettings]
    ) -> Redirect | Template:
        """Off to the organisation's OpenID Connect provider, when one is configured."""
        provider = _provider(settings)
        try:
            url, cookie = await provider.authorization_url(request)
        except (httpx.HTTPError, SignInRefused) as error:
            return self._page(request, settings, status=502, problems={"oidc": _unreachable(error)})
        return Redirect(url, cookies=[cookie], headers=PAGE_HEADERS)

    @get("/aanmelden/oidc/terug")
    async def back_from_provider(
        self, request: Request[Any, Any, Any], settings: NamedDependency[GatewaySettings]
    ) -> Template:
        """The provider's redirect back: the staff member is signed in once everything checks out."""
        provider = _provider(settings)
        try:
            staff = await provider.staff_member(request)
        except SignInRefused as refused:
            return self._page(request, settings, status=401, problems={"oidc": str(refused)})
        except httpx.HTTPError as error:
            return self._page(request, settings, status=502, problems={"oidc": _unreachable(error)})
        start_session(request, staff, utc_now() + LOCAL_SESSION)
        signed_in = page(request, "signed_in.html")
        signed_in.set_cookie(expired_transaction_cookie())
        return signed_in

    @post("/afmelden")
    async def sign_out(self, request: Request[Any, Any, Any]) -> Redirect:
        """End the session; the cookie is cleared."""
        end_session(request)
        return see_other("/staff/aanmelden")

    @staticmethod
    def _page(
        request: Request[Any, Any, Any],
        settings: GatewaySettings,
        *,
        status: int = 200,
        **context: Any,
    ) -> Template:
        return page(
            request,
            "sign_in.html",
            status=status,
            development=settings.environment == "development",
            provider=settings.staff_oidc_issuer is not None,
            roles=list(Role),
            **context,
        )


def _provider(settings: GatewaySettings) -> OpenIdSignIn:
    if settings.staff_oidc_issuer is None or settings.staff_oidc_client_id is None:
        raise NotFoundException()
    return OpenIdSignIn(settings)


def _unreachable(error: Exception) -> str:
    return (
        "De aanmeldaanbieder is nu niet bereikbaar; probeer het zo opnieuw of meld je aan met een "
        f"token. / The sign-in provider cannot be reached now ({type(error).__name__}); try again "
        "shortly or sign in with a token."
    )
