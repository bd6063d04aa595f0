"""With an operations token set, metrics and the API document answer only requests bearing it;
health and readiness stay public for probes."""

from litestar.testing import AsyncTestClient
from privacyhub.gateway.app import create_app

from tests.support.offline_gateway import offline_gateway

TOKEN = "scrape-token-known-to-prometheus-only"
NOT_PUBLIC = ("/metrics", "/schema/openapi.json")


async def test_metrics_and_the_document_need_the_token_once_it_is_set() -> None:
    async with AsyncTestClient(create_app(offline_gateway(operations_token=TOKEN))) as client:
        for path in NOT_PUBLIC:
            for headers in ({}, {"authorization": "Bearer wrong"}, {"authorization": TOKEN}):
                refused = await client.get(path, headers=headers)
                assert refused.status_code == 401, (path, headers)
                assert refused.headers["www-authenticate"] == "Bearer"
                assert refused.json()["code"] == "not_authenticated"
            admitted = await client.get(path, headers={"authorization": f"bearer {TOKEN}"})
            assert admitted.status_code == 200, path
        assert (await client.get("/health")).status_code == 200


async def test_without_a_token_they_are_public() -> None:
    async with AsyncTestClient(create_app(offline_gateway())) as client:
        for path in NOT_PUBLIC:
            assert (await client.get(path)).status_code == 200, path
