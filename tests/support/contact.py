"""The contact form as a website sends it through the gateway, and the message it leaves."""

from httpx import AsyncClient
from privacyhub.contact.repository import COLLECTION as CONTACT_MESSAGES
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.browsers import FIREFOX_ON_WINDOWS
from tests.support.people import Person
from tests.support.waiting import eventually

VALID_FORM = {
    "email": "Anna.de.Vries@example.nl",
    "first_name": "Anna",
    "last_name": "de Vries",
    "message": "Wanneer begint de nieuwe vacature voor data-analist?",
    "company": "Voorbeeld B.V.",
    "found_us_via": "LinkedIn",
}


async def leave_contact_message(
    gateway: AsyncClient, person: Person, contact_db: AsyncDatabase
) -> str:
    """A question `person` sends with the contact form; its reference, once the contact service
    stored it (with its subject, not only an answer recorded before it)."""
    form = {
        "email": person.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "message": "Hebben jullie nog vacatures voor data-analisten?",
        "company": "Voorbeeld B.V.",
    }
    response = await gateway.post(
        "/v1/contact", json=form, headers={"user-agent": FIREFOX_ON_WINDOWS}
    )
    assert response.status_code == 202, response.text
    reference = response.json()["reference"]
    await eventually(
        lambda: contact_db[CONTACT_MESSAGES].find_one(
            {"_id": reference, "subject_id": {"$exists": True}}
        ),
        what="the contact message",
    )
    return reference
