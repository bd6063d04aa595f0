"""Consent choices and linked visits at rest, encrypted per visitor (statement §3, shared/crypto.py).

What is claimed: the consent database holds the visitor's choice, its source and what a linked visit
says about the visitor (page, referring site, device) only as ciphertext, and no keys; the gateway's
reads and the export still give them in clear; and once the visitor is erased, a dump of the
database taken before the erasure cannot be read with everything that is still live. The visitor id,
the moments and the statement version stay clear (privacyhub.consent.consents and .visits say why).
"""

import itertools
import json
import uuid
from datetime import date, timedelta
from typing import Any

import bson
import pytest
from httpx import AsyncClient
from privacyhub.consent.consents import CURRENT, HISTORY
from privacyhub.consent.consents import PERSONAL_FIELDS as CONSENT_FIELDS
from privacyhub.consent.settings import ConsentSettings
from privacyhub.consent.visits import PERSONAL_FIELDS as VISIT_FIELDS
from privacyhub.consent.visits import VISITS
from privacyhub.shared.auth import Role
from privacyhub.shared.contracts.subject import (
    ERASE_SUBJECT_DATA,
    EXPORT_SUBJECT_DATA,
    Category,
    EraseSubjectData,
    ExportSubjectData,
)
from privacyhub.shared.crypto import SUBJECT_KEYS, FieldCipher, SubjectKeyDestroyed
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.register import load_register
from privacyhub.shared.register.check import undeclared_fields
from privacyhub.shared.service import ServiceRuntime
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.browsers import SAFARI_ON_IPHONE
from tests.support.consent_store import visitor_keys
from tests.support.endpoints import Endpoints
from tests.support.kafka import owner_answer
from tests.support.naming import unique_word
from tests.support.services import RUN
from tests.support.staff import staff_headers
from tests.support.visitors import at, choice_made_at, new_visitor, processed, view

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("consent_service")]

# Days of our own, far from those of the other analytics tests, a day per visitor, so a day's
# figures are its visitor's alone.
FIRST_DAY = date(1900, 1, 1) + timedelta(days=4 * (int(RUN, 16) % 5000))
VISIT_DAYS = (FIRST_DAY + timedelta(days=n) for n in itertools.count())
SITE = "https://www.jobport.nl"


class Visitor:
    """A consenting visitor with one linked visit whose page and referring site are unique to the test."""

    def __init__(self, day: date) -> None:
        tag = unique_word(10)
        self.visitor_id = new_visitor()
        self.day = day
        self.page = f"/vacatures/geheim-{tag}"
        self.referrer_host = f"zoek-{tag}.example.org"
        self.page_view_id = ""

    async def consents_and_visits(
        self,
        endpoints: Endpoints,
        gateway: AsyncClient,
        consent_db: AsyncDatabase,
        consent: ServiceRuntime,
    ) -> None:
        await choice_made_at(
            endpoints, consent_db, self.visitor_id, at(self.day - timedelta(days=1), 12)
        )
        self.page_view_id = await view(
            gateway,
            self.visitor_id,
            f"{SITE}{self.page}",
            referrer=f"https://{self.referrer_host}/resultaten",
            user_agent=SAFARI_ON_IPHONE,
            occurred_at=at(self.day, 9),
        )
        await processed(consent)

    def personal_values(self) -> tuple[str, ...]:
        """What the stored documents may hold only encrypted: the choice's source, the visit's facts."""
        return (self.page, self.referrer_host, "banner", "Mobile Safari", "iOS", "mobile")


async def stored_documents(db: AsyncDatabase, visitor_id: str) -> dict[str, list[dict[str, Any]]]:
    """The visitor's documents as the database holds them (and a dump of it would)."""
    return {
        HISTORY: await db[HISTORY].find({"visitor_id": visitor_id}).to_list(),
        CURRENT: await db[CURRENT].find({"_id": visitor_id}).to_list(),
        VISITS: await db[VISITS].find({"visitor_id": visitor_id}).to_list(),
    }


def as_stored(documents: dict[str, list[dict[str, Any]]]) -> str:
    """Every document as JSON and as its BSON bytes: what a search through the files sees."""
    return "\n".join(
        json.dumps(document, default=repr, ensure_ascii=False)
        + bson.encode(document).decode("latin-1")
        for found in documents.values()
        for document in found
    )


def ciphers(db: AsyncDatabase, settings: ConsentSettings) -> dict[str, FieldCipher]:
    """Field ciphers on the live key store and key-encryption keys, per collection."""
    keys = visitor_keys(db, settings)
    consents = FieldCipher(keys, CONSENT_FIELDS)
    return {HISTORY: consents, CURRENT: consents, VISITS: FieldCipher(keys, VISIT_FIELDS)}


async def erase(endpoints: Endpoints, visitor_id: str, categories: list[Category]) -> dict:
    """Erase the visitor as an approved erasure request does; the receipts by category."""
    command = Envelope[EraseSubjectData](
        type=ERASE_SUBJECT_DATA,
        subject_id=f"subject-{uuid.uuid4().hex[:12]}",
        payload=EraseSubjectData(
            reason="rights_request",
            rule=f"RR-{uuid.uuid4().hex[:8]}",
            categories=categories,
            visitor_ids=[visitor_id],
        ),
    )
    answer = await owner_answer(endpoints.kafka_bootstrap_servers, "consent", command)
    return {receipt["category"]: receipt for receipt in answer["receipts"]}


def key_store(db: AsyncDatabase, settings: ConsentSettings) -> AsyncDatabase:
    return db.client[settings.subject_keys_database_name]


@pytest.fixture
async def visitor(
    endpoints: Endpoints,
    gateway: AsyncClient,
    consent_db: AsyncDatabase,
    consent_service: ServiceRuntime,
) -> Visitor:
    visitor = Visitor(next(VISIT_DAYS))
    await visitor.consents_and_visits(endpoints, gateway, consent_db, consent_service)
    return visitor


async def test_a_choice_and_a_linked_visit_are_stored_encrypted_and_read_in_clear(
    visitor: Visitor,
    endpoints: Endpoints,
    gateway: AsyncClient,
    consent_db: AsyncDatabase,
    consent_settings: ConsentSettings,
) -> None:
    stored = await stored_documents(consent_db, visitor.visitor_id)

    assert [len(stored[name]) for name in (HISTORY, CURRENT, VISITS)] == [1, 1, 1]
    for name, fields in (
        (HISTORY, CONSENT_FIELDS),
        (CURRENT, CONSENT_FIELDS),
        (VISITS, VISIT_FIELDS),
    ):
        for field in fields:
            assert isinstance(stored[name][0][field], bytes), f"{name}.{field} is stored in clear"
    raw = as_stored(stored)
    for value in visitor.personal_values():
        assert value not in raw, f"{value!r} is stored in clear"
    [visit] = stored[VISITS]
    assert (visit["visitor_id"], visit["day"]) == (visitor.visitor_id, visitor.day.isoformat())
    assert stored[CURRENT][0]["statement_version"] == "2.1"

    consents = await gateway.get(f"/v1/consents/{visitor.visitor_id}")
    assert consents.status_code == 200, consents.text
    current = consents.json()["current"]
    assert current["source"] == "banner"
    assert current["purposes"] == {"necessary": True, "analytics": True, "marketing": False}

    report = await gateway.get(
        "/v1/staff/analytics",
        params={"from": visitor.day.isoformat(), "to": visitor.day.isoformat()},
        headers=staff_headers(Role.ANALYST),
    )
    assert report.status_code == 200, report.text
    figures = report.json()
    assert figures["days"][0]["consenting_visitors"] == 1
    assert figures["top_pages"] == [{"value": visitor.page, "page_views": 1}]
    assert figures["top_referrers"] == [{"value": visitor.referrer_host, "page_views": 1}]
    assert figures["browsers"] == [{"value": "Mobile Safari", "page_views": 1, "fraction": 1.0}]

    exported = await owner_answer(
        endpoints.kafka_bootstrap_servers,
        "consent",
        Envelope[ExportSubjectData](
            type=EXPORT_SUBJECT_DATA,
            subject_id=f"subject-{uuid.uuid4().hex[:12]}",
            payload=ExportSubjectData(
                request_id=f"RR-{uuid.uuid4().hex[:8]}", visitor_ids=[visitor.visitor_id]
            ),
        ),
    )
    records = {export["category"]: export["records"] for export in exported["categories"]}
    [choice] = records["consents"]
    assert (choice["source"], choice["purposes"]["analytics"]) == ("banner", True)
    [exported_visit] = records["visit_records"]
    assert exported_visit["page_view_id"] == visitor.page_view_id
    assert (exported_visit["page"], exported_visit["os"]) == (visitor.page, "iOS")

    keys_db = key_store(consent_db, consent_settings)
    key_documents = await keys_db[SUBJECT_KEYS].find({"_id": visitor.visitor_id}).to_list()
    assert len(key_documents) == 1
    assert undeclared_fields(load_register(), "consent", SUBJECT_KEYS, key_documents) == set()


async def test_a_dump_taken_before_the_visitors_erasure_cannot_be_read_after_it(
    visitor: Visitor,
    endpoints: Endpoints,
    consent_db: AsyncDatabase,
    consent_settings: ConsentSettings,
) -> None:
    dump = await stored_documents(consent_db, visitor.visitor_id)
    assert SUBJECT_KEYS not in await consent_db.list_collection_names(), "the data holds keys"
    readable_today = ciphers(consent_db, consent_settings)
    [dumped_visit] = dump[VISITS]
    opened = await readable_today[VISITS].decrypt(visitor.visitor_id, dumped_visit)
    assert opened["page"] == visitor.page  # the dump is real, and readable today

    receipts = await erase(endpoints, visitor.visitor_id, ["consents", "visit_records"])

    assert receipts["consents"]["erased"] == 1 and receipts["visit_records"]["erased"] == 1
    assert as_stored(await stored_documents(consent_db, visitor.visitor_id)) == ""
    keys_db = key_store(consent_db, consent_settings)
    assert await keys_db[SUBJECT_KEYS].find_one({"_id": visitor.visitor_id}) is None
    live = ciphers(consent_db, consent_settings)
    for name, documents in dump.items():
        for document in documents:
            with pytest.raises(SubjectKeyDestroyed):
                await live[name].decrypt(visitor.visitor_id, document)


async def test_erasing_only_the_visits_keeps_the_key_for_the_consent_proof_that_remains(
    visitor: Visitor,
    endpoints: Endpoints,
    gateway: AsyncClient,
    consent_db: AsyncDatabase,
    consent_settings: ConsentSettings,
) -> None:
    keys_db = key_store(consent_db, consent_settings)

    receipts = await erase(endpoints, visitor.visitor_id, ["visit_records"])

    assert receipts["visit_records"]["erased"] == 1
    assert await keys_db[SUBJECT_KEYS].find_one({"_id": visitor.visitor_id})
    consents = await gateway.get(f"/v1/consents/{visitor.visitor_id}")
    assert consents.json()["current"]["source"] == "banner"

    await erase(endpoints, visitor.visitor_id, ["consents"])

    assert await keys_db[SUBJECT_KEYS].find_one({"_id": visitor.visitor_id}) is None
    assert (await gateway.get(f"/v1/consents/{visitor.visitor_id}")).status_code == 404
