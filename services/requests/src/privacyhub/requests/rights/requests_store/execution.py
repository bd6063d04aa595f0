"""Carrying a decided request out: its progress per owner lives on the request's own document.

Each step names the state it starts from in its filter, so a redelivered answer is counted once
and two copies of the service racing on one request cannot both win.
"""

from datetime import datetime
from typing import Any

from privacyhub.requests.rights.requests_store.documents import (
    CARRYING_OUT,
    RightsRequestDocument,
    StoreBase,
    decrypted,
)
from privacyhub.shared.contracts.rights import CARRIED_OUT, Status
from privacyhub.shared.contracts.subject import OwnerReceipt
from pymongo import ReturnDocument

NEW_EMAIL_NOT_VERIFIED = (
    "the new e-mail address was not verified in time with the code sent to it: amend the "
    "rectification (the address it names gets a new code) or close it"
)


def carried_out_next(*, awaiting_new_email: bool) -> dict[str, Any]:
    """What a request that is carried out (anew) becomes: executing, or first waiting for the code
    sent to a new e-mail address, whose wrong tries and new codes then count afresh."""
    if not awaiting_new_email:
        return {"status": Status.EXECUTING.value}
    return {
        "status": Status.AWAITING_NEW_EMAIL_VERIFICATION.value,
        "failed_attempts": 0,
        "code_resends": 0,
    }


class Execution(StoreBase):
    async def start(
        self,
        request_id: str,
        *,
        command_type: str,
        owners: list[str],
        started_at: datetime,
        awaiting_new_email: bool = False,
    ) -> RightsRequestDocument | None:
        """Move an approved or partially refused, verified request to `executing` (or to wait for
        its new e-mail address's code); None when it is not (or no longer) such a request."""
        started = await self._collection.find_one_and_update(
            {
                "_id": request_id,
                "status": Status.DECIDED.value,
                "decision.outcome": {"$in": [outcome.value for outcome in CARRIED_OUT]},
                "verified_at": {"$ne": None},
            },
            {
                "$set": {
                    **carried_out_next(awaiting_new_email=awaiting_new_email),
                    "execution": {
                        "command": command_type,
                        "owners": owners,
                        "answered": [],
                        "started_at": started_at,
                    },
                    "receipts": [],
                }
            },
            return_document=ReturnDocument.AFTER,
        )
        return None if started is None else await decrypted(self._cipher, started)

    async def cannot_start(self, request_id: str, *, problem: str, at: datetime) -> None:
        """An approved request that names nothing to carry out goes to the officer's queue."""
        await self._collection.update_one(
            {"_id": request_id, "status": Status.DECIDED.value},
            {
                "$set": {
                    "status": Status.ESCALATED.value,
                    "execution": {
                        "problem": problem,
                        "owners": [],
                        "answered": [],
                        "started_at": at,
                    },
                }
            },
        )

    async def restart(
        self,
        request_id: str,
        *,
        execution: dict[str, Any],
        amended: tuple[str, dict[str, str]] | None = None,
        awaiting_new_email: bool = False,
    ) -> bool:
        """Carry an escalated, unclosed request out again under `execution`; with `amended`
        (subject id, corrections), its corrections replaced and its receipts cleared. False when
        the request is not such a request (any more)."""
        escalated = {
            "_id": request_id,
            "status": Status.ESCALATED.value,
            "closure": {"$exists": False},
        }
        restarted = {
            **carried_out_next(awaiting_new_email=awaiting_new_email),
            "execution": execution,
        }

        async def write(sealed: dict[str, Any]) -> bool:
            result = await self._collection.update_one(escalated, {"$set": {**restarted, **sealed}})
            return result.modified_count == 1

        if amended is None:
            return await write({})
        subject_id, corrections = amended
        return await self._cipher.store(
            subject_id,
            {"corrections": corrections, "receipts": []},
            write=write,
            collection=self._collection,
            selection={"_id": request_id},
        )

    async def close(self, request_id: str, *, closure: dict[str, Any]) -> bool:
        """Close an escalated request with what was done so far; False when it is not escalated
        or already closed."""
        result = await self._collection.update_one(
            {"_id": request_id, "status": Status.ESCALATED.value, "closure": {"$exists": False}},
            {"$set": {"closure": closure}},
        )
        return result.modified_count == 1

    async def record_answer(
        self, request_id: str, *, owner: str, receipts: list[OwnerReceipt]
    ) -> None:
        """Count `owner`'s answer once, with its receipts."""
        await self._collection.update_one(
            {
                "_id": request_id,
                "status": {"$in": CARRYING_OUT},
                "execution.answered": {"$ne": owner},
            },
            {
                "$push": {
                    "execution.answered": owner,
                    "receipts": {"$each": [r.model_dump() for r in receipts]},
                }
            },
        )

    async def lift_restriction(
        self, request_id: str, *, by: str, action_id: str, at: datetime
    ) -> None:
        """Note once that a privacy officer lifted the completed restriction request's restriction."""
        await self._collection.update_one(
            {
                "_id": request_id,
                "status": Status.COMPLETED.value,
                "restriction_lift": {"$exists": False},
            },
            {
                "$set": {
                    "restriction_lift": {
                        "lifted_at": at,
                        "by": by,
                        "action_id": action_id,
                        "answered": [],
                    }
                }
            },
        )

    async def record_lift_answer(
        self, request_id: str, *, owner: str, receipts: list[OwnerReceipt]
    ) -> None:
        """Count `owner`'s answer to the lift once, its receipts joining the request's proof."""
        await self._collection.update_one(
            {
                "_id": request_id,
                "restriction_lift": {"$exists": True},
                "restriction_lift.answered": {"$ne": owner},
            },
            {
                "$push": {
                    "restriction_lift.answered": owner,
                    "receipts": {"$each": [r.model_dump() for r in receipts]},
                }
            },
        )

    async def escalate_overdue(self, *, started_before: datetime) -> int:
        """Escalate every executing request some owner left unanswered since before `started_before`,
        and every rectification whose new e-mail address was not verified by then (nothing was
        sent: the officer amends or closes it)."""
        unverified = await self._collection.update_many(
            {
                "status": Status.AWAITING_NEW_EMAIL_VERIFICATION.value,
                "execution.started_at": {"$lt": started_before},
            },
            {
                "$set": {
                    "status": Status.ESCALATED.value,
                    "execution.problem": NEW_EMAIL_NOT_VERIFIED,
                },
                "$unset": {"code_digest": "", "code_issued_at": "", "code_expires_at": ""},
            },
        )
        overdue = self._collection.find(
            {"status": Status.EXECUTING.value, "execution.started_at": {"$lt": started_before}}
        )
        escalated = 0
        async for document in overdue:
            execution = document["execution"]
            missing = [o for o in execution["owners"] if o not in execution["answered"]]
            result = await self._collection.update_one(
                {"_id": document["_id"], "status": Status.EXECUTING.value},
                {"$set": {"status": Status.ESCALATED.value, "execution.missing": missing}},
            )
            escalated += result.modified_count
        return escalated + unverified.modified_count

    async def complete(self, request_id: str, *, completed_at: datetime) -> None:
        await self._collection.update_one(
            {"_id": request_id, "status": {"$in": CARRYING_OUT}},
            {
                "$set": {"status": Status.COMPLETED.value, "completed_at": completed_at},
                "$unset": {"execution.missing": ""},
            },
        )
