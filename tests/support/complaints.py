"""Complaints and suspected breaches (statement §8): the website's form, and the privacy officer
who reads and moves them."""

from typing import Any

from httpx import AsyncClient
from privacyhub.shared.auth import Role

from tests.support.staff import staff_headers
from tests.support.waiting import eventually

OFFICER = staff_headers(Role.PRIVACY_OFFICER, staff_id="dpo-ellen")
HANDLING = {"x-access-reason": "Handling the complaint"}


async def report(gateway: AsyncClient, form: dict[str, str]) -> str:
    """A complaint or suspected breach sent with the website's form; its reference."""
    response = await gateway.post("/v1/complaints", json=form)
    assert response.status_code == 202, response.text
    return response.json()["reference"]


async def complaint_as_staff_see_it(gateway: AsyncClient, reference: str) -> dict[str, Any]:
    async def fetched() -> dict[str, Any] | None:
        response = await gateway.get(
            f"/v1/staff/complaints/{reference}", headers={**OFFICER, **HANDLING}
        )
        return response.json() if response.status_code == 200 else None

    return await eventually(fetched, what=f"complaint {reference} to be stored")


async def move(gateway: AsyncClient, reference: str, **change: str) -> Any:
    """The officer moves the complaint on to another status."""
    return await gateway.post(
        f"/v1/staff/complaints/{reference}/status", json=change, headers={**OFFICER, **HANDLING}
    )
