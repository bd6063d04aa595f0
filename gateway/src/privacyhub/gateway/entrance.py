"""Where every HTTP request enters the gateway: limited per client, measured per route template,
then answered by the lane given for its path, if any, or by Litestar.

One plain ASGI wrapper in front of Litestar instead of two middlewares inside it: a request
costs one token-bucket step, one lookup of its route's series, and one send wrapper that adds
the RateLimit fields and notes the status.

A request is judged by the template of the route that serves it, never by a substring of the
requested path, so a visitor id in a path can neither make a route look exempt nor land in a
metric label. Health, readiness, metrics and the OpenAPI document are neither limited nor
measured, and metrics and the document answer only the operations token when one is set
(operations.py); nor are OPTIONS requests (CORS preflights, which Litestar's CORS handling answers
before any route). A request for which there is no route (404, 405) is limited but not
measured. A refused request is answered 429 with Retry-After in the project's error shape, with
the CORS headers of any other answer.
"""

import time
from collections.abc import Callable, Mapping

from litestar.types import ASGIApp, Message, Receive, Scope, Send
from privacyhub.gateway.answers import send_json
from privacyhub.gateway.errors import http_error_json
from privacyhub.gateway.metrics import RequestMetrics
from privacyhub.gateway.operations import OperationsToken, answer_unauthorized
from privacyhub.gateway.rate_limit import UNKNOWN_CLIENT, ClientRateLimiter
from privacyhub.gateway.routes import RouteTemplates

RouteFinder = Callable[[Scope], str | None]
"""The template of the route that serves a request; None when no route does."""


class Entrance:
    """Rate limiting and request metrics in front of `app`; POSTs to a path of `lanes` go to
    that lane instead (an ASGI app answering the route Litestar declares for the same path)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        route_of: RouteFinder,
        limiter: ClientRateLimiter,
        metrics: RequestMetrics,
        unlimited: RouteTemplates,
        operations: OperationsToken,
        refusal: ASGIApp,
        lanes: Mapping[str, ASGIApp],
    ) -> None:
        self._app = app
        self._route_of = route_of
        self._limiter = limiter
        self._metrics = metrics
        self._unlimited = unlimited
        self._operations = operations
        self._refusal = refusal
        self._lanes = lanes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "OPTIONS":
            await self._app(scope, receive, send)
            return
        method = scope["method"]
        lane = self._lanes.get(scope["path"]) if method == "POST" else None
        template = scope["path"] if lane is not None else self._route_of(scope)
        if template is not None and self._unlimited.cover(template):
            admitted = self._operations.admits(template, scope)
            await (self._app if admitted else answer_unauthorized)(scope, receive, send)
            return

        client = scope.get("client")
        verdict = self._limiter.take(client[0] if client else UNKNOWN_CLIENT)
        rate_limit_headers = self._limiter.headers(verdict)
        status = 500  # what the client gets when the app raises before answering

        async def send_answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), *rate_limit_headers]
            await send(message)

        if not verdict.allowed:
            await self._refusal(scope, receive, send_answer)
            return
        answer = lane or self._app
        if template is None:
            await answer(scope, receive, send_answer)
            return
        series = self._metrics.route(method, template)
        started = time.perf_counter()
        series.in_progress.inc()
        try:
            await answer(scope, receive, send_answer)
        finally:
            series.in_progress.dec()
            series.finished(status, time.perf_counter() - started)


TOO_MANY_REQUESTS = http_error_json(429)


async def answer_too_many_requests(_scope: Scope, _receive: Receive, send: Send) -> None:
    """429 in the project's error shape; the entrance adds Retry-After and the RateLimit fields."""
    await send_json(send, 429, TOO_MANY_REQUESTS)
