"""Personal data in the requests service's database, encrypted per data subject (shared/crypto.py):
rights requests and complaints hold no address or words in clear, the service still e-mails the
requester, and after an erasure a dump taken before it cannot be read with the live keys.
"""

import uuid
from typing import Any

import pytest
from httpx import AsyncClient
from privacyhub.requests.complaints import COLLECTION as COMPLAINTS
from privacyhub.requests.complaints import PERSONAL_FIELDS as COMPLAINT_FIELDS
from privacyhub.requests.repository import COLLECTION as RIGHTS_REQUESTS
from privacyhub.requests.repository import PERSONAL_FIELDS as REQUEST_FIELDS
from privacyhub.requests.settings import RequestsSettings
from privacyhub.shared.crypto import FieldCipher, SubjectKeyDestroyed
from pymongo.asynchronous.database import AsyncDatabase

from tests.integration.test_complaints_breaches import complaint_as_staff_see_it, move, report
from tests.integration.test_rights_execution import (
    CODE_LINE,
    Person,
    approve,
    completed,
    completion_mail,
    file_verified_request,
)
from tests.support.mailbox import Mailbox, text_of
from tests.support.requests_store import readable_complaints, readable_requests, subject_keys
from tests.support.waiting import eventually

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("requests_service", "contact_service", "consent_service"),
]


async def stored(db: AsyncDatabase, collection: str, key: str) -> dict[str, Any]:
    return await eventually(
        lambda: db[collection].find_one({"_id": key}), what=f"the raw {collection} document"
    )


async def dump_of(db: AsyncDatabase) -> list[tuple[str, dict[str, Any]]]:
    """Every document of every collection of the database, as a backup would hold them."""
    return [
        (name, document)
        for name in await db.list_collection_names()
        async for document in db[name].find()
    ]


async def test_requests_and_complaints_are_stored_encrypted_and_the_code_mail_still_arrives(
    gateway: AsyncClient,
    mailbox: Mailbox,
    requests_db: AsyncDatabase,
    requests_settings: RequestsSettings,
) -> None:
    person = Person()
    details = f"Welke gegevens hebben jullie van {person.last_name}?"
    response = await gateway.post(
        "/v1/rights-requests",
        json={
            "type": "access",
            "email": person.email,
            "details": details,
            "visitor_ids": [person.visitor_id],
        },
    )
    assert response.status_code == 202, response.text
    request_id = response.json()["request_id"]

    raw_request = await stored(requests_db, RIGHTS_REQUESTS, request_id)
    for field in REQUEST_FIELDS:
        assert isinstance(raw_request[field], bytes), field
    for trace in (person.email, person.last_name, person.visitor_id):
        assert trace not in repr(raw_request)
    # The mail path decrypts: the code e-mail reaches the address that is stored encrypted.
    code_mail = await mailbox.wait_for(
        person.email,
        lambda m: "verificatiecode" in m["Subject"] and request_id in text_of(m),
        what="the code e-mail",
    )
    code = CODE_LINE.search(text_of(code_mail))
    assert code
    verified = await gateway.post(
        f"/v1/rights-requests/{request_id}/verify", json={"code": code.group(1)}
    )
    assert verified.status_code == 200, verified.text
    request = await readable_requests(requests_db, requests_settings).get(uuid.UUID(request_id))
    assert request is not None
    assert request["email"] == person.email and request["details"] == details
    assert request["visitor_ids"] == [person.visitor_id]

    words = f"Ik ({person.first_name} {person.last_name}) krijg nog steeds nieuwsbrieven."
    reference = await report(
        gateway, {"email": person.email, "message": words, "kind": "complaint"}
    )
    await complaint_as_staff_see_it(gateway, reference)
    assert (await move(gateway, reference, status="in_progress")).status_code == 200
    note = f"{person.first_name} {person.last_name} is gebeld en uit de lijst gehaald."
    resolved = await move(gateway, reference, status="resolved", note=note)
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["resolution"] == note

    raw_complaint = await stored(requests_db, COMPLAINTS, reference)
    for field in COMPLAINT_FIELDS:
        assert isinstance(raw_complaint[field], bytes), field
    for trace in (person.email, person.first_name, person.last_name):
        assert trace not in repr(raw_complaint)
    assert raw_complaint["status"] == "resolved" and raw_complaint["kind"] == "complaint"
    complaint = await readable_complaints(requests_db, requests_settings).get(reference)
    assert complaint is not None
    assert complaint.email == person.email and complaint.message == words
    assert complaint.resolution == note
    assert [step.note for step in complaint.history] == [None, None, note]
    receipt = await mailbox.wait_for(
        person.email, lambda m: reference in m["Subject"], what="the complaint receipt"
    )
    assert words not in text_of(receipt)


async def test_after_an_erasure_a_dump_taken_before_it_cannot_be_read_with_the_live_keys(
    gateway: AsyncClient,
    mailbox: Mailbox,
    requests_db: AsyncDatabase,
    requests_settings: RequestsSettings,
) -> None:
    person = Person()
    accepted = await file_verified_request(
        gateway, mailbox, person, "erasure", details=f"Wis alles over {person.last_name}."
    )
    request_id = accepted["request_id"]
    subject_id = (await stored(requests_db, RIGHTS_REQUESTS, request_id))["subject_id"]
    backup = [
        (name, d) for name, d in await dump_of(requests_db) if d.get("subject_id") == subject_id
    ]
    assert [name for name, _ in backup] == [RIGHTS_REQUESTS]
    for trace in (person.email, person.last_name, person.visitor_id):
        assert trace not in repr(backup)
    cipher = FieldCipher(subject_keys(requests_db, requests_settings), REQUEST_FIELDS)
    assert (await cipher.decrypt(subject_id, backup[0][1]))["email"] == person.email

    await approve(gateway, request_id)
    await completed(gateway, accepted)
    assert request_id in await completion_mail(mailbox, person)

    async def forgotten() -> bool:
        document = await requests_db[RIGHTS_REQUESTS].find_one({"_id": request_id})
        return document is not None and "email" not in document

    await eventually(forgotten, what="the request's own personal fields to be dropped")
    live = subject_keys(requests_db, requests_settings)  # a fresh store: nothing cached

    async def shredded() -> bool:
        return await live.existing_key(subject_id) is None

    # The key goes right after the fields, in a step of its own.
    await eventually(shredded, what="the subject's key to be destroyed")
    cipher = FieldCipher(live, REQUEST_FIELDS)
    for _, document in backup:
        with pytest.raises(SubjectKeyDestroyed):
            await cipher.decrypt(subject_id, document)


async def test_an_erasure_keeps_the_key_while_a_complaint_of_the_person_is_kept(
    gateway: AsyncClient,
    mailbox: Mailbox,
    requests_db: AsyncDatabase,
    requests_settings: RequestsSettings,
) -> None:
    person = Person()
    words = f"Klacht van {person.last_name} over de afhandeling."
    reference = await report(
        gateway, {"email": person.email, "message": words, "kind": "complaint"}
    )
    await complaint_as_staff_see_it(gateway, reference)
    accepted = await file_verified_request(gateway, mailbox, person, "erasure")

    await approve(gateway, accepted["request_id"])
    await completed(gateway, accepted)

    async def forgotten() -> bool:
        document = await requests_db[RIGHTS_REQUESTS].find_one({"_id": accepted["request_id"]})
        return document is not None and "email" not in document

    await eventually(forgotten, what="the request's own personal fields to be dropped")
    complaint = await readable_complaints(requests_db, requests_settings).get(reference)
    assert complaint is not None
    assert complaint.email == person.email and complaint.message == words
