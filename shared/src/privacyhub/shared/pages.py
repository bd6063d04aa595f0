"""Staff lists one page at a time: a reply travels as one Kafka message, a list of thousands does not fit.

A page is read by keyset: entries are sorted by the list's fields and then `_id`, and the cursor
(contracts/pages.py) holds the last entry's values of those fields, so an entry added or removed
meanwhile neither repeats nor skips another.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from privacyhub.shared.contracts.pages import PageRequest, cursor_of, cursor_values
from pymongo.asynchronous.collection import AsyncCollection


async def page_of(
    collection: AsyncCollection,
    criteria: Mapping[str, Any],
    *,
    order: Sequence[str],
    page: PageRequest,
    projection: Mapping[str, Any] | None = None,
    latest_first: bool = False,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the documents matching `criteria`, ascending by `order` then `_id` (or
    descending, `latest_first`), and the cursor of the next page."""
    fields = [*order, "_id"]
    query = dict(criteria)
    if page.after is not None:
        values = cursor_values(page.after)
        if len(values) != len(fields):
            raise ValueError("not a cursor of this list")
        query = {"$and": [query, _after(fields, values, "$lt" if latest_first else "$gt")]}
    found = (
        await collection.find(query, projection)
        .sort([(field, -1 if latest_first else 1) for field in fields])
        .limit(page.limit + 1)
        .to_list()
    )
    documents = found[: page.limit]
    if len(found) <= page.limit:
        return documents, None
    return documents, cursor_of([documents[-1].get(field) for field in fields])


def _after(fields: Sequence[str], values: Sequence[Any], beyond: str) -> dict[str, Any]:
    """Entries that sort after `values`: beyond them (`$gt` ascending, `$lt` descending) in the
    first field, or equal in it and beyond in the next..."""
    return {
        "$or": [
            {**dict(zip(fields[:i], values[:i], strict=True)), fields[i]: {beyond: values[i]}}
            for i in range(len(fields))
        ]
    }
