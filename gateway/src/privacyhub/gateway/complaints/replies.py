"""Turning the requests service's answers into HTTP: 404 for nothing there, 409 for a refused staff action."""

from litestar import Request, Response
from litestar.exceptions import InternalServerException, NotFoundException
from litestar.openapi import ResponseSpec
from litestar.status_codes import HTTP_409_CONFLICT
from privacyhub.gateway.errors import ErrorBody, error_response
from privacyhub.shared.queries import Reply
from pydantic import JsonValue


class StaffActionRefused(Exception):
    """The complaint or breach entry is in a state that does not allow the action."""

    def __init__(self, code: str, *, nl: str, en: str) -> None:
        super().__init__(code)
        self.code = code
        self.nl = nl
        self.en = en


def refused(_: Request, exc: StaffActionRefused) -> Response[ErrorBody]:
    return error_response(HTTP_409_CONFLICT, exc.code, exc.nl, exc.en)


def conflict_response(description: str) -> dict[int, ResponseSpec]:
    """The OpenAPI description of a route's 409."""
    return {HTTP_409_CONFLICT: ResponseSpec(data_container=ErrorBody, description=description)}


def found(reply: Reply) -> JsonValue:
    """The result of a found reply; 404 when the requests service holds nothing under the id."""
    if reply.status == "not_found":
        raise NotFoundException(reply.reason)
    if reply.status != "found":
        raise InternalServerException(f"the requests service refused the query: {reply.reason}")
    return reply.result
