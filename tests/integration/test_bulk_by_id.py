"""Reads and updates of many `_id`s at once (shared/bulk.py) on the real server: exactly the stored
documents among the ids, however many ids and of whichever kind, as one lookup per id would find."""

import uuid
from collections.abc import AsyncIterator

import pytest
from bson import ObjectId
from privacyhub.shared.bulk import IDS_PER_QUERY, found_by_id, update_all_by_id
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

pytestmark = pytest.mark.integration


@pytest.fixture
async def documents(contact_db: AsyncDatabase) -> AsyncIterator[AsyncCollection]:
    collection = contact_db.client[f"bulk_{uuid.uuid4().hex[:12]}"]["documents"]
    yield collection
    await contact_db.client.drop_database(collection.database.name)


async def test_the_stored_documents_among_more_ids_than_one_query_takes_are_found(
    documents: AsyncCollection,
) -> None:
    stored = [f"id-{number}" for number in range(2 * IDS_PER_QUERY + 10)]
    await documents.insert_many([{"_id": id_, "n": n} for n, id_ in enumerate(stored)])
    wanted = [*stored[::2], "never-stored", stored[0]]

    found = await found_by_id(documents, wanted, projection={"n": 1})

    assert found == {id_: {"_id": id_, "n": stored.index(id_)} for id_ in stored[::2]}


async def test_ids_of_other_kinds_are_found_too(documents: AsyncCollection) -> None:
    object_id = ObjectId()
    await documents.insert_many([{"_id": object_id}, {"_id": 7}, {"_id": "seven"}])

    assert set(await found_by_id(documents, [object_id, 7, "eight"])) == {object_id, 7}
    assert await found_by_id(documents, []) == {}


async def test_an_update_of_many_ids_changes_only_those_stored_and_counts_them(
    documents: AsyncCollection,
) -> None:
    stored = [f"id-{number}" for number in range(IDS_PER_QUERY + 5)]
    await documents.insert_many([{"_id": id_, "mark": "x"} for id_ in stored])
    others = [f"other-{number}" for number in range(3)]

    matched = await update_all_by_id(documents, [*stored[1:], *others], {"$unset": {"mark": ""}})

    assert matched == len(stored) - 1
    assert await documents.count_documents({"mark": "x"}) == 1
    assert await documents.find_one({"_id": stored[0]}) == {"_id": stored[0], "mark": "x"}
    assert await documents.count_documents({}) == len(stored)
