"""Complaints (statement §8): the store of complaints and the workflow to a resolution; the intake
from COMPLAINTS is in handlers.py, the staff reads in queries.py, the status changes in commands.py.

A suspected breach is a complaint too (its reporter hears how it ends), and it also
opens an entry in the breach register.

The reporter's address and words, the resolution and the history (its notes are free text a
privacy officer writes, which may well name people) are encrypted under the subject's data key
(shared/crypto.py); kind, channel, status and dates stay readable for the queue. A complaint is
kept for its own retention period whatever its reporter asks later, so an erasure of the reporter
leaves the complaint and keeps the key it needs (execution_store.py).
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from privacyhub.shared.contracts.complaints import (
    ChangeComplaintStatus,
    Complaint,
    ComplaintFilter,
    ComplaintKind,
    ComplaintReceived,
    ComplaintStatus,
    ComplaintStep,
    ComplaintSummary,
    breach_id_for,
)
from privacyhub.shared.contracts.pages import Page, PageRequest
from privacyhub.shared.crypto import FieldCipher, SubjectKeys
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.pages import page_of
from privacyhub.shared.queries import (
    Refusal,
)
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from pymongo.results import UpdateResult

COLLECTION = "complaints"
# Apart from the complaint: a FerretDB v1 update reads and rewrites the whole document, so the
# intake marking its receipt could undo a status change made at the same moment.
RECEIPTS = "complaint_receipts"
PERSONAL_FIELDS = ("email", "message", "resolution", "history")

# The one way forward from each status; anything else is refused.
NEXT_STATUS: Mapping[ComplaintStatus, ComplaintStatus] = {
    ComplaintStatus.RECEIVED: ComplaintStatus.IN_PROGRESS,
    ComplaintStatus.IN_PROGRESS: ComplaintStatus.RESOLVED,
}


def may_move(current: ComplaintStatus, to: ComplaintStatus) -> bool:
    return NEXT_STATUS.get(current) == to


def _step_document(step: ComplaintStep) -> dict[str, Any]:
    """A history step as stored (inside the encrypted history, so as JSON)."""
    return step.model_dump(mode="json", exclude_none=True)


def _complaint(document: dict[str, Any]) -> Complaint:
    return Complaint.model_validate({"reference": document["_id"], **document})


def resolved_at(complaint: Complaint) -> datetime:
    """When the complaint was resolved: the moment its two-year retention period starts."""
    return max(step.at for step in complaint.history if step.status is ComplaintStatus.RESOLVED)


class Complaints:
    """Complaints keyed by reference; each status change is a conditional single-document update."""

    def __init__(self, db: AsyncDatabase, keys: SubjectKeys) -> None:
        self._collection = db[COLLECTION]
        self._receipts = db[RECEIPTS]
        self._cipher = FieldCipher(keys, PERSONAL_FIELDS)

    async def ensure_indexes(self) -> None:
        await self._collection.create_index("status")
        await self._collection.create_index("subject_id")

    async def store(self, envelope: Envelope[ComplaintReceived]) -> None:
        """Keep the complaint as received; storing the same reference again changes nothing."""
        received = envelope.payload
        intake = ComplaintStep(status=ComplaintStatus.RECEIVED, at=received.received_at)
        personal = {
            **received.model_dump(exclude={"reference"}),
            "history": [_step_document(intake)],
        }
        clear: dict[str, Any] = {
            "subject_id": envelope.subject_id,
            "status": ComplaintStatus.RECEIVED,
        }
        if received.kind is ComplaintKind.SUSPECTED_BREACH:
            clear["breach_id"] = breach_id_for(received.reference)

        async def write(sealed: dict[str, Any]) -> None:
            await self._collection.update_one(
                {"_id": received.reference}, {"$setOnInsert": {**clear, **sealed}}, upsert=True
            )

        await self._cipher.store(
            envelope.subject_id,
            personal,
            write=write,
            collection=self._collection,
            selection={"_id": received.reference},
        )

    async def receipt_sent(self, reference: str) -> bool:
        return await self._receipts.find_one({"_id": reference}) is not None

    async def mark_receipt_sent(self, reference: str, *, at: datetime) -> None:
        try:
            await self._receipts.insert_one({"_id": reference, "sent_at": at})
        except DuplicateKeyError:
            pass  # marked by an earlier delivery; the first time stays

    async def get(self, reference: str) -> Complaint | None:
        """The complaint with its personal fields decrypted."""
        document = await self._decrypted(reference)
        if document is None:
            return None
        if receipt := await self._receipts.find_one({"_id": reference}):
            document["receipt_sent_at"] = receipt["sent_at"]
        return _complaint(document)

    async def any_of_subject(self, subject_id: str) -> bool:
        """Whether a complaint of the subject is kept (it needs the subject's data key)."""
        return await self._collection.find_one({"subject_id": subject_id}, {"_id": 1}) is not None

    async def _decrypted(self, reference: str) -> dict[str, Any] | None:
        document = await self._collection.find_one({"_id": reference})
        if document is None:
            return None
        return await self._cipher.decrypt_unless_shredded(document["subject_id"], document)

    async def listed(self, which: ComplaintFilter) -> Page[ComplaintSummary]:
        """A page of the staff queue, oldest first."""
        criteria = which.model_dump(exclude_none=True, exclude=set(PageRequest.model_fields))
        documents, following = await page_of(
            self._collection,
            criteria,
            order=["received_at"],
            page=which,
            projection={field: 0 for field in PERSONAL_FIELDS},
        )
        return Page[ComplaintSummary](
            items=[
                ComplaintSummary.model_validate({"reference": document["_id"], **document})
                for document in documents
            ],
            next=following,
        )

    async def erase_resolved_before(
        self, cutoff: datetime, *, held: list[str]
    ) -> tuple[int, int, set[str]]:
        """Delete the complaints resolved before `cutoff`, except the `held` reporters'.

        When a complaint was resolved is its history's resolved step, which is encrypted, so each
        resolved complaint is opened to read it (complaints are few). Returns how many went, how
        many a hold kept, and whose complaints went.
        """
        erased, kept, reporters = 0, 0, set()
        async for stored in self._collection.find({"status": ComplaintStatus.RESOLVED}):
            complaint = await self._cipher.decrypt_unless_shredded(stored["subject_id"], stored)
            if complaint is None or resolved_at(_complaint(complaint)) >= cutoff:
                continue
            if complaint["subject_id"] in held:
                kept += 1
                continue
            # The receipt mark first: once the complaint is gone, nothing of it is left.
            await self._receipts.delete_one({"_id": stored["_id"]})
            deleted = await self._collection.delete_one(
                {"_id": stored["_id"], "status": ComplaintStatus.RESOLVED}
            )
            erased += deleted.deleted_count
            reporters.add(complaint["subject_id"])
        return erased, kept, reporters

    async def change_status(
        self, command: ChangeComplaintStatus, *, at: datetime
    ) -> Complaint | None:
        """Move the complaint one step on and return it; None when there is no such complaint.

        Any other step is refused (`invalid_transition`). A command found in the history was
        applied before (a redelivery) and is answered as applied again; the update is
        conditional on the status it was checked against.
        """
        document = await self._decrypted(command.reference)
        if document is None:
            return None
        complaint = _complaint(document)
        if any(step.command_id == command.command_id for step in complaint.history):
            return complaint
        if not may_move(complaint.status, command.status):
            raise Refusal(
                "invalid_transition",
                f"A complaint that is {complaint.status} cannot become {command.status}.",
            )
        step = ComplaintStep(
            status=command.status,
            at=at,
            by=command.changed_by,
            note=command.note,
            command_id=command.command_id,
        )
        # The history is sealed as a whole, so the step is added by rewriting it; the condition
        # on the status it was read with keeps a concurrent change from being overwritten.
        changes: dict[str, Any] = {"history": [*document["history"], _step_document(step)]}
        if command.status is ComplaintStatus.RESOLVED:
            changes["resolution"] = command.note
        checked = {"_id": command.reference, "status": complaint.status}

        async def write(sealed: dict[str, Any]) -> UpdateResult:
            return await self._collection.update_one(
                checked, {"$set": {**sealed, "status": command.status}}
            )

        result = await self._cipher.store(
            document["subject_id"],
            changes,
            write=write,
            collection=self._collection,
            selection={"_id": command.reference},
        )
        if result.matched_count == 0:
            # Another change came in between; judge this one against the status it made.
            return await self.change_status(command, at=at)
        return await self.get(command.reference)
