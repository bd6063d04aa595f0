"""The requester's side: submit a request, confirm it with the e-mailed code (or ask for a new one), follow it with the access token."""

import base64
from typing import Annotated
from uuid import uuid4

from litestar import Controller, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import HeaderParameter, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED
from privacyhub.gateway.errors import error_responses
from privacyhub.gateway.publishing import EventPublisher
from privacyhub.gateway.queries import QueryClient, ask_owner, command_owner
from privacyhub.gateway.rate_limit import AddressLimiter
from privacyhub.gateway.rights.intake import accept_rights_request
from privacyhub.gateway.rights.schemas import (
    CodeEntry,
    RequestId,
    RightsRequestAccepted,
    RightsRequestForm,
    VerificationResult,
)
from privacyhub.gateway.settings import GatewaySettings
from privacyhub.shared.contracts.rights import (
    EXPORT_QUERY,
    RESEND_CODE_COMMAND,
    STATUS_QUERY,
    VERIFY_CODE_COMMAND,
    Channel,
    CodeAttempt,
    CodeResend,
    CodeResent,
    PackageChunk,
    PackageLookup,
    RightsRequestView,
    StatusLookup,
)
from privacyhub.shared.envelope import utc_now
from privacyhub.shared.identity import secret_digest, subject_id_for_email, visitor_id_for_key
from privacyhub.shared.topics import REQUESTS_COMMANDS, REQUESTS_QUERIES

# A request's status and its package are one person's data: no cache on the way may keep them.
PRIVATE = CacheControlHeader(no_store=True)

AccessToken = Annotated[
    str | None,
    HeaderParameter(
        name="Authorization",
        description="`Bearer <access_token>`, the token returned when the request was submitted.",
    ),
]

DownloadCode = Annotated[
    str | None,
    HeaderParameter(
        name="X-Download-Code",
        max_length=100,
        description="The download code from the e-mail saying the request was carried out: the "
        "package goes only to who can read the verified address.",
    ),
]


def bearer_token(authorization: str | None) -> str:
    """The access token from `Authorization: Bearer <token>`; without one the request does not exist for the caller."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotFoundException()
    return token.strip()


class RightsRequestController(Controller):
    path = "/v1/rights-requests"
    tags = ["rights requests"]

    @post(
        status_code=HTTP_202_ACCEPTED,
        operation_id="submitRightsRequest",
        responses=error_responses(
            {429: "Too many requests and complaints for this e-mail address today."}
        ),
    )
    async def submit(
        self,
        data: JSONBody[RightsRequestForm],
        publisher: NamedDependency[EventPublisher],
        settings: NamedDependency[GatewaySettings],
        addresses: NamedDependency[AddressLimiter],
    ) -> RightsRequestAccepted:
        """Submit a rights request (access, rectification, erasure, restriction, portability, objection, withdraw_consent). Answers 202 with the request id, the due date (one calendar month after today) and an access token once Kafka holds it; a verification code is e-mailed. 429 when the address was given too often today; 503 when Kafka cannot take it."""
        secret = settings.subject_id_secret.get_secret_value()
        addresses.take(subject_id_for_email(secret, str(data.email)))
        return await accept_rights_request(
            publisher,
            subject_id_secret=settings.subject_id_secret.get_secret_value(),
            type=data.type,
            channel=Channel.WEB,
            email=str(data.email),
            details=data.details,
            corrections=data.corrections,
            visitor_ids=list(dict.fromkeys(map(visitor_id_for_key, data.visitor_keys))),
            received_at=utc_now(),
        )

    @post(
        "/{request_id:uuid}/verify",
        status_code=HTTP_200_OK,
        operation_id="verifyRightsRequest",
        responses=error_responses(
            {
                400: "Wrong or expired code, or a request by letter.",
                404: "No such request.",
                429: "Too many wrong codes: the request is locked.",
            }
        ),
    )
    async def verify(
        self,
        request_id: RequestId,
        data: JSONBody[CodeEntry],
        queries: NamedDependency[QueryClient],
    ) -> VerificationResult:
        """Confirm a request with the code from the e-mail; an approved rectification of the e-mail address takes here the code sent to the new address, and is carried out only once it is entered. 200 once verified; 400 for a wrong or expired code (`POST .../code` sends a new one); 429 after too many wrong codes, after which even the right code is refused; 404 for an unknown request."""
        # One id per try: should Kafka deliver the command twice, the service counts it once.
        attempt = CodeAttempt(request_id=request_id, code=data.code, attempt_id=uuid4())
        return await command_owner(
            queries,
            REQUESTS_COMMANDS,
            VERIFY_CODE_COMMAND,
            attempt,
            VerificationResult,
            key=str(request_id),
        )

    @post(
        "/{request_id:uuid}/code",
        status_code=HTTP_202_ACCEPTED,
        operation_id="resendRightsRequestCode",
        responses=error_responses(
            {
                400: "A request by letter: a privacy officer verifies it, no code is sent.",
                404: "No such request, or a missing or wrong access token.",
                409: "Already verified, or already decided.",
                429: "A code was sent only a moment ago, no new codes are left for this request, "
                "or it is locked after too many wrong codes.",
            }
        ),
    )
    async def resend_code(
        self,
        request_id: RequestId,
        queries: NamedDependency[QueryClient],
        authorization: AccessToken = None,
    ) -> CodeResent:
        """Ask for a new verification code by e-mail, when the code expired or its e-mail got lost, as the holder of the request's access token (`Authorization: Bearer <access_token>`); while an approved rectification waits for its new e-mail address, the code goes to that address. 202 once the new code is on its way: the codes sent before stop working, and wrong tries with them still count. By default at most three new codes per request, each at least a minute after the code before: 429 `too_many_resends` or `resend_too_soon`. A request locked after too many wrong codes stays locked: 429 `too_many_attempts`, as when entering a code. 409 once verified or decided; 400 for a request by letter; 404 for an unknown request and for a missing or wrong token alike."""
        # One id per ask: should Kafka deliver the query twice, the service mails one code.
        command = CodeResend(
            request_id=request_id,
            access_token_sha256=secret_digest(bearer_token(authorization)),
            command_id=uuid4(),
        )
        return await command_owner(
            queries,
            REQUESTS_COMMANDS,
            RESEND_CODE_COMMAND,
            command,
            CodeResent,
            key=str(request_id),
        )

    @get(
        "/{request_id:uuid}",
        operation_id="getRightsRequest",
        cache_control=PRIVATE,
        responses=error_responses({404: "No such request, or a missing or wrong access token."}),
    )
    async def status(
        self,
        request_id: RequestId,
        queries: NamedDependency[QueryClient],
        authorization: AccessToken = None,
    ) -> RightsRequestView:
        """A request's status, due date, decision and reasons, for the holder of its access token (`Authorization: Bearer <access_token>`). 404 for an unknown request and for a missing or wrong token alike, so nobody learns which requests exist."""
        lookup = StatusLookup(
            request_id=request_id,
            access_token_sha256=secret_digest(bearer_token(authorization)),
        )
        return await ask_owner(
            queries, REQUESTS_QUERIES, STATUS_QUERY, lookup, RightsRequestView, key=str(request_id)
        )

    @get(
        "/{request_id:uuid}/export",
        operation_id="downloadRightsRequestExport",
        cache_control=PRIVATE,
        media_type="application/zip",
        responses=error_responses(
            {
                403: "A missing or wrong download code (`wrong_download_code`).",
                404: "No such access or portability request, or a missing or wrong access token.",
                409: "The package is not ready yet.",
                410: "The package was deleted: 30 days after completion, or a while after its "
                "first full download (`package_gone`).",
            }
        ),
    )
    async def export(
        self,
        request_id: RequestId,
        queries: NamedDependency[QueryClient],
        authorization: AccessToken = None,
        download_code: DownloadCode = None,
    ) -> Response[bytes]:
        """The access or portability package (a ZIP with the data as JSON and a readable HTML summary) once every data owner has answered, for the holder of the request's access token and of the download code e-mailed to the verified address. 409 while it is not ready; 403 without the right download code; 404 for an unknown request, another kind of request, or a missing or wrong token."""
        token_sha256 = secret_digest(bearer_token(authorization))
        code_sha256 = secret_digest(download_code or "")
        chunks: list[bytes] = []
        while True:
            lookup = PackageLookup(
                request_id=request_id,
                access_token_sha256=token_sha256,
                download_code_sha256=code_sha256,
                chunk=len(chunks),
            )
            package = await ask_owner(
                queries, REQUESTS_QUERIES, EXPORT_QUERY, lookup, PackageChunk, key=str(request_id)
            )
            chunks.append(base64.b64decode(package.zip_base64))
            if len(chunks) >= package.chunks:
                break
        return Response(
            content=b"".join(chunks),
            media_type="application/zip",
            headers={"content-disposition": f'attachment; filename="{package.filename}"'},
        )
