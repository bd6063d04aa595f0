"""POST /v1/contact as the lean intake answers it (gateway/lean_intake.py), before Kafka is
involved: the same answers as Litestar gives on the route it declares for the same form."""

import pytest
from litestar.testing import AsyncTestClient
from privacyhub.gateway.app import create_app

from tests.support.offline_gateway import offline_gateway

FORM = {
    "email": "anna@example.nl",
    "first_name": "Anna",
    "last_name": "de Vries",
    "message": "Wanneer begint de vacature?",
}
WEBSITE = "https://www.jobport.nl"
# The entrance hands the first to the lean intake; Litestar answers the second.
LEAN, LITESTAR = "/v1/contact", "/v1/contact/"


@pytest.mark.parametrize(
    "body",
    [
        {**FORM, "email": "no address", "tracking": 1},
        {**FORM, "message": "Mijn BSN is 111222333"},
        {**FORM, "message": ""},
        {},
    ],
    ids=["invalid fields", "sensitive data", "empty message", "empty form"],
)
async def test_the_lean_intake_refuses_a_form_as_litestar_does(body: dict) -> None:
    async with AsyncTestClient(create_app(offline_gateway())) as client:
        lean = await client.post(LEAN, json=body)
        litestar = await client.post(LITESTAR, json=body)

    assert lean.status_code == litestar.status_code == 422, lean.text
    assert lean.json() == litestar.json()
    assert "111222333" not in lean.text


async def test_a_body_that_is_not_json_is_a_bad_request() -> None:
    async with AsyncTestClient(create_app(offline_gateway())) as client:
        response = await client.post(
            LEAN, content=b"{email", headers={"content-type": "application/json"}
        )

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


async def test_a_body_over_the_limit_is_refused_with_413() -> None:
    app = create_app(offline_gateway(max_body_bytes=1024))
    async with AsyncTestClient(app) as client:
        response = await client.post(LEAN, json={**FORM, "message": "a" * 2000})

    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"


async def test_without_kafka_a_valid_form_is_answered_503_with_retry_after() -> None:
    app = create_app(offline_gateway(kafka_retry_after_seconds=7, cors_allowed_origins=[WEBSITE]))
    async with AsyncTestClient(app) as client:
        response = await client.post(LEAN, json=FORM, headers={"origin": WEBSITE})

    assert response.status_code == 503
    assert response.headers["retry-after"] == "7"
    assert response.json()["code"] == "temporarily_unavailable"
    assert response.headers["access-control-allow-origin"] == WEBSITE
    assert response.headers["ratelimit-limit"] == "120"


async def test_the_openapi_document_still_describes_the_contact_intake() -> None:
    async with AsyncTestClient(create_app(offline_gateway())) as client:
        schema = (await client.get("/schema/openapi.json")).json()

    operation = schema["paths"]["/v1/contact"]["post"]
    assert operation["operationId"] == "submitContactMessage"
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"] == "#/components/schemas/ContactForm"
    assert "202" in operation["responses"]
