"""The Kafka access derived from the message catalogue is exactly what the code publishes and
consumes, so the ACLs cannot drift."""

from faststream.kafka import KafkaBroker
from privacyhub.consent.app import create_runtime as consent
from privacyhub.contact.app import create_runtime as contact
from privacyhub.gateway.app import create_app as gateway
from privacyhub.localinfra.system import PROCESSES
from privacyhub.partner.app import create_runtime as partner
from privacyhub.requests.app import create_runtime as requests
from privacyhub.retention.app import create_runtime as retention
from privacyhub.shared import queries
from privacyhub.shared.catalogue import ALL_TOPICS
from privacyhub.shared.kafka_access import (
    ACCESS,
    LOGINS,
    OPERATOR,
    PRINCIPALS,
    Access,
    Operation,
    PatternType,
    ResourceType,
    acl_bindings,
)
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import (
    DEAD_LETTER,
    GATEWAY_REPLIES,
    PARTNER_RESULTS,
    PARTNER_SUPPORT,
    TopicSpec,
)

SERVICES = {"consent": consent, "contact": contact, "requests": requests, "retention": retention}


def names(topics: tuple[TopicSpec, ...]) -> set[str]:
    return {topic.name for topic in topics}


def subscribed(broker: KafkaBroker) -> set[str]:
    return {name for subscriber in broker.subscribers for name in subscriber.topic_names}


def published(broker: KafkaBroker) -> set[str]:
    return {publisher.topic for publisher in broker.publishers}


def query_topics(runtime: ServiceRuntime) -> set[str]:
    """Topics the service answers queries or commands on (`query_handlers`, `command_handlers`):
    the gateway writes them."""
    asked = {queries.QUERY, queries.COMMAND}
    return {topic for topic, types in runtime.handled().items() if asked & types}


def access_of(principal: str) -> Access:
    return next(access for access in ACCESS if access.principal == principal)


GATEWAY = access_of("gateway")
PARTNER_SUPPORT_TOOLS = access_of("partner-support")


def test_each_service_may_use_exactly_the_topics_and_group_its_code_uses() -> None:
    for name, create_runtime in SERVICES.items():
        runtime = create_runtime()
        access = access_of(name)
        assert names(access.reads) == subscribed(runtime.broker), name
        assert names(access.writes) == published(runtime.broker) | {DEAD_LETTER.name}, name
        assert access.group_prefix is not None
        assert runtime.settings.consumer_group.startswith(access.group_prefix), name
        assert {s.group_id for s in runtime.broker.subscribers} <= {runtime.settings.consumer_group}


def test_the_gateway_may_write_what_it_publishes_and_asks_and_read_only_replies() -> None:
    broker = gateway().state.broker
    asked = set().union(*(query_topics(make()) for make in SERVICES.values()))
    assert asked, "no service answers queries any more: check query_topics()"
    assert names(GATEWAY.writes) == published(broker) | asked | {DEAD_LETTER.name}
    assert names(GATEWAY.reads) == subscribed(broker)
    assert GATEWAY.group_prefix is None
    assert {s.group_id for s in broker.subscribers} == {None}


def test_the_support_partner_reads_only_its_partner_topic_and_answers_only_on_its_results() -> None:
    assert PARTNER_SUPPORT_TOOLS.writes == (PARTNER_RESULTS, DEAD_LETTER)
    assert PARTNER_SUPPORT_TOOLS.reads == (PARTNER_SUPPORT,)
    rules = [b for b in acl_bindings() if b.principal == "User:partner-support"]
    assert {(b.resource_type, b.resource_name, b.pattern_type, b.operation) for b in rules} == {
        (ResourceType.TOPIC, PARTNER_SUPPORT.name, PatternType.LITERAL, Operation.READ),
        (ResourceType.TOPIC, PARTNER_RESULTS.name, PatternType.LITERAL, Operation.WRITE),
        (ResourceType.TOPIC, DEAD_LETTER.name, PatternType.LITERAL, Operation.WRITE),
        (ResourceType.GROUP, "privacyhub-partner-support", PatternType.PREFIXED, Operation.READ),
    }


def test_the_reference_partner_tool_uses_exactly_the_partner_access() -> None:
    runtime = partner()
    assert names(PARTNER_SUPPORT_TOOLS.reads) == subscribed(runtime.broker)
    assert names(PARTNER_SUPPORT_TOOLS.writes) == published(runtime.broker) | {DEAD_LETTER.name}
    assert PARTNER_SUPPORT_TOOLS.group_prefix is not None
    assert runtime.settings.consumer_group.startswith(PARTNER_SUPPORT_TOOLS.group_prefix)


def test_bindings_name_only_declared_topics_literally_and_own_groups_by_prefix() -> None:
    declared = {topic.name for topic in ALL_TOPICS}
    for binding in acl_bindings():
        if binding.resource_type is ResourceType.TOPIC:
            assert binding.resource_name in declared
            assert binding.pattern_type is PatternType.LITERAL
        else:
            principal = binding.principal.removeprefix("User:")
            assert binding.resource_name == access_of(principal).group_prefix
            assert binding.pattern_type is PatternType.PREFIXED
            assert binding.operation is Operation.READ


def test_every_process_the_runner_starts_has_a_principal_of_its_own() -> None:
    assert len(set(PRINCIPALS)) == len(PRINCIPALS)
    assert {process.name for process in PROCESSES} == set(PRINCIPALS)


def test_the_operator_reads_only_dead_letters_and_writes_only_what_a_process_consumes() -> None:
    consumed = {topic.name for access in ACCESS for topic in access.reads}
    assert names(OPERATOR.reads) == {DEAD_LETTER.name}
    assert names(OPERATOR.writes) == consumed - {GATEWAY_REPLIES.name}
    assert OPERATOR.group_prefix is None
    rules = [b for b in acl_bindings() if b.principal == "User:operator"]
    assert all(b.resource_type is ResourceType.TOPIC for b in rules)
    assert set(LOGINS) == {*PRINCIPALS, OPERATOR.principal}
