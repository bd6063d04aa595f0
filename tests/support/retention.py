"""The retention service as a privacy officer and an auditor see it: legal holds, due deletions,
the deletion log, and what is gone."""

from datetime import datetime
from typing import Any

from httpx import AsyncClient
from privacyhub.contact.repository import COLLECTION as CONTACT_MESSAGES
from privacyhub.retention.holds import LEGAL_HOLDS
from privacyhub.retention.records import record_key
from privacyhub.retention.schedule import SCHEDULE, TAKEN
from privacyhub.shared.auth import Role
from privacyhub.shared.register import load_register
from privacyhub.shared.register.check import undeclared_fields
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.people import Person
from tests.support.staff import staff_headers
from tests.support.waiting import eventually

OFFICER = staff_headers(Role.PRIVACY_OFFICER, staff_id="officer-eva")
HOLD_REASON = "Fiscale bewaarplicht (AWR art. 52): 7 jaar"


async def place_hold(
    gateway: AsyncClient, retention_db: AsyncDatabase, person: Person, *, ends_at: datetime
) -> str:
    """A legal hold on `person` (for HOLD_REASON) until `ends_at`; its id, once it is in force."""
    hold = {"subject_id": person.subject_id, "reason": HOLD_REASON, "ends_at": ends_at.isoformat()}
    response = await gateway.post("/v1/staff/legal-holds", json=hold, headers=OFFICER)
    assert response.status_code == 202, response.text
    hold_id = response.json()["hold_id"]
    await eventually(
        lambda: retention_db[LEGAL_HOLDS].find_one({"_id": hold_id}), what="the hold in force"
    )
    return hold_id


async def gone(contact_db: AsyncDatabase, reference: str) -> bool:
    """Whether the contact message is deleted."""
    return await contact_db[CONTACT_MESSAGES].find_one({"_id": reference}) is None


async def scheduled(retention_db: AsyncDatabase, reference: str) -> dict[str, Any] | None:
    """The record's due deletion, also while a sweep has taken the schedule aside."""
    key = {"_id": record_key("contact_messages", reference)}
    return await retention_db[SCHEDULE].find_one(key) or await retention_db[TAKEN].find_one(key)


async def deletion_log(gateway: AsyncClient, person: Person, *, entries: int) -> list[dict]:
    """The person's deletion-log entries from the contact service, once there are `entries`."""

    async def probe() -> list[dict] | None:
        response = await gateway.get(
            "/v1/staff/deletion-log", params={"subject": person.subject_id}, headers=OFFICER
        )
        assert response.status_code == 200, response.text
        found = [entry for entry in response.json() if entry["owner"] == "contact"]
        return found if len(found) == entries else None

    return await eventually(probe, what=f"{entries} deletion-log entries")


async def everything_stored_is_declared(retention_db: AsyncDatabase) -> None:
    """Nothing in the retention service's database that the processing register does not declare."""
    register = load_register()
    for collection in await retention_db.list_collection_names():
        documents = await retention_db[collection].find().to_list()
        assert undeclared_fields(register, "retention", collection, documents) == set(), collection
