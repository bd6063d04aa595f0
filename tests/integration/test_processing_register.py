"""Privacy as code: the register is served as an Art. 30 record, and the running services
store nothing it does not declare."""

import csv
import io
import uuid

import httpx
import pytest
from privacyhub.shared.auth import Role
from privacyhub.shared.register import load_register
from privacyhub.shared.register.check import undeclared_fields
from privacyhub.shared.service import ServiceRuntime
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.staff import staff_headers
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def test_any_staff_role_reads_the_register_as_json_and_csv(
    gateway: httpx.AsyncClient,
) -> None:
    assert (await gateway.get("/v1/staff/processing-register")).status_code == 401

    as_json = await gateway.get(
        "/v1/staff/processing-register", headers=staff_headers(Role.ANALYST)
    )
    as_csv = await gateway.get(
        "/v1/staff/processing-register?format=csv", headers=staff_headers(Role.SUPPORT_AGENT)
    )

    assert as_json.status_code == 200
    register = as_json.json()
    assert register["controller"]["chamber_of_commerce"] == "60990775"
    assert {c["id"] for c in register["categories"]} == {c.id for c in load_register().categories}
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    contact = next(row for row in rows if row["category"] == "contact_messages")
    assert "email" in contact["fields"].split("; ")
    assert contact["recipients"] and contact["retention_reason"]
    assert len(rows) == len(load_register().categories)


async def test_the_services_store_only_declared_fields(
    gateway: httpx.AsyncClient,
    contact_service: ServiceRuntime,
    consent_service: ServiceRuntime,
    requests_service: ServiceRuntime,
    contact_db: AsyncDatabase,
    consent_db: AsyncDatabase,
    requests_db: AsyncDatabase,
) -> None:
    visitor = f"register-{uuid.uuid4().hex[:8]}"
    contact = await gateway.post(
        "/v1/contact",
        json={
            "email": f"{visitor}@example.nl",
            "first_name": "Register",
            "last_name": "Check",
            "message": "Welke gegevens bewaren jullie?",
        },
    )
    reference = contact.json()["reference"]
    await gateway.post(
        f"/v1/staff/contact/{reference}/answered", headers=staff_headers(Role.SUPPORT_AGENT)
    )
    await gateway.post(
        "/v1/consents",
        json={
            "visitor_id": visitor,
            "purposes": {"necessary": True, "analytics": True, "marketing": False},
            "statement_version": "2.1",
        },
    )
    # A view read before its consent is recorded is not linked: the consent goes first.
    await eventually(
        lambda: consent_db["current_consents"].find_one({"_id": visitor}), what="the consent"
    )
    await gateway.post("/v1/pageviews", json={"visitor_id": visitor, "url": "https://jobport.nl/"})
    await gateway.post(
        "/v1/complaints",
        json={"email": f"{visitor}@example.nl", "message": "Lek?", "kind": "suspected_breach"},
    )
    await gateway.post(
        "/v1/rights-requests", json={"type": "access", "email": f"{visitor}@example.nl"}
    )

    async def everything_stored() -> bool:
        return all(
            (
                await contact_db["contact_messages"].find_one(
                    {"_id": reference, "status": "answered"}
                ),
                await consent_db["visits"].find_one({"visitor_id": visitor}),
                await requests_db["complaints"].find_one({"subject_id": {"$exists": True}}),
                await requests_db["rights_requests"].count_documents({}),
            )
        )

    await eventually(everything_stored, what="the scenario's data in every service")
    register = load_register()
    problems = {}
    for service, db in (
        ("contact", contact_db),
        ("consent", consent_db),
        ("requests", requests_db),
    ):
        for collection in await db.list_collection_names():
            documents = await db[collection].find().to_list()
            if undeclared := undeclared_fields(register, service, collection, documents):
                problems[f"{service}/{collection}"] = sorted(undeclared)
    assert problems == {}
