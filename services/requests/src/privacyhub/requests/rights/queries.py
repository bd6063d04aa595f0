"""The rights-request queries and commands the requests service answers for the gateway on
REQUESTS_QUERIES.

A found request is a `found` reply with the request; a refused step a `refused` reply with the
`Rejection` as its code; an unknown request (or a wrong access token) `not_found`.
"""

import base64
from collections.abc import Awaitable, Callable
from typing import Any

from privacyhub.requests.rights.execution import RightsExecution
from privacyhub.requests.rights.verification_codes import VerificationCodes
from privacyhub.requests.rights.workflow import Outcome, RightsWorkflow
from privacyhub.shared.contracts.pages import Page
from privacyhub.shared.contracts.rights import (
    AMENDMENT_COMMAND,
    CLOSURE_COMMAND,
    DECISION_COMMAND,
    EXPORT_QUERY,
    EXTENSION_COMMAND,
    OFFICER_VERIFICATION_COMMAND,
    QUEUE_QUERY,
    RESEND_CODE_COMMAND,
    RESTRICTION_LIFT_COMMAND,
    RETRY_COMMAND,
    STATUS_QUERY,
    VERIFY_CODE_COMMAND,
    AmendmentCommand,
    ClosureCommand,
    CodeAttempt,
    CodeResend,
    CodeResent,
    DecisionCommand,
    ExtensionCommand,
    OfficerVerification,
    PackageChunk,
    PackageLookup,
    QueueEntry,
    QueueFilter,
    Rejection,
    RestrictionLiftCommand,
    RetryCommand,
    RightType,
    Status,
    StatusLookup,
)
from privacyhub.shared.queries import (
    Command,
    CommandHandler,
    Query,
    QueryHandler,
    Refusal,
    Reply,
    answering,
)
from pydantic import BaseModel

# The reason given with each rejection: the gateway shows it to requesters and staff as is.
REASONS: dict[Rejection, str] = {
    Rejection.WRONG_CODE: "The code is not right. Check the e-mail and try again.",
    Rejection.CODE_EXPIRED: "The code has expired. Ask for a new code with your request.",
    Rejection.NO_CODE_FOR_LETTERS: (
        "For a request by letter, our privacy officer verifies your identity."
    ),
    Rejection.ALREADY_VERIFIED: "Your identity is already confirmed; no code is needed any more.",
    Rejection.RESEND_TOO_SOON: (
        "A code was sent only a moment ago. Check your e-mail, also the spam folder, and ask "
        "again a little later if it does not arrive."
    ),
    Rejection.TOO_MANY_RESENDS: (
        "No more new codes can be sent for this request. Write to privacy@jobport.nl or submit "
        "a new request."
    ),
    Rejection.TOO_MANY_ATTEMPTS: (
        "Too many wrong codes: this request is locked. Write to privacy@jobport.nl or submit "
        "a new request."
    ),
    Rejection.NOT_VERIFIED: "The requester's identity has not been verified yet.",
    Rejection.ALREADY_DECIDED: "This request has already been decided.",
    Rejection.ALREADY_EXTENDED: "The deadline of this request has already been extended.",
    Rejection.EXTENSION_TOO_LATE: (
        "An extension is only possible within the first month after receipt."
    ),
    Rejection.NOT_READY: "Your data is not ready yet. You will get an e-mail once it is.",
    Rejection.WRONG_DOWNLOAD_CODE: (
        "That is not the download code of this request: it is in the e-mail saying the request "
        "was carried out."
    ),
    Rejection.PACKAGE_GONE: (
        "The download of your data has been deleted: it is kept 30 days, and a little while after "
        "the first download. Submit a new request to get your data again."
    ),
    Rejection.NOT_A_COMPLETED_RESTRICTION: (
        "Only the restriction of a completed restriction request can be lifted."
    ),
    Rejection.NOT_ESCALATED: "Only an escalated request that is not closed can be retried, amended or closed.",
    Rejection.NEEDS_AMENDMENT: (
        "Nothing was sent to the data owners, so there is nothing to retry: amend the request or "
        "close it."
    ),
    Rejection.NOT_A_RECTIFICATION: "Only a rectification's corrections can be amended.",
    Rejection.NOT_A_PARTIAL_REFUSAL: (
        "refused_owners: a partial refusal names some, but not all, of the data owners, and no "
        "other outcome names any."
    ),
}


def reply_for(outcome: Outcome | CodeResent | Page[QueueEntry] | Reply) -> Reply:
    if isinstance(outcome, Reply):
        return outcome
    if outcome is None:
        return Reply(status="not_found", reason="no such rights request")
    if isinstance(outcome, Rejection):
        raise Refusal(outcome.value, REASONS[outcome])
    return Reply(status="found", result=outcome.model_dump(mode="json"))


def _answering(
    arguments: type[BaseModel], step: Callable[[Any], Awaitable[Any]]
) -> Callable[[Query | Command], Awaitable[Reply]]:
    """A read or a step on the arguments of the query or command, answered as a reply."""

    async def outcome(parsed: Any) -> Reply:
        return reply_for(await step(parsed))

    return answering(arguments, outcome, not_found="no such rights request")


def _exporting(workflow: RightsWorkflow, execution: RightsExecution) -> QueryHandler:
    """One chunk of the access or portability package, base64 in the reply, with the number of
    chunks, for the holder of the access token."""

    async def export(lookup: PackageLookup) -> Reply:
        request = await workflow.status(lookup)
        if request is None or request.type not in (RightType.ACCESS, RightType.PORTABILITY):
            return reply_for(None)
        if request.status != Status.COMPLETED:
            return reply_for(Rejection.NOT_READY)
        if not await workflow.may_download(lookup):
            return reply_for(Rejection.WRONG_DOWNLOAD_CODE)
        chunk = await execution.package_chunk(lookup.request_id, lookup.chunk)
        if chunk is None:
            return reply_for(Rejection.PACKAGE_GONE)
        data, chunks = chunk
        return Reply(
            status="found",
            result=PackageChunk(
                filename=f"jobport-{request.type.value}-{lookup.request_id}.zip",
                zip_base64=base64.b64encode(data).decode(),
                chunks=chunks,
            ).model_dump(),
        )

    return _answering(PackageLookup, export)


def _resending(workflow: RightsWorkflow, codes: VerificationCodes) -> QueryHandler:
    """A new code, for the holder of the access token."""

    async def resend(command: CodeResend) -> CodeResent | Rejection | None:
        if await workflow.status(command) is None:
            return None
        return await codes.resend(command)

    return _answering(CodeResend, resend)


def rights_queries(workflow: RightsWorkflow, execution: RightsExecution) -> dict[str, QueryHandler]:
    return {
        EXPORT_QUERY: _exporting(workflow, execution),
        STATUS_QUERY: _answering(StatusLookup, workflow.status),
        QUEUE_QUERY: _answering(QueueFilter, workflow.queue),
    }


def rights_commands(
    workflow: RightsWorkflow, codes: VerificationCodes, execution: RightsExecution
) -> dict[str, CommandHandler]:
    return {
        VERIFY_CODE_COMMAND: _answering(CodeAttempt, workflow.verify_code),
        RESEND_CODE_COMMAND: _resending(workflow, codes),
        OFFICER_VERIFICATION_COMMAND: _answering(OfficerVerification, workflow.verify_by_officer),
        DECISION_COMMAND: _answering(DecisionCommand, workflow.decide),
        EXTENSION_COMMAND: _answering(ExtensionCommand, workflow.extend),
        RESTRICTION_LIFT_COMMAND: _answering(RestrictionLiftCommand, execution.lift_restriction),
        RETRY_COMMAND: _answering(RetryCommand, execution.retry),
        AMENDMENT_COMMAND: _answering(AmendmentCommand, execution.amend),
        CLOSURE_COMMAND: _answering(ClosureCommand, execution.close),
    }
