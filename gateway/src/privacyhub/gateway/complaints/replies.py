"""Turning the requests service's answers into HTTP: 404 for nothing there, 409 for a refused staff action."""

from litestar import Request, Response
from litestar.openapi import ResponseSpec
from litestar.status_codes import HTTP_409_CONFLICT
from privacyhub.gateway.errors import ErrorBody, error_response


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
