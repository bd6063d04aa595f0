"""Personal data in the requests service's database, encrypted per data subject (shared/crypto.py):
rights requests, the owners' exports, access packages and complaints hold no address or words in
clear, the service still e-mails the requester and serves the package, after an erasure a dump
taken before it cannot be read with the live keys, and a write racing an erasure is never left
under a destroyed key.
"""

import io
import json
import uuid
import zipfile
from collections.abc import AsyncIterator
from typing import Any

import pytest
from httpx import AsyncClient
from privacyhub.contact.repository import COLLECTION as CONTACT_MESSAGES
from privacyhub.requests.app import create_runtime as create_requests_runtime
from privacyhub.requests.complaints.workflow import COLLECTION as COMPLAINTS
from privacyhub.requests.complaints.workflow import PERSONAL_FIELDS as COMPLAINT_FIELDS
from privacyhub.requests.rights.execution_store import Executions
from privacyhub.requests.rights.packages import (
    CHUNK_FIELDS,
    OWNER_EXPORTS,
    PACKAGE_CHUNKS,
    PACKAGES,
)
from privacyhub.requests.rights.requests_store import COLLECTION as RIGHTS_REQUESTS
from privacyhub.requests.rights.requests_store import PERSONAL_FIELDS as REQUEST_FIELDS
from privacyhub.requests.rights.requests_store import RightsRequests
from privacyhub.requests.settings import RequestsSettings
from privacyhub.shared.contracts.rights import Channel, RightsRequestReceived, RightType
from privacyhub.shared.contracts.subject import (
    SUBJECT_DATA_EXPORTED,
    CategoryExport,
    SubjectDataExported,
    SubjectMessage,
)
from privacyhub.shared.crypto import SUBJECT_KEYS, FieldCipher, Keyring, SubjectKeyDestroyed
from privacyhub.shared.envelope import Envelope, utc_now
from privacyhub.shared.idempotency import PROCESSED_EVENTS
from privacyhub.shared.topics import SUBJECT_EXPORTS
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.complaints import complaint_as_staff_see_it, move, report
from tests.support.endpoints import Endpoints
from tests.support.kafka import publish_all
from tests.support.mailbox import Mailbox, text_of
from tests.support.naming import unique_word
from tests.support.people import Person
from tests.support.requests_store import readable_complaints, readable_requests, subject_keys
from tests.support.rights import (
    CODE_LINE,
    approve,
    completed,
    completion_mail,
    download,
    file_verified_request,
    officer_files_verified,
)
from tests.support.subject_keys import LettingAWriteIn
from tests.support.waiting import eventually
from tests.support.waiting_copy import answered_in_the_copy, waiting_for_a_silent_partner

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
            "visitor_keys": [person.visitor_key],
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
    assert person.visitor_key not in repr(request), "the key stays with the browser"

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
    live = subject_keys(requests_db, requests_settings)

    async def shredded() -> bool:
        # From the store each time: a key cached by an earlier look would hide its destruction.
        return await live.existing_key(subject_id, fresh=True) is None

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


async def test_an_access_requests_exports_and_package_are_encrypted_and_the_download_is_not(
    gateway: AsyncClient,
    mailbox: Mailbox,
    endpoints: Endpoints,
    contact_db: AsyncDatabase,
    requests_db: AsyncDatabase,
    requests_settings: RequestsSettings,
) -> None:
    person = Person()
    words = f"Mijn vraag {unique_word(10)} over de vacature in Deventer."
    contact = await gateway.post(
        "/v1/contact",
        json={
            "email": person.email,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "message": words,
        },
    )
    assert contact.status_code == 202, contact.text
    await stored(contact_db, CONTACT_MESSAGES, contact.json()["reference"])
    traces = (person.email, person.last_name, words)
    # A second copy of the service also waits for a partner no service plays: the owners' exports
    # stay in it, as they do in any copy between the owners' answers and the package.
    waiting_settings = await waiting_for_a_silent_partner(
        endpoints,
        requests_settings,
        owner_timeout_seconds=requests_settings.owner_timeout_seconds,
        owner_sweep_interval_seconds=requests_settings.owner_sweep_interval_seconds,
    )
    waiting_db = requests_db.client[waiting_settings.mongodb_database]
    async with create_requests_runtime(waiting_settings).running():
        accepted = await officer_files_verified(
            gateway, person, "access", [requests_db, waiting_db]
        )
        request_id = accepted["request_id"]
        await approve(gateway, request_id)
        await answered_in_the_copy(
            endpoints, waiting_db, waiting_settings, request_id, executing_in=[requests_db]
        )
    # Stopped: the status and export queries below are answered by the service's own copy only.
    exports = await waiting_db[OWNER_EXPORTS].find({"request_id": request_id}).to_list()
    assert sorted(export["owner"] for export in exports) == ["consent", "contact"]
    assert all(isinstance(export["categories"], bytes) for export in exports)
    for trace in traces:
        assert trace not in repr(exports)
    kept = await Executions(waiting_db, subject_keys(waiting_db, waiting_settings)).exports(
        request_id
    )
    [message] = kept["contact"][0]["records"]
    assert message["message"] == words and message["email"] == person.email

    await completed(gateway, accepted)
    response = await download(gateway, mailbox, person, accepted)
    assert response.status_code == 200, response.text
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("data.json"))
    [message] = data["owners"]["contact"]["contact_messages"]["records"]
    assert message["message"] == words and message["email"] == person.email
    assert data["rights_requests"][0]["email"] == person.email

    subject_id = (await stored(requests_db, PACKAGES, request_id))["subject_id"]
    chunks = await requests_db[PACKAGE_CHUNKS].find({"request_id": request_id}).to_list()
    assert chunks and not zipfile.is_zipfile(io.BytesIO(b"".join(c["data"] for c in chunks)))
    everything = repr(await dump_of(requests_db))
    for trace in traces:
        assert trace not in everything

    # The person then has everything erased: the package goes, and its key with it.
    erasure = await officer_files_verified(gateway, person, "erasure", [requests_db])
    await approve(gateway, erasure["request_id"])
    await completed(gateway, erasure)
    live = subject_keys(requests_db, requests_settings)

    async def shredded() -> bool:
        return await live.existing_key(subject_id, fresh=True) is None

    await eventually(shredded, what="the subject's key to be destroyed")
    assert await requests_db[PACKAGES].find_one({"_id": request_id}) is None
    assert await requests_db[PACKAGE_CHUNKS].count_documents({"request_id": request_id}) == 0
    with pytest.raises(SubjectKeyDestroyed):  # a backup of a chunk, taken before the erasure
        await FieldCipher(live, CHUNK_FIELDS).decrypt(subject_id, chunks[0])
    await requests_db.client.drop_database(waiting_db.name)
    await requests_db.client.drop_database(waiting_settings.subject_keys_database_name)


@pytest.fixture
async def scratch_db(
    requests_db: AsyncDatabase, requests_settings: RequestsSettings
) -> AsyncIterator[AsyncDatabase]:
    """A requests database of the test's own, beside the running service's, with its key store."""
    db = requests_db.client[f"{requests_db.name}_race_{uuid.uuid4().hex[:8]}"]
    try:
        yield db
    finally:
        await db.client.drop_database(db.name)
        await db.client.drop_database(subject_keys_database(db, requests_settings))


def subject_keys_database(db: AsyncDatabase, settings: RequestsSettings) -> str:
    return settings.model_copy(update={"mongodb_database": db.name}).subject_keys_database_name


def request_of(person: Person) -> RightsRequestReceived:
    return RightsRequestReceived(
        request_id=uuid.uuid4(),
        type=RightType.ACCESS,
        channel=Channel.WEB,
        email=person.email,
        details=f"Wat weten jullie over {person.last_name}?",
        visitor_ids=[person.visitor_id],
        received_at=utc_now(),
        access_token_sha256="0" * 64,
    )


async def sealed_under_the_live_key(
    db: AsyncDatabase, settings: RequestsSettings, request_id: str, subject_id: str
) -> bytes:
    """The live key id of the subject, after checking every personal field of the request is sealed with it."""
    raw = await db[RIGHTS_REQUESTS].find_one({"_id": request_id})
    key_store = db.client[subject_keys_database(db, settings)][SUBJECT_KEYS]
    live = await key_store.find_one({"_id": subject_id})
    assert live is not None and "destroying" not in live
    assert {bytes(raw[field][1:17]) for field in REQUEST_FIELDS} == {bytes(live["key_id"])}
    return bytes(live["key_id"])


async def test_a_request_sealed_with_a_key_another_copy_destroyed_is_sealed_again_under_a_new_one(
    scratch_db: AsyncDatabase, requests_settings: RequestsSettings
) -> None:
    person, subject_id = Person(), f"subject-{uuid.uuid4().hex}"
    # A copy whose cache keeps the subject's key after another copy's erasure destroyed it.
    lagging = subject_keys(scratch_db, requests_settings)
    destroyed = await lagging.key_for(subject_id)
    await Executions(scratch_db, subject_keys(scratch_db, requests_settings)).forget_person(
        subject_id, at=utc_now()
    )
    assert await subject_keys(scratch_db, requests_settings).existing_key(subject_id) is None
    received = request_of(person)

    await RightsRequests(scratch_db, lagging).store(received, subject_id=subject_id)

    request_id = str(received.request_id)
    live = await sealed_under_the_live_key(scratch_db, requests_settings, request_id, subject_id)
    assert live != destroyed.key_id
    request = await readable_requests(scratch_db, requests_settings).get(received.request_id)
    assert request is not None and request["email"] == person.email


async def test_a_request_landing_between_the_erasures_check_and_the_key_destruction_keeps_the_key(
    scratch_db: AsyncDatabase, requests_settings: RequestsSettings
) -> None:
    person, subject_id = Person(), f"subject-{uuid.uuid4().hex}"
    keys_db = scratch_db.client[subject_keys_database(scratch_db, requests_settings)]
    keyring = Keyring.from_settings(requests_settings)
    writer = RightsRequests(scratch_db, subject_keys(scratch_db, requests_settings))
    earlier, later = request_of(person), request_of(person)
    await writer.store(earlier, subject_id=subject_id)
    await scratch_db[RIGHTS_REQUESTS].update_one(
        {"_id": str(earlier.request_id)}, {"$set": {"status": "completed"}}
    )
    erasing = LettingAWriteIn(keys_db, keyring, lambda: writer.store(later, subject_id=subject_id))

    await Executions(scratch_db, erasing).forget_person(subject_id, at=utc_now())

    assert erasing.looks == 2  # the landed request's confirmation made the erasure look again
    dropped = await scratch_db[RIGHTS_REQUESTS].find_one({"_id": str(earlier.request_id)})
    assert "email" not in dropped and dropped["personal_data_dropped_at"]
    await sealed_under_the_live_key(
        scratch_db, requests_settings, str(later.request_id), subject_id
    )
    request = await readable_requests(scratch_db, requests_settings).get(later.request_id)
    assert request is not None and request["details"] == later.details


async def test_a_request_or_package_whose_key_is_gone_reads_as_erased(
    scratch_db: AsyncDatabase, requests_settings: RequestsSettings
) -> None:
    person, subject_id = Person(), f"subject-{uuid.uuid4().hex}"
    keys = subject_keys(scratch_db, requests_settings)
    received = request_of(person)
    await RightsRequests(scratch_db, keys).store(received, subject_id=subject_id)
    executions = Executions(scratch_db, keys)
    request_id = str(received.request_id)
    await executions.store_package(
        request_id, subject_id=subject_id, package=b"PK zip", at=utc_now()
    )
    assert await executions.package(request_id) == b"PK zip"
    # Destroyed under the data, as an erasure racing a write could before writes confirmed.
    await keys.destroy(subject_id)

    request = await readable_requests(scratch_db, requests_settings).get(received.request_id)

    assert request is not None and request["status"] == "awaiting_verification"
    assert not set(REQUEST_FIELDS) & set(request)
    assert (
        await Executions(scratch_db, subject_keys(scratch_db, requests_settings)).package(
            request_id
        )
        is None
    )


async def test_an_export_that_arrives_after_the_persons_erasure_brings_nothing_back(
    gateway: AsyncClient,
    mailbox: Mailbox,
    endpoints: Endpoints,
    requests_db: AsyncDatabase,
    requests_settings: RequestsSettings,
) -> None:
    """An owner's answer to a completed access request that comes after the person was erased
    (an owner that answered a command twice, or late) keeps no export, builds no package and
    makes no data key anew."""
    person = Person()
    access = await file_verified_request(gateway, mailbox, person, "access")
    await approve(gateway, access["request_id"])
    await completed(gateway, access)
    erasure = await file_verified_request(gateway, mailbox, person, "erasure")
    await approve(gateway, erasure["request_id"])
    await completed(gateway, erasure)
    subject_id = (await stored(requests_db, RIGHTS_REQUESTS, access["request_id"]))["subject_id"]
    live = subject_keys(requests_db, requests_settings)

    async def shredded() -> bool:
        return await live.existing_key(subject_id, fresh=True) is None

    await eventually(shredded, within=60, what="the subject's key to be destroyed")
    exported = SubjectDataExported(
        owner="contact",
        categories=[
            CategoryExport(
                category="contact_messages",
                basis="legitimate_interest",
                records=[{"message": f"Laat antwoord voor {person.last_name}"}],
            )
        ],
    )
    late = Envelope[SubjectMessage](
        type=SUBJECT_DATA_EXPORTED,
        subject_id=subject_id,
        correlation_id=uuid.UUID(access["request_id"]),
        payload=SubjectMessage.model_validate(exported.model_dump(mode="json")),
    )
    await publish_all(endpoints.kafka_bootstrap_servers, SUBJECT_EXPORTS.name, [late])
    await eventually(
        lambda: requests_db[PROCESSED_EVENTS].find_one({"_id": str(late.event_id)}),
        what="the late answer to be processed",
    )

    assert await requests_db[OWNER_EXPORTS].count_documents({"subject_id": subject_id}) == 0
    assert await requests_db[PACKAGES].find_one({"_id": access["request_id"]}) is None
    assert await live.existing_key(subject_id) is None
