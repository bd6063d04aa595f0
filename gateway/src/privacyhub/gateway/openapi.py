"""The OpenAPI document as the gateway really answers.

Litestar documents a validation failure as 400 with its own body, and knows nothing of what the
gateway adds around a handler. Each operation gets instead, from what its handler takes:
- 422 with the error body when it takes any input (validation_failed answers 422);
- 400 and 413 when it takes a body (not JSON; larger than GATEWAY_MAX_BODY_BYTES);
- 401 and 403 when it serves staff (a bearer token with a role);
- 503 when it publishes to Kafka (every 202) or asks a service through it; 504, and 404 for a
  record the service does not hold, when it asks a service;
- 429 unless it is an operation the rate limit leaves alone (routes.OPERATIONS).
Statuses a handler documents itself (error_responses) are kept as it describes them. Request
bodies are documented by pydantic's own schema of what it validates.
"""

from http import HTTPStatus
from typing import Any, get_args

from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.openapi.spec import (
    Components,
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    Reference,
    Schema,
    SecurityScheme,
)
from litestar.routes import HTTPRoute
from privacyhub.gateway.access_log import REASON_HEADER
from privacyhub.gateway.routes import OPERATIONS
from privacyhub.shared.contracts.access_log import ACCESS_REASON_MAX_LENGTH
from pydantic import BaseModel

REF_TEMPLATE = "#/components/schemas/{model}"
ERROR_BODY = Reference(ref=REF_TEMPLATE.format(model="ErrorBody"))
STAFF_SCHEME = "staffToken"

# Why each added status is answered, as the document says it.
ADDED: dict[int, str] = {
    400: "The body is not JSON.",
    401: "No valid staff token (Authorization: Bearer).",
    403: "The token's role does not give access to this.",
    404: "The service that holds the data has no such record.",
    413: "The body is larger than the gateway takes.",
    422: "A field or parameter is invalid; `errors` names each one.",
    429: "Too many requests from this client (or for this e-mail address); see Retry-After.",
    503: "Kafka did not take the message in time; nothing was accepted. See Retry-After.",
    504: "The service that holds the data did not answer in time.",
}


def document_as_answered(app: Litestar) -> None:
    """Correct `app`'s OpenAPI document before it is first served."""
    openapi = app.openapi_schema
    bodies: set[type[BaseModel]] = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or OPERATIONS.cover(route.path_format):
            continue
        for handler in route.route_handlers:
            takes = handler.parsed_fn_signature.parameters
            if "data" in takes:
                bodies |= _models_in(takes["data"].annotation)
            for method in handler.http_methods:
                operation = _operation(openapi, route.path_format, method)
                if operation is not None:
                    _reason_required(operation)
                    _add_statuses(operation, set(takes), staff=bool(handler.resolve_guards()))
    _declare_staff_token(openapi)
    document = openapi.to_schema()
    _bodies_as_validated(document, bodies)
    # Litestar serves the document it cached; it is replaced by the corrected one.
    app.plugins.get(OpenAPIPlugin)._openapi_schema = document


def _models_in(annotation: Any) -> set[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {annotation}
    return {model for argument in get_args(annotation) for model in _models_in(argument)}


def _bodies_as_validated(document: dict[str, Any], bodies: set[type[BaseModel]]) -> None:
    """Request bodies as pydantic validates them: Litestar's schemas drop constraints inside
    lists, some patterns and `extra="forbid"` (no further properties)."""
    components = document["components"]["schemas"]
    for model in bodies:
        schema = model.model_json_schema(ref_template=REF_TEMPLATE, mode="validation")
        for name, nested in schema.pop("$defs", {}).items():
            components[name] = nested
        components[model.__name__] = schema


def _operation(openapi: OpenAPI, path: str, method: str) -> Operation | None:
    item = (openapi.paths or {}).get(path)
    return getattr(item, method.lower(), None) if item is not None else None


def _reason_required(operation: Operation) -> None:
    """The access reason is checked by the staff-reads dependency (so that a refusal names the
    header), not by Litestar: the document says it is required all the same."""
    for parameter in operation.parameters or []:
        if isinstance(parameter, Parameter) and parameter.name == REASON_HEADER:
            parameter.required = True
            parameter.schema = Schema(
                type=OpenAPIType.STRING, pattern=r"\S", max_length=ACCESS_REASON_MAX_LENGTH
            )


def _add_statuses(operation: Operation, takes: set[str], *, staff: bool) -> None:
    responses: dict[str, Any] = operation.responses or {}
    default = responses.get("400")
    if default is not None and default.description == HTTPStatus.BAD_REQUEST.description:
        del responses["400"]  # Litestar's, for the validation failure answered as 422
    wanted = {429}
    if operation.parameters or "data" in takes:
        wanted.add(422)
    if "data" in takes:
        wanted |= {400, 413}
    if staff:
        wanted |= {401, 403}
        operation.security = [{STAFF_SCHEME: []}]
    if {"publisher", "queries"} & takes or "202" in responses:
        wanted.add(503)
    if "queries" in takes:
        wanted |= {404, 504}
    for status in sorted(wanted):
        responses.setdefault(
            str(status),
            OpenAPIResponse(
                description=ADDED[status],
                content={"application/json": OpenAPIMediaType(schema=ERROR_BODY)},
            ),
        )
    operation.responses = responses


def _declare_staff_token(openapi: OpenAPI) -> None:
    components = openapi.components or Components()
    components.security_schemes = {
        **(components.security_schemes or {}),
        STAFF_SCHEME: SecurityScheme(
            type="http",
            scheme="bearer",
            bearer_format="JWT",
            description="A staff token from privacyhub-token: roles, audience privacyhub-staff-api.",
        ),
    }
    openapi.components = components
