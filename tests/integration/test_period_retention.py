"""The processing register's retention periods, enforced (statement §4), on real Kafka and MongoDB-protocol servers.

A retention service of this module asks the owners every half second to erase what each
category's period has ended. Records are made old through the normal paths: page views and
consent choices carry their moment, a staff read its time, and a complaint is resolved while the
requests service's clock is moved back. Periods are the register's own.
"""

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from privacyhub.consent.app import create_runtime as create_consent_runtime
from privacyhub.consent.consents import HISTORY
from privacyhub.consent.holds import KEPT_ERASURES
from privacyhub.consent.settings import ConsentSettings
from privacyhub.consent.visits import COUNTERS, VISITS
from privacyhub.contact.sharing import DISCLOSURES
from privacyhub.gateway.settings import GatewaySettings
from privacyhub.requests.access_log.log import COLLECTION as ACCESS_LOG
from privacyhub.requests.complaints.breaches import COLLECTION as BREACH_REGISTER
from privacyhub.requests.complaints.workflow import COLLECTION as COMPLAINTS
from privacyhub.requests.complaints.workflow import RECEIPTS
from privacyhub.requests.rights.packages import OWNER_EXPORTS, PACKAGE_CHUNKS, PACKAGES
from privacyhub.requests.rights.requests_store import COLLECTION as RIGHTS_REQUESTS
from privacyhub.requests.settings import RequestsSettings
from privacyhub.retention.app import create_runtime as create_retention_runtime
from privacyhub.retention.deletion_log import DELETION_LOG
from privacyhub.retention.expiry import EXPIRY_REQUESTS
from privacyhub.retention.holds import LEGAL_HOLDS
from privacyhub.retention.settings import RetentionSettings
from privacyhub.shared.auth import Role
from privacyhub.shared.contracts.access_log import STAFF_DATA_READ, StaffDataRead
from privacyhub.shared.contracts.retention import (
    ERASE_EXPIRED_RECORDS,
    EraseExpiredRecords,
)
from privacyhub.shared.contracts.rights import (
    RIGHTS_REQUEST_RECEIVED,
    Channel,
    RightsRequestReceived,
    RightType,
)
from privacyhub.shared.envelope import Envelope, utc_now
from privacyhub.shared.expiry import EXPIRY_RECEIPTS
from privacyhub.shared.identity import subject_id_for_email
from privacyhub.shared.register import load_register
from privacyhub.shared.register.check import undeclared_fields
from privacyhub.shared.topics import (
    RETENTION_EXPIRY,
    RETENTION_EXPIRY_RECEIPTS,
    STAFF_ACCESS_LOG,
    TopicSpec,
)
from privacyhub.shared.topics import RIGHTS_REQUESTS as RIGHTS_REQUESTS_TOPIC
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.clock import MovableClock
from tests.support.copies import analytics_exempt_copy
from tests.support.endpoints import Endpoints
from tests.support.kafka import collect_until, publish_message
from tests.support.mailbox import Mailbox
from tests.support.naming import unique_word
from tests.support.people import Person
from tests.support.requests_store import subject_keys
from tests.support.rights import (
    approve,
    completed,
    emailed_code,
    file_verified_request,
    new_address,
    submit,
    verify,
    wrong,
)
from tests.support.services import running_service, service_settings
from tests.support.staff import staff_headers
from tests.support.visitors import (
    choice_published,
    new_visitor,
    visit_with_consent,
)
from tests.support.waiting import eventually

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures(
        "consent_service", "contact_service", "requests_service", "periods_service"
    ),
]

OFFICER = staff_headers(Role.PRIVACY_OFFICER, staff_id="dpo-ellen")
DAY = timedelta(days=1)


@pytest.fixture(scope="module")
def retention_clock() -> MovableClock:
    """The retention service's clock: moved back, its own bookkeeping and deletion log grow old."""
    return MovableClock()


periods_settings, periods_service, periods_db = running_service(
    "periods",
    settings=lambda endpoints: service_settings(
        RetentionSettings, endpoints, "retention_periods", expiry_sweep_interval_seconds=0.5
    ),
    runtime=lambda periods_settings, retention_clock: create_retention_runtime(
        periods_settings, clock=retention_clock
    ),
    scope="module",
)


async def exempt_consent_on(
    endpoints: Endpoints, consent_settings: ConsentSettings
) -> ConsentSettings:
    """A consent deployment that counts views without consent anonymously (Tw 11.7a).

    It starts at the end of what the service reads: the session's earlier page views (ten
    thousand of one test alone) are none of its business."""
    return await analytics_exempt_copy(endpoints, consent_settings, "exempt_periods")


exempt_consent_settings, exempt_consent_service, exempt_consent_db = running_service(
    "exempt_consent",
    settings=exempt_consent_on,
    runtime=lambda exempt_consent_settings: create_consent_runtime(exempt_consent_settings),
    scope="module",
)


def person() -> tuple[str, str]:
    """A new e-mail address and its pseudonymous subject id."""
    email = f"kees{unique_word(8)}@example.nl"
    secret = GatewaySettings().subject_id_secret.get_secret_value()
    return email, subject_id_for_email(secret, email)


async def publish(endpoints: Endpoints, topic: TopicSpec, envelope: Envelope[Any]) -> None:
    await publish_message(
        endpoints.kafka_bootstrap_servers,
        topic.name,
        envelope.model_dump_json().encode(),
        envelope.partition_key,
    )


async def read_by_staff(endpoints: Endpoints, subject_id: str, read_at: datetime) -> str:
    """A staff read of the subject's data at `read_at`, as the gateway announces it; its entry id."""
    read = StaffDataRead(
        staff_id="agent-tom",
        roles=["support_agent"],
        route="/v1/staff/contact/{reference}",
        category="contact_messages",
        record="CT-0A1B2C3D4E5F",
        reason="Answering the question",
        read_at=read_at,
    )
    envelope = Envelope[StaffDataRead](type=STAFF_DATA_READ, subject_id=subject_id, payload=read)
    await publish(endpoints, STAFF_ACCESS_LOG, envelope)
    return str(envelope.event_id)


async def stored(db: AsyncDatabase, collection: str, selection: dict[str, Any], count: int) -> None:
    async def all_there() -> bool:
        return await db[collection].count_documents(selection) == count

    await eventually(all_there, what=f"{count} documents in {collection}")


async def logged(
    periods_db: AsyncDatabase, category: str, *, since: datetime, **counts: Any
) -> dict[str, Any]:
    """A deletion-log entry for `category` logged after `since` whose counts match."""
    selection = {"category": category, "logged_at": {"$gt": since}, **counts}
    return await eventually(
        lambda: periods_db[DELETION_LOG].find_one(selection),
        what=f"a deletion-log entry for {category} with {counts}",
    )


async def test_visits_older_than_thirteen_months_go_and_recent_ones_stay(
    gateway: AsyncClient,
    endpoints: Endpoints,
    consent_db: AsyncDatabase,
    periods_db: AsyncDatabase,
) -> None:
    visitor, now = new_visitor(), utc_now()
    await choice_published(endpoints, visitor, now - 500 * DAY, analytics=True)
    await stored(consent_db, HISTORY, {"visitor_id": visitor}, 1)
    for occurred_at in (now - 400 * DAY, now - 390 * DAY, now - DAY):
        view = {
            "visitor_id": visitor,
            "url": "https://www.jobport.nl/vacatures",
            "occurred_at": occurred_at.isoformat(),
        }
        response = await gateway.post("/v1/pageviews", json=view)
        assert response.status_code == 202, response.text

    # One visitor's views are read in order: once the recent ones are linked, the old one was.
    recent = {"visitor_id": visitor, "occurred_at": {"$gte": now - 391 * DAY}}
    await stored(consent_db, VISITS, recent, 2)

    await stored(consent_db, VISITS, {"visitor_id": visitor}, 2)

    kept = [v["occurred_at"] async for v in consent_db[VISITS].find({"visitor_id": visitor})]
    assert all(moment > now - 396 * DAY for moment in kept)
    entry = await logged(periods_db, "visit_records", since=now, count={"$gte": 1})
    assert entry["owner"] == "consent" and entry["rule"] == "visit_records.P396D"
    assert "subject_hash" not in entry


async def test_a_choice_replaced_five_years_ago_goes_and_the_choice_in_force_stays(
    endpoints: Endpoints, consent_db: AsyncDatabase, periods_db: AsyncDatabase
) -> None:
    visitor, loyal, now = new_visitor(), new_visitor(), utc_now()
    first = await choice_published(endpoints, visitor, now - 2000 * DAY, analytics=True)
    replaced_lately = await choice_published(endpoints, visitor, now - 1900 * DAY, analytics=False)
    in_force = await choice_published(endpoints, visitor, now - DAY, analytics=True)
    only_choice = await choice_published(endpoints, loyal, now - 3000 * DAY, analytics=False)
    # The choices of one visitor are read in order: once the last is kept, the first was too.
    await stored(consent_db, HISTORY, {"_id": {"$in": [in_force, only_choice]}}, 2)

    await stored(consent_db, HISTORY, {"_id": first}, 0)

    kept = {
        c["_id"] async for c in consent_db[HISTORY].find({"visitor_id": {"$in": [visitor, loyal]}})
    }
    assert kept == {replaced_lately, in_force, only_choice}
    assert await consent_db["current_consents"].find_one({"_id": loyal, "consent_id": only_choice})
    entry = await logged(periods_db, "consent_proofs", since=now, count={"$gte": 1})
    assert entry["owner"] == "consent" and entry["rule"] == "consent_proofs.P1826D"


async def test_what_a_hold_on_a_visitor_kept_of_an_erasure_goes_once_the_hold_is_lifted(
    gateway: AsyncClient,
    mailbox: Mailbox,
    consent_db: AsyncDatabase,
    periods_db: AsyncDatabase,
) -> None:
    subject = Person()
    await visit_with_consent(gateway, subject, consent_db)
    hold = {
        "visitor_id": subject.visitor_id,
        "reason": "Lopende procedure over dit bezoek",
        "ends_at": (utc_now() + DAY).isoformat(),
    }
    placed = await gateway.post("/v1/staff/legal-holds", json=hold, headers=OFFICER)
    assert placed.status_code == 202, placed.text
    hold_id = placed.json()["hold_id"]
    await eventually(
        lambda: consent_db[LEGAL_HOLDS].find_one(
            {"_id": hold_id, "visitor_id": subject.visitor_id}
        ),
        what="the consent service to learn of the hold",
    )

    accepted = await file_verified_request(gateway, mailbox, subject, "erasure")
    await approve(gateway, accepted["request_id"])
    receipts = {
        (r["owner"], r["category"]): r for r in (await completed(gateway, accepted))["receipts"]
    }

    for category in ("consents", "visit_records"):
        receipt = receipts[("consent", category)]
        assert receipt["count"] == 0 and receipt["kept_under_hold"] >= 1, receipt
        assert receipt["hold_reasons"] == [hold["reason"]]
    since = utc_now()
    await logged(periods_db, "visit_records", since=since)  # an expiry ran while the hold was on
    await logged(periods_db, "consent_proofs", since=since)
    assert await consent_db[VISITS].count_documents({"visitor_id": subject.visitor_id}) == 2
    assert await consent_db[HISTORY].count_documents({"visitor_id": subject.visitor_id}) == 1

    lifted = await gateway.delete(f"/v1/staff/legal-holds/{hold_id}", headers=OFFICER)

    assert lifted.status_code == 202, lifted.text
    await stored(consent_db, VISITS, {"visitor_id": subject.visitor_id}, 0)
    await stored(consent_db, HISTORY, {"visitor_id": subject.visitor_id}, 0)
    await stored(consent_db, KEPT_ERASURES, {"visitor_id": subject.visitor_id}, 0)
    assert await consent_db["current_consents"].find_one({"_id": subject.visitor_id}) is None


async def test_old_staff_reads_go_and_a_legal_hold_keeps_its_subjects_with_a_receipt_saying_so(
    gateway: AsyncClient,
    endpoints: Endpoints,
    requests_db: AsyncDatabase,
    periods_db: AsyncDatabase,
) -> None:
    (_, read_about), (_, held), now = person(), person(), utc_now()
    hold = {
        "subject_id": held,
        "category": "staff_access_log",
        "reason": "Klacht bij de Autoriteit Persoonsgegevens loopt",
        "ends_at": (now + 30 * DAY).isoformat(),
    }
    response = await gateway.post("/v1/staff/legal-holds", json=hold, headers=OFFICER)
    assert response.status_code == 202, response.text
    hold_id = response.json()["hold_id"]
    await eventually(
        lambda: periods_db[LEGAL_HOLDS].find_one({"_id": hold_id}), what="the hold in force"
    )

    old_read = await read_by_staff(endpoints, read_about, now - 800 * DAY)
    recent_read = await read_by_staff(endpoints, read_about, now - DAY)
    held_read = await read_by_staff(endpoints, held, now - 800 * DAY)
    stored_at = utc_now()

    # One subject's reads are read in order: once the recent one is kept, the old one was too.
    await stored(requests_db, ACCESS_LOG, {"_id": {"$in": [recent_read, held_read]}}, 2)

    await stored(requests_db, ACCESS_LOG, {"_id": old_read}, 0)
    entry = await logged(
        periods_db, "staff_access_log", since=stored_at, kept_under_hold={"$gte": 1}
    )
    assert entry["owner"] == "requests" and entry["rule"] == "staff_access_log.P730D"
    assert await requests_db[ACCESS_LOG].find_one({"_id": held_read})


async def test_a_complaint_resolved_two_years_ago_goes_with_its_reporters_key(
    gateway: AsyncClient,
    requests_db: AsyncDatabase,
    requests_settings: RequestsSettings,
    requests_clock: MovableClock,
    periods_db: AsyncDatabase,
) -> None:
    (email, reporter), now = person(), utc_now()
    form = {"email": email, "message": "Mijn cv staat nog online.", "kind": "complaint"}
    response = await gateway.post("/v1/complaints", json=form)
    assert response.status_code == 202, response.text
    reference = response.json()["reference"]
    keys = subject_keys(requests_db, requests_settings)
    await eventually(
        lambda: requests_db[RECEIPTS].find_one({"_id": reference}), what="the receipt e-mailed"
    )
    assert await keys.existing_key(reporter, fresh=True) is not None

    with requests_clock.moved_back(800 * DAY):
        for change in ({"status": "in_progress"}, {"status": "resolved", "note": "Verwijderd."}):
            moved = await gateway.post(
                f"/v1/staff/complaints/{reference}/status",
                json=change,
                headers={**OFFICER, "x-access-reason": "Resolving the complaint"},
            )
            assert moved.status_code == 200, moved.text

    await stored(requests_db, COMPLAINTS, {"_id": reference}, 0)
    assert await requests_db[RECEIPTS].find_one({"_id": reference}) is None
    await eventually(
        lambda: _none(keys.existing_key(reporter, fresh=True)), what="the reporter's key destroyed"
    )
    entry = await logged(periods_db, "complaints", since=now, count={"$gte": 1})
    assert entry["owner"] == "requests" and entry["rule"] == "complaints.P730D"


async def send_contact_form(gateway: AsyncClient, email: str) -> str:
    form = {"email": email, "first_name": "Kees", "last_name": "Jansen", "message": "Vacature?"}
    response = await gateway.post("/v1/contact", json=form)
    assert response.status_code == 202, response.text
    return str(response.json()["reference"])


async def test_a_disclosure_goes_five_years_after_it_was_made(
    gateway: AsyncClient,
    contact_db: AsyncDatabase,
    contact_clock: MovableClock,
    periods_db: AsyncDatabase,
) -> None:
    (email, subject_id), now = person(), utc_now()
    with contact_clock.moved_back(1900 * DAY):
        old = await send_contact_form(gateway, email)
        await stored(contact_db, DISCLOSURES, {"reference": old}, 1)
    recent = await send_contact_form(gateway, email)
    await stored(contact_db, DISCLOSURES, {"reference": recent}, 1)

    await stored(contact_db, DISCLOSURES, {"reference": old}, 0)
    assert await contact_db[DISCLOSURES].count_documents({"subject_id": subject_id}) == 1
    entry = await logged(periods_db, "disclosures", since=now, count={"$gte": 1})
    assert entry["owner"] == "contact" and entry["rule"] == "disclosures.P1826D"
    assert "subject_hash" not in entry


async def report_breach(gateway: AsyncClient, requests_db: AsyncDatabase) -> str:
    """A suspected breach reported through the website; its register entry's id."""
    email, _ = person()
    form = {"email": email, "message": "Ik zag andermans cv.", "kind": "suspected_breach"}
    response = await gateway.post("/v1/complaints", json=form)
    assert response.status_code == 202, response.text
    reference = response.json()["reference"]
    entry = await eventually(
        lambda: requests_db[BREACH_REGISTER].find_one({"complaint_reference": reference}),
        what="the breach register entry",
    )
    return str(entry["_id"])


async def decide_breach(gateway: AsyncClient, breach_id: str) -> None:
    decision = {"notify_authority": False, "reasons": "Versleuteld; geen risico."}
    response = await gateway.post(
        f"/v1/staff/breaches/{breach_id}/decision", json=decision, headers=OFFICER
    )
    assert response.status_code == 200, response.text


async def test_a_breach_decided_five_years_ago_goes_and_an_undecided_one_stays(
    gateway: AsyncClient,
    requests_db: AsyncDatabase,
    requests_clock: MovableClock,
    periods_db: AsyncDatabase,
) -> None:
    now = utc_now()
    old, recent, undecided = [await report_breach(gateway, requests_db) for _ in range(3)]
    with requests_clock.moved_back(1900 * DAY):
        await decide_breach(gateway, old)
    await decide_breach(gateway, recent)

    await stored(requests_db, BREACH_REGISTER, {"_id": old}, 0)
    kept = {
        e["_id"]
        async for e in requests_db[BREACH_REGISTER].find({"_id": {"$in": [recent, undecided]}})
    }
    assert kept == {recent, undecided}
    entry = await logged(periods_db, "breach_register", since=now, count={"$gte": 1})
    assert entry["owner"] == "requests" and entry["rule"] == "breach_register.P1826D"


@pytest.mark.usefixtures("exempt_consent_service")
async def test_anonymous_counts_of_days_three_years_ago_go_and_recent_ones_stay(
    gateway: AsyncClient, exempt_consent_db: AsyncDatabase, periods_db: AsyncDatabase
) -> None:
    page, now = f"/vacatures/{uuid.uuid4().hex[:12]}", utc_now()
    for occurred_at in (now - 1200 * DAY, now - 1100 * DAY, now - DAY):
        view = {
            "visitor_id": new_visitor(),
            "url": f"https://www.jobport.nl{page}",
            "occurred_at": occurred_at.isoformat(),
        }
        response = await gateway.post("/v1/pageviews", json=view)
        assert response.status_code == 202, response.text
    recent_day = (now - DAY).date().isoformat()
    await stored(exempt_consent_db, COUNTERS, {"page": page, "day": recent_day}, 1)

    await stored(exempt_consent_db, COUNTERS, {"page": page}, 1)
    entry = await logged(periods_db, "anonymous_visit_counts", since=now)
    assert entry["rule"] == "anonymous_visit_counts.P1096D" and "subject_hash" not in entry


async def test_the_deletion_log_goes_after_five_years_and_expiry_requests_after_a_month(
    periods_db: AsyncDatabase, retention_clock: MovableClock
) -> None:
    now = utc_now()
    with retention_clock.moved_back(1900 * DAY):
        # Each sweep logs the expiry of the service's own records: an entry logged 1900 days ago.
        old_entry = await eventually(
            lambda: periods_db[DELETION_LOG].find_one({"logged_at": {"$lt": now - 1826 * DAY}}),
            what="a deletion-log entry logged five years ago",
        )
        old_request = await eventually(
            lambda: periods_db[EXPIRY_REQUESTS].find_one({"requested_at": {"$lt": now - 30 * DAY}}),
            what="an expiry command sent long ago",
        )
    # A command sent while the clock was back may be logged after: its request is old.
    recent_entry = await logged(periods_db, "visit_records", since=now, requested_at={"$gt": now})

    await stored(periods_db, DELETION_LOG, {"_id": old_entry["_id"]}, 0)
    await stored(periods_db, EXPIRY_REQUESTS, {"_id": old_request["_id"]}, 0)
    assert await periods_db[DELETION_LOG].find_one({"_id": recent_entry["_id"]})
    assert await periods_db[EXPIRY_REQUESTS].find_one({"_id": recent_entry["command_id"]})
    pruned = await logged(periods_db, "deletion_log", since=now, count={"$gte": 1})
    assert pruned["owner"] == "retention" and pruned["rule"] == "deletion_log.P1826D"
    assert "subject_hash" not in pruned
    await logged(periods_db, "expiry_bookkeeping", since=now, owner="retention", count={"$gte": 1})


async def test_an_owners_expiry_receipts_go_a_month_after_they_were_given(
    requests_db: AsyncDatabase, requests_clock: MovableClock, periods_db: AsyncDatabase
) -> None:
    now = utc_now()
    with requests_clock.moved_back(40 * DAY):
        old_receipt = await eventually(
            lambda: requests_db[EXPIRY_RECEIPTS].find_one({"erased_at": {"$lt": now - 35 * DAY}}),
            what="a receipt the requests service gave 40 days ago",
        )

    await stored(requests_db, EXPIRY_RECEIPTS, {"_id": old_receipt["_id"]}, 0)
    entry = await logged(
        periods_db, "expiry_bookkeeping", since=now, owner="requests", count={"$gte": 1}
    )
    assert entry["rule"] == "expiry_bookkeeping.P30D"
    assert await requests_db[EXPIRY_RECEIPTS].count_documents({"erased_at": {"$gte": now}}) >= 1


async def test_requests_completed_refused_or_never_verified_long_ago_go_whole_with_their_keys(
    gateway: AsyncClient,
    endpoints: Endpoints,
    mailbox: Mailbox,
    requests_db: AsyncDatabase,
    requests_settings: RequestsSettings,
    requests_clock: MovableClock,
    periods_db: AsyncDatabase,
) -> None:
    person, waiting, now = Person(), Person(), utc_now()
    keys = subject_keys(requests_db, requests_settings)
    with requests_clock.moved_back(1900 * DAY):
        accepted = await file_verified_request(gateway, mailbox, person, "access")
        request_id = accepted["request_id"]
        document = await requests_db[RIGHTS_REQUESTS].find_one({"_id": request_id})
        subject_id = document["subject_id"]
        undecided = (await file_verified_request(gateway, mailbox, Person(), "access"))[
            "request_id"
        ]
        refused = (await file_verified_request(gateway, mailbox, Person(), "erasure"))["request_id"]
        refusal = await gateway.post(
            f"/v1/staff/rights-requests/{refused}/decision",
            json={"outcome": "refuse", "reasons": "Een wettelijke plicht gaat voor."},
            headers=OFFICER,
        )
        assert refusal.status_code == 200, refusal.text
        await approve(gateway, request_id)
        # Once completed, the next expiry command finds it five years old.
        await stored(requests_db, RIGHTS_REQUESTS, {"_id": request_id}, 0)
    # Filed on the website 40 days ago by someone who never typed the code.
    secret = GatewaySettings().subject_id_secret.get_secret_value()
    never_verified = Envelope[RightsRequestReceived](
        type=RIGHTS_REQUEST_RECEIVED,
        subject_id=subject_id_for_email(secret, waiting.email),
        payload=RightsRequestReceived(
            request_id=uuid.uuid4(),
            type=RightType.ACCESS,
            channel=Channel.WEB,
            email=waiting.email,
            received_at=now - 40 * DAY,
            access_token_sha256="0" * 64,
        ),
    )
    await publish(endpoints, RIGHTS_REQUESTS_TOPIC, never_verified)
    pending = str(never_verified.payload.request_id)

    for collection, selection in (
        (PACKAGES, {"_id": request_id}),
        (PACKAGE_CHUNKS, {"request_id": request_id}),
        (OWNER_EXPORTS, {"request_id": request_id}),
    ):
        assert await requests_db[collection].count_documents(selection) == 0, collection
    await eventually(
        lambda: _none(keys.existing_key(subject_id, fresh=True)), what="the subject's key destroyed"
    )
    entry = await logged(periods_db, "rights_requests", since=now, count={"$gte": 1})
    assert entry["owner"] == "requests" and entry["rule"] == "rights_requests.P1826D"
    assert "subject_hash" not in entry
    # Refused five years ago, and never verified (a month is enough): they go too, and the key of
    # the address nobody verified with them.
    await stored(requests_db, RIGHTS_REQUESTS, {"_id": refused}, 0)
    await stored(requests_db, RIGHTS_REQUESTS, {"_id": pending}, 0)
    entry = await logged(periods_db, "unverified_rights_requests", since=now, count={"$gte": 1})
    assert entry["rule"] == "unverified_rights_requests.P30D"
    await eventually(
        lambda: _none(keys.existing_key(never_verified.subject_id, fresh=True)),
        what="the key of the address nobody verified destroyed",
    )
    # A verified request still waiting for a decision has no period running: it stays however old.
    assert await requests_db[RIGHTS_REQUESTS].find_one({"_id": undecided})


async def test_a_request_locked_by_wrong_codes_goes_a_month_after_it_was_received(
    gateway: AsyncClient,
    mailbox: Mailbox,
    requests_db: AsyncDatabase,
    requests_settings: RequestsSettings,
    periods_db: AsyncDatabase,
) -> None:
    """Whoever typed five wrong codes may not be the person at that address: the request, its
    address and the key of that address go a month after it came in, as an unverified one's do."""
    email, now = new_address(), utc_now()
    accepted = await submit(gateway, email, type="erasure", details="Verwijder alles van mij.")
    request_id = accepted["request_id"]
    code = await emailed_code(mailbox, email)
    answers = [(await verify(gateway, request_id, wrong(code))).status_code for _ in range(5)]
    assert answers == [400, 400, 400, 400, 429]
    locked = {"_id": request_id, "status": "verification_locked"}
    await stored(requests_db, RIGHTS_REQUESTS, locked, 1)
    subject_id = (await requests_db[RIGHTS_REQUESTS].find_one(locked))["subject_id"]
    keys = subject_keys(requests_db, requests_settings)
    assert await keys.existing_key(subject_id, fresh=True) is not None

    # Received 40 days ago: set after the lock, so no expiry could take it while it was unverified.
    await requests_db[RIGHTS_REQUESTS].update_one(
        {"_id": request_id}, {"$set": {"received_at": now - 40 * DAY}}
    )

    await stored(requests_db, RIGHTS_REQUESTS, {"_id": request_id}, 0)
    entry = await logged(periods_db, "unverified_rights_requests", since=now, count={"$gte": 1})
    assert entry["rule"] == "unverified_rights_requests.P30D"
    await eventually(
        lambda: _none(keys.existing_key(subject_id, fresh=True)),
        what="the key of the address nobody verified destroyed",
    )


async def _none(awaitable: Any) -> bool:
    return await awaitable is None


async def test_a_redelivered_command_is_answered_with_the_same_receipt(
    endpoints: Endpoints, requests_db: AsyncDatabase
) -> None:
    command = Envelope[EraseExpiredRecords](
        type=ERASE_EXPIRED_RECORDS,
        subject_id="staff_access_log",
        payload=EraseExpiredRecords(
            category="staff_access_log",
            rule="staff_access_log.P730D",
            cutoff=utc_now() - 730 * DAY,
        ),
    )
    for _ in range(2):
        await publish(endpoints, RETENTION_EXPIRY, command)

    answers: list[dict[str, Any]] = []

    def second_answer(message: dict[str, Any]) -> bool:
        if message["correlation_id"] == str(command.correlation_id):
            answers.append(message)
        return len(answers) == 2

    await collect_until(
        endpoints.kafka_bootstrap_servers, RETENTION_EXPIRY_RECEIPTS.name, second_answer
    )
    assert answers[0] == answers[1]
    assert answers[0]["payload"]["owner"] == "requests"
    assert await requests_db[EXPIRY_RECEIPTS].count_documents({"_id": str(command.event_id)}) == 1


async def test_the_deletion_log_and_the_owners_receipts_hold_no_personal_data(
    consent_db: AsyncDatabase,
    contact_db: AsyncDatabase,
    requests_db: AsyncDatabase,
    periods_db: AsyncDatabase,
) -> None:
    await logged(periods_db, "visit_records", since=utc_now())
    register = load_register()
    for service, db, collection in (
        ("retention", periods_db, DELETION_LOG),
        ("retention", periods_db, "expiry_requests"),
        ("consent", consent_db, EXPIRY_RECEIPTS),
        ("contact", contact_db, EXPIRY_RECEIPTS),
        ("requests", requests_db, EXPIRY_RECEIPTS),
    ):
        documents = await db[collection].find().to_list()
        assert documents, collection
        assert undeclared_fields(register, service, collection, documents) == set(), collection
    period_entries = await periods_db[DELETION_LOG].find({"cutoff": {"$exists": True}}).to_list()
    assert period_entries
    without_subjects = {
        *("_id", "category", "rule", "cutoff", "count", "kept_under_hold", "owner"),
        *("command_id", "requested_at", "erased_at", "logged_at"),
    }
    assert all(set(entry) <= without_subjects for entry in period_entries)
    requests = await periods_db["expiry_requests"].find().to_list()
    assert all(isinstance(request["held_subjects"], int) for request in requests)
