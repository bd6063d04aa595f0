"""The questions the partner was given, keyed by their reference: exactly the shared fields and the subject.

The shared fields are personal data (the question and the address to answer), so they are kept
encrypted under the subject's data key as the contact service keeps its messages
(shared/crypto.py): the subject id, the date and the restriction and objection flags stay
readable for queries, every read returns the fields decrypted, and erasing a subject's last
question destroys the subject's key, so no copy of this database made earlier can be read either.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from privacyhub.shared.bulk import insert_new
from privacyhub.shared.contracts.partner import PartnerMessage
from privacyhub.shared.crypto import FieldCipher, SubjectKeys
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.register import load_register
from pymongo.asynchronous.database import AsyncDatabase

COLLECTION = "shared_questions"
RECIPIENT = "support_partner"  # the partner's id in Jobport's processing register
REFERENCE = "reference"
# Whatever the register lets Jobport share with the partner, but the reference that keys it.
PERSONAL_FIELDS = tuple(
    name for name in load_register().recipient(RECIPIENT).fields if name != REFERENCE
)


class SharedQuestions:
    def __init__(self, db: AsyncDatabase, keys: SubjectKeys) -> None:
        self._collection = db[COLLECTION]
        self._keys = keys
        self._cipher = FieldCipher(keys, PERSONAL_FIELDS)

    async def ensure_indexes(self) -> None:
        await self._collection.create_index("subject_id")

    async def keep(self, shared: Sequence[Envelope[PartnerMessage]]) -> None:
        """Keep shared questions, their shared fields sealed, in one insert; a reference kept
        before changes nothing."""
        questions = []
        for message in shared:
            given = message.payload.model_dump()
            question = {
                "_id": given[REFERENCE],
                **{name: given[name] for name in PERSONAL_FIELDS if name in given},
                "subject_id": message.subject_id,
                "received_at": message.occurred_at,
            }
            questions.append((message.subject_id, question))

        async def insert_new_ones(sealed: list[dict[str, Any]]) -> None:
            await insert_new(self._collection, sealed)

        await self._cipher.store_all(questions, write=insert_new_ones, collection=self._collection)

    async def of_subject(self, subject_id: str) -> list[dict[str, Any]]:
        """Every question of the subject, oldest first, decrypted, each named by its reference."""
        return [{REFERENCE: q.pop("_id")} | q for q in await self._opened(subject_id)]

    async def erase(self, subject_id: str, *, references: list[str] | None) -> int:
        """Delete the subject's questions (only `references` when given); how many.

        Once the subject has no question left, its key is destroyed too.
        """
        selection: dict[str, Any] = {"subject_id": subject_id}
        if references is not None:
            selection["_id"] = {"$in": references}
        erased = await self._collection.delete_many(selection)
        await self._destroy_key_when_unused(subject_id)
        return erased.deleted_count

    async def rectify(
        self, subject_id: str, corrections: Mapping[str, str], *, new_subject_id: str | None
    ) -> int:
        """Correct the shared fields of the subject's questions; a new subject id re-keys them,
        sealed under its key. Returns how many questions were rewritten."""
        owner = new_subject_id or subject_id
        corrected_fields = {n: v for n, v in corrections.items() if n in self._cipher.fields}
        corrected = await self._cipher.rewrite(
            self._collection,
            subject_id,
            await self._opened(subject_id),
            corrected_fields,
            owner=owner,
        )
        if owner != subject_id:
            await self._destroy_key_when_unused(subject_id)
        return corrected

    async def flag(self, subject_id: str, flag: str, *, request_id: str, at: datetime) -> int:
        """Flag (`restriction`, `objection`) every question of the subject; how many changed."""
        result = await self._collection.update_many(
            {"subject_id": subject_id}, {"$set": {flag: {"since": at, "request_id": request_id}}}
        )
        return result.modified_count

    async def unset(self, subject_id: str, *, request_id: str, flag: str) -> int:
        result = await self._collection.update_many(
            {"subject_id": subject_id, f"{flag}.request_id": request_id}, {"$unset": {flag: ""}}
        )
        return result.modified_count

    async def holds_any(self, subject_id: str) -> bool:
        """Whether any question of the subject is held."""
        found = await self._collection.find_one({"subject_id": subject_id}, projection={"_id": 1})
        return found is not None

    async def _opened(self, subject_id: str) -> list[dict[str, Any]]:
        """The subject's questions, oldest first, decrypted; those whose key is gone read as erased."""
        cursor = self._collection.find({"subject_id": subject_id}).sort("received_at", 1)
        opened = [await self._cipher.decrypt_unless_shredded(subject_id, q) async for q in cursor]
        return [question for question in opened if question is not None]

    async def _destroy_key_when_unused(self, subject_id: str) -> None:
        await self._keys.destroy_when_unused(subject_id, partial(self.holds_any, subject_id))
