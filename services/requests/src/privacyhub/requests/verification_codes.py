"""E-mailing verification codes: a fresh code replaces the one before; only its HMAC is kept (codes.py)."""

from datetime import timedelta
from uuid import UUID

from privacyhub.requests.clock import Clock
from privacyhub.requests.codes import code_digest, new_code
from privacyhub.requests.mail import Mailer
from privacyhub.requests.notices import code_notice
from privacyhub.requests.repository import RightsRequests
from privacyhub.requests.settings import RequestsSettings

# The step in the request's `notified` once its code is e-mailed.
CODE = "code"


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

    async def send(self, request_id: UUID, email: str) -> None:
        """Issue a fresh code, e-mail it and remember that the requester was told."""
        code = new_code()
        lifetime = timedelta(seconds=self._settings.verification_code_lifetime_seconds)
        await self._requests.issue_code(
            request_id,
            digest=code_digest(
                self._settings.verification_code_secret.get_secret_value(), request_id, code
            ),
            expires_at=self._clock() + lifetime,
        )
        notice = code_notice(
            request_id,
            code,
            lifetime_minutes=max(1, round(lifetime.total_seconds() / 60)),
            max_attempts=self._settings.verification_max_attempts,
        )
        await self._mailer.send(email, notice)
        await self._requests.mark_notified(request_id, CODE)
