"""Staff routes: a signed bearer token that is not revoked is required (401), and one of the
route's roles (403).

Lives in the gateway rather than shared/ because only the gateway answers HTTP
for staff; the token format itself is shared (privacyhub.shared.auth).
"""

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard
from privacyhub.shared.auth import InvalidToken, Role, StaffMember, verify_token

STAFF_MEMBER_KEY = "staff_member"


def authenticate(connection: ASGIConnection) -> StaffMember:
    """The verified caller of a staff route, remembered on the connection for the handler."""
    cached = connection.scope.get("state", {}).get(STAFF_MEMBER_KEY)
    if cached is not None:
        return cached
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthorizedException("a bearer token is required")
    staff = verified_staff(connection, token.strip())
    remember_staff(connection, staff)
    return staff


def verified_staff(connection: ASGIConnection, token: str) -> StaffMember:
    """Who a staff token names, when it is signed by us, unexpired and not revoked; else 401."""
    secret = connection.app.state.settings.staff_token_secret.get_secret_value()
    try:
        staff = verify_token(secret, token)
    except InvalidToken as error:
        raise NotAuthorizedException("the bearer token is not valid") from error
    if is_revoked(connection, staff.token_id):
        raise NotAuthorizedException("the bearer token has been revoked")
    return staff


def is_revoked(connection: ASGIConnection, token_id: str) -> bool:
    return token_id in connection.app.state.revoked_tokens


def remember_staff(connection: ASGIConnection, staff: StaffMember) -> None:
    """`staff` is who makes this request, for the handler and the access log."""
    connection.scope.setdefault("state", {})[STAFF_MEMBER_KEY] = staff


def requires_role(*roles: Role) -> Guard:
    """A guard letting through staff holding at least one of `roles`."""
    allowed = frozenset(roles)

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        staff = authenticate(connection)
        if not staff.roles & allowed:
            raise PermissionDeniedException("this role has no access here")

    return guard


def any_staff() -> Guard:
    return requires_role(*Role)


async def provide_staff_member(request: Request) -> StaffMember:
    """Dependency for staff handlers: who is calling (the guard has already verified it)."""
    return authenticate(request)
