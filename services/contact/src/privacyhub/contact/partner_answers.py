"""Recipients' answers to the subject commands passed on to them (Art. 19), trusted only that far.

A recipient answers on PARTNER_RESULTS, and the contact service hands the answer (handlers.py) to the rights
workflow and the retention service where an owner's own answer goes (owners.answer_topic). Any recipient can write there, so an answer
is passed on only when it answers a command this service actually passed on to the recipient it
names: same correlation id, same subject, the kind of answer that command asks for. Its receipts
name that recipient alone (the answer contracts refuse any other). Anything else is parked as a
dead letter: a recipient cannot speak for another owner, for another person or about a command
it never got, so it cannot, say, have the retention service schedule someone's messages.
"""

from datetime import datetime

from privacyhub.shared.bulk import insert_skipping_stored
from privacyhub.shared.contracts.partner import PartnerMessage
from privacyhub.shared.contracts.subject import (
    ERASE_SUBJECT_DATA,
    EXPORT_SUBJECT_DATA,
    SUBJECT_DATA_ERASED,
    SUBJECT_DATA_EXPORTED,
    SUBJECT_PROCESSING_CHANGED,
    SubjectMessage,
)
from privacyhub.shared.envelope import Envelope, utc_now
from privacyhub.shared.expiry import erase_before_except_held
from pymongo.asynchronous.database import AsyncDatabase

PASSED_ON = "passed_on_commands"
# The answer each passed-on command asks for; every other one (a rectification too) changes processing.
ANSWERS = {ERASE_SUBJECT_DATA: SUBJECT_DATA_ERASED, EXPORT_SUBJECT_DATA: SUBJECT_DATA_EXPORTED}


def passed_on_id(recipient_id: str, correlation_id: object, answer_type: str) -> str:
    return f"{recipient_id}:{correlation_id}:{answer_type}"


class PassedOnCommands:
    """Which recipient was given a command of which person, under which correlation id: ids only.

    Kept as long as the disclosure log (the `disclosures` category of the register), which it
    belongs to: it proves the passing on that Art. 19 asks for.
    """

    def __init__(self, db: AsyncDatabase) -> None:
        self._collection = db[PASSED_ON]

    async def ensure_indexes(self) -> None:
        await self._collection.create_index("passed_on_at")

    async def record(self, recipient_id: str, command: Envelope[PartnerMessage]) -> None:
        """Note the command before it is sent, so its answer never arrives before the note."""
        answer_type = ANSWERS.get(command.type, SUBJECT_PROCESSING_CHANGED)
        await insert_skipping_stored(
            self._collection,
            [
                {
                    "_id": passed_on_id(recipient_id, command.correlation_id, answer_type),
                    "recipient": recipient_id,
                    "correlation_id": str(command.correlation_id),
                    "subject_id": command.subject_id,
                    "passed_on_at": utc_now(),
                }
            ],
        )

    async def answers_one(self, recipient_id: str, answer: Envelope[SubjectMessage]) -> bool:
        """Whether `answer` answers a command passed on to that recipient about its subject."""
        document = await self._collection.find_one(
            {"_id": passed_on_id(recipient_id, answer.correlation_id, answer.type)}
        )
        return document is not None and document["subject_id"] == answer.subject_id

    async def erase_passed_on_before(self, cutoff: datetime, *, held: list[str]) -> tuple[int, int]:
        """Delete the notes made before `cutoff`, except of the `held` subjects; how many went and were kept."""
        return await erase_before_except_held(self._collection, "passed_on_at", cutoff, held=held)
