"""E-mailing verification codes: the first with the request's receipt, a new one when the requester asks.

A new code replaces the one before; only its HMAC is kept (codes.py). Asking is limited: at most
`verification_code_resends` new codes per request, each at least the resend interval after the
code before, so a double click sends one e-mail and an inbox cannot be flooded through one request.
Wrong tries count across all codes of a request: a new code neither resets them nor lifts the lock.

An approved rectification of the e-mail address sends a code of the same kind to the new address
(and nothing else until it is entered): the request awaits that code as it awaited the first,
with its tries and new codes counted afresh.
"""

import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from privacyhub.requests.mail import Mailer
from privacyhub.requests.rights.codes import address_digest, code_digest, new_code
from privacyhub.requests.rights.notices import code_notice
from privacyhub.requests.rights.requests_store import (
    AWAITING_A_CODE,
    RightsRequestDocument,
    RightsRequests,
)
from privacyhub.requests.settings import RequestsSettings
from privacyhub.shared.clock import Clock
from privacyhub.shared.contracts.rights import (
    Channel,
    CodeResend,
    CodeResent,
    Rejection,
    RightType,
    Status,
)

# The step in the request's `notified` once its first code is e-mailed; an asked-for code adds its command id.
CODE = "code"
# The step once the code to a rectification's new address is e-mailed, per execution attempt.
NEW_EMAIL_CODE = "new_email_code"


def code_address(document: RightsRequestDocument) -> str:
    """Where the code the request awaits goes: the new address of a rectification waiting for
    it, else the requester's."""
    if document["status"] == Status.AWAITING_NEW_EMAIL_VERIFICATION:
        return document["corrections"]["email"]
    return document["email"]


def new_email_step(document: RightsRequestDocument) -> str:
    attempt = (document.get("execution") or {}).get("attempt", 0)
    return f"{NEW_EMAIL_CODE}#{attempt}" if attempt else NEW_EMAIL_CODE


class VerificationCodes:
    def __init__(
        self,
        *,
        requests: RightsRequests,
        mailer: Mailer,
        settings: RequestsSettings,
        clock: Clock,
    ) -> None:
        self._requests = requests
        self._mailer = mailer
        self._settings = settings
        self._clock = clock
        self._resend_interval = timedelta(
            seconds=settings.verification_code_resend_interval_seconds
        )

    async def send(
        self, request_id: UUID, email: str, *, step: str = CODE, new_email: bool = False
    ) -> None:
        """Issue a fresh code, e-mail it (to a rectification's `new_email` address: saying so)
        and remember `step` as told."""
        code = new_code()
        lifetime = timedelta(seconds=self._settings.verification_code_lifetime_seconds)
        now = self._clock()
        await self._requests.issue_code(
            request_id,
            digest=code_digest(
                self._settings.verification_code_secret.get_secret_value(), request_id, code
            ),
            issued_at=now,
            expires_at=now + lifetime,
        )
        notice = code_notice(
            request_id,
            code,
            lifetime_minutes=max(1, round(lifetime.total_seconds() / 60)),
            max_attempts=self._settings.verification_max_attempts,
            replaces_earlier=step.startswith(f"{CODE}:"),
            new_email=new_email,
        )
        await self._mailer.send(email, notice)
        await self._requests.mark_notified(request_id, step)

    def address_digest(self, request_id: UUID, address: str) -> str:
        """What the request keeps of a new address verified for it."""
        secret = self._settings.verification_code_secret.get_secret_value()
        return address_digest(secret, request_id, address)

    def awaits_new_email(
        self, document: RightsRequestDocument, corrections: Mapping[str, Any] | None
    ) -> bool:
        """Whether `corrections` of the request name an e-mail address not verified for it yet."""
        new_email = (corrections or {}).get("email")
        if document["type"] != RightType.RECTIFICATION or not new_email:
            return False
        verified = document.get("verified_new_email_digest") or ""
        return not hmac.compare_digest(
            self.address_digest(UUID(document["_id"]), new_email), verified
        )

    async def send_to_new_email(self, document: RightsRequestDocument) -> None:
        """The code to the new address of a rectification waiting for it, once per attempt."""
        step = new_email_step(document)
        if step not in document["notified"]:
            await self.send(
                UUID(document["_id"]), code_address(document), step=step, new_email=True
            )

    async def resend(self, command: CodeResend) -> CodeResent | Rejection | None:
        """A new code for a request still awaiting verification; a redelivered command mails nothing twice."""
        document = await self._requests.get(command.request_id)
        if document is None:
            return None
        now = self._clock()
        if str(command.command_id) not in document["code_resend_ids"]:
            refused = self._refusal(document, now)
            if refused is not None:
                return refused
            if not await self._requests.count_resend(
                command.request_id,
                command_id=command.command_id,
                max_resends=self._settings.verification_code_resends,
                issued_before=now - self._resend_interval,
            ):
                return await self.resend(command)  # another copy changed the request meanwhile
            document = await self._require(command.request_id)
        step = f"{CODE}:{command.command_id}"
        awaiting = document["status"] in AWAITING_A_CODE
        if awaiting and step not in document["notified"]:
            new_email = document["status"] == Status.AWAITING_NEW_EMAIL_VERIFICATION
            await self.send(
                command.request_id, code_address(document), step=step, new_email=new_email
            )
            document = await self._require(command.request_id)
        if document["status"] not in AWAITING_A_CODE:
            return self._refusal(document, now)  # verified or locked since it was asked for
        return CodeResent(
            request_id=command.request_id,
            code_valid_until=document["code_expires_at"],
            resends_left=self._settings.verification_code_resends - document["code_resends"],
        )

    def _refusal(self, document: RightsRequestDocument, now: datetime) -> Rejection | None:
        """Why no new code may be sent now, if so. A new address is verified by code whatever
        channel the request came by."""
        new_email = document["status"] == Status.AWAITING_NEW_EMAIL_VERIFICATION
        if document["channel"] == Channel.LETTER and not new_email:
            return Rejection.NO_CODE_FOR_LETTERS
        if document.get("verified_at") is not None and not new_email:
            return Rejection.ALREADY_VERIFIED
        locked = document["failed_attempts"] >= self._settings.verification_max_attempts
        if locked or document["status"] == Status.VERIFICATION_LOCKED:
            return Rejection.TOO_MANY_ATTEMPTS
        if document["status"] not in AWAITING_A_CODE:
            return Rejection.ALREADY_DECIDED
        if document["code_resends"] >= self._settings.verification_code_resends:
            return Rejection.TOO_MANY_RESENDS
        issued_at = document.get("code_issued_at")
        # Without an issue time the first code is still on its way.
        if issued_at is None or now <= issued_at + self._resend_interval:
            return Rejection.RESEND_TOO_SOON
        return None

    async def _require(self, request_id: UUID) -> RightsRequestDocument:
        document = await self._requests.get(request_id)
        if document is None:
            raise LookupError("a rights request vanished while being handled")
        return document
