"""The console's session: an encrypted cookie (Litestar's client-side sessions, AES-GCM) holding
the signed-in staff member's id, roles, token id and expiry, and the CSRF check of its forms.

Both keys are derived from the staff token secret (HKDF, one purpose each): who holds that secret
can sign staff tokens anyway, and a rotation of it signs everybody out.
"""

from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.middleware.session.base import SessionMiddleware
from litestar.middleware.session.client_side import ClientSideSessionBackend, CookieBackendConfig
from litestar.types import ASGIApp
from privacyhub.gateway.guards import is_revoked, remember_staff, requires_role
from privacyhub.shared.auth import MAX_LIFETIME, Role, StaffMember
from privacyhub.shared.envelope import utc_now

CONSOLE_PATH = "/staff"
SESSION_COOKIE = "privacyhub-staff"
CSRF_COOKIE = "privacyhub-staff-csrf"
CSRF_FIELD = "_csrf_token"  # the form field Litestar's CSRF middleware reads


def derived_key(secret: str, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(
        secret.encode()
    )


def console_middleware(staff_token_secret: str) -> list[DefineMiddleware]:
    """The session, then the CSRF check, for every console route; their cookies go nowhere else."""
    session = CookieBackendConfig(
        secret=derived_key(staff_token_secret, "privacyhub staff console session"),
        key=SESSION_COOKIE,
        path=CONSOLE_PATH,
        max_age=int(MAX_LIFETIME.total_seconds()),
        secure=True,
        httponly=True,
        samesite="strict",
    )
    csrf = CSRFConfig(
        secret=derived_key(staff_token_secret, "privacyhub staff console csrf").hex(),
        cookie_name=CSRF_COOKIE,
        cookie_path=CONSOLE_PATH,
        cookie_secure=True,
        cookie_httponly=True,  # the token reaches the page inside each form, not by script
        cookie_samesite="strict",
    )
    return [
        DefineMiddleware(session_middleware, config=session),
        DefineMiddleware(CSRFMiddleware, config=csrf),
    ]


def session_middleware(app: ASGIApp, config: CookieBackendConfig) -> SessionMiddleware:
    """Litestar's session middleware, its backend (and cipher) made when the route is built:
    a router is copied when registered, and a cipher cannot be."""
    return SessionMiddleware(app=app, backend=ClientSideSessionBackend(config=config))


def start_session(connection: ASGIConnection, staff: StaffMember, expires_at: datetime) -> None:
    """Sign `staff` in until `expires_at` (at most the staff token's lifetime from now)."""
    expires_at = min(expires_at, utc_now() + MAX_LIFETIME)
    connection.set_session(
        {
            "staff_id": staff.staff_id,
            "roles": sorted(staff.roles),
            "token_id": staff.token_id,
            "expires_at": expires_at.isoformat(),
        }
    )


def end_session(connection: ASGIConnection) -> None:
    connection.clear_session()


def session_staff(connection: ASGIConnection) -> StaffMember | None:
    """Who is signed in, while the session has not expired and its token is not revoked."""
    session: dict[str, Any] = connection.session if connection.scope.get("session") else {}
    if not session.get("staff_id"):
        return None
    expires_at = datetime.fromisoformat(session["expires_at"])
    if expires_at <= utc_now() or is_revoked(connection, session["token_id"]):
        return None
    return StaffMember(
        staff_id=session["staff_id"],
        roles=frozenset(Role(role) for role in session["roles"]),
        token_id=session["token_id"],
        expires_at=expires_at,
    )


def signed_in(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Guard of the console's pages: a staff member is signed in (else 401, which signs in)."""
    staff = session_staff(connection)
    if staff is None:
        raise NotAuthorizedException("sign in to the staff console")
    remember_staff(connection, staff)


OFFICER_ONLY = [signed_in, requires_role(Role.PRIVACY_OFFICER)]
"""The guards of a page for privacy officers only, as the staff API's routes behind it."""
