"""A partially refused rights request: the officer names the data owners whose part is refused,
every other owner carries the request out, and it completes with their receipts (statement §6)."""

import pytest
from httpx import AsyncClient
from privacyhub.consent.visits import VISITS
from privacyhub.contact.repository import COLLECTION as CONTACT_MESSAGES
from privacyhub.partner.questions import COLLECTION as SHARED_QUESTIONS
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.contact import leave_contact_message
from tests.support.mailbox import Mailbox, text_of
from tests.support.people import Person
from tests.support.rights import OFFICER, completed, completion_mail, file_verified_request
from tests.support.visitors import visit_with_consent
from tests.support.waiting import eventually

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("requests_service", "contact_service", "consent_service"),
]

REASONS = "Je contactberichten bewaren we tot het geschil over je sollicitatie is afgerond."


async def decide(gateway: AsyncClient, request_id: str, **decision: object) -> dict:
    response = await gateway.post(
        f"/v1/staff/rights-requests/{request_id}/decision",
        json={"reasons": REASONS, **decision},
        headers=OFFICER,
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_partially_refused_erasure_is_carried_out_by_every_owner_not_refused(
    gateway: AsyncClient,
    mailbox: Mailbox,
    contact_db: AsyncDatabase,
    consent_db: AsyncDatabase,
    partner_db: AsyncDatabase,
) -> None:
    person = Person()
    reference = await leave_contact_message(gateway, person, contact_db)
    await eventually(
        lambda: partner_db[SHARED_QUESTIONS].find_one({"_id": reference}),
        what="the partner's copy",
    )
    _, page_view_ids = await visit_with_consent(gateway, person, consent_db)
    accepted = await file_verified_request(gateway, mailbox, person, "erasure")

    decided = await decide(
        gateway, accepted["request_id"], outcome="partially_refuse", refused_owners=["contact"]
    )

    assert decided["decision"]["refused_owners"] == ["contact"]
    assert decided["status"] in ("executing", "completed")
    status = await completed(gateway, accepted)
    assert {(r["owner"], r["category"], r["action"]) for r in status["receipts"]} == {
        ("consent", "consents", "erased"),
        ("consent", "visit_records", "erased"),
        ("support_partner", "contact_messages", "erased"),
    }
    assert await consent_db[VISITS].count_documents({"_id": {"$in": page_view_ids}}) == 0
    assert await partner_db[SHARED_QUESTIONS].find_one({"_id": reference}) is None
    assert await contact_db[CONTACT_MESSAGES].find_one({"_id": reference}) is not None
    decision_mail = await mailbox.wait_for(
        person.email, lambda m: "Besluit" in m["Subject"], what="the decision e-mail"
    )
    decision_text = text_of(decision_mail).replace("\r\n", "\n")
    assert "Niet toegewezen:\n- je contactberichten bij Jobport" in decision_text
    assert REASONS in decision_text
    done = (await completion_mail(mailbox, person)).replace("\r\n", "\n")
    assert "consent / visit_records: 2 verwijderd" in done
    assert "Not granted:\n- your contact messages at Jobport" in done
    assert "contact / contact_messages" not in done


async def test_a_partially_refused_access_request_packages_only_the_granted_owners(
    gateway: AsyncClient, mailbox: Mailbox, contact_db: AsyncDatabase, consent_db: AsyncDatabase
) -> None:
    person = Person()
    await leave_contact_message(gateway, person, contact_db)
    await visit_with_consent(gateway, person, consent_db)
    accepted = await file_verified_request(gateway, mailbox, person, "access")

    await decide(
        gateway,
        accepted["request_id"],
        outcome="partially_refuse",
        refused_owners=["consent", "support_partner"],
    )

    status = await completed(gateway, accepted)
    assert {(r["owner"], r["category"]) for r in status["receipts"]} == {
        ("contact", "contact_messages")
    }


@pytest.mark.parametrize(
    ("decision", "problem"),
    [
        ({"outcome": "partially_refuse"}, "names the data owners"),
        ({"outcome": "approve", "refused_owners": ["contact"]}, "only a partial refusal"),
        ({"outcome": "partially_refuse", "refused_owners": ["billing"]}, "contact"),
        (
            {
                "outcome": "partially_refuse",
                "refused_owners": ["contact", "consent", "support_partner"],
            },
            "at most 2",
        ),
    ],
)
async def test_a_decision_that_names_refused_owners_wrongly_is_a_422_naming_them(
    gateway: AsyncClient, mailbox: Mailbox, decision: dict, problem: str
) -> None:
    accepted = await file_verified_request(gateway, mailbox, Person(), "erasure")

    response = await gateway.post(
        f"/v1/staff/rights-requests/{accepted['request_id']}/decision",
        json={"reasons": REASONS, **decision},
        headers=OFFICER,
    )

    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["field"].startswith("refused_owners") and problem in error["problem"]
