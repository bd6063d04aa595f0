"""One JSON error shape for every failure: a machine code, a message in Dutch and English, and details."""

from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import ResponseSpec
from litestar.status_codes import (
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_503_SERVICE_UNAVAILABLE,
    HTTP_504_GATEWAY_TIMEOUT,
)
from privacyhub.gateway.refusals import refusal
from privacyhub.shared.queries import Refusal
from pydantic import BaseModel


class Message(BaseModel):
    nl: str
    en: str


class FieldProblem(BaseModel):
    field: str
    problem: str


class ErrorBody(BaseModel):
    code: str
    message: Message
    errors: list[FieldProblem] = []


class KafkaUnavailable(Exception):
    """Kafka did not acknowledge a message in time; nothing was accepted."""


class SensitiveDataRefused(Exception):
    """A free-text field holds data visitors are asked never to send; nothing was accepted."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("sensitive data refused")
        self.problems = problems


class QueryTimeout(Exception):
    """The service owning the data did not answer a read in time."""


_GENERIC = {
    400: ("bad_request", "Het verzoek is ongeldig.", "The request is invalid."),
    401: (
        "not_authenticated",
        "Log in met een geldig token.",
        "A valid bearer token is required.",
    ),
    403: (
        "forbidden",
        "Je rol geeft geen toegang tot dit gegeven.",
        "Your role does not give access to this.",
    ),
    404: ("not_found", "Niet gevonden.", "Not found."),
    405: (
        "method_not_allowed",
        "Deze methode is hier niet toegestaan.",
        "This method is not allowed here.",
    ),
    413: (
        "body_too_large",
        "Het verzoek is te groot.",
        "The request body is too large.",
    ),
    429: (
        "too_many_requests",
        "Te veel verzoeken; probeer het later opnieuw.",
        "Too many requests; try again later.",
    ),
}


def error_response(
    status: int,
    code: str,
    nl: str,
    en: str,
    *,
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[ErrorBody]:
    body = ErrorBody(code=code, message=Message(nl=nl, en=en), errors=errors or [])
    return Response(body, status_code=status, headers=headers)


def error_responses(descriptions: dict[int, str]) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the error answers a route gives, all in the one error shape."""
    return {
        status: ResponseSpec(data_container=ErrorBody, description=description)
        for status, description in descriptions.items()
    }


def _field_name(detail: dict[str, Any]) -> str:
    return str(detail.get("key") or detail.get("source") or "body")


def validation_failed(_: Request, exc: ValidationException) -> Response[ErrorBody]:
    details = exc.extra if isinstance(exc.extra, list) else []
    problems = [
        FieldProblem(field=_field_name(d), problem=str(d.get("message", "invalid")))
        for d in details
    ]
    return error_response(
        HTTP_422_UNPROCESSABLE_ENTITY,
        "validation_failed",
        "Een of meer velden zijn ongeldig.",
        "One or more fields are invalid.",
        errors=problems,
    )


def kafka_unavailable(request: Request, _: KafkaUnavailable) -> Response[ErrorBody]:
    retry_after = request.app.state.settings.kafka_retry_after_seconds
    return error_response(
        HTTP_503_SERVICE_UNAVAILABLE,
        "temporarily_unavailable",
        "We kunnen je verzoek nu niet aannemen; probeer het over enkele seconden opnieuw.",
        "We cannot accept your request right now; please try again in a few seconds.",
        headers={"Retry-After": str(retry_after)},
    )


def query_timeout(_: Request, __: QueryTimeout) -> Response[ErrorBody]:
    return error_response(
        HTTP_504_GATEWAY_TIMEOUT,
        "owner_did_not_answer",
        "De dienst die deze gegevens beheert antwoordde niet op tijd; probeer het opnieuw.",
        "The service that holds this data did not answer in time; please try again.",
    )


def refused(_: Request, exc: Refusal) -> Response[ErrorBody]:
    """A step the owning service refused: its code names the problem, its reason is the English."""
    status, nl = refusal(exc.code)
    return error_response(status, exc.code, nl, exc.reason)


def sensitive_data_refused(_: Request, exc: SensitiveDataRefused) -> Response[ErrorBody]:
    return error_response(
        HTTP_422_UNPROCESSABLE_ENTITY,
        "sensitive_data",
        "Je bericht bevat gevoelige persoonsgegevens. Laat die weg en verstuur het opnieuw.",
        "Your message contains sensitive personal data. Please leave it out and send it again.",
        errors=exc.problems,
    )


def _generic(status: int) -> tuple[str, str, str]:
    return _GENERIC.get(status, ("error", "Er ging iets mis.", "Something went wrong."))


def http_error(_: Request, exc: HTTPException) -> Response[ErrorBody]:
    code, nl, en = _generic(exc.status_code)
    return error_response(exc.status_code, code, nl, en, headers=exc.headers)


def http_error_json(status: int) -> bytes:
    """The body `http_error` gives `status`, encoded, for answers made outside Litestar."""
    code, nl, en = _generic(status)
    return ErrorBody(code=code, message=Message(nl=nl, en=en)).model_dump_json().encode()


EXCEPTION_HANDLERS = {
    ValidationException: validation_failed,
    KafkaUnavailable: kafka_unavailable,
    SensitiveDataRefused: sensitive_data_refused,
    QueryTimeout: query_timeout,
    Refusal: refused,
    HTTPException: http_error,
}
