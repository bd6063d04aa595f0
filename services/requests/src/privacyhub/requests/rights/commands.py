"""The rights-request steps the requests service takes for staff and requesters on
REQUESTS_COMMANDS, each once per command (replies.py says how each is answered)."""

from privacyhub.requests.rights.execution import RightsExecution
from privacyhub.requests.rights.replies import rights_answering
from privacyhub.requests.rights.verification_codes import VerificationCodes
from privacyhub.requests.rights.workflow import RightsWorkflow
from privacyhub.shared.contracts.rights import (
    AMENDMENT_COMMAND,
    CLOSURE_COMMAND,
    DECISION_COMMAND,
    EXTENSION_COMMAND,
    OFFICER_VERIFICATION_COMMAND,
    RESEND_CODE_COMMAND,
    RESTRICTION_LIFT_COMMAND,
    RETRY_COMMAND,
    VERIFY_CODE_COMMAND,
    AmendmentCommand,
    ClosureCommand,
    CodeAttempt,
    CodeResend,
    CodeResent,
    DecisionCommand,
    ExtensionCommand,
    OfficerVerification,
    Rejection,
    RestrictionLiftCommand,
    RetryCommand,
)
from privacyhub.shared.queries import CommandHandler


def _resending(workflow: RightsWorkflow, codes: VerificationCodes) -> CommandHandler:
    """A new code, for the holder of the access token."""

    async def resend(command: CodeResend) -> CodeResent | Rejection | None:
        if await workflow.status(command) is None:
            return None
        return await codes.resend(command)

    return rights_answering(CodeResend, resend)


def rights_commands(
    workflow: RightsWorkflow, codes: VerificationCodes, execution: RightsExecution
) -> dict[str, CommandHandler]:
    return {
        VERIFY_CODE_COMMAND: rights_answering(CodeAttempt, workflow.verify_code),
        RESEND_CODE_COMMAND: _resending(workflow, codes),
        OFFICER_VERIFICATION_COMMAND: rights_answering(
            OfficerVerification, workflow.verify_by_officer
        ),
        DECISION_COMMAND: rights_answering(DecisionCommand, workflow.decide),
        EXTENSION_COMMAND: rights_answering(ExtensionCommand, workflow.extend),
        RESTRICTION_LIFT_COMMAND: rights_answering(
            RestrictionLiftCommand, execution.lift_restriction
        ),
        RETRY_COMMAND: rights_answering(RetryCommand, execution.retry),
        AMENDMENT_COMMAND: rights_answering(AmendmentCommand, execution.amend),
        CLOSURE_COMMAND: rights_answering(ClosureCommand, execution.close),
    }
