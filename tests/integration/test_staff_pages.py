"""Staff lists come a page at a time (a reply is one Kafka message): every entry exactly once, in
order, however many there are, with the next page named in the `Link` header."""

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from privacyhub.shared.contracts.access_log import STAFF_DATA_READ, StaffDataRead
from privacyhub.shared.contracts.pages import MAX_LIMIT, PageRequest
from privacyhub.shared.envelope import Envelope, utc_now
from privacyhub.shared.pages import page_of
from privacyhub.shared.topics import STAFF_ACCESS_LOG
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.complaints import OFFICER, complaint_as_staff_see_it, report
from tests.support.endpoints import Endpoints
from tests.support.kafka import publish_all
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("requests_service")]

NEXT = re.compile(r'^<([^>]+)>; rel="next"$')


@pytest.mark.parametrize("latest_first", [False, True], ids=["oldest first", "latest first"])
async def test_a_list_of_thousands_is_read_page_by_page_each_entry_once_in_order(
    requests_db: AsyncDatabase, latest_first: bool
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
            found, following = await page_of(
                collection, {}, order=["received_at"], page=page, latest_first=latest_first
            )
            seen.extend(document["_id"] for document in found)
            pages += 1
            if following is None:
                break
            page = PageRequest(limit=MAX_LIMIT, after=following)
        assert seen == sorted((d["_id"] for d in documents), reverse=latest_first)
        assert pages == 5
    finally:
        await collection.drop()


async def walk(gateway: AsyncClient, path: str, *, limit: int) -> list[list[dict[str, Any]]]:
    """Every page of a staff list, following the `Link` header from the first."""
    pages, address = [], f"{path}{'&' if '?' in path else '?'}limit={limit}"
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


async def test_a_persons_access_log_is_walked_through_its_link_headers(
    gateway: AsyncClient, endpoints: Endpoints
) -> None:
    subject_id, start = uuid.uuid4().hex * 2, utc_now() - timedelta(hours=1)
    reads = [
        Envelope[StaffDataRead](
            type=STAFF_DATA_READ,
            subject_id=subject_id,
            payload=StaffDataRead(
                staff_id="agent-tom",
                roles=["support_agent"],
                route="/v1/staff/contact/{reference}",
                category="contact_messages",
                record=f"CT-{n:012d}",
                reason="Answering the question",
                read_at=start + timedelta(minutes=n),
            ),
        )
        for n in range(5)
    ]
    await publish_all(endpoints.kafka_bootstrap_servers, STAFF_ACCESS_LOG.name, reads)

    async def all_kept() -> list[list[dict[str, Any]]] | None:
        pages = await walk(gateway, f"/v1/staff/access-log?subject={subject_id}", limit=2)
        return pages if sum(map(len, pages)) == len(reads) else None

    pages = await eventually(all_kept, what="every read in the access log")
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [e["record"] for page in pages for e in page] == [r.payload.record for r in reads]


@pytest.mark.usefixtures("retention_service")
async def test_the_legal_holds_are_walked_latest_first_through_their_link_headers(
    gateway: AsyncClient,
) -> None:
    placed = []
    for _ in range(3):
        hold = {
            "subject_id": uuid.uuid4().hex * 2,
            "reason": "Lopende procedure",
            "ends_at": (utc_now() + timedelta(days=1)).isoformat(),
        }
        response = await gateway.post("/v1/staff/legal-holds", json=hold, headers=OFFICER)
        assert response.status_code == 202, response.text
        placed.append(response.json()["hold_id"])

    async def all_listed() -> list[list[dict[str, Any]]] | None:
        pages = await walk(gateway, "/v1/staff/legal-holds", limit=2)
        listed = [entry["hold_id"] for page in pages for entry in page]
        return pages if set(placed) <= set(listed) else None

    pages = await eventually(all_listed, what="the holds in the list")
    assert len(pages) >= 2 and all(1 <= len(page) <= 2 for page in pages)
    listed = [entry["hold_id"] for page in pages for entry in page]
    assert len(listed) == len(set(listed))
    assert [hold for hold in listed if hold in placed] == placed[::-1]
    times = [entry["placed_at"] for page in pages for entry in page]
    assert times == sorted(times, reverse=True)


async def test_a_cursor_no_list_gave_out_is_refused_naming_it(gateway: AsyncClient) -> None:
    for path in (
        "/v1/staff/complaints",
        "/v1/staff/breaches",
        "/v1/staff/rights-requests",
        "/v1/staff/legal-holds",
        "/v1/staff/deletion-log",
    ):
        response = await gateway.get(f"{path}?cursor=not-a-cursor", headers=OFFICER)
        assert response.status_code == 422, response.text
        assert [e["field"] for e in response.json()["errors"]] == ["cursor"]
        too_many = await gateway.get(f"{path}?limit={MAX_LIMIT + 1}", headers=OFFICER)
        assert too_many.status_code == 422, too_many.text
