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
restriction holds for the subject until lifted (restrictions.py), so a message arriving meanwhile
is written restricted in the same write that stores it; an objection covers the messages held
when it was carried out, and a question the person sends afterwards is one they ask us to answer.

Messages come a batch at a time (intake.py): each is sealed and inserted as a new document of
its reference in one bulk (`store_all`). A reference that has a document already goes the slow
way, alone (`store_late`): an answer recorded before its message is merged with it, a message
stored before (a redelivery) is left as it is. Every write selects its document by `_id`:
FerretDB v1 scans the whole collection for any other filter.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from privacyhub.shared.bulk import insert_skipping_stored
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


def new_document(
    envelope: Envelope[ContactMessageReceived], restriction: dict[str, Any] | None
) -> dict[str, Any]:
    """A message as its reference's document, personal fields still in clear."""
    message = envelope.payload
    document = {
        "_id": message.reference,
        "subject_id": envelope.subject_id,
        "received_at": envelope.occurred_at,
        "status": OPEN,
        **message.model_dump(exclude={"reference"}),
    }
    if restriction:
        document["restriction"] = restriction
    return document


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

    async def store_all(
        self,
        envelopes: Sequence[Envelope[ContactMessageReceived]],
        restrictions: Mapping[str, dict[str, Any]],
    ) -> list[Envelope[ContactMessageReceived]]:
        """Insert each message as the new document of its reference, sealed under its subject's
        key, all in one bulk; a message of a subject in `restrictions` carries the restriction
        from its first write. Returns the messages whose reference had a document already: they
        are not written (`store_late` takes them)."""
        documents = [
            (envelope.subject_id, new_document(envelope, restrictions.get(envelope.subject_id)))
            for envelope in envelopes
        ]
        skipped: list[int] = []

        async def insert(sealed: list[dict[str, Any]]) -> None:
            skipped.extend(await insert_skipping_stored(self._collection, sealed))

        await self._cipher.store_all(documents, write=insert, collection=self._collection)
        return [envelopes[position] for position in skipped]

    async def store_late(
        self,
        envelope: Envelope[ContactMessageReceived],
        restriction: dict[str, Any] | None,
    ) -> dict[str, Any] | None:
        """Store a message whose reference had a document already, and return the document as
        stored (sealed); None when it is gone (erased meanwhile).

        A document without a subject holds an answer recorded before its message arrived: the
        message is merged into it. One with a subject holds the message already (a redelivery,
        or the same reference twice), which stays as it is; if the subject is restricted now
        and the document is not yet, the restriction is added, so it is not disclosed.
        """
        reference = envelope.payload.reference
        document = await self._collection.find_one({"_id": reference})
        if document is None:
            return None
        if "subject_id" in document:
            if restriction and not document.get("restriction"):
                await self._collection.update_one(
                    {"_id": reference}, {"$set": {"restriction": restriction}}
                )
                document["restriction"] = restriction
            return document
        contents = new_document(envelope, restriction)
        del contents["_id"], contents["status"]  # the answer's status stays

        async def merge(sealed: dict[str, Any]) -> None:
            await self._collection.update_one({"_id": reference}, {"$set": sealed})

        await self._cipher.store(
            envelope.subject_id,
            contents,
            write=merge,
            collection=self._collection,
            selection={"_id": reference},
        )
        return await self._collection.find_one({"_id": reference})

    async def store(
        self,
        envelope: Envelope[ContactMessageReceived],
        *,
        restriction: dict[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        """Keep one message (`store_all`, then `store_late` if need be) and return its document
        decrypted; storing the same reference again changes nothing."""
        restrictions = {} if restriction is None else {envelope.subject_id: restriction}
        if await self.store_all([envelope], restrictions):
            await self.store_late(envelope, restriction)
        return await self.get(envelope.payload.reference)

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
        corrected = await self._cipher.rewrite(
            self._collection,
            subject_id,
            await self.of_subject(subject_id),
            corrections,
            owner=owner,
            also={"rectified_at": at},
        )
        if owner != subject_id:
            await self._destroy_key_when_unused(subject_id)
        return corrected

    # Restriction and objection flags are clear fields, set in place on the subject's messages.

    async def flag_restricted(self, subject_id: str, restriction: dict[str, Any]) -> int:
        """Flag every message of the subject with `restriction` (since, request_id); how many changed."""
        result = await self._collection.update_many(
            {"subject_id": subject_id}, {"$set": {"restriction": restriction}}
        )
        return result.modified_count

    async def lift_restriction(self, subject_id: str, *, restricted_by: str) -> int:
        """Unflag the subject's messages that `restricted_by` restricted; how many changed."""
        result = await self._collection.update_many(
            {"subject_id": subject_id, "restriction.request_id": restricted_by},
            {"$unset": {"restriction": ""}},
        )
        return result.modified_count

    async def flag_objected(self, subject_id: str, objection: dict[str, Any]) -> int:
        """Flag every message of the subject with `objection` (since, request_id); how many changed."""
        result = await self._collection.update_many(
            {"subject_id": subject_id}, {"$set": {"objection": objection}}
        )
        return result.modified_count

    async def holds_any(self, subject_id: str) -> bool:
        """Whether any message of the subject is held (a scan on FerretDB v1: rights requests only)."""
        found = await self._collection.find_one({"subject_id": subject_id}, projection={"_id": 1})
        return found is not None

    async def _destroy_key_when_unused(self, subject_id: str) -> None:
        await self._keys.destroy_when_unused(subject_id, partial(self.holds_any, subject_id))

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
