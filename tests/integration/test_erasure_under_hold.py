"""A rights erasure (Art. 17) keeps what a legal hold covers, for the hold's purpose only (Art. 17(3)(b), (e)).

The person is told what was kept and why; what the hold did not cover goes at once; once the hold
is lifted, the retention service erases the kept message and logs it. A withdrawal of consent keeps
the visits a hold covers in the same way. Real Kafka, MongoDB-protocol servers and SMTP; the
retention service sweeps every half second.
"""

from datetime import timedelta

import pytest
from httpx import AsyncClient
from privacyhub.consent.holds import KEPT_ERASURES
from privacyhub.consent.visits import VISITS
from privacyhub.retention.records import RETAINED_RECORDS, record_key
from privacyhub.retention.rules import ERASURE_REQUESTED
from privacyhub.shared.envelope import utc_now
from privacyhub.shared.legal_holds import LEGAL_HOLDS
from privacyhub.shared.register import load_register
from privacyhub.shared.register.check import undeclared_fields
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.contact import leave_contact_message
from tests.support.mailbox import Mailbox
from tests.support.people import Person
from tests.support.retention import (
    HOLD_REASON,
    OFFICER,
    deletion_log,
    everything_stored_is_declared,
    gone,
    place_hold,
    scheduled,
)
from tests.support.rights import approve, completed, completion_mail, file_verified_request
from tests.support.visitors import visit_with_consent
from tests.support.waiting import eventually

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures(
        "requests_service", "contact_service", "consent_service", "retention_service"
    ),
]


async def test_an_erasure_keeps_a_held_message_until_the_hold_is_lifted(
    gateway: AsyncClient,
    mailbox: Mailbox,
    contact_db: AsyncDatabase,
    consent_db: AsyncDatabase,
    retention_db: AsyncDatabase,
) -> None:
    person = Person()
    reference = await leave_contact_message(gateway, person, contact_db)
    await visit_with_consent(gateway, person, consent_db)
    await eventually(
        lambda: retention_db[RETAINED_RECORDS].find_one(
            {"_id": record_key("contact_messages", reference)}
        ),
        what="the retention service to know the message",
    )
    hold_id = await place_hold(gateway, retention_db, person, ends_at=utc_now() + timedelta(days=1))
    projected = await eventually(
        lambda: contact_db[LEGAL_HOLDS].find_one({"_id": hold_id}),
        what="the contact service to learn of the hold",
    )
    assert undeclared_fields(load_register(), "contact", LEGAL_HOLDS, [projected]) == set()
    assert "placed_by" not in projected

    accepted = await file_verified_request(gateway, mailbox, person, "erasure")
    await approve(gateway, accepted["request_id"])
    status = await completed(gateway, accepted)

    assert not await gone(contact_db, reference)
    receipts = {(r["owner"], r["category"]): r for r in status["receipts"]}
    held = receipts[("contact", "contact_messages")]
    assert (held["count"], held["kept_under_hold"], held["hold_reasons"]) == (0, 1, [HOLD_REASON])
    # The hold is on the person, so it keeps what the consent service holds of their visitor too.
    visits = receipts[("consent", "visit_records")]
    assert (visits["count"], visits["kept_under_hold"], visits["hold_reasons"]) == (
        0,
        2,
        [HOLD_REASON],
    )
    assert await consent_db[VISITS].count_documents({"visitor_id": person.visitor_id}) == 2
    noted = await consent_db[KEPT_ERASURES].find({"visitor_id": person.visitor_id}).to_list()
    assert {note["category"] for note in noted} == {"consents", "visit_records"}
    mail = await completion_mail(mailbox, person)
    assert "contact / contact_messages: 0 verwijderd" in mail
    assert f"1 bewaard vanwege een wettelijke bewaarplicht: {HOLD_REASON}" in mail
    assert f"1 kept under a legal retention duty: {HOLD_REASON}" in mail
    assert "consent / visit_records: 0 verwijderd" in mail
    due = await eventually(
        lambda: scheduled(retention_db, reference), what="the kept message to be due"
    )
    assert due["rule"] == ERASURE_REQUESTED

    lifted = await gateway.delete(f"/v1/staff/legal-holds/{hold_id}", headers=OFFICER)

    assert lifted.status_code == 202, lifted.text
    await eventually(lambda: gone(contact_db, reference), what="the kept message to be erased")
    [entry] = await deletion_log(gateway, person, entries=1)
    assert (entry["rule"], entry["requested"], entry["count"]) == (ERASURE_REQUESTED, 1, 1)

    async def hold_dropped() -> bool:
        return await contact_db[LEGAL_HOLDS].find_one({"_id": hold_id}) is None

    await eventually(hold_dropped, what="the contact service to drop the lifted hold")
    await everything_stored_is_declared(retention_db)


async def test_a_withdrawal_keeps_the_visits_a_hold_on_them_covers(
    gateway: AsyncClient,
    mailbox: Mailbox,
    consent_db: AsyncDatabase,
    retention_db: AsyncDatabase,
) -> None:
    """A withdrawal erases the visits consent allowed, except what a hold on that category keeps:
    the consent is withdrawn all the same."""
    person = Person()
    await visit_with_consent(gateway, person, consent_db)
    hold = {
        "subject_id": person.subject_id,
        "category": "visit_records",
        "reason": HOLD_REASON,
        "ends_at": (utc_now() + timedelta(days=1)).isoformat(),
    }
    placed = await gateway.post("/v1/staff/legal-holds", json=hold, headers=OFFICER)
    assert placed.status_code == 202, placed.text
    hold_id = placed.json()["hold_id"]
    try:
        await eventually(
            lambda: consent_db[LEGAL_HOLDS].find_one({"_id": hold_id}),
            what="the consent service to learn of the hold",
        )
        accepted = await file_verified_request(gateway, mailbox, person, "withdraw_consent")
        await approve(gateway, accepted["request_id"])
        status = await completed(gateway, accepted)

        receipts = {(r["owner"], r["category"]): r for r in status["receipts"]}
        visits = receipts[("consent", "visit_records")]
        assert (visits["count"], visits["kept_under_hold"], visits["hold_reasons"]) == (
            0,
            2,
            [HOLD_REASON],
        )
        assert await consent_db[VISITS].count_documents({"visitor_id": person.visitor_id}) == 2
        consents = await gateway.get(f"/v1/consents/{person.visitor_id}")
        assert consents.json()["current"]["purposes"]["analytics"] is False
    finally:
        lifted = await gateway.delete(f"/v1/staff/legal-holds/{hold_id}", headers=OFFICER)
        assert lifted.status_code == 202, lifted.text
