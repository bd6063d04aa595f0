"""Contact messages at rest, keyed by their reference.

A message and its answer arrive on different topics, so either may be written
first; each is written once, into the one document of its reference.
"""

from typing import Any

from privacyhub.shared.contracts.contact import ContactMessageReceived, MarkContactAnswered
from privacyhub.shared.envelope import Envelope
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

COLLECTION = "contact_messages"
OPEN = "open"
ANSWERED = "answered"


class ContactMessages:
    def __init__(self, db: AsyncDatabase) -> None:
        self._collection = db[COLLECTION]

    async def ensure_indexes(self) -> None:
        await self._collection.create_index("subject_id")

    async def store(self, envelope: Envelope[ContactMessageReceived]) -> dict[str, Any] | None:
        """Keep the message and return its document; storing the same reference again changes nothing."""
        message = envelope.payload
        contents: dict[str, Any] = {
            "subject_id": envelope.subject_id,
            "received_at": envelope.occurred_at,
            **message.model_dump(exclude={"reference"}),
        }
        await self._write_once(
            message.reference,
            unless_present="subject_id",
            update={"$set": contents, "$setOnInsert": {"status": OPEN}},
        )
        return await self.get(message.reference)

    async def record_answer(self, command: Envelope[MarkContactAnswered]) -> dict[str, Any] | None:
        """Mark the reference answered and return its document; the first answer recorded stays."""
        answer = command.payload
        await self._write_once(
            answer.reference,
            unless_present="answered_at",
            update={
                "$set": {
                    "status": ANSWERED,
                    "answered_at": answer.answered_at,
                    "answered_by": answer.answered_by,
                    "answer_command_id": str(command.event_id),
                    "answer_correlation_id": str(command.correlation_id),
                }
            },
        )
        return await self.get(answer.reference)

    async def get(self, reference: str) -> dict[str, Any] | None:
        return await self._collection.find_one({"_id": reference})

    async def _write_once(self, reference: str, *, unless_present: str, update: dict) -> None:
        """Apply `update` to the reference's document, creating it if needed, unless `unless_present` is set already."""
        not_yet_written = {"_id": reference, unless_present: {"$exists": False}}
        try:
            await self._collection.update_one(not_yet_written, update, upsert=True)
        except DuplicateKeyError:
            # The document exists: it either holds this write already, or a concurrent
            # handler created it a moment ago and this write still has to land on it.
            await self._collection.update_one(not_yet_written, update)
