"""Rights requests at rest, one document per request, changed only by conditional single-document updates.

FerretDB has no transactions, so every state change names the state it starts from in its
filter: two copies of the service racing on one request cannot both win, and a redelivered
message finds the change already made.

The requester's e-mail address, the request's details and corrections and the visitor ids are
encrypted under the subject's data key (shared/crypto.py); every read through this repository
returns them decrypted, or without them when the key was destroyed (the person was erased).
Status, dates, decision and receipts stay readable for the queue and the proof.
"""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from privacyhub.shared.contracts.pages import PageRequest
from privacyhub.shared.contracts.rights import (
    OPEN_STATUSES,
    Decision,
    Extension,
    RightsRequestReceived,
    Status,
    VerificationMethod,
)
from privacyhub.shared.crypto import FieldCipher, SubjectKeys
from privacyhub.shared.deadlines import due_date, receipt_date
from privacyhub.shared.pages import page_of
from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

COLLECTION = "rights_requests"
# The person in a request, encrypted per subject; an erasure drops these fields altogether.
PERSONAL_FIELDS = ("email", "details", "corrections", "visitor_ids")

RightsRequestDocument = dict[str, Any]
# A request waits for a code: the requester's own (identity), or a corrected address's (it is theirs).
AWAITING_A_CODE = [
    Status.AWAITING_VERIFICATION.value,
    Status.AWAITING_NEW_EMAIL_VERIFICATION.value,
]


UNDECIDED = [
    Status.AWAITING_VERIFICATION.value,
    Status.VERIFICATION_LOCKED.value,
    Status.VERIFIED.value,
]
# All an alert to the officer is written from: never a personal field.
ALERT_FIELDS = {"status": 1, "due_date": 1, "execution": 1}


def _open() -> dict[str, Any]:
    return {"$in": [status.value for status in OPEN_STATUSES]}


def request_cipher(keys: SubjectKeys) -> FieldCipher:
    """How a request's personal fields are sealed and opened, for every reader of the collection."""
    return FieldCipher(keys, PERSONAL_FIELDS)


async def decrypted(cipher: FieldCipher, document: RightsRequestDocument) -> RightsRequestDocument:
    """The request with its personal fields opened; without them when its subject's key is gone."""
    opened = await cipher.decrypt_unless_shredded(document["subject_id"], document)
    return cipher.without_sealed(document) if opened is None else opened


class RightsRequests:
    def __init__(self, db: AsyncDatabase, keys: SubjectKeys) -> None:
        self._collection = db[COLLECTION]
        self._cipher = request_cipher(keys)

    async def ensure_indexes(self) -> None:
        await self._collection.create_index([("status", ASCENDING), ("due_date", ASCENDING)])
        await self._collection.create_index("subject_id")

    async def store(self, received: RightsRequestReceived, *, subject_id: str) -> None:
        """Keep a new request awaiting verification; storing the same request id again changes nothing."""
        received_on = receipt_date(received.received_at)
        first_due = due_date(received_on).isoformat()
        document: dict[str, Any] = {
            "subject_id": subject_id,
            "type": received.type.value,
            "channel": received.channel.value,
            "email": str(received.email),
            "details": received.details,
            "corrections": received.corrections.named() if received.corrections else None,
            "visitor_ids": received.visitor_ids,
            "received_at": received.received_at,
            "received_on": received_on.isoformat(),
            "first_due_date": first_due,
            "due_date": first_due,
            "access_token_sha256": received.access_token_sha256,
            "registered_by": received.registered_by,
            "status": Status.AWAITING_VERIFICATION.value,
            "failed_attempts": 0,
            "attempt_ids": [],
            "code_resends": 0,
            "code_resend_ids": [],
            "notified": [],
        }
        request_id = str(received.request_id)

        async def insert(sealed: dict[str, Any]) -> None:
            try:
                await self._collection.insert_one({"_id": request_id, **sealed})
            except DuplicateKeyError:
                pass  # a redelivery: the request is kept already, and may have moved on since

        await self._cipher.store(
            subject_id,
            document,
            write=insert,
            collection=self._collection,
            selection={"_id": request_id},
        )

    async def get(self, request_id: UUID) -> RightsRequestDocument | None:
        """The request with its personal fields decrypted."""
        document = await self._collection.find_one({"_id": str(request_id)})
        return None if document is None else await decrypted(self._cipher, document)

    async def issue_code(
        self, request_id: UUID, *, digest: str, issued_at: datetime, expires_at: datetime
    ) -> None:
        """Replace the request's code; an earlier code stops working."""
        await self._collection.update_one(
            {"_id": str(request_id), "status": {"$in": AWAITING_A_CODE}},
            {
                "$set": {
                    "code_digest": digest,
                    "code_issued_at": issued_at,
                    "code_expires_at": expires_at,
                }
            },
        )

    async def count_resend(
        self, request_id: UUID, *, command_id: UUID, max_resends: int, issued_before: datetime
    ) -> bool:
        """Count one asked-for code, once per command id, within the limits; False when not counted."""
        result = await self._collection.update_one(
            {
                "_id": str(request_id),
                "status": {"$in": AWAITING_A_CODE},
                "code_resend_ids": {"$ne": str(command_id)},
                "code_resends": {"$lt": max_resends},
                "code_issued_at": {"$lt": issued_before},
            },
            {"$inc": {"code_resends": 1}, "$push": {"code_resend_ids": str(command_id)}},
        )
        return result.modified_count == 1

    async def count_wrong_code(
        self, request_id: UUID, *, attempt_id: UUID, max_attempts: int
    ) -> int | None:
        """Count one wrong try, at most once per attempt id; the number of wrong tries, or None when not counted.

        Too many lock a request awaiting verification; at a new address they only stop further
        tries, and the request is escalated once its time is up (execution_store.py)."""
        counted = await self._collection.find_one_and_update(
            {
                "_id": str(request_id),
                "status": {"$in": AWAITING_A_CODE},
                "attempt_ids": {"$ne": str(attempt_id)},
                "failed_attempts": {"$lt": max_attempts},
            },
            {"$inc": {"failed_attempts": 1}, "$push": {"attempt_ids": str(attempt_id)}},
            return_document=ReturnDocument.AFTER,
        )
        if counted is None:
            return None
        if counted["failed_attempts"] >= max_attempts:
            await self._collection.update_one(
                {"_id": str(request_id), "status": Status.AWAITING_VERIFICATION.value},
                {
                    "$set": {"status": Status.VERIFICATION_LOCKED.value},
                    "$unset": {"code_digest": ""},
                },
            )
        return counted["failed_attempts"]

    async def mark_verified(
        self,
        request_id: UUID,
        *,
        method: VerificationMethod,
        verified_at: datetime,
        by: str | None,
        max_attempts: int,
    ) -> bool:
        """Verified by the right code (never once locked) or by a privacy officer (also when locked)."""
        if method is VerificationMethod.EMAIL_CODE:
            condition: dict[str, Any] = {
                "status": Status.AWAITING_VERIFICATION.value,
                "failed_attempts": {"$lt": max_attempts},
            }
        else:
            condition = {
                "status": {
                    "$in": [
                        Status.AWAITING_VERIFICATION.value,
                        Status.VERIFICATION_LOCKED.value,
                    ]
                }
            }
        result = await self._collection.update_one(
            {"_id": str(request_id), **condition},
            {
                "$set": {
                    "status": Status.VERIFIED.value,
                    "verified_at": verified_at,
                    "verification": {"method": method.value, "by": by},
                },
                "$unset": {"code_digest": "", "code_issued_at": "", "code_expires_at": ""},
            },
        )
        return result.modified_count == 1

    async def mark_new_email_verified(
        self, request_id: UUID, *, address_digest: str, verified_at: datetime, max_attempts: int
    ) -> bool:
        """The new address of an approved rectification is verified by the right code: the owners
        may now be asked, and their time starts now. False when the request no longer awaits it."""
        result = await self._collection.update_one(
            {
                "_id": str(request_id),
                "status": Status.AWAITING_NEW_EMAIL_VERIFICATION.value,
                "failed_attempts": {"$lt": max_attempts},
            },
            {
                "$set": {
                    "status": Status.EXECUTING.value,
                    "verified_new_email_digest": address_digest,
                    "execution.started_at": verified_at,
                },
                "$unset": {"code_digest": "", "code_issued_at": "", "code_expires_at": ""},
            },
        )
        return result.modified_count == 1

    async def extend(
        self,
        request_id: UUID,
        extension: Extension,
        *,
        new_due_date: date,
        by: str,
        action_id: UUID,
    ) -> bool:
        """Extend an open request once."""
        result = await self._collection.update_one(
            {"_id": str(request_id), "status": _open(), "extension": {"$exists": False}},
            {
                "$set": {
                    "extension": {
                        **extension.model_dump(),
                        "by": by,
                        "action_id": str(action_id),
                    },
                    "due_date": new_due_date.isoformat(),
                }
            },
        )
        return result.modified_count == 1

    async def decide(
        self,
        request_id: UUID,
        decision: Decision,
        *,
        from_statuses: tuple[Status, ...],
        by: str,
        action_id: UUID,
    ) -> bool:
        result = await self._collection.update_one(
            {"_id": str(request_id), "status": {"$in": [s.value for s in from_statuses]}},
            {
                "$set": {
                    "status": Status.DECIDED.value,
                    "decision": {
                        **decision.model_dump(),
                        "outcome": decision.outcome.value,
                        "by": by,
                        "action_id": str(action_id),
                    },
                }
            },
        )
        return result.modified_count == 1

    async def set_download_code(self, request_id: UUID, code_sha256: str) -> None:
        """The digest of the download code the completion e-mail is about to bring; a code sent before is void."""
        await self._collection.update_one(
            {"_id": str(request_id)}, {"$set": {"download_code_sha256": code_sha256}}
        )

    async def mark_notified(self, request_id: UUID, step: str) -> None:
        """Remember that the requester was told about `step`, so a redelivery does not tell them twice."""
        await self._collection.update_one(
            {"_id": str(request_id)}, {"$addToSet": {"notified": step}}
        )

    async def escalated(self) -> list[dict[str, Any]]:
        """The escalated requests, with only what an alert to the officer is written from."""
        selection = {"status": Status.ESCALATED.value}
        return await self._collection.find(selection, projection=ALERT_FIELDS).to_list()

    async def undecided_due_by(self, last_due_date: date) -> list[dict[str, Any]]:
        """The requests without a decision due on or before `last_due_date`, with only what an
        alert to the officer is written from."""
        selection = {"status": {"$in": UNDECIDED}, "due_date": {"$lte": last_due_date.isoformat()}}
        return await self._collection.find(selection, projection=ALERT_FIELDS).to_list()

    async def queue(
        self, *, status: Status | None, due_before: date | None, page: PageRequest
    ) -> tuple[list[RightsRequestDocument], str | None]:
        """One page of requests by due date, earliest first: the open ones, or those with
        `status`; and the cursor of the next page."""
        query: dict[str, Any] = {"status": status.value if status else _open()}
        if due_before is not None:
            query["due_date"] = {"$lt": due_before.isoformat()}
        return await page_of(
            self._collection,
            query,
            order=["due_date", "received_at"],
            page=page,
            projection={**{field: 0 for field in PERSONAL_FIELDS}, "access_token_sha256": 0},
        )
