"""Requests per client per minute (gateway/rate_limit.py): a token bucket per client address."""

from litestar.testing import AsyncTestClient
from privacyhub.gateway.app import create_app
from privacyhub.gateway.rate_limit import ClientRateLimiter

from tests.support.offline_gateway import offline_gateway


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_client_gets_its_limit_at_once_then_one_request_per_refilled_token() -> None:
    clock = Clock()
    limiter = ClientRateLimiter(60, clock=clock)

    assert all(limiter.take("198.51.100.7").allowed for _ in range(60))
    refused = limiter.take("198.51.100.7")
    assert not refused.allowed and refused.remaining == 0
    assert refused.retry_after_seconds == 1 and refused.full_again_seconds == 60
    assert limiter.take("203.0.113.9").allowed, "another client has a bucket of its own"

    clock.now += 1.0
    assert limiter.take("198.51.100.7").allowed
    assert not limiter.take("198.51.100.7").allowed


def test_idle_clients_are_forgotten_and_the_number_kept_is_bounded() -> None:
    clock = Clock()
    limiter = ClientRateLimiter(2, max_clients=3, clock=clock)
    for client in ("a", "b", "c", "d"):
        limiter.take(client)
    assert len(limiter) == 3

    clock.now += 60.0
    limiter.take("e")
    assert len(limiter) == 1


async def test_too_many_requests_answer_429_with_retry_after_in_the_error_shape() -> None:
    app = create_app(offline_gateway(rate_limit_per_minute=1))
    async with AsyncTestClient(app) as client:
        first = await client.get("/v1/cookies")
        refused = await client.get("/v1/cookies")

    assert first.status_code == 200 and first.headers["ratelimit-limit"] == "1"
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "60"
    assert refused.json()["code"] == "too_many_requests"


async def test_a_refusal_carries_cors_headers_and_preflights_are_not_counted() -> None:
    website = "https://www.jobport.nl"
    app = create_app(offline_gateway(rate_limit_per_minute=1, cors_allowed_origins=[website]))
    async with AsyncTestClient(app) as client:
        preflights = [
            await client.options(
                "/v1/pageviews",
                headers={"origin": website, "access-control-request-method": "POST"},
            )
            for _ in range(3)
        ]
        first = await client.post("/v1/pageviews", json={}, headers={"origin": website})
        refused = await client.post("/v1/pageviews", json={}, headers={"origin": website})

    assert [preflight.status_code for preflight in preflights] == [204, 204, 204]
    assert first.status_code == 422
    assert refused.status_code == 429
    assert refused.headers["access-control-allow-origin"] == website


async def test_a_visitor_id_naming_an_unlimited_path_does_not_lift_the_limit() -> None:
    app = create_app(offline_gateway(rate_limit_per_minute=1))
    async with AsyncTestClient(app) as client:
        await client.get("/v1/consents/health-metrics-ready-schema")
        second = await client.get("/v1/consents/health-metrics-ready-schema")
        health = [(await client.get("/health")).status_code for _ in range(3)]

    assert second.status_code == 429
    assert health == [200, 200, 200]


async def test_one_address_is_limited_across_clients_on_the_public_forms() -> None:
    """Every rights request and complaint e-mails the address it names: past the day's
    allowance that address is refused (whatever client sends it), another address is not."""
    app = create_app(
        offline_gateway(intake_per_address_per_day=2, kafka_publish_timeout_seconds=0.5)
    )
    victim = "slachtoffer@example.nl"
    async with AsyncTestClient(app) as client:
        allowed = [
            await client.post("/v1/rights-requests", json={"type": "access", "email": victim}),
            await client.post(
                "/v1/complaints", json={"email": victim, "message": "Spam?", "kind": "complaint"}
            ),
        ]
        refused = await client.post(
            "/v1/rights-requests", json={"type": "erasure", "email": victim}
        )
        other = await client.post(
            "/v1/rights-requests", json={"type": "access", "email": "iemand@example.nl"}
        )

    assert [response.status_code for response in allowed] == [503, 503]  # Kafka is away
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert refused.json()["code"] == "too_many_requests"
    assert other.status_code == 503
