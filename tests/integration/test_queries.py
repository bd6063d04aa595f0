"""Queries and commands through topics: the gateway asks on the owner's query topic and gets the
answer back; a command is taken once however often it comes."""

from datetime import timedelta

import pytest
from privacyhub.consent.settings import ConsentSettings
from privacyhub.gateway.errors import QueryTimeout
from privacyhub.gateway.publishing import EventPublisher
from privacyhub.gateway.queries import QueryClient
from privacyhub.shared.broker import make_broker
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.queries import (
    ALREADY_CARRIED_OUT,
    COMMAND,
    Command,
    Query,
    Refusal,
    Reply,
    command_handlers,
    query_handlers,
)
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import GATEWAY_REPLIES, TopicSpec, ensure_topics
from prometheus_client import CollectorRegistry

from tests.support.answering import answer_on
from tests.support.endpoints import Endpoints
from tests.support.in_loop_gateway import gateway_settings
from tests.support.kafka import collect_until, publish_message
from tests.support.services import RUN, service_settings
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
    owner = ServiceRuntime(service_settings(ConsentSettings, endpoints, "queries"), name="consent")
    # Topics of its own: the real services answer (or consume) the production topics.
    asked, unanswered = (
        TopicSpec(f"test.queries.{name}.{RUN}", 1, timedelta(hours=1), False, "test")
        for name in ("asked", "unanswered")
    )
    await ensure_topics(endpoints.kafka_bootstrap_servers, topics=(asked, unanswered))
    answer_on(owner, asked, query_handlers(owner, {"echo": echo}))
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


async def test_a_command_is_taken_once_and_a_redelivered_one_is_refused(
    endpoints: Endpoints,
) -> None:
    owner = ServiceRuntime(service_settings(ConsentSettings, endpoints, "commands"), name="consent")
    commanded = TopicSpec(f"test.commands.{RUN}", 1, timedelta(hours=1), False, "test")
    await ensure_topics(endpoints.kafka_bootstrap_servers, topics=(commanded,))
    taken: list[str] = []

    async def take(command: Command) -> Reply:
        taken.append(command.name)
        return Reply(status="found", result={"taken": len(taken)})

    answer_on(owner, commanded, command_handlers(owner, {"take": take}))
    repeated, later = (
        Envelope[Command](type=COMMAND, subject_id="step-1", payload=Command(name="take"))
        for _ in range(2)
    )

    async with owner.running():
        for envelope in (repeated, repeated, later):
            await publish_message(
                endpoints.kafka_bootstrap_servers,
                commanded.name,
                envelope.model_dump_json().encode(),
                key=envelope.partition_key,
            )
        replies = await collect_until(
            endpoints.kafka_bootstrap_servers,
            GATEWAY_REPLIES.name,
            lambda m: m["correlation_id"] == str(later.correlation_id),
        )

    def answers(envelope: Envelope[Command]) -> list[Reply]:
        ours = [m for m in replies if m["correlation_id"] == str(envelope.correlation_id)]
        return [Reply.model_validate(m["payload"]) for m in ours]

    first, again = answers(repeated)
    assert first == Reply(status="found", result={"taken": 1})
    assert again.status == "refused" and again.code == ALREADY_CARRIED_OUT
    assert answers(later) == [Reply(status="found", result={"taken": 2})]
    assert taken == ["take", "take"]
