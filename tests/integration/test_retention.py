"""Retention that really deletes (statement §4), on real Kafka and MongoDB-protocol servers.

Contact messages are deleted a grace period after the question was answered or the person
stopped being a customer, whichever comes first; a legal hold keeps them until it is lifted;
each deletion leaves a receipt in the deletion log. The retention service runs with a grace
period of 2 seconds and sweeps every half second.
"""

from datetime import datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from privacyhub.retention.deletion_log import DELETION_LOG
from privacyhub.retention.records import subject_hash
from privacyhub.retention.rules import AFTER_ANSWER, AFTER_CUSTOMER_ENDED
from privacyhub.shared.auth import Role
from privacyhub.shared.envelope import utc_now
from privacyhub.shared.service import ServiceRuntime
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.contact import leave_contact_message
from tests.support.people import Person
from tests.support.retention import (
    OFFICER,
    deletion_log,
    everything_stored_is_declared,
    gone,
    place_hold,
    scheduled,
)
from tests.support.staff import staff_headers
from tests.support.waiting import eventually

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("contact_service", "retention_service"),
]

AGENT = staff_headers(Role.SUPPORT_AGENT, staff_id="agent-tom")


async def answer(gateway: AsyncClient, reference: str) -> None:
    response = await gateway.post(f"/v1/staff/contact/{reference}/answered", headers=AGENT)
    assert response.status_code == 202, response.text


def sweeps(retention_service: ServiceRuntime) -> float:
    return retention_service.registry.get_sample_value("privacyhub_retention_sweeps_total") or 0


async def test_an_answered_message_is_deleted_after_its_grace_period_with_a_receipt(
    gateway: AsyncClient, contact_db: AsyncDatabase, retention_db: AsyncDatabase
) -> None:
    person = Person()
    reference = await leave_contact_message(gateway, person, contact_db)

    await answer(gateway, reference)

    await eventually(lambda: gone(contact_db, reference), what="the message to be deleted")
    [entry] = await deletion_log(gateway, person, entries=1)
    assert entry["category"] == "contact_messages"
    assert entry["rule"] == AFTER_ANSWER
    assert (entry["requested"], entry["count"]) == (1, 1)
    assert entry["subject_hash"] == subject_hash(person.subject_id)
    assert datetime.fromisoformat(entry["erased_at"]) >= datetime.fromisoformat(
        entry["requested_at"]
    )
    stored = await retention_db[DELETION_LOG].find_one({"subject_hash": entry["subject_hash"]})
    for personal in (person.email, person.first_name, person.last_name, person.subject_id):
        assert personal not in str(stored)
    assert reference not in str(stored)


async def test_a_legal_hold_keeps_an_answered_message_until_it_is_lifted(
    gateway: AsyncClient,
    contact_db: AsyncDatabase,
    retention_db: AsyncDatabase,
    retention_service: ServiceRuntime,
) -> None:
    person = Person()
    hold_id = await place_hold(gateway, retention_db, person, ends_at=utc_now() + timedelta(days=1))
    reference = await leave_contact_message(gateway, person, contact_db)
    await answer(gateway, reference)

    due = await eventually(lambda: scheduled(retention_db, reference), what="the due deletion")
    await eventually(lambda: _passed(due["due_at"]), what="the grace period to pass")
    swept_before = sweeps(retention_service)
    await eventually(
        lambda: _true(sweeps(retention_service) >= swept_before + 2),
        what="two sweeps after the message fell due",
    )

    assert not await gone(contact_db, reference)
    await eventually(lambda: scheduled(retention_db, reference), what="it still scheduled")
    assert (
        await retention_db[DELETION_LOG].count_documents(
            {"subject_hash": subject_hash(person.subject_id)}
        )
        == 0
    )
    holds = await gateway.get("/v1/staff/legal-holds", headers=OFFICER)
    assert holds.status_code == 200, holds.text
    [hold] = [h for h in holds.json() if h["hold_id"] == hold_id]
    assert hold["status"] == "active" and hold["placed_by"] == "officer-eva"

    lifted = await gateway.delete(f"/v1/staff/legal-holds/{hold_id}", headers=OFFICER)

    assert lifted.status_code == 202, lifted.text
    await eventually(lambda: gone(contact_db, reference), what="the message to be deleted")
    [entry] = await deletion_log(gateway, person, entries=1)
    assert (entry["rule"], entry["count"]) == (AFTER_ANSWER, 1)
    holds = await gateway.get("/v1/staff/legal-holds", headers=OFFICER)
    [hold] = [h for h in holds.json() if h["hold_id"] == hold_id]
    assert hold["status"] == "lifted" and hold["lifted_by"] == "officer-eva"


async def test_when_a_hold_ends_the_deletion_follows(
    gateway: AsyncClient, contact_db: AsyncDatabase, retention_db: AsyncDatabase
) -> None:
    person = Person()
    # Whole milliseconds: what a MongoDB-protocol server keeps of a time, and so what the sweep compares.
    later = utc_now() + timedelta(seconds=6)
    ends_at = later.replace(microsecond=later.microsecond // 1000 * 1000)
    await place_hold(gateway, retention_db, person, ends_at=ends_at)
    reference = await leave_contact_message(gateway, person, contact_db)

    await answer(gateway, reference)

    await eventually(lambda: gone(contact_db, reference), what="the message to be deleted")
    [entry] = await deletion_log(gateway, person, entries=1)
    assert datetime.fromisoformat(entry["requested_at"]) >= ends_at
    assert entry["count"] == 1


async def test_when_a_customer_leaves_their_messages_go_answered_or_not_whichever_rule_comes_first(
    gateway: AsyncClient, contact_db: AsyncDatabase, retention_db: AsyncDatabase
) -> None:
    person = Person()
    answered = await leave_contact_message(gateway, person, contact_db)
    unanswered = await leave_contact_message(gateway, person, contact_db)
    await answer(gateway, answered)
    await eventually(
        lambda: _either(scheduled(retention_db, answered), gone(contact_db, answered)),
        what="the answered message to be scheduled",
    )

    response = await gateway.post(f"/v1/staff/customers/{person.subject_id}/ended", headers=OFFICER)

    assert response.status_code == 202, response.text
    assert response.json()["subject_id"] == person.subject_id
    for reference in (answered, unanswered):
        await eventually(lambda r=reference: gone(contact_db, r), what="both messages deleted")
    entries = await deletion_log(gateway, person, entries=2)
    assert sorted((e["rule"], e["count"]) for e in entries) == [
        (AFTER_ANSWER, 1),
        (AFTER_CUSTOMER_ENDED, 1),
    ]
    await everything_stored_is_declared(retention_db)


async def test_a_hold_needs_a_scope_and_an_end_in_the_future(gateway: AsyncClient) -> None:
    tomorrow = (utc_now() + timedelta(days=1)).isoformat()
    for hold in (
        {"reason": "Claim", "ends_at": tomorrow},
        {"category": "contact_messages", "reason": "Claim", "ends_at": "2020-01-01T00:00:00Z"},
        {"category": "shoe_sizes", "reason": "Claim", "ends_at": tomorrow},
    ):
        response = await gateway.post("/v1/staff/legal-holds", json=hold, headers=OFFICER)
        assert response.status_code == 422, hold


STAFF_ROUTES = [
    ("POST", "/v1/staff/legal-holds"),
    ("GET", "/v1/staff/legal-holds"),
    ("DELETE", "/v1/staff/legal-holds/LH-0A1B2C3D4E5F"),
    ("POST", f"/v1/staff/customers/{'ab' * 32}/ended"),
    ("GET", "/v1/staff/deletion-log"),
]


@pytest.mark.parametrize(("method", "path"), STAFF_ROUTES)
async def test_retention_routes_are_for_privacy_officers_only(
    gateway: AsyncClient, method: str, path: str
) -> None:
    body = {"category": "contact_messages", "reason": "Claim", "ends_at": "2099-01-01T00:00:00Z"}
    json = body if method == "POST" else None

    anonymous = await gateway.request(method, path, json=json)
    agent = await gateway.request(method, path, json=json, headers=AGENT)

    assert anonymous.status_code == 401, anonymous.text
    assert agent.status_code == 403, agent.text


async def _passed(moment: datetime) -> bool:
    return utc_now() > moment


async def _true(condition: bool) -> bool:
    return condition


async def _either(*probes: Any) -> bool:
    return any([await probe for probe in probes])
