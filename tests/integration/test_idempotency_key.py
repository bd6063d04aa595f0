"""A staff step sent with an `Idempotency-Key` header is carried out once: a repeat from the same
staff member for the same action is answered 409 `already_carried_out` and changes nothing, while
another staff member's step or another action under the same key is a new command."""

from typing import Any

import pytest
from httpx import AsyncClient
from privacyhub.shared.auth import Role

from tests.support.complaints import HANDLING, OFFICER, complaint_as_staff_see_it, report
from tests.support.rights import OFFICER as RIGHTS_OFFICER
from tests.support.rights import STAFF_PATH, bearer, new_address, submit
from tests.support.staff import staff_headers
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("requests_service")]

OTHER_OFFICER = staff_headers(Role.PRIVACY_OFFICER, staff_id="dpo-frank")
COMPLAINT = {
    "email": "idempotent.klager@example.nl",
    "message": "Ik krijg nog steeds nieuwsbrieven terwijl ik me heb afgemeld.",
    "kind": "complaint",
}


async def move(
    gateway: AsyncClient, reference: str, key: str, staff: dict[str, str], **change: str
) -> Any:
    return await gateway.post(
        f"/v1/staff/complaints/{reference}/status",
        json=change,
        headers={**staff, **HANDLING, "Idempotency-Key": key},
    )


def repeated(response: Any) -> bool:
    body = response.json()
    return response.status_code == 409 and body["code"] == "already_carried_out"


async def test_a_repeated_status_change_is_answered_409_and_taken_once(
    gateway: AsyncClient,
) -> None:
    reference = await report(gateway, COMPLAINT)
    await complaint_as_staff_see_it(gateway, reference)
    key = '"3f0e1c52-7a4b-4d8e-9f61-2b5c8a9d0e17"'

    first = await move(gateway, reference, key, OFFICER, status="in_progress")
    again = await move(gateway, reference, key, OFFICER, status="in_progress")
    bare = await move(gateway, reference, key.strip('"'), OFFICER, status="in_progress")
    note = "Het adres is uit de nieuwsbrieflijst verwijderd."
    # The same key from someone else is another staff member's step.
    resolved = await move(gateway, reference, key, OTHER_OFFICER, status="resolved", note=note)

    assert first.status_code == 200, first.text
    assert repeated(again) and repeated(bare), (again.text, bare.text)
    assert "Idempotency-Key" in again.json()["message"]["nl"]
    assert "idempotency key" in again.json()["message"]["en"]
    assert resolved.status_code == 200, resolved.text
    complaint = await complaint_as_staff_see_it(gateway, reference)
    assert [(step["status"], step["by"]) for step in complaint["history"]] == [
        ("received", None),
        ("in_progress", "dpo-ellen"),
        ("resolved", "dpo-frank"),
    ]


async def test_a_repeated_extension_keeps_the_first_and_a_new_key_is_a_new_command(
    gateway: AsyncClient,
) -> None:
    accepted = await submit(gateway, new_address(), type="portability")
    path = f"{STAFF_PATH}/{accepted['request_id']}/extension"
    token = bearer(accepted["access_token"])

    async def stored() -> Any:
        response = await gateway.get(f"/v1/rights-requests/{accepted['request_id']}", headers=token)
        return response.json() if response.status_code == 200 else None

    await eventually(stored, what="the request to be stored")
    reasons = "Je gegevens staan in drie systemen die we eerst moeten doorzoeken."

    async def extend(months: int, key: str | None, staff: dict[str, str]) -> Any:
        headers = {**staff, **({"Idempotency-Key": key} if key else {})}
        return await gateway.post(
            path, json={"months": months, "reasons": reasons}, headers=headers
        )

    first = await extend(2, "extend-once", RIGHTS_OFFICER)
    # A repeat is recognised by its key, whatever the body: the first extension stands.
    again = await extend(1, "extend-once", RIGHTS_OFFICER)
    other_key = await extend(1, "extend-twice", RIGHTS_OFFICER)
    without_key = await extend(1, None, RIGHTS_OFFICER)
    other_staff = await extend(1, "extend-once", OTHER_OFFICER)

    assert first.status_code == 200, first.text
    assert first.json()["extension"]["months"] == 2
    assert repeated(again), again.text
    for step in (other_key, without_key, other_staff):
        assert step.status_code == 409 and step.json()["code"] == "already_extended", step.text
    assert (await stored())["extension"]["months"] == 2
