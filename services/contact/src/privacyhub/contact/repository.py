"""Contact messages at rest, keyed by their reference."""

from typing import Any

from privacyhub.shared.contracts.contact import ContactMessageReceived
from privacyhub.shared.envelope import Envelope
from pymongo.asynchronous.database import AsyncDatabase

COLLECTION = "contact_messages"


class ContactMessages:
    def __init__(self, db: AsyncDatabase) -> None:
        self._collection = db[COLLECTION]

    async def ensure_indexes(self) -> None:
        await self._collection.create_index("subject_id")

    async def store(self, envelope: Envelope[ContactMessageReceived]) -> None:
        """Keep the message; storing the same reference again changes nothing."""
        message = envelope.payload
        document: dict[str, Any] = {
            "subject_id": envelope.subject_id,
            "received_at": envelope.occurred_at,
            "status": "open",
            **message.model_dump(exclude={"reference"}),
        }
        await self._collection.update_one(
            {"_id": message.reference}, {"$setOnInsert": document}, upsert=True
        )

    async def get(self, reference: str) -> dict[str, Any] | None:
        return await self._collection.find_one({"_id": reference})
