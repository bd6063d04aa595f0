"""What carrying out a rights request leaves at rest: its progress per owner, the owners' exports, the package.

Progress lives on the request's own document and changes only by conditional single-document
updates, so a redelivered answer is counted once. Exported data waits in `owner_exports` until
the package is built, and the package is kept in chunks: both through their stores
(packages.py), which this one combines with the request.

Everything personal here is encrypted under the subject's data key (shared/crypto.py): the
request's personal fields (repository.py), each owner's exported categories and each chunk of the
package. The documents this store returns are decrypted; a package whose key is gone is no more.
When an erasure has dropped the request's fields, it deletes the subject's packages and left-over
exports, and destroys the subject's data key too unless something here still needs it: a request
of the subject that keeps its personal fields (one still open, or one that was not closed when the
erasure completed), an export waiting for its package, or a complaint of the subject (kept two
years for the Autoriteit Persoonsgegevens, whatever the person asks; see complaints.py). Then a
backup of this database taken before the erasure cannot be read any more either.
"""

from datetime import datetime
from typing import Any

from privacyhub.requests.complaints.workflow import Complaints
from privacyhub.requests.rights.officer_alerts import AlertClaims
from privacyhub.requests.rights.packages import ExportPackages, OwnerExports
from privacyhub.requests.rights.repository import (
    COLLECTION,
    PERSONAL_FIELDS,
    RightsRequestDocument,
    decrypted,
    request_cipher,
)
from privacyhub.shared.contracts.rights import CARRIED_OUT, Channel, Status
from privacyhub.shared.contracts.subject import OwnerReceipt, SubjectDataExported
from privacyhub.shared.crypto import SubjectKeys
from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

CARRYING_OUT = [Status.EXECUTING.value, Status.ESCALATED.value]
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


class Executions:
    def __init__(self, db: AsyncDatabase, keys: SubjectKeys) -> None:
        self._requests = db[COLLECTION]
        self._complaints = Complaints(db, keys)
        self._keys = keys
        self._cipher = request_cipher(keys)
        self._exports = OwnerExports(db, keys)
        self._packages = ExportPackages(db, keys)
        self._alert_claims = AlertClaims(db)

    async def ensure_indexes(self) -> None:
        await self._requests.create_index(
            [("status", ASCENDING), ("execution.started_at", ASCENDING)]
        )
        await self._exports.ensure_indexes()
        await self._packages.ensure_indexes()

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
        started = await self._requests.find_one_and_update(
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
        await self._requests.update_one(
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
            result = await self._requests.update_one(escalated, {"$set": {**restarted, **sealed}})
            return result.modified_count == 1

        if amended is None:
            return await write({})
        subject_id, corrections = amended
        return await self._cipher.store(
            subject_id,
            {"corrections": corrections, "receipts": []},
            write=write,
            collection=self._requests,
            selection={"_id": request_id},
        )

    async def close(self, request_id: str, *, closure: dict[str, Any]) -> bool:
        """Close an escalated request with what was done so far; False when it is not escalated
        or already closed."""
        result = await self._requests.update_one(
            {"_id": request_id, "status": Status.ESCALATED.value, "closure": {"$exists": False}},
            {"$set": {"closure": closure}},
        )
        return result.modified_count == 1

    async def record_answer(
        self, request_id: str, *, owner: str, receipts: list[OwnerReceipt]
    ) -> None:
        """Count `owner`'s answer once, with its receipts."""
        await self._requests.update_one(
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
        await self._requests.update_one(
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
        await self._requests.update_one(
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

    async def keep_export(
        self,
        request_id: str,
        *,
        subject_id: str,
        owner: str,
        export: SubjectDataExported,
    ) -> None:
        await self._exports.keep(request_id, subject_id=subject_id, owner=owner, export=export)

    async def export_of(
        self, request_id: str, owner: str, *, parts: int
    ) -> list[dict[str, Any]] | None:
        return await self._exports.of_owner(request_id, owner, parts=parts)

    async def exports(self, request_id: str) -> dict[str, list[dict[str, Any]]]:
        return await self._exports.of_request(request_id)

    async def escalate_overdue(self, *, started_before: datetime) -> int:
        """Escalate every executing request some owner left unanswered since before `started_before`,
        and every rectification whose new e-mail address was not verified by then (nothing was
        sent: the officer amends or closes it)."""
        unverified = await self._requests.update_many(
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
        overdue = self._requests.find(
            {"status": Status.EXECUTING.value, "execution.started_at": {"$lt": started_before}}
        )
        escalated = 0
        async for document in overdue:
            execution = document["execution"]
            missing = [o for o in execution["owners"] if o not in execution["answered"]]
            result = await self._requests.update_one(
                {"_id": document["_id"], "status": Status.EXECUTING.value},
                {"$set": {"status": Status.ESCALATED.value, "execution.missing": missing}},
            )
            escalated += result.modified_count
        return escalated + unverified.modified_count

    async def complete(self, request_id: str, *, completed_at: datetime) -> None:
        await self._requests.update_one(
            {"_id": request_id, "status": {"$in": CARRYING_OUT}},
            {
                "$set": {"status": Status.COMPLETED.value, "completed_at": completed_at},
                "$unset": {"execution.missing": ""},
            },
        )

    async def history(self, subject_id: str) -> list[RightsRequestDocument]:
        cursor = self._requests.find({"subject_id": subject_id}).sort("received_at", ASCENDING)
        return [await decrypted(self._cipher, document) async for document in cursor]

    async def store_package(
        self, request_id: str, *, subject_id: str, package: bytes, at: datetime
    ) -> None:
        """Keep the package once; the exports it was built from go then."""
        if await self.has_package(request_id):
            return
        await self._packages.store(request_id, subject_id=subject_id, package=package, at=at)
        await self._exports.drop(request_id)

    async def has_package(self, request_id: str) -> bool:
        return await self._packages.has(request_id)

    async def package_chunk(self, request_id: str, number: int) -> tuple[bytes, int] | None:
        return await self._packages.chunk(request_id, number)

    async def package_downloaded(self, request_id: str, *, at: datetime) -> None:
        await self._packages.downloaded(request_id, at=at)

    async def erase_expired_packages(
        self, *, kept_before: datetime, downloaded_before: datetime
    ) -> int:
        """Delete the packages kept since before `kept_before` or downloaded before
        `downloaded_before`: a copy of data its owners erase on their own schedule must not
        outlive the download it was made for. The number deleted."""
        subjects = await self._packages.erase_expired(
            kept_before=kept_before, downloaded_before=downloaded_before
        )
        for subject_id in sorted(set(subjects)):
            await self.destroy_key_when_unused(subject_id)
        return len(subjects)

    async def package(self, request_id: str) -> bytes | None:
        return await self._packages.package(request_id)

    async def forget_person(self, subject_id: str, *, at: datetime) -> None:
        """After an erasure: drop the personal fields of the subject's closed requests, their packages and exports.

        The subject's data key goes too when no request, export or complaint of the subject still
        holds data encrypted with it.
        """
        await self._requests.update_many(
            {
                "subject_id": subject_id,
                "status": {"$in": [Status.DECIDED.value, Status.COMPLETED.value]},
            },
            {
                "$unset": {field: "" for field in PERSONAL_FIELDS},
                "$set": {"personal_data_dropped_at": at},
            },
        )
        await self._packages.erase_of_subject(subject_id)
        carrying_out = [
            request["_id"]
            async for request in self._requests.find(
                {"subject_id": subject_id, "status": {"$in": CARRYING_OUT}}, projection={"_id": 1}
            )
        ]
        await self._exports.drop_of_subject(subject_id, except_for=carrying_out)
        await self.destroy_key_when_unused(subject_id)

    async def destroy_key_when_unused(self, subject_id: str) -> None:
        """Crypto-shred the subject unless a request, export or complaint still holds data under its key."""

        async def in_use() -> bool:
            still_personal = {"$or": [{field: {"$exists": True}} for field in PERSONAL_FIELDS]}
            of_subject = {"subject_id": subject_id}
            return any(
                [
                    await self._requests.find_one({**of_subject, **still_personal}, {"_id": 1}),
                    await self._exports.any_of_subject(subject_id),
                    await self._complaints.any_of_subject(subject_id),
                ]
            )

        await self._keys.destroy_when_unused(subject_id, in_use)

    async def erase_completed_before(self, cutoff: datetime, *, held: list[str]) -> tuple[int, int]:
        """Delete the requests completed or refused before `cutoff` with their leftovers, except
        the `held` subjects'.

        The whole record goes, receipts too: the proof is kept as long as the register says, then
        it goes as well. Each subject's data key goes when nothing here needs it any more. Returns
        how many requests went and how many a hold kept.
        """
        expired = {
            "$or": [
                {"status": Status.COMPLETED.value, "completed_at": {"$lt": cutoff}},
                {"status": Status.DECIDED.value, "decision.decided_at": {"$lt": cutoff}},
            ]
        }
        return await self._erase_requests(expired, held=held)

    async def erase_unverified_before(
        self, cutoff: datetime, *, held: list[str]
    ) -> tuple[int, int]:
        """Delete the web requests received before `cutoff` that nobody verified (awaiting their
        code, or locked after too many wrong ones), except the `held` subjects'; how many went and
        were kept."""
        unverified = [Status.AWAITING_VERIFICATION.value, Status.VERIFICATION_LOCKED.value]
        expired = {
            "status": {"$in": unverified},
            "channel": Channel.WEB.value,  # a letter or e-mail waits for the officer, not a code
            "received_at": {"$lt": cutoff},
        }
        return await self._erase_requests(expired, held=held)

    async def _erase_requests(self, expired: dict[str, Any], *, held: list[str]) -> tuple[int, int]:
        """Delete the `expired` requests whole, with their packages, exports and alerts, except
        the `held` subjects'; then each subject's data key unless something still needs it."""
        kept = await self._requests.count_documents({**expired, "subject_id": {"$in": held}})
        due = {**expired, "subject_id": {"$nin": held}}
        erased, subjects = 0, set()
        # Read first, then delete: no cursor stays open over the documents being deleted.
        for request in await self._requests.find(due, projection={"subject_id": 1}).to_list():
            await self._packages.erase(request["_id"])
            await self._exports.drop(request["_id"])
            await self._alert_claims.forget(request["_id"])
            deleted = await self._requests.delete_one({"_id": request["_id"], **due})
            erased += deleted.deleted_count
            subjects.add(request["subject_id"])
        for subject_id in sorted(subjects):
            await self.destroy_key_when_unused(subject_id)
        return erased, kept
