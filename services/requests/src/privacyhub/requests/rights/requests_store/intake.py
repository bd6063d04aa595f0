"""A request comes in and is verified: kept once awaiting its code, codes issued and counted, and
verified by the right code or by a privacy officer."""

from datetime import datetime
from typing import Any
from uuid import UUID

from privacyhub.requests.rights.requests_store.documents import (
    AWAITING_A_CODE,
    RightsRequestDocument,
    StoreBase,
    decrypted,
)
from privacyhub.shared.contracts.rights import RightsRequestReceived, Status, VerificationMethod
from privacyhub.shared.deadlines import due_date, receipt_date
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError


class Intake(StoreBase):
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
        tries, and the request is escalated once its time is up (`escalate_overdue`)."""
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
