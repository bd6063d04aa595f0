"""A privacy officer's steps on a request before it is carried out (an extension, a decision), and
what the requester was sent about it."""

from datetime import date
from uuid import UUID

from privacyhub.requests.rights.requests_store.documents import StoreBase, open_statuses
from privacyhub.shared.contracts.rights import Decision, Extension, Status


class Decisions(StoreBase):
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
            {"_id": str(request_id), "status": open_statuses(), "extension": {"$exists": False}},
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
