"""How the requests service answers a rights-request query or command: a found request is a
`found` reply with the request; a refused step a `refused` reply with the `Rejection` as its code;
an unknown request (or a wrong access token) `not_found`."""

from collections.abc import Awaitable, Callable
from typing import Any

from privacyhub.requests.rights.workflow import Outcome
from privacyhub.shared.contracts.pages import Page
from privacyhub.shared.contracts.rights import CodeResent, QueueEntry, Rejection
from privacyhub.shared.queries import Command, Query, Refusal, Reply, answering
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


def rights_answering(
    arguments: type[BaseModel], step: Callable[[Any], Awaitable[Any]]
) -> Callable[[Query | Command], Awaitable[Reply]]:
    """A read or a step on the arguments of the query or command, answered as a reply."""

    async def outcome(parsed: Any) -> Reply:
        return reply_for(await step(parsed))

    return answering(arguments, outcome, not_found="no such rights request")
