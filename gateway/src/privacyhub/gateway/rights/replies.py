"""The requests service's answers as HTTP: found 200, not_found 404, a rejection 400, 409 or 429."""

from uuid import UUID

from litestar import Request, Response
from litestar.exceptions import InternalServerException, NotFoundException
from litestar.openapi import ResponseSpec
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_409_CONFLICT,
    HTTP_429_TOO_MANY_REQUESTS,
)
from privacyhub.gateway.errors import ErrorBody, error_response
from privacyhub.gateway.queries import QueryClient
from privacyhub.shared.contracts.rights import Rejection
from privacyhub.shared.queries import Query
from privacyhub.shared.topics import REQUESTS_QUERIES
from pydantic import BaseModel, JsonValue

REJECTIONS: dict[Rejection, tuple[int, str, str]] = {
    Rejection.WRONG_CODE: (
        HTTP_400_BAD_REQUEST,
        "De code klopt niet. Controleer de e-mail en probeer het opnieuw.",
        "The code is not right. Check the e-mail and try again.",
    ),
    Rejection.CODE_EXPIRED: (
        HTTP_400_BAD_REQUEST,
        "De code is verlopen. Dien je verzoek opnieuw in voor een nieuwe code.",
        "The code has expired. Submit your request again to get a new code.",
    ),
    Rejection.NO_CODE_FOR_LETTERS: (
        HTTP_400_BAD_REQUEST,
        "Voor een verzoek per brief controleert onze privacyfunctionaris je identiteit.",
        "For a request by letter, our privacy officer verifies your identity.",
    ),
    Rejection.TOO_MANY_ATTEMPTS: (
        HTTP_429_TOO_MANY_REQUESTS,
        "Te veel verkeerde codes: dit verzoek is geblokkeerd. Mail privacy@jobport.nl of dien "
        "een nieuw verzoek in.",
        "Too many wrong codes: this request is locked. Write to privacy@jobport.nl or submit "
        "a new request.",
    ),
    Rejection.NOT_VERIFIED: (
        HTTP_409_CONFLICT,
        "De identiteit van de aanvrager is nog niet gecontroleerd.",
        "The requester's identity has not been verified yet.",
    ),
    Rejection.ALREADY_DECIDED: (
        HTTP_409_CONFLICT,
        "Over dit verzoek is al besloten.",
        "This request has already been decided.",
    ),
    Rejection.ALREADY_EXTENDED: (
        HTTP_409_CONFLICT,
        "De termijn van dit verzoek is al verlengd.",
        "The deadline of this request has already been extended.",
    ),
    Rejection.EXTENSION_TOO_LATE: (
        HTTP_409_CONFLICT,
        "Verlengen kan alleen binnen de eerste maand na ontvangst.",
        "An extension is only possible within the first month after receipt.",
    ),
    Rejection.NOT_READY: (
        HTTP_409_CONFLICT,
        "Je gegevens staan nog niet klaar. Je krijgt een e-mail zodra ze klaar zijn.",
        "Your data is not ready yet. You will get an e-mail once it is.",
    ),
    Rejection.NOT_A_COMPLETED_RESTRICTION: (
        HTTP_409_CONFLICT,
        "Alleen de beperking van een uitgevoerd verzoek om beperking kan worden opgeheven.",
        "Only the restriction of a completed restriction request can be lifted.",
    ),
}


class RightsRequestRejected(Exception):
    def __init__(self, rejection: Rejection) -> None:
        super().__init__(rejection.value)
        self.rejection = rejection


def error_responses(descriptions: dict[int, str]) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the error answers a route gives, all in the one error shape."""
    return {
        status: ResponseSpec(data_container=ErrorBody, description=description)
        for status, description in descriptions.items()
    }


def rejected(_: Request, exc: RightsRequestRejected) -> Response[ErrorBody]:
    status, nl, en = REJECTIONS[exc.rejection]
    return error_response(status, exc.rejection.value, nl, en)


async def ask(
    queries: QueryClient, name: str, arguments: BaseModel, *, request_id: UUID | None = None
) -> JsonValue:
    """The service's result; raises 404, a rejection, or 500 for a query it could not read."""
    subject = str(request_id) if request_id else "rights-request-queue"
    reply = await queries.ask(
        REQUESTS_QUERIES, subject, Query(name=name, arguments=arguments.model_dump(mode="json"))
    )
    if reply.status == "found":
        return reply.result
    if reply.status == "not_found":
        raise NotFoundException()
    rejection = reply.result.get("rejection") if isinstance(reply.result, dict) else None
    if rejection in set(Rejection):
        raise RightsRequestRejected(Rejection(rejection))
    raise InternalServerException(f"the requests service refused the query: {reply.reason}")
