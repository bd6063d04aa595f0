"""The rights-request workflow (statement §7): receipt, identity verification, extension and decision.

Each step answers with the request as the requester sees it, a `Rejection`, or None for a
request that does not exist. A step is safe to repeat: a redelivered intake or a replayed
staff action (same action id) changes nothing twice and sends no e-mail twice.
"""

import hmac
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from uuid import UUID

from privacyhub.requests.mail import Mailer, Notice
from privacyhub.requests.rights.codes import code_matches
from privacyhub.requests.rights.notices import (
    decided_notice,
    extended_notice,
    received_notice,
    verified_notice,
)
from privacyhub.requests.rights.requests_store import RightsRequestDocument, RightsRequests
from privacyhub.requests.rights.verification_codes import CODE, VerificationCodes
from privacyhub.requests.rights.views import queue_entry, requester_view, view
from privacyhub.requests.settings import RequestsSettings
from privacyhub.shared.clock import Clock
from privacyhub.shared.contracts.pages import Page
from privacyhub.shared.contracts.rights import (
    CARRIED_OUT,
    OPEN_STATUSES,
    RIGHTS_REQUEST_VERIFIED,
    Channel,
    CodeAttempt,
    Decision,
    DecisionCommand,
    DecisionOutcome,
    Extension,
    ExtensionCommand,
    OfficerVerification,
    PackageLookup,
    QueueEntry,
    QueueFilter,
    Rejection,
    RightsRequestReceived,
    RightsRequestVerified,
    RightsRequestView,
    RightType,
    Status,
    StatusLookup,
    VerificationMethod,
)
from privacyhub.shared.deadlines import (
    due_date,
    within_first_month,
)
from privacyhub.shared.envelope import Envelope, derived_event_id

AnnounceVerified = Callable[[Envelope[RightsRequestVerified]], Awaitable[Any]]
CarryOut = Callable[[RightsRequestDocument], Awaitable[RightsRequestDocument]]
Outcome = RightsRequestView | Rejection | None

# Steps the requester is told about by e-mail, remembered on the request once told.
RECEIVED, VERIFIED, EXTENDED, DECIDED = "received", "verified", "extended", "decided"


class RightsWorkflow:
    def __init__(
        self,
        *,
        requests: RightsRequests,
        mailer: Mailer,
        codes: VerificationCodes,
        announce_verified: AnnounceVerified,
        settings: RequestsSettings,
        clock: Clock,
        carry_out: CarryOut,
    ) -> None:
        self._requests = requests
        self._mailer = mailer
        self._codes = codes
        self._announce_verified = announce_verified
        self._carry_out = carry_out
        self._settings = settings
        self._clock = clock

    async def receive(self, envelope: Envelope[RightsRequestReceived]) -> None:
        """Keep the request, confirm its receipt and, unless a letter, e-mail a verification code."""
        received = envelope.payload
        await self._requests.store(received, subject_id=envelope.subject_id)
        document = await self._require(received.request_id)
        await self._notify_once(
            document,
            RECEIVED,
            received_notice(
                received.request_id,
                received.type,
                received.channel,
                date.fromisoformat(document["received_on"]),
                date.fromisoformat(document["due_date"]),
            ),
        )
        awaiting = document["status"] == Status.AWAITING_VERIFICATION
        if received.channel is not Channel.LETTER and awaiting and CODE not in document["notified"]:
            await self._codes.send(received.request_id, document["email"])

    async def status(self, lookup: StatusLookup) -> Outcome:
        """The request, for the holder of its access token; a wrong token looks like no request at all."""
        document = await self._requests.get(lookup.request_id)
        if document is None or not _same_digest(
            document["access_token_sha256"], lookup.access_token_sha256
        ):
            return None
        return requester_view(document)

    async def may_download(self, lookup: PackageLookup) -> bool:
        """Whether the lookup brings the download code e-mailed to the verified address."""
        document = await self._requests.get(lookup.request_id)
        stored = (document or {}).get("download_code_sha256")
        return stored is not None and _same_digest(stored, lookup.download_code_sha256)

    async def verify_code(self, attempt: CodeAttempt) -> Outcome:
        """A try at the e-mailed code: right, wrong (counted once per attempt id), expired, or locked.

        An approved rectification waiting for its new e-mail address takes the code sent there,
        whatever channel it came by; the right one lets the owners carry it out.
        """
        document = await self._requests.get(attempt.request_id)
        if document is None:
            return None
        new_email = document["status"] == Status.AWAITING_NEW_EMAIL_VERIFICATION
        if not new_email and document["channel"] == Channel.LETTER:
            return Rejection.NO_CODE_FOR_LETTERS
        if not new_email and document.get("verified_at") is not None:
            return await self._verified(document)
        if document["status"] == Status.DECIDED:
            return Rejection.ALREADY_DECIDED
        max_attempts = self._settings.verification_max_attempts
        if str(attempt.attempt_id) in document["attempt_ids"]:
            return _wrong_code(document["failed_attempts"], max_attempts)
        if document["failed_attempts"] >= max_attempts:
            return Rejection.TOO_MANY_ATTEMPTS
        expires_at = document.get("code_expires_at")
        if expires_at is not None and self._clock() >= expires_at:
            return Rejection.CODE_EXPIRED
        secret = self._settings.verification_code_secret.get_secret_value()
        if code_matches(secret, attempt.request_id, attempt.code, document.get("code_digest")):
            accept = self._verify_new_email if new_email else self._verify_identity
            verified = await accept(document, max_attempts)
        else:
            failed = await self._requests.count_wrong_code(
                attempt.request_id, attempt_id=attempt.attempt_id, max_attempts=max_attempts
            )
            if failed is not None:
                return _wrong_code(failed, max_attempts)
            verified = False
        if not verified:
            return await self.verify_code(attempt)  # another copy changed the request meanwhile
        document = await self._require(attempt.request_id)
        if new_email:
            return view(await self._carry_out(document))
        return await self._verified(document)

    async def _verify_identity(self, document: RightsRequestDocument, max_attempts: int) -> bool:
        return await self._requests.mark_verified(
            UUID(document["_id"]),
            method=VerificationMethod.EMAIL_CODE,
            verified_at=self._clock(),
            by=None,
            max_attempts=max_attempts,
        )

    async def _verify_new_email(self, document: RightsRequestDocument, max_attempts: int) -> bool:
        """The new address is verified: the request keeps only a digest of it, and executes."""
        request_id = UUID(document["_id"])
        return await self._requests.mark_new_email_verified(
            request_id,
            address_digest=self._codes.address_digest(request_id, document["corrections"]["email"]),
            verified_at=self._clock(),
            max_attempts=max_attempts,
        )

    async def verify_by_officer(self, command: OfficerVerification) -> Outcome:
        """A privacy officer vouches for the requester's identity (letters, or a locked request)."""
        document = await self._requests.get(command.request_id)
        if document is None:
            return None
        if document.get("verified_at") is not None:
            return await self._verified(document)
        if document["status"] == Status.DECIDED:
            return Rejection.ALREADY_DECIDED
        if not await self._requests.mark_verified(
            command.request_id,
            method=VerificationMethod.PRIVACY_OFFICER,
            verified_at=self._clock(),
            by=command.staff_id,
            max_attempts=self._settings.verification_max_attempts,
        ):
            return await self.verify_by_officer(command)
        return await self._verified(await self._require(command.request_id))

    async def extend(self, command: ExtensionCommand) -> Outcome:
        """Extend the deadline once, by one or two months, only within the first month."""
        document = await self._requests.get(command.request_id)
        if document is None:
            return None
        extension = document.get("extension")
        if extension is None or extension["action_id"] != str(command.action_id):
            if document["status"] == Status.DECIDED:
                return Rejection.ALREADY_DECIDED
            if extension is not None:
                return Rejection.ALREADY_EXTENDED
            received_on = date.fromisoformat(document["received_on"])
            now = self._clock()
            if not within_first_month(received_on, now):
                return Rejection.EXTENSION_TOO_LATE
            if not await self._requests.extend(
                command.request_id,
                Extension(months=command.months, reasons=command.reasons, extended_at=now),
                new_due_date=due_date(received_on, extension_months=command.months),
                by=command.staff_id,
                action_id=command.action_id,
            ):
                return await self.extend(command)
            document = await self._require(command.request_id)
        await self._notify_once(
            document,
            EXTENDED,
            extended_notice(
                command.request_id,
                RightType(document["type"]),
                months=document["extension"]["months"],
                reasons=document["extension"]["reasons"],
                due=date.fromisoformat(document["due_date"]),
            ),
        )
        return view(document)

    async def decide(self, command: DecisionCommand) -> Outcome:
        """Approve, refuse or partially refuse, with reasons; a refusal points to the Autoriteit Persoonsgegevens.

        An approval of a verified request is then carried out by every data owner.
        """
        document = await self._requests.get(command.request_id)
        if document is None:
            return None
        decision = document.get("decision")
        if decision is None or decision["action_id"] != str(command.action_id):
            if decision is not None:
                return Rejection.ALREADY_DECIDED
            # A refusal needs no verified identity (it may be the very reason); carrying anything out does.
            from_statuses = (Status.VERIFIED,) if command.outcome in CARRIED_OUT else OPEN_STATUSES
            if document["status"] not in from_statuses:
                return Rejection.NOT_VERIFIED
            if not _refuses_a_part(command, self._settings.data_owners):
                return Rejection.NOT_A_PARTIAL_REFUSAL
            if not await self._requests.decide(
                command.request_id,
                Decision(
                    outcome=command.outcome,
                    reasons=command.reasons,
                    refused_owners=command.refused_owners,
                    decided_at=self._clock(),
                ),
                from_statuses=from_statuses,
                by=command.staff_id,
                action_id=command.action_id,
            ):
                return await self.decide(command)
            document = await self._require(command.request_id)
        await self._notify_once(
            document,
            DECIDED,
            decided_notice(
                command.request_id,
                RightType(document["type"]),
                DecisionOutcome(document["decision"]["outcome"]),
                document["decision"]["reasons"],
                refused_owners=document["decision"].get("refused_owners", []),
            ),
        )
        return view(await self._carry_out(document))

    async def queue(self, query: QueueFilter) -> Page[QueueEntry]:
        now = self._clock()
        documents, following = await self._requests.queue(
            status=query.status, due_before=query.due_before, page=query
        )
        return Page[QueueEntry](
            items=[queue_entry(document, now) for document in documents], next=following
        )

    async def _require(self, request_id: UUID) -> RightsRequestDocument:
        document = await self._requests.get(request_id)
        if document is None:
            raise LookupError("a rights request vanished while being handled")
        return document

    async def _verified(self, document: RightsRequestDocument) -> RightsRequestView:
        """Announce the verification to data owners and the requester, once."""
        if VERIFIED not in document["notified"]:
            request_id = UUID(document["_id"])
            event = Envelope[RightsRequestVerified](
                event_id=derived_event_id(request_id, RIGHTS_REQUEST_VERIFIED),
                type=RIGHTS_REQUEST_VERIFIED,
                subject_id=document["subject_id"],
                correlation_id=request_id,
                payload=RightsRequestVerified(
                    request_id=request_id,
                    type=document["type"],
                    method=document["verification"]["method"],
                    verified_at=document["verified_at"],
                ),
            )
            await self._announce_verified(event)
            await self._notify_once(
                document,
                VERIFIED,
                verified_notice(
                    request_id,
                    RightType(document["type"]),
                    date.fromisoformat(document["due_date"]),
                ),
            )
        return view(document)

    async def _notify_once(
        self, document: RightsRequestDocument, step: str, notice: Notice
    ) -> None:
        """E-mail the requester about `step` unless done before; an address refused for good counts as done."""
        if step in document["notified"]:
            return
        await self._mailer.send(document["email"], notice)
        await self._requests.mark_notified(UUID(document["_id"]), step)


def _refuses_a_part(command: DecisionCommand, owners: list[str]) -> bool:
    """A partial refusal names some but not all owners, each one the request waits for; no
    other outcome names any."""
    refused = set(command.refused_owners)
    if command.outcome is not DecisionOutcome.PARTIALLY_REFUSE:
        return not refused
    return bool(refused) and refused < set(owners)


def _wrong_code(failed_attempts: int, max_attempts: int) -> Rejection:
    """The try that reaches the limit is already answered as a lock."""
    if failed_attempts >= max_attempts:
        return Rejection.TOO_MANY_ATTEMPTS
    return Rejection.WRONG_CODE


def _same_digest(stored: str, given: str) -> bool:
    return hmac.compare_digest(stored.encode(), given.encode())
