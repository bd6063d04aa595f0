"""POST /v1/pageviews as the lean intake answers it (gateway/lean_intake.py), before Kafka is involved."""

import json

from litestar.testing import AsyncTestClient
from litestar.types import ASGIApp, Message
from privacyhub.gateway.app import create_app

from tests.support.offline_gateway import offline_gateway

VIEW = {"visitor_id": "visitor-4711", "url": "https://www.jobport.nl/vacatures"}
WEBSITE = "https://www.jobport.nl"


async def test_each_invalid_field_is_named_in_a_422() -> None:
    app = create_app(offline_gateway())
    async with AsyncTestClient(app) as client:
        response = await client.post(
            "/v1/pageviews", json={"visitor_id": "x", "url": "no address", "tracking": 1}
        )

    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    named = {problem["field"] for problem in response.json()["errors"]}
    assert named == {"visitor_id", "url", "tracking"}


async def test_a_page_of_another_host_is_refused_naming_the_url() -> None:
    """Only the website's own pages are counted: otherwise any caller makes counters at will."""
    app = create_app(offline_gateway(site_hosts=["www.jobport.nl"]))
    async with AsyncTestClient(app) as client:
        response = await client.post(
            "/v1/pageviews", json={**VIEW, "url": "https://elders.example/vacatures"}
        )

    assert response.status_code == 422, response.text
    assert [problem["field"] for problem in response.json()["errors"]] == ["url"]


async def test_a_body_that_is_not_json_is_a_bad_request() -> None:
    app = create_app(offline_gateway())
    async with AsyncTestClient(app) as client:
        response = await client.post(
            "/v1/pageviews", content=b"{visitor", headers={"content-type": "application/json"}
        )

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


async def streamed_post(app: ASGIApp, path: str, chunks: list[bytes]) -> list[Message]:
    """A POST whose body comes in `chunks` without a content-length; the messages answered."""
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver.local"), (b"content-type", b"application/json")],
        "client": ("203.0.113.5", 50000),
        "server": ("testserver.local", 80),
    }
    incoming = [
        {"type": "http.request", "body": chunk, "more_body": n < len(chunks) - 1}
        for n, chunk in enumerate(chunks)
    ]
    answered: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0)

    async def send(message: Message) -> None:
        answered.append(message)

    await app(scope, receive, send)  # type: ignore[arg-type]
    return answered


async def test_a_body_over_the_limit_is_refused_with_413_announced_or_not() -> None:
    app = create_app(offline_gateway(max_body_bytes=1024))
    too_large = b'{"visitor_id": "' + b"a" * 2000 + b'"}'

    async with AsyncTestClient(app) as client:
        announced = await client.post("/v1/pageviews", content=too_large)
        start, body = await streamed_post(
            app, "/v1/pageviews", [too_large[n : n + 256] for n in range(0, len(too_large), 256)]
        )

    assert announced.status_code == start["status"] == 413
    assert announced.json()["code"] == json.loads(body["body"])["code"] == "body_too_large"


async def test_without_kafka_a_valid_view_is_answered_503_with_retry_after() -> None:
    app = create_app(offline_gateway(kafka_retry_after_seconds=7, cors_allowed_origins=[WEBSITE]))
    async with AsyncTestClient(app) as client:
        response = await client.post("/v1/pageviews", json=VIEW, headers={"origin": WEBSITE})

    assert response.status_code == 503
    assert response.headers["retry-after"] == "7"
    assert response.json()["code"] == "temporarily_unavailable"
    assert response.headers["access-control-allow-origin"] == WEBSITE
    assert response.headers["ratelimit-limit"] == "120"


async def test_answers_carry_cors_headers_for_allowed_origins_only() -> None:
    app = create_app(offline_gateway(cors_allowed_origins=[WEBSITE]))
    async with AsyncTestClient(app) as client:
        allowed = await client.post("/v1/pageviews", json={}, headers={"origin": WEBSITE})
        other = await client.post(
            "/v1/pageviews", json={}, headers={"origin": "https://elsewhere.example"}
        )
        preflight = await client.options(
            "/v1/pageviews",
            headers={"origin": WEBSITE, "access-control-request-method": "POST"},
        )

    assert allowed.headers["access-control-allow-origin"] == WEBSITE
    assert "access-control-allow-origin" not in other.headers
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == WEBSITE


async def test_the_openapi_document_describes_the_page_view_intake() -> None:
    app = create_app(offline_gateway())
    async with AsyncTestClient(app) as client:
        schema = (await client.get("/schema/openapi.json")).json()

    operation = schema["paths"]["/v1/pageviews"]["post"]
    assert operation["operationId"] == "recordPageView"
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"] == "#/components/schemas/PageViewForm"
    answer = operation["responses"]["202"]["content"]["application/json"]["schema"]
    assert answer["$ref"] == "#/components/schemas/PageViewAccepted"
    assert [parameter["name"] for parameter in operation["parameters"]] == ["Sec-GPC"]
