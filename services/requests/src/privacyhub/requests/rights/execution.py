"""Carrying out an approved (or partially refused), verified rights request across the data owners.

One command goes to all owners (of a partial refusal: to those whose part was granted); each owner's answer is counted once; the request completes only
when every owner answered (and is escalated on the officer's queue when one stays silent too long;
sweep.py looks for those and tells the officer).
Access and portability then get their package; an erasure finally drops the request's own
personal fields, after the requester got the answer. A completed restriction is lifted the same
way: the requester is told first (Art. 18(3)), then LiftRestriction goes to every owner.

A rectification that names a new e-mail address not verified for it waits, whole, until the code
sent to that address is entered (verification_codes.py): one command carries every correction,
so none is applied before the address is known to be the requester's, and none is lost.
"""

import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from privacyhub.requests.access_log.log import StaffAccessLog
from privacyhub.requests.mail import Mailer
from privacyhub.requests.rights.execution_store import Executions
from privacyhub.requests.rights.export_package import build_package, package_contents
from privacyhub.requests.rights.notices import completed_notice, restriction_lifted_notice
from privacyhub.requests.rights.owner_commands import NothingToCarryOut, lift_command, owner_command
from privacyhub.requests.rights.requests_store import RightsRequestDocument, RightsRequests
from privacyhub.requests.rights.verification_codes import VerificationCodes
from privacyhub.requests.rights.views import view
from privacyhub.requests.rights.workflow import Outcome
from privacyhub.requests.settings import RequestsSettings
from privacyhub.shared.catalogue import contracts
from privacyhub.shared.clock import Clock
from privacyhub.shared.contracts.rights import (
    CARRIED_OUT,
    AmendmentCommand,
    ClosureCommand,
    Rejection,
    RestrictionLiftCommand,
    RetryCommand,
    RightsRequestView,
    RightType,
    Status,
)
from privacyhub.shared.contracts.subject import (
    RECTIFY_SUBJECT_DATA,
    OwnerReceipt,
    SubjectDataErased,
    SubjectDataExported,
    SubjectMessage,
    SubjectProcessingChanged,
    read_payload,
)
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.identity import secret_digest
from privacyhub.shared.topics import SUBJECT_EXPORTS, SUBJECT_RESULTS

logger = logging.getLogger(__name__)

SendCommand = Callable[[Envelope], Awaitable[Any]]
COMPLETED = "completed"
RESTRICTION_LIFTED = "restriction_lifted"
PACKAGED = (RightType.ACCESS, RightType.PORTABILITY)
DOWNLOAD_CODE_BYTES = 16


def owner_receipts(answer: Any, *, answered_at: Any) -> list[OwnerReceipt]:
    """The proof lines of one owner's answer: counts per category, never the data."""
    if isinstance(answer, SubjectDataErased):
        return [
            OwnerReceipt(
                owner=answer.owner,
                category=r.category,
                action="erased",
                count=r.erased,
                kept_under_hold=r.kept_under_hold,
                hold_reasons=r.hold_reasons,
                at=r.erased_at,
            )
            for r in answer.receipts
        ]
    if isinstance(answer, SubjectDataExported):
        return [
            OwnerReceipt(
                owner=answer.owner,
                category=part.category,
                action="exported",
                count=len(part.records),
                at=answered_at,
            )
            for part in answer.categories
        ]
    changed: SubjectProcessingChanged = answer
    return [
        OwnerReceipt(
            owner=changed.owner,
            category=c.category,
            action=changed.change,
            count=c.affected,
            at=c.at,
        )
        for c in changed.changes
    ] + owner_receipts(
        SubjectDataErased(owner=changed.owner, receipts=changed.erased), answered_at=answered_at
    )


class RightsExecution:
    def __init__(
        self,
        *,
        requests: RightsRequests,
        executions: Executions,
        access_log: StaffAccessLog,
        mailer: Mailer,
        codes: VerificationCodes,
        send_command: SendCommand,
        settings: RequestsSettings,
        clock: Clock,
    ) -> None:
        self._requests = requests
        self._executions = executions
        self._access_log = access_log
        self._mailer = mailer
        self._codes = codes
        self._send_command = send_command
        self._settings = settings
        self._clock = clock

    async def start(self, document: RightsRequestDocument) -> RightsRequestDocument:
        """Send the request's command to every owner whose part was granted; only ever for an
        approved or partially refused, verified request, and not before a new e-mail address it
        names is verified too."""
        request_id = document["_id"]
        decision = document.get("decision") or {}
        if decision.get("outcome") not in CARRIED_OUT or document.get("verified_at") is None:
            return document
        try:
            command = self._command(document)
        except NothingToCarryOut as problem:
            await self._requests.cannot_start(request_id, problem=str(problem), at=self._clock())
            return await self._requests.get(UUID(request_id)) or document
        if document["status"] == Status.DECIDED:
            await self._requests.start(
                request_id,
                command_type=command.type,
                owners=granted_owners(document, self._settings.data_owners),
                started_at=self._clock(),
                awaiting_new_email=self._codes.awaits_new_email(
                    document, document.get("corrections")
                ),
            )
        current = await self._requests.get(UUID(request_id)) or document
        await self._carry_on(current)
        return current

    async def _carry_on(self, document: RightsRequestDocument) -> None:
        """Send the command of an executing request; of one whose new e-mail address awaits
        verification, only the code to that address. Also when repeated (a replayed decision or
        amendment, a code entered twice): the command's id is fixed, so owners drop the copy,
        and the code goes once."""
        if document["status"] == Status.AWAITING_NEW_EMAIL_VERIFICATION:
            await self._codes.send_to_new_email(document)
        elif document["status"] == Status.EXECUTING:
            await self._send_command(self._command(document))

    def _command(self, document: RightsRequestDocument) -> Envelope:
        """The request's command in its current attempt, to the owners that attempt asks."""
        execution = document.get("execution") or {}
        owners = granted_owners(document, self._settings.data_owners)
        refused = (document.get("decision") or {}).get("refused_owners")
        return owner_command(
            document,
            subject_id_secret=self._settings.subject_id_secret.get_secret_value(),
            owners=execution.get("asked", owners if refused else None),
            attempt=execution.get("attempt", 0),
        )

    async def retry(self, command: RetryCommand) -> Outcome:
        """Send an escalated request again, under a new command id, to the owners that did not
        answer, and wait for them anew. One that cannot start must be amended or closed."""
        document = await self._requests.get(command.request_id)
        if document is None:
            return None
        execution = document.get("execution") or {}
        if execution.get("action_id") != str(command.action_id):
            if document["status"] != Status.ESCALATED or "closure" in document:
                return Rejection.NOT_ESCALATED
            if execution.get("problem"):
                return Rejection.NEEDS_AMENDMENT
            missing = [o for o in execution["owners"] if o not in execution["answered"]]
            again = {key: value for key, value in execution.items() if key != "missing"}
            again |= self._attempt(execution, command.action_id) | {"asked": missing}
            if not await self._requests.restart(document["_id"], execution=again):
                return await self.retry(command)
            document = await self._requests.get(command.request_id) or document
        await self._send_command(self._command(document))
        return view(document)

    async def amend(self, command: AmendmentCommand) -> Outcome:
        """Replace an escalated rectification's corrections and carry it out anew by every
        granted owner; a new e-mail address not verified for the request first gets its code."""
        document = await self._requests.get(command.request_id)
        if document is None:
            return None
        execution = document.get("execution") or {}
        if execution.get("action_id") != str(command.action_id):
            if document["type"] != RightType.RECTIFICATION:
                return Rejection.NOT_A_RECTIFICATION
            if document["status"] != Status.ESCALATED or "closure" in document:
                return Rejection.NOT_ESCALATED
            anew = {
                "command": RECTIFY_SUBJECT_DATA,
                "owners": granted_owners(document, self._settings.data_owners),
                "answered": [],
            } | self._attempt(execution, command.action_id)
            corrections = command.corrections.named()
            if not await self._requests.restart(
                document["_id"],
                execution=anew,
                amended=(document["subject_id"], corrections),
                awaiting_new_email=self._codes.awaits_new_email(document, corrections),
            ):
                return await self.amend(command)
            document = await self._requests.get(command.request_id) or document
        await self._carry_on(document)
        return view(document)

    def _attempt(self, execution: dict[str, Any], action_id: UUID) -> dict[str, Any]:
        return {
            "attempt": execution.get("attempt", 0) + 1,
            "action_id": str(action_id),
            "started_at": self._clock(),
        }

    async def close(self, command: ClosureCommand) -> Outcome:
        """Close an escalated request with what the owners did so far: it completes, and the
        requester is told, with the officer's reasons, what was not done."""
        document = await self._requests.get(command.request_id)
        if document is None:
            return None
        closure = document.get("closure")
        if closure is None or closure["action_id"] != str(command.action_id):
            if closure is not None or document["status"] != Status.ESCALATED:
                return Rejection.NOT_ESCALATED
            execution = document["execution"]
            if execution.get("problem"):  # never sent: no granted owner carried anything out
                missing = granted_owners(document, self._settings.data_owners)
            else:
                missing = [o for o in execution["owners"] if o not in execution["answered"]]
            closing = {
                "reasons": command.reasons,
                "missing_owners": missing,
                "closed_at": self._clock(),
                "by": command.staff_id,
                "action_id": str(command.action_id),
            }
            if not await self._requests.close(document["_id"], closure=closing):
                return await self.close(command)
        await self._complete_when_answered(str(command.request_id))
        return view(await self._requests.get(command.request_id) or document)

    async def lift_restriction(
        self, command: RestrictionLiftCommand
    ) -> RightsRequestView | Rejection | None:
        """Lift the restriction of a completed restriction request; lifting again changes nothing."""
        document = await self._requests.get(command.request_id)
        if document is None:
            return None
        if document["type"] != RightType.RESTRICTION or document["status"] != Status.COMPLETED:
            return Rejection.NOT_A_COMPLETED_RESTRICTION
        request_id = document["_id"]
        await self._requests.lift_restriction(
            request_id, by=command.staff_id, action_id=str(command.action_id), at=self._clock()
        )
        document = await self._requests.get(command.request_id) or document
        if RESTRICTION_LIFTED not in document["notified"] and "email" in document:
            await self._mailer.send(
                document["email"], restriction_lifted_notice(command.request_id)
            )
            await self._requests.mark_notified(command.request_id, RESTRICTION_LIFTED)
        # Also on a repeated lift: the command's id is fixed, so owners drop the copy.
        await self._send_command(lift_command(document))
        return view(document)

    async def record(self, envelope: Envelope[SubjectMessage]) -> None:
        """Count one owner's answer to a rights request; answers to other senders' commands are not ours."""
        answer = read_payload(
            envelope.type, envelope.payload, contracts(SUBJECT_RESULTS, SUBJECT_EXPORTS)
        )
        if answer is None:
            return
        document = await self._requests.get(envelope.correlation_id)
        if document is None or "execution" not in document:
            return
        request_id = document["_id"]
        owner = answer.owner  # type: ignore[attr-defined]
        if owner not in document["execution"]["owners"]:
            logger.warning(
                "answer from an owner the request does not wait for", extra={"owner": owner}
            )
            return
        if isinstance(answer, SubjectProcessingChanged) and answer.change == RESTRICTION_LIFTED:
            receipts = owner_receipts(answer, answered_at=envelope.occurred_at)
            await self._requests.record_lift_answer(request_id, owner=owner, receipts=receipts)
            return
        if isinstance(answer, SubjectDataExported) and carrying_out(document):
            await self._executions.keep_export(
                request_id, subject_id=document["subject_id"], owner=owner, export=answer
            )
            categories = await self._executions.export_of(request_id, owner, parts=answer.parts)
            if categories is None:
                return  # more parts are on their way
            answer = SubjectDataExported.model_validate({"owner": owner, "categories": categories})
        receipts = owner_receipts(answer, answered_at=envelope.occurred_at)
        await self._requests.record_answer(request_id, owner=owner, receipts=receipts)
        await self._complete_when_answered(request_id)

    async def _complete_when_answered(self, request_id: str) -> None:
        """Complete the request once every owner answered; also run again for a completed one, so
        that a step a crash interrupted is done. A package is built only while the person's data
        is kept: after their erasure a late answer must not bring any of it, or a key, back."""
        document = await self._requests.get(UUID(request_id))
        if document is None or document["status"] not in (
            Status.EXECUTING,
            Status.ESCALATED,
            Status.COMPLETED,
        ):
            return
        execution = document["execution"]
        answered = set(execution["owners"]) <= set(execution["answered"])
        if "closure" not in document and (execution.get("problem") or not answered):
            return
        right = RightType(document["type"])
        if (
            right in PACKAGED
            and document["status"] != Status.COMPLETED  # built before completing; may have expired
            and "personal_data_dropped_at" not in document
            and not await self._executions.has_package(request_id)
        ):
            contents = package_contents(
                request_id=request_id,
                portability=right is RightType.PORTABILITY,
                exports=await self._executions.exports(request_id),
                history=await self._requests.history(document["subject_id"]),
                access_log=await self._access_log.exported(document["subject_id"]),
                generated_at=self._clock(),
            )
            await self._executions.store_package(
                request_id,
                subject_id=document["subject_id"],
                package=build_package(contents),
                at=self._clock(),
            )
        await self._requests.complete(request_id, completed_at=self._clock())
        if COMPLETED not in document["notified"] and "email" in document:
            download_code = None
            if right in PACKAGED:
                download_code = secrets.token_urlsafe(DOWNLOAD_CODE_BYTES)
                await self._requests.set_download_code(
                    UUID(request_id), secret_digest(download_code)
                )
            notice = completed_notice(
                UUID(request_id),
                right,
                document.get("receipts", []),
                refused_owners=document["decision"].get("refused_owners", []),
                closure=document.get("closure"),
                download_code=download_code,
                download_days=self._settings.package_download_days,
                grace_minutes=self._settings.package_download_grace_minutes,
            )
            await self._mailer.send(document["email"], notice)
            await self._requests.mark_notified(UUID(request_id), COMPLETED)
        if right is RightType.ERASURE:
            await self._executions.forget_person(document["subject_id"], at=self._clock())

    async def package_chunk(self, request_id: UUID, number: int) -> tuple[bytes, int] | None:
        """Chunk `number` of the package and how many there are; the last one counts as a download."""
        chunk = await self._executions.package_chunk(str(request_id), number)
        if chunk is not None and number == chunk[1] - 1:
            await self._executions.package_downloaded(str(request_id), at=self._clock())
        return chunk

    async def expire_packages(self) -> int:
        """Delete the packages past their download window, or past the grace after their first download."""
        now = self._clock()
        return await self._executions.erase_expired_packages(
            kept_before=now - timedelta(days=self._settings.package_download_days),
            downloaded_before=now
            - timedelta(minutes=self._settings.package_download_grace_minutes),
        )

    async def escalate_overdue(self) -> int:
        timeout = timedelta(seconds=self._settings.owner_timeout_seconds)
        return await self._requests.escalate_overdue(started_before=self._clock() - timeout)


def granted_owners(document: RightsRequestDocument, data_owners: list[str]) -> list[str]:
    """The owners that carry the request out: every one, but those a partial refusal names."""
    refused = (document.get("decision") or {}).get("refused_owners", [])
    return [owner for owner in data_owners if owner not in refused]


def carrying_out(document: RightsRequestDocument) -> bool:
    """Whether owners' exports are still wanted: only until the package is built at completion.
    An export arriving later (an owner that answered again, or late) would otherwise be kept,
    under a data key made anew if the person was erased meanwhile."""
    return document["status"] in (Status.EXECUTING, Status.ESCALATED)
