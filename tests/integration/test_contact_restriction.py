"""A restriction (Art. 18) of a contact-form subject, on real Kafka and a MongoDB-protocol server:
a message the person sends while it holds is stored flagged in the very write that stores it (no
read finds it unflagged even for a moment) and disclosed to nobody; a message whose batch looked
the restriction up just before it was written ends up flagged all the same; lifting it lets
processing resume.
"""

import asyncio
import uuid
from collections.abc import Iterable
from typing import Any

import pytest
from privacyhub.contact.app import serve_contact
from privacyhub.contact.repository import COLLECTION
from privacyhub.contact.restrictions import Restrictions
from privacyhub.contact.settings import ContactSettings
from privacyhub.contact.sharing import DISCLOSURES
from privacyhub.shared.contracts.contact import CONTACT_MESSAGE_RECEIVED, ContactMessageReceived
from privacyhub.shared.contracts.subject import (
    LIFT_RESTRICTION,
    RESTRICT_PROCESSING,
    LiftRestriction,
    RestrictProcessing,
    SubjectMessage,
)
from privacyhub.shared.envelope import Envelope, utc_now
from privacyhub.shared.idempotency import PROCESSED_EVENTS
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import CONTACT_COMMANDS, CONTACT_MESSAGES, SUBJECT_COMMANDS
from pydantic import BaseModel
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.copies import separate_copy
from tests.support.endpoints import Endpoints
from tests.support.kafka import at_the_end, owner_answer, publish_all
from tests.support.naming import unique_word
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("contact_service")]

FORM = {
    "email": "Iris.Bakker@example.nl",
    "first_name": "Iris",
    "last_name": "Bakker",
    "message": "Mogen jullie mijn vraag nog lezen?",
}
FIRST_SIGHT_SECONDS = 30.0  # a hang guard, not a timing assertion


def message_of(subject_id: str) -> Envelope[ContactMessageReceived]:
    return Envelope[ContactMessageReceived](
        type=CONTACT_MESSAGE_RECEIVED,
        subject_id=subject_id,
        payload=ContactMessageReceived(
            reference=f"CT-{uuid.uuid4().hex[:12].upper()}", **FORM, device="test"
        ),
    )


def command(command_type: str, subject_id: str, payload: BaseModel) -> Envelope[SubjectMessage]:
    return Envelope[SubjectMessage](
        type=command_type,
        subject_id=subject_id,
        payload=SubjectMessage.model_validate(payload.model_dump(mode="json")),
    )


async def first_sight(db: AsyncDatabase, reference: str) -> dict[str, Any]:
    """The document of `reference` as the first read that finds it sees it: read again at once,
    not after a pause, so a write that stored it first and flagged it after would be caught."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + FIRST_SIGHT_SECONDS
    while (document := await db[COLLECTION].find_one({"_id": reference})) is None:
        if loop.time() > deadline:
            raise AssertionError(f"gave up waiting for the message after {FIRST_SIGHT_SECONDS}s")
    return document


async def processed(db: AsyncDatabase, envelope: Envelope[Any]) -> None:
    await eventually(
        lambda: db[PROCESSED_EVENTS].find_one({"_id": str(envelope.event_id)}),
        what="the contact message to be processed",
    )


async def test_a_message_sent_while_restricted_is_stored_flagged_and_disclosed_to_nobody(
    endpoints: Endpoints, contact_db: AsyncDatabase
) -> None:
    bootstrap = endpoints.kafka_bootstrap_servers
    subject_id = f"subject-restricted-{uuid.uuid4().hex[:10]}"
    request_id = str(uuid.uuid4())
    restricted = await owner_answer(
        bootstrap,
        "contact",
        command(RESTRICT_PROCESSING, subject_id, RestrictProcessing(request_id=request_id)),
    )
    assert restricted["change"] == "restricted"

    messages = [message_of(subject_id) for _ in range(5)]
    await publish_all(bootstrap, CONTACT_MESSAGES.name, messages)

    seen = await asyncio.gather(*(first_sight(contact_db, m.payload.reference) for m in messages))
    assert [document.get("restriction", {}).get("request_id") for document in seen] == [
        request_id
    ] * len(messages)
    await processed(contact_db, messages[-1])
    references = [m.payload.reference for m in messages]
    assert await contact_db[DISCLOSURES].count_documents({"reference": {"$in": references}}) == 0

    lifted = await owner_answer(
        bootstrap,
        "contact",
        command(
            LIFT_RESTRICTION,
            subject_id,
            LiftRestriction(request_id=str(uuid.uuid4()), restricted_by=request_id),
        ),
    )
    assert lifted["changes"][0]["affected"] == len(messages)
    assert await contact_db[COLLECTION].count_documents({"_id": {"$in": references}}) == len(
        messages
    )
    flagged = {"_id": {"$in": references}, "restriction": {"$exists": True}}
    assert await contact_db[COLLECTION].count_documents(flagged) == 0

    later = message_of(subject_id)
    await publish_all(bootstrap, CONTACT_MESSAGES.name, [later])
    assert "restriction" not in await first_sight(contact_db, later.payload.reference)
    await eventually(
        lambda: contact_db[DISCLOSURES].find_one({"reference": later.payload.reference}),
        what="the disclosure of the message sent after the lift",
    )


class RestrictedRightAfterALookup(Restrictions):
    """The worst moment for a restriction of `subject_id`: it is written right after a batch looked
    the subject up and found none, and that batch goes on to store its message only once it is
    written, so it stores the message unflagged after the restriction exists."""

    def __init__(self, db: AsyncDatabase, subject_id: str) -> None:
        super().__init__(db)
        self._subject_id = subject_id
        self.placing = asyncio.Event()
        self._looked_up = asyncio.Event()
        self._written = asyncio.Event()

    async def place(self, subject_id: str, restriction: dict[str, Any]) -> None:
        if subject_id != self._subject_id:
            return await super().place(subject_id, restriction)
        self.placing.set()
        await self._looked_up.wait()
        await super().place(subject_id, restriction)
        self._written.set()

    async def of_all(self, subject_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        wanted = set(subject_ids)
        found = await super().of_all(wanted)
        if self._subject_id in wanted and not self._looked_up.is_set():
            self._looked_up.set()
            await self._written.wait()
        return found


async def test_a_message_looked_up_just_before_the_restriction_was_written_ends_up_flagged(
    endpoints: Endpoints, contact_settings: ContactSettings
) -> None:
    """The restriction's command waits, once it wrote the restriction, until every message on the
    topic by then is stored, and only then flags the subject's messages: so a message stored
    unflagged because its batch read the subject's restriction a moment before it was written is
    flagged too (subject_commands.restrict)."""
    tag = unique_word(10)
    settings = separate_copy(contact_settings, f"race_{tag}")
    bootstrap = endpoints.kafka_bootstrap_servers
    await at_the_end(
        bootstrap,
        settings.consumer_group,
        CONTACT_MESSAGES.name,
        CONTACT_COMMANDS.name,
        SUBJECT_COMMANDS.name,
    )
    subject_id = f"subject-restricted-race-{tag}"
    contact = ServiceRuntime(settings, name="contact")
    restrictions = RestrictedRightAfterALookup(contact.db, subject_id)
    serve_contact(contact, restrictions, clock=utc_now)
    restriction = command(
        RESTRICT_PROCESSING, subject_id, RestrictProcessing(request_id=str(uuid.uuid4()))
    )
    message = message_of(subject_id)
    async with contact.running() as runtime:
        await publish_all(bootstrap, SUBJECT_COMMANDS.name, [restriction])
        await restrictions.placing.wait()  # caught up at first, about to write
        await publish_all(bootstrap, CONTACT_MESSAGES.name, [message])

        await eventually(
            lambda: runtime.db[PROCESSED_EVENTS].find_one({"_id": str(restriction.event_id)}),
            what="the restriction to be carried out",
        )

        stored = await runtime.db[COLLECTION].find_one({"_id": message.payload.reference})
        assert stored is not None
        assert stored["restriction"]["request_id"] == restriction.payload.model_dump()["request_id"]
        await runtime.mongo.drop_database(settings.mongodb_database)
