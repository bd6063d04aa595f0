"""An owner's side of period retention: erase what a category's retention period has ended, with a receipt.

The retention service sends `EraseExpiredRecords` per category on RETENTION_EXPIRY; the owner of
the category erases its records whose period started before the cutoff, skipping the subjects a
legal hold keeps, and answers `ExpiredRecordsErased` on RETENTION_EXPIRY_RECEIPTS.

The receipt is kept under the command id before it is published, and a redelivered command is
answered with the kept receipt (under the same derived event id, which the retention service
drops as a duplicate): nothing is erased twice and the answer never changes. Only a crash
between the erasure and keeping its receipt makes the repeat count nothing instead of what went.

Every owner also answers `expiry_bookkeeping` by deleting its receipts given before the cutoff:
a month after a receipt, neither topic can bring back the command it answers.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from privacyhub.shared.clock import Clock
from privacyhub.shared.contracts.retention import (
    ERASE_EXPIRED_RECORDS,
    EXPIRED_RECORDS_ERASED,
    EraseExpiredRecords,
    ExpiredRecordsErased,
    ExpiringCategory,
)
from privacyhub.shared.envelope import Envelope, derived_event_id, utc_now
from privacyhub.shared.service import Handler
from privacyhub.shared.topics import RETENTION_EXPIRY_RECEIPTS
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

EXPIRY_RECEIPTS = "expiry_receipts"


@dataclass(frozen=True)
class Erased:
    """What an owner did with the expired records of one category."""

    erased: int
    kept_under_hold: int

    def receipt(
        self, owner: str, command: EraseExpiredRecords, erased_at: datetime
    ) -> ExpiredRecordsErased:
        """The owner's receipt for `command`: these counts, never the data."""
        return ExpiredRecordsErased(
            owner=owner,
            category=command.category,
            rule=command.rule,
            cutoff=command.cutoff,
            erased=self.erased,
            kept_under_hold=self.kept_under_hold,
            erased_at=erased_at,
        )


Expiry = Callable[[EraseExpiredRecords], Awaitable[Erased]]


async def erase_before_except_held(
    collection: AsyncCollection, started: str, cutoff: datetime, *, held: list[str]
) -> tuple[int, int]:
    """Delete the records whose period started (the `started` field) before `cutoff`, except the
    `held` subjects'; how many went and how many a hold kept."""
    expired = {started: {"$lt": cutoff}}
    kept = await collection.count_documents({**expired, "subject_id": {"$in": held}})
    erased = await collection.delete_many({**expired, "subject_id": {"$nin": held}})
    return erased.deleted_count, kept


class ExpiryReceipts:
    """The receipts an owner gave, by command id: the answer a redelivered command gets again."""

    def __init__(self, db: AsyncDatabase) -> None:
        self._collection = db[EXPIRY_RECEIPTS]

    async def given(self, command_id: str) -> ExpiredRecordsErased | None:
        document = await self._collection.find_one({"_id": command_id})
        return None if document is None else ExpiredRecordsErased.model_validate(document)

    async def keep(self, command_id: str, receipt: ExpiredRecordsErased) -> ExpiredRecordsErased:
        """Keep the receipt unless one is kept already; the kept one."""
        await self._collection.update_one(
            {"_id": command_id}, {"$setOnInsert": receipt.model_dump()}, upsert=True
        )
        kept = await self.given(command_id)
        assert kept is not None
        return kept

    async def erase_given_before(self, cutoff: datetime) -> int:
        """Delete the receipts given before `cutoff`; how many went."""
        erased = await self._collection.delete_many({"erased_at": {"$lt": cutoff}})
        return erased.deleted_count


def expiry_handler(
    runtime: Any,
    *,
    owner: str,
    expiries: dict[ExpiringCategory, Expiry],
    receipts: ExpiryReceipts,
    clock: Clock = utc_now,
) -> dict[str, Handler]:
    """The owner's handler of `EraseExpiredRecords` for the categories it owns, for its handler
    table (`ServiceRuntime.handle`); it answers through `runtime` (a ServiceRuntime) and keeps
    its receipts in `receipts`.

    Commands for categories another service owns are not this owner's to answer. `clock` dates
    the receipts; tests may pass one they control.
    """

    async def expire_receipts(command: EraseExpiredRecords) -> Erased:
        return Erased(erased=await receipts.erase_given_before(command.cutoff), kept_under_hold=0)

    expiries = {**expiries, "expiry_bookkeeping": expire_receipts}
    answers = runtime.publisher(RETENTION_EXPIRY_RECEIPTS)

    async def erase_expired_records(envelope: Envelope[EraseExpiredRecords]) -> None:
        """Erase a category's records whose retention period started before the cutoff, and give a receipt."""
        command = envelope.payload
        expire = expiries.get(command.category)
        if expire is None:
            return
        command_id = str(envelope.event_id)
        receipt = await receipts.given(command_id)
        if receipt is None:
            erased = await expire(command)
            receipt = await receipts.keep(command_id, erased.receipt(owner, command, clock()))
        answer = Envelope[ExpiredRecordsErased](
            event_id=derived_event_id(envelope.event_id, f"{owner}:{EXPIRED_RECORDS_ERASED}"),
            type=EXPIRED_RECORDS_ERASED,
            occurred_at=receipt.erased_at,
            subject_id=envelope.subject_id,
            correlation_id=envelope.correlation_id,
            payload=receipt,
        )
        await answers.publish(answer, key=answer.partition_key)

    return {ERASE_EXPIRED_RECORDS: erase_expired_records}
