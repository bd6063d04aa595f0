"""Public intakes answered without Litestar's per-request machinery.

A lean intake takes a POST of one JSON form on one path and answers with what its `accept`
returns once that has published the form's event (202 by default). It reads the body within
the gateway's limit, validates it with the form's pydantic model as Litestar's pydantic plugin
does (decode, then `model_validate`), and calls `accept` with the form and the request's
headers: no dependency injection, no signature model, no response negotiation. On the hot path
that is most of a request's cost.

Litestar still declares the same route, so the OpenAPI document describes it (request body,
answer, headers, errors), and serves it for a path the entrance does not hand to the lane (the
path with a trailing slash). Errors keep the shapes Litestar gives them, through the app's own
exception handlers (errors.py): 413 beyond the body limit, 400 for a body that is not JSON, 422
naming each invalid field, 503 with Retry-After when Kafka cannot take the event.
"""

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import msgspec
from litestar import Litestar
from litestar.exceptions import ClientException, InternalServerException, ValidationException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.types import Receive, Scope, Send
from privacyhub.gateway.answers import send_json
from pydantic import BaseModel, ValidationError

logger = logging.getLogger(__name__)

FormT = TypeVar("FormT", bound=BaseModel)


class RequestHeaders:
    """The few request headers an intake reads, found in one pass over the ASGI headers."""

    __slots__ = ("content_length", "global_privacy_control", "user_agent")

    def __init__(self, scope: Scope) -> None:
        self.content_length: int | None = None
        self.user_agent: str | None = None
        self.global_privacy_control: str | None = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                self.content_length = _content_length(value)
            elif name == b"user-agent":
                self.user_agent = value.decode("latin-1")
            elif name == b"sec-gpc":
                self.global_privacy_control = value.decode("latin-1")


def _content_length(value: bytes) -> int:
    try:
        return int(value)
    except ValueError:
        raise ClientException(f"Invalid content-length: {value!r}") from None


class LeanIntake(Generic[FormT]):
    """The ASGI app of one intake: `accept(form, headers)` is called with a valid form only."""

    def __init__(
        self,
        app: Litestar,
        form: type[FormT],
        accept: Callable[[FormT, RequestHeaders], Awaitable[BaseModel]],
        *,
        max_body_bytes: int,
        status: int = 202,
    ) -> None:
        self._app = app
        self._form = form
        self._accept = accept
        self._max_body_bytes = max_body_bytes
        self._status = status

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            headers = RequestHeaders(scope)
            form = self._validated(await self._body(headers, receive))
            accepted = await self._accept(form, headers)
        except Exception as error:  # answered as Litestar would answer it
            await self._answer_error(scope, receive, send, error)
            return
        await send_json(send, self._status, accepted.__pydantic_serializer__.to_json(accepted))

    async def _body(self, headers: RequestHeaders, receive: Receive) -> bytes:
        limit = self._max_body_bytes
        if headers.content_length is not None and headers.content_length > limit:
            raise RequestEntityTooLarge
        chunks = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise InternalServerException("client disconnected prematurely")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise RequestEntityTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _validated(self, body: bytes) -> FormT:
        try:
            value = msgspec.json.decode(body) if body else None
        except msgspec.DecodeError as error:
            raise ClientException(str(error)) from error
        try:
            return self._form.model_validate(value)
        except ValidationError as error:
            raise ValidationException(
                "invalid fields",
                extra=[
                    {
                        "key": ".".join(str(part) for part in problem["loc"]),
                        "message": problem["msg"].split(" - ", maxsplit=1)[0],
                    }
                    for problem in error.errors(include_input=False)
                ],
            ) from error

    async def _answer_error(
        self, scope: Scope, receive: Receive, send: Send, error: Exception
    ) -> None:
        # Litestar's exception handlers want a Litestar request of this app.
        scope["app"] = scope["litestar_app"] = self._app
        scope.setdefault("state", {})
        handler = _handler_for(self._app, error)
        if handler is None:
            # The type only: the message of an unforeseen error might quote the form.
            logger.error("A lean intake failed", extra={"error": type(error).__name__})
            error = InternalServerException()
            handler = _handler_for(self._app, error)
        request = self._app.request_class(scope, receive, send)
        response: Any = handler(request, error)  # type: ignore[misc]
        answer = response.to_asgi_response(
            app=None, request=request, type_encoders=self._app.type_encoders
        )
        await answer(scope, receive, send)


def _handler_for(app: Litestar, error: Exception) -> Callable[..., Any] | None:
    for kind in type(error).__mro__:
        if kind in app.exception_handlers:
            return app.exception_handlers[kind]
    return None
