"""The steps staff take on complaints and breaches, on REQUESTS_COMMANDS: each once per command."""

from privacyhub.requests.complaints.breaches import BreachRegister
from privacyhub.requests.complaints.workflow import Complaints
from privacyhub.shared.clock import Clock
from privacyhub.shared.contracts.complaints import (
    CHANGE_COMPLAINT_STATUS_COMMAND,
    RECORD_BREACH_DECISION_COMMAND,
    BreachEntry,
    ChangeComplaintStatus,
    Complaint,
    RecordBreachDecision,
)
from privacyhub.shared.queries import CommandHandler, answering


def complaint_commands(complaints: Complaints, clock: Clock) -> dict[str, CommandHandler]:
    """A complaint's status changes, by command name."""

    async def change_status(command: ChangeComplaintStatus) -> Complaint | None:
        return await complaints.change_status(command, at=clock())

    return {
        CHANGE_COMPLAINT_STATUS_COMMAND: answering(
            ChangeComplaintStatus, change_status, not_found="no complaint with that reference"
        )
    }


def breach_commands(register: BreachRegister, clock: Clock) -> dict[str, CommandHandler]:
    """Decisions on breaches (notify the authority, the people concerned), by command name."""

    async def record_decision(command: RecordBreachDecision) -> BreachEntry | None:
        return await register.decide(command, at=clock())

    return {
        RECORD_BREACH_DECISION_COMMAND: answering(
            RecordBreachDecision, record_decision, not_found="no breach register entry with that id"
        )
    }
