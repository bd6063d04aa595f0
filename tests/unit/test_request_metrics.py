"""Request counts and latency per route template at /metrics (gateway/metrics.py)."""

from litestar.testing import AsyncTestClient
from privacyhub.gateway.app import create_app

from tests.support.offline_gateway import offline_gateway


async def test_requests_are_counted_by_route_template_never_by_the_visitor_id() -> None:
    app = create_app(offline_gateway(rate_limit_per_minute=100))
    async with AsyncTestClient(app) as client:
        await client.get("/v1/cookies")
        await client.get("/v1/consents/visitor-4711-secret")
        await client.get("/health")
        exposition = (await client.get("/metrics")).text

    assert (
        'litestar_requests_total{app_name="privacyhub_gateway",method="GET",'
        'path="/v1/cookies",status_code="200"} 1.0'
    ) in exposition
    assert 'path="/v1/consents/{visitor_id}"' in exposition
    assert "visitor-4711" not in exposition
    assert 'path="/health"' not in exposition
    assert "litestar_request_duration_seconds_bucket" in exposition
