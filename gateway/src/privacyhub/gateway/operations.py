"""Who may read the operations routes that say more than "alive": metrics and the API document.

Unset, the operations token leaves them public, as a development system wants. Set, they answer
only a request bearing it; health and readiness stay open, since probes carry no token.
"""

import hmac

from litestar.types import Receive, Scope, Send
from privacyhub.gateway.answers import JSON
from privacyhub.gateway.errors import http_error_json
from privacyhub.gateway.routes import RouteTemplates

NOT_PUBLIC = RouteTemplates(exact=frozenset({"/metrics", "/schema"}), below=("/schema/",))
UNAUTHORIZED = http_error_json(401)


class OperationsToken:
    """Admits a request for a NOT_PUBLIC route only with `Authorization: Bearer <token>`."""

    def __init__(self, token: str | None) -> None:
        self._expected = None if token is None else f"bearer {token}".encode()

    def admits(self, template: str, scope: Scope) -> bool:
        if self._expected is None or not NOT_PUBLIC.cover(template):
            return True
        presented = dict(scope["headers"]).get(b"authorization", b"")
        # The scheme is case-insensitive; the token is compared in constant time.
        scheme, _, token = presented.partition(b" ")
        return hmac.compare_digest(scheme.lower() + b" " + token.strip(), self._expected)


async def answer_unauthorized(_scope: Scope, _receive: Receive, send: Send) -> None:
    """401 in the project's error shape, naming the scheme the route wants."""
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", JSON),
                (b"content-length", str(len(UNAUTHORIZED)).encode()),
                (b"www-authenticate", b"Bearer"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": UNAUTHORIZED})
