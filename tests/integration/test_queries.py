"""Reads through topics: the gateway asks on the owner's query topic and gets the answer back."""

from datetime import timedelta

import pytest
from privacyhub.consent.settings import ConsentSettings
from privacyhub.gateway.errors import QueryTimeout
from privacyhub.gateway.publishing import EventPublisher
from privacyhub.gateway.queries import QueryClient
from privacyhub.shared.broker import make_broker
from privacyhub.shared.queries import Query, Refusal, Reply, answer_queries
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import TopicSpec, ensure_topics
from prometheus_client import CollectorRegistry

from tests.support.endpoints import Endpoints
from tests.support.in_loop_gateway import gateway_settings
from tests.support.services import RUN
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def echo(query: Query) -> Reply:
    if query.arguments.get("locked"):
        raise Refusal("locked", "This echo is locked.")
    if query.arguments.get("known"):
        return Reply(status="found", result={"echo": query.arguments["known"]})
    return Reply(status="not_found", reason="nothing under that id")


async def test_a_query_is_answered_by_its_owner_and_an_unanswered_one_times_out(
    endpoints: Endpoints,
) -> None:
    owner = ServiceRuntime(
        ConsentSettings(
            kafka_bootstrap_servers=endpoints.kafka_bootstrap_servers,
            mongodb_url=endpoints.mongodb_url,
            mongodb_database=f"test_queries_{RUN}",
            consumer_group=f"test-queries-{RUN}",
        ),
        name="query-owner",
    )
    # Topics of its own: the real services answer (or consume) the production topics.
    asked, unanswered = (
        TopicSpec(f"test.queries.{name}.{RUN}", 1, timedelta(hours=1), False, "test")
        for name in ("asked", "unanswered")
    )
    await ensure_topics(endpoints.kafka_bootstrap_servers, topics=(asked, unanswered))
    answer_queries(owner, asked, {"echo": echo})
    settings = gateway_settings(endpoints.kafka_bootstrap_servers)
    broker = make_broker(settings, client_id="gateway", registry=CollectorRegistry())
    publisher = EventPublisher(broker, settings)
    client = QueryClient(broker, publisher, timeout_seconds=10.0)
    impatient = QueryClient(broker, publisher, timeout_seconds=0.5)

    async with owner.running(), publisher.lifespan():
        await eventually(lambda: publisher.ready(), what="the asking side to connect")
        found = await client.ask(asked, "v-1", Query(name="echo", arguments={"known": 7}))
        missing = await client.ask(asked, "v-2", Query(name="echo"))
        unknown = await client.ask(asked, "v-3", Query(name="nonsense"))
        refused = await client.ask(asked, "v-5", Query(name="echo", arguments={"locked": True}))
        with pytest.raises(QueryTimeout):
            await impatient.ask(unanswered, "v-4", Query(name="echo"))

    assert found == Reply(status="found", result={"echo": 7})
    assert missing.status == "not_found"
    assert unknown.status == "invalid" and "nonsense" in (unknown.reason or "")
    assert refused == Reply.refused("locked", "This echo is locked.")
