"""Staff lists come a page at a time (a reply is one Kafka message): every entry exactly once, in
order, however many there are, with the next page named in the `Link` header."""

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from privacyhub.shared.contracts.pages import MAX_LIMIT, PageRequest
from privacyhub.shared.envelope import utc_now
from privacyhub.shared.pages import page_of
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.complaints import OFFICER, complaint_as_staff_see_it, report

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("requests_service")]

NEXT = re.compile(r'^<([^>]+)>; rel="next"$')


async def test_a_list_of_thousands_is_read_page_by_page_each_entry_once_in_order(
    requests_db: AsyncDatabase,
) -> None:
    collection = requests_db[f"pages_{uuid.uuid4().hex[:8]}"]
    start = utc_now()
    # Many entries share a sort value: the id decides among them.
    documents = [
        {"_id": f"entry-{n:05d}", "received_at": start + timedelta(minutes=n // 7)}
        for n in range(2_500)
    ]
    await collection.insert_many(documents)
    try:
        seen, page, pages = [], PageRequest(limit=MAX_LIMIT), 0
        while True:
            found, following = await page_of(collection, {}, order=["received_at"], page=page)
            seen.extend(document["_id"] for document in found)
            pages += 1
            if following is None:
                break
            page = PageRequest(limit=MAX_LIMIT, after=following)
        assert seen == sorted(d["_id"] for d in documents)
        assert pages == 5
    finally:
        await collection.drop()


async def walk(gateway: AsyncClient, path: str, *, limit: int) -> list[list[dict[str, Any]]]:
    """Every page of a staff list, following the `Link` header from the first."""
    pages, address = [], f"{path}?limit={limit}"
    while address is not None:
        response = await gateway.get(address, headers=OFFICER)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        link = response.headers.get("link")
        address = None if link is None else NEXT.match(link).group(1)  # type: ignore[union-attr]
    return pages


async def test_the_complaints_queue_is_walked_through_its_link_headers(
    gateway: AsyncClient,
) -> None:
    form = {"email": "lijst@example.nl", "message": "Mijn klacht.", "kind": "complaint"}
    references = [await report(gateway, form) for _ in range(5)]
    for reference in references:
        await complaint_as_staff_see_it(gateway, reference)

    pages = await walk(gateway, "/v1/staff/complaints", limit=3)

    listed = [entry["reference"] for page in pages for entry in page]
    assert len(pages) >= 2 and all(1 <= len(page) <= 3 for page in pages)
    assert len(listed) == len(set(listed))
    assert set(references) <= set(listed)
    received = [entry["received_at"] for page in pages for entry in page]
    assert received == sorted(received)


async def test_a_cursor_no_list_gave_out_is_refused_naming_it(gateway: AsyncClient) -> None:
    for path in ("/v1/staff/complaints", "/v1/staff/breaches", "/v1/staff/rights-requests"):
        response = await gateway.get(f"{path}?cursor=not-a-cursor", headers=OFFICER)
        assert response.status_code == 422, response.text
        assert [e["field"] for e in response.json()["errors"]] == ["cursor"]
        too_many = await gateway.get(f"{path}?limit={MAX_LIMIT + 1}", headers=OFFICER)
        assert too_many.status_code == 422, too_many.text
