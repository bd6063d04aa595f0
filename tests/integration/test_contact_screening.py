"""Sensitive data in the contact form (statement §2b): refused with a 422 and kept nowhere, or redacted.

"Nowhere" is searched the way an auditor would: every document of the contact service's database,
every message on the contact topic up to a later message, and the logs as records and as the
JSON lines the processes write.
"""

import io
import json
import logging
from collections.abc import Iterator

import pytest
from litestar.testing import AsyncTestClient
from privacyhub.contact.repository import COLLECTION
from privacyhub.contact.settings import ContactSettings
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import CONTACT_MESSAGES
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.contact import VALID_FORM
from tests.support.contact_store import readable_messages
from tests.support.endpoints import Endpoints
from tests.support.in_loop_gateway import connected_client, gateway_settings
from tests.support.kafka import collect_until
from tests.support.naming import unique_word
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

VALID_BSN = "111222333"  # passes the elfproef


@pytest.fixture
def rendered_logs() -> Iterator[io.StringIO]:
    """The JSON lines the root logger's handlers write (to stderr in production) during one test."""
    rendered = io.StringIO()
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
    streams = [handler.setStream(rendered) for handler in handlers]
    try:
        yield rendered
    finally:
        for handler, stream in zip(handlers, streams, strict=True):
            handler.setStream(stream)


async def stored(db: AsyncDatabase, reference: str) -> dict | None:
    return await db[COLLECTION].find_one({"_id": reference})


async def every_document(db: AsyncDatabase) -> str:
    dumps = []
    for name in await db.list_collection_names():
        async for document in db[name].find():
            dumps.append(json.dumps(document, default=str, ensure_ascii=False))
    return "\n".join(dumps)


async def test_a_message_with_a_bsn_is_refused_and_kept_nowhere(
    gateway: AsyncTestClient,
    contact_service: ServiceRuntime,
    contact_db: AsyncDatabase,
    endpoints: Endpoints,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    rendered_logs: io.StringIO,
) -> None:
    caplog.set_level(logging.DEBUG)
    marker = f"refused-{unique_word()}"
    refused_text = f"Mijn BSN is {VALID_BSN}, kenmerk {marker}."

    refused = await gateway.post("/v1/contact", json={**VALID_FORM, "message": refused_text})

    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert body["code"] == "sensitive_data"
    assert body["message"]["nl"] and body["message"]["en"]
    [problem] = body["errors"]
    assert problem["field"] == "message"
    assert "burgerservicenummer (BSN)" in problem["problem"]
    assert "citizen service number (BSN)" in problem["problem"]
    assert VALID_BSN not in refused.text and marker not in refused.text

    later = await gateway.post("/v1/contact", json=VALID_FORM)
    assert later.status_code == 202, later.text
    later_reference = later.json()["reference"]
    await eventually(lambda: stored(contact_db, later_reference), what="the later message")

    on_topic = await collect_until(
        endpoints.kafka_bootstrap_servers,
        CONTACT_MESSAGES.name,
        lambda m: m["payload"].get("reference") == later_reference,
    )
    captured = capfd.readouterr()
    places = {
        "the contact database": await every_document(contact_db),
        "the contact topic": "\n".join(json.dumps(m, ensure_ascii=False) for m in on_topic),
        "the log records": "\n".join(repr(vars(record)) for record in caplog.records),
        "the rendered logs": rendered_logs.getvalue(),
        "stdout and stderr": captured.out + captured.err,
    }
    assert places["the log records"], "no log records were captured at all"
    for place, content in places.items():
        assert marker not in content, f"the refused message is in {place}"
        assert VALID_BSN not in content, f"the refused BSN is in {place}"


async def test_a_valid_bsn_is_refused_while_an_invalid_nine_digit_number_and_a_phone_number_pass(
    gateway: AsyncTestClient,
) -> None:
    refused = await gateway.post(
        "/v1/contact", json={**VALID_FORM, "company": f"BSN {VALID_BSN} B.V."}
    )
    passed = await gateway.post(
        "/v1/contact",
        json={**VALID_FORM, "message": "Referentie 123456789, bel me op +31 6 12345678."},
    )

    assert refused.status_code == 422
    assert [problem["field"] for problem in refused.json()["errors"]] == ["company"]
    assert passed.status_code == 202, passed.text


async def test_with_the_redact_policy_the_placeholder_is_stored_instead(
    endpoints: Endpoints,
    contact_service: ServiceRuntime,
    contact_db: AsyncDatabase,
    contact_settings: ContactSettings,
) -> None:
    marker = f"redacted-{unique_word()}"
    bsn = "123456782"  # passes the elfproef
    settings = gateway_settings(endpoints.kafka_bootstrap_servers, sensitive_data_policy="redact")
    async for redacting_gateway in connected_client(settings):
        response = await redacting_gateway.post(
            "/v1/contact", json={**VALID_FORM, "message": f"{marker}: mijn BSN is {bsn}."}
        )

        assert response.status_code == 202, response.text
        reference = response.json()["reference"]

    await eventually(lambda: stored(contact_db, reference), what="the redacted message")
    document = await readable_messages(contact_db, contact_settings).get(reference)
    assert document["message"] == f"{marker}: mijn BSN is [verwijderd: bsn]."
    assert bsn not in await every_document(contact_db)


async def test_the_device_and_the_address_are_screened_and_nothing_is_kept(
    gateway: AsyncTestClient, contact_db: AsyncDatabase
) -> None:
    in_device = await gateway.post(
        "/v1/contact", json={**VALID_FORM, "device": "Pixel 7, BSN 111\u00a0222\u00a0333"}
    )
    in_address = await gateway.post(
        "/v1/contact", json={**VALID_FORM, "email": f"{VALID_BSN}@example.nl"}
    )

    assert in_device.status_code == 422, in_device.text
    assert [problem["field"] for problem in in_device.json()["errors"]] == ["device"]
    assert in_address.status_code == 422, in_address.text
    assert [problem["field"] for problem in in_address.json()["errors"]] == ["email"]
    assert VALID_BSN not in await every_document(contact_db)


async def test_with_the_redact_policy_the_device_is_redacted_and_the_address_still_refused(
    endpoints: Endpoints,
    contact_service: ServiceRuntime,
    contact_db: AsyncDatabase,
    contact_settings: ContactSettings,
) -> None:
    card = "4111 1111 1111 1111"  # passes the Luhn check
    settings = gateway_settings(endpoints.kafka_bootstrap_servers, sensitive_data_policy="redact")
    async for redacting_gateway in connected_client(settings):
        redacted = await redacting_gateway.post(
            "/v1/contact", json={**VALID_FORM, "device": f"Laptop, betaald met +31 {card}"}
        )
        refused = await redacting_gateway.post(
            "/v1/contact", json={**VALID_FORM, "email": "4111111111111111@example.nl"}
        )

    assert redacted.status_code == 202, redacted.text
    assert refused.status_code == 422, refused.text
    reference = redacted.json()["reference"]
    await eventually(lambda: stored(contact_db, reference), what="the redacted message")
    document = await readable_messages(contact_db, contact_settings).get(reference)
    assert document["device"] == "Laptop, betaald met +31 [verwijderd: payment_card]"
