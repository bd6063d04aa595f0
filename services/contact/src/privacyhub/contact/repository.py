"""Contact messages at rest, keyed by their reference, their personal fields encrypted per subject.

A message and its answer arrive on different topics, so either may be written
first; each is written once, into the one document of its reference. The subject
id, status, dates and references stay readable for queries; every read through
this repository returns the personal fields decrypted, and erasing a subject's
last message destroys the subject's key (shared/crypto.py). A message stored
while that happens is confirmed under a live key (FieldCipher.store); one whose
key is gone all the same reads as erased.

A restriction (Art. 18) or objection (Art. 21) flag on a message stops its processing: it is not
shown to support agents nor disclosed to recipients, but still exported and erasable. A
restriction holds for the subject until lifted, so a message arriving meanwhile is stored
restricted too; an objection covers the messages held when it was carried out, and a question
the person sends afterwards is one they ask us to answer.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from privacyhub.shared.contracts.contact import ContactMessageReceived, MarkContactAnswered
from privacyhub.shared.crypto import FieldCipher, SubjectKeys
from privacyhub.shared.envelope import Envelope
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

COLLECTION = "contact_messages"
OPEN = "open"
ANSWERED = "answered"
PERSONAL_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "message",
    "company",
    "found_us_via",
    "device",
)
PROCESSING_RESTRICTED = "processing_restricted"
PROCESSING_OBJECTED = "processing_objected"


def processing_stopped(document: dict[str, Any]) -> str | None:
    """Why the message may not be processed (`processing_restricted`, `processing_objected`), or None."""
    if document.get("restriction"):
        return PROCESSING_RESTRICTED
    if document.get("objection"):
        return PROCESSING_OBJECTED
    return None


class ContactMessages:
    def __init__(self, db: AsyncDatabase, keys: SubjectKeys) -> None:
        self._collection = db[COLLECTION]
        self._keys = keys
        self._cipher = FieldCipher(keys, PERSONAL_FIELDS)

    async def ensure_indexes(self) -> None:
        await self._collection.create_index("subject_id")

    async def store(self, envelope: Envelope[ContactMessageReceived]) -> dict[str, Any] | None:
        """Keep the message and return its document; storing the same reference again changes nothing."""
        message = envelope.payload

        async def write(sealed: dict[str, Any]) -> None:
            contents = {
                "subject_id": envelope.subject_id,
                "received_at": envelope.occurred_at,
                **sealed,
            }
            await self._write_once(
                message.reference,
                unless_present="subject_id",
                update={"$set": contents, "$setOnInsert": {"status": OPEN}},
            )

        await self._cipher.store(
            envelope.subject_id,
            message.model_dump(exclude={"reference"}),
            write=write,
            collection=self._collection,
            selection={"_id": message.reference},
        )
        # Checked after the write: a restriction carried out meanwhile flags this message itself.
        restricted = await self._collection.find_one(
            {"subject_id": envelope.subject_id, "restriction": {"$exists": True}},
            projection={"restriction": 1},
        )
        if restricted is not None:
            await self._collection.update_one(
                {"_id": message.reference, "restriction": {"$exists": False}},
                {"$set": {"restriction": restricted["restriction"]}},
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
        """The reference's document with its personal fields decrypted; None when there is none or it was erased."""
        document = await self._collection.find_one({"_id": reference})
        return None if document is None else await self._decrypted(document)

    async def of_subject(self, subject_id: str) -> list[dict[str, Any]]:
        """Every message of the subject, oldest first, decrypted."""
        cursor = self._collection.find({"subject_id": subject_id}).sort("received_at", 1)
        opened = [await self._decrypted(document) async for document in cursor]
        return [document for document in opened if document is not None]

    async def erase(
        self,
        subject_id: str,
        *,
        record_ids: list[str] | None = None,
        keep_all: bool = False,
    ) -> tuple[int, list[str]]:
        """Delete the subject's messages (only `record_ids` when given), or with `keep_all` none of them.

        Returns the number deleted and the references kept. Once the subject has no message
        left, its key is destroyed too, so copies made earlier (backups) cannot be read either.
        """
        selection: dict[str, Any] = {"subject_id": subject_id}
        if record_ids is not None:
            selection["_id"] = {"$in": record_ids}
        if keep_all:
            kept = self._collection.find(selection, projection={"_id": 1})
            return 0, [document["_id"] async for document in kept]
        erased = await self._collection.delete_many(selection)
        await self._destroy_key_when_unused(subject_id)
        return erased.deleted_count, []

    async def rectify(
        self,
        subject_id: str,
        corrections: Mapping[str, str],
        *,
        new_subject_id: str | None,
        at: datetime,
    ) -> int:
        """Correct the subject's messages; a new subject id re-keys them, encrypted under its key."""
        owner = new_subject_id or subject_id
        corrected = 0
        for document in await self.of_subject(subject_id):
            fields = {name: document[name] for name in PERSONAL_FIELDS if name in document}

            async def rekey(sealed: dict[str, Any], reference: str = document["_id"]) -> int:
                result = await self._collection.update_one(
                    {"_id": reference, "subject_id": subject_id},
                    {"$set": {**sealed, "subject_id": owner, "rectified_at": at}},
                )
                return result.modified_count

            corrected += await self._cipher.store(
                owner,
                {**fields, **corrections},
                write=rekey,
                collection=self._collection,
                selection={"_id": document["_id"]},
            )
        if owner != subject_id:
            await self._destroy_key_when_unused(subject_id)
        return corrected

    async def _destroy_key_when_unused(self, subject_id: str) -> None:
        async def has_messages() -> bool:
            found = await self._collection.find_one(
                {"subject_id": subject_id}, projection={"_id": 1}
            )
            return found is not None

        await self._keys.destroy_when_unused(subject_id, has_messages)

    async def _decrypted(self, document: dict[str, Any]) -> dict[str, Any] | None:
        if "subject_id" not in document:
            return document  # an answer recorded before its message: no personal data yet
        return await self._cipher.decrypt_unless_shredded(document["subject_id"], document)

    async def _write_once(self, reference: str, *, unless_present: str, update: dict) -> None:
        """Apply `update` to the reference's document, creating it if needed, unless `unless_present` is set already."""
        not_yet_written = {"_id": reference, unless_present: {"$exists": False}}
        try:
            await self._collection.update_one(not_yet_written, update, upsert=True)
        except DuplicateKeyError:
            # The document exists: it either holds this write already, or a concurrent
            # handler created it a moment ago and this write still has to land on it.
            await self._collection.update_one(not_yet_written, update)
