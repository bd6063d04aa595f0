"""The database keeps the promise every repository rests on: a single-document update is atomic.

Services change a document only with conditional updates that name the state they start from
(ARCHITECTURE.md: no transactions, atomic single-document updates instead). Two copies racing
on one document must therefore never both win, and concurrent changes to different fields of
one document must all survive.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.endpoints import Endpoints
from tests.support.services import RUN

RACERS = 24


@pytest.fixture
async def db(endpoints: Endpoints) -> AsyncIterator[AsyncDatabase]:
    client: AsyncMongoClient = AsyncMongoClient(endpoints.mongodb_url, maxPoolSize=RACERS)
    try:
        yield client[f"privacyhub-updates-{RUN}"]
    finally:
        await client.close()


async def test_of_racing_conditional_updates_exactly_one_wins(db: AsyncDatabase) -> None:
    document_id = str(uuid.uuid4())
    await db.requests.insert_one({"_id": document_id, "status": "open"})

    async def claim(racer: int) -> int:
        result = await db.requests.update_one(
            {"_id": document_id, "status": "open"},
            {"$set": {"status": "decided", "by": racer}},
        )
        return result.modified_count

    won = await asyncio.gather(*(claim(racer) for racer in range(RACERS)))

    assert sum(won) == 1
    stored = await db.requests.find_one({"_id": document_id})
    assert stored is not None and won[stored["by"]] == 1


async def test_concurrent_updates_of_one_document_all_survive(db: AsyncDatabase) -> None:
    document_id = str(uuid.uuid4())
    await db.requests.insert_one({"_id": document_id, "notified": [], "attempts": 0})

    async def change(racer: int) -> None:
        if racer % 2:
            await db.requests.update_one({"_id": document_id}, {"$inc": {"attempts": 1}})
        else:
            await db.requests.update_one(
                {"_id": document_id}, {"$addToSet": {"notified": f"step-{racer}"}}
            )

    await asyncio.gather(*(change(racer) for racer in range(RACERS)))

    stored = await db.requests.find_one({"_id": document_id})
    assert stored is not None
    assert stored["attempts"] == RACERS // 2
    assert sorted(stored["notified"]) == sorted(f"step-{r}" for r in range(0, RACERS, 2))


async def test_find_one_and_update_hands_a_claim_to_one_racer_only(db: AsyncDatabase) -> None:
    document_id = str(uuid.uuid4())
    await db.requests.insert_one({"_id": document_id, "holder": None})

    async def take(racer: int) -> bool:
        taken = await db.requests.find_one_and_update(
            {"_id": document_id, "holder": None}, {"$set": {"holder": racer}}
        )
        return taken is not None

    assert sum(await asyncio.gather(*(take(racer) for racer in range(RACERS)))) == 1
