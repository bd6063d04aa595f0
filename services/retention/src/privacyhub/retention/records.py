"""What the retention service knows about records no rule has made due yet, and about ended customers.

Only references and subject hashes: enough to find a person's records when their
customer relationship ends, nothing of what the records say.
"""

import hashlib
from collections.abc import Iterable
from datetime import datetime

from privacyhub.shared.bulk import insert_new
from privacyhub.shared.contracts.subject import Category
from pymongo.asynchronous.database import AsyncDatabase

RETAINED_RECORDS = "retained_records"
ENDED_CUSTOMERS = "ended_customers"


def subject_hash(subject_id: str) -> str:
    """SHA-256 of the pseudonymous subject id: finds a person's entries without naming the subject."""
    return hashlib.sha256(subject_id.encode()).hexdigest()


def record_key(category: Category, record_id: str) -> str:
    return f"{category}:{record_id}"


class RetainedRecords:
    """Records an owner holds that are not scheduled for deletion yet."""

    def __init__(self, db: AsyncDatabase) -> None:
        self._collection = db[RETAINED_RECORDS]

    async def ensure_indexes(self) -> None:
        await self._collection.create_index("subject_hash")

    async def remember(
        self, category: Category, records: Iterable[tuple[str, str, datetime]]
    ) -> None:
        """Remember each (record id, subject id, stored at) in one insert; one remembered before
        (its stored event delivered again) stays as it is."""
        documents = [
            {
                "_id": record_key(category, record_id),
                "category": category,
                "record_id": record_id,
                "subject_hash": subject_hash(subject_id),
                "stored_at": stored_at,
            }
            for record_id, subject_id, stored_at in records
        ]
        await insert_new(self._collection, documents)

    async def stored_at(self, category: Category, record_id: str) -> datetime | None:
        document = await self._collection.find_one({"_id": record_key(category, record_id)})
        return None if document is None else document["stored_at"]

    async def of_subject(
        self, subject_id: str, category: Category, *, stored_until: datetime
    ) -> list[tuple[str, datetime]]:
        """Record ids of the subject in `category` stored up to `stored_until`, with when they were stored."""
        cursor = self._collection.find(
            {
                "subject_hash": subject_hash(subject_id),
                "category": category,
                "stored_at": {"$lte": stored_until},
            }
        )
        return [(document["record_id"], document["stored_at"]) async for document in cursor]

    async def forget(self, category: Category, record_ids: list[str]) -> None:
        """Scheduled records are found in the schedule from now on."""
        keys = [record_key(category, record_id) for record_id in record_ids]
        if len(keys) == 1:
            await self._collection.delete_one({"_id": keys[0]})
        elif keys:
            await self._collection.delete_many({"_id": {"$in": keys}})


class EndedCustomers:
    """When each person's customer relationship ended, by subject hash."""

    def __init__(self, db: AsyncDatabase) -> None:
        self._collection = db[ENDED_CUSTOMERS]

    async def record_end(self, subject_id: str, ended_at: datetime) -> None:
        """Keep the latest end: records stored before it are concerned."""
        await self._collection.update_one(
            {"_id": subject_hash(subject_id)}, {"$max": {"ended_at": ended_at}}, upsert=True
        )

    async def ended_at(self, subject_ids: Iterable[str]) -> dict[str, datetime]:
        """When the relationship of each of the subjects that are no customer any more ended.

        One query, and none at all while nobody's relationship has ended."""
        if await self._collection.find_one({}, projection={"_id": 1}) is None:
            return {}
        by_hash = {subject_hash(subject_id): subject_id for subject_id in subject_ids}
        cursor = self._collection.find({"_id": {"$in": list(by_hash)}})
        return {by_hash[document["_id"]]: document["ended_at"] async for document in cursor}

    async def forget_ended_before(self, moment: datetime) -> None:
        await self._collection.delete_many({"ended_at": {"$lt": moment}})
