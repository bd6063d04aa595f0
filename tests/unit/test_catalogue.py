"""The message catalogue declares every message once, and the code reads and publishes only
what it declares (the topic-level match with each process is in test_kafka_access.py)."""

import importlib
import pkgutil
import re

import privacyhub.shared.contracts as contracts_package
import pytest
from privacyhub.consent.settings import ConsentSettings
from privacyhub.retention.settings import RetentionSettings
from privacyhub.shared import queries, topics
from privacyhub.shared.catalogue import (
    ALL_TOPICS,
    CATALOGUE,
    INFRASTRUCTURE_TOPICS,
    Process,
    UndeclaredMessage,
    contracts,
    published_by,
    read_by,
)
from privacyhub.shared.contracts.consent import PAGE_VIEWED
from privacyhub.shared.contracts.contact import CONTACT_MESSAGE_ANSWERED
from privacyhub.shared.contracts.subject import EXPORT_SUBJECT_DATA
from privacyhub.shared.owners import subject_command_handlers
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import (
    CONTACT_MESSAGES,
    DEAD_LETTER,
    REQUESTS_COMMANDS,
    SUBJECT_COMMANDS,
    TopicSpec,
)

TYPE_NAME = re.compile(r"^[A-Z][a-z]+(?:[A-Z][a-z]+)+$|^Query$|^Command$")


def message_type_constants() -> set[str]:
    """Every CamelCase string constant of the contracts modules and the query protocol."""
    modules = [queries] + [
        importlib.import_module(f"{contracts_package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(contracts_package.__path__)
    ]
    return {
        value
        for module in modules
        for name, value in vars(module).items()
        if name.isupper() and isinstance(value, str) and TYPE_NAME.match(value)
    }


def test_every_message_type_of_the_contracts_is_declared_and_nothing_else() -> None:
    assert {message.type for message in CATALOGUE} == message_type_constants()


def test_a_type_is_declared_once_per_topic_and_every_message_has_a_publisher() -> None:
    pairs = [(message.type, message.topic.name) for message in CATALOGUE]
    assert len(pairs) == len(set(pairs))
    assert all(message.publishers for message in CATALOGUE)


def declared_topics() -> dict[str, TopicSpec]:
    """Every topic declared in topics.py, by its constant's name."""
    return {name: value for name, value in vars(topics).items() if isinstance(value, TopicSpec)}


def test_every_declared_topic_carries_a_message_or_is_infrastructure_and_each_is_created() -> None:
    carried = {message.topic.name for message in CATALOGUE}
    infrastructure = {topic.name for topic in INFRASTRUCTURE_TOPICS}
    assert infrastructure == {DEAD_LETTER.name}
    assert not carried & infrastructure
    for name, topic in declared_topics().items():
        assert topic.name in carried | infrastructure, f"{name} is declared but carries no message"
    created = [topic.name for topic in ALL_TOPICS]
    assert len(created) == len(set(created))
    assert set(created) == carried | infrastructure
    assert set(created) == {topic.name for topic in declared_topics().values()}


def test_every_process_publishes_and_reads_something() -> None:
    for process in Process:
        assert published_by(process), process
        assert read_by(process), process


def test_a_reader_reads_each_type_into_its_own_payload() -> None:
    read = contracts(SUBJECT_COMMANDS)
    assert read[EXPORT_SUBJECT_DATA].__name__ == "ExportSubjectData"
    assert len(read) == 7


@pytest.fixture
def consent_runtime() -> ServiceRuntime:
    # Assembled only: nothing connects before it is started.
    return ServiceRuntime(ConsentSettings(), name="consent")


def test_subscribing_to_a_topic_the_catalogue_does_not_give_the_service_fails_at_start_up(
    consent_runtime: ServiceRuntime,
) -> None:
    with pytest.raises(UndeclaredMessage, match="nothing consent reads on"):
        consent_runtime.subscriber(CONTACT_MESSAGES)
    with pytest.raises(UndeclaredMessage, match="nothing consent reads on"):
        consent_runtime.consume_batches(CONTACT_MESSAGES, handler=lambda batch: None)


def test_publishing_where_the_catalogue_does_not_say_so_fails_at_start_up(
    consent_runtime: ServiceRuntime,
) -> None:
    with pytest.raises(UndeclaredMessage, match="nothing consent publishes on"):
        consent_runtime.publisher(SUBJECT_COMMANDS)


def test_an_owner_that_leaves_a_declared_subject_command_unhandled_fails_at_start_up(
    consent_runtime: ServiceRuntime,
) -> None:
    async def export(envelope: object, command: object) -> tuple[str, object]:
        raise AssertionError("never called")

    with pytest.raises(UndeclaredMessage, match="the catalogue declares"):
        subject_command_handlers(
            consent_runtime, handlers={EXPORT_SUBJECT_DATA: export}, catch_up=()
        )


def test_a_handler_table_that_leaves_a_declared_type_unhandled_fails_at_start_up() -> None:
    runtime = ServiceRuntime(RetentionSettings(), name="retention")

    async def answered(envelope: object) -> None:
        raise AssertionError("never called")

    # The contact lifecycle brings retention both a stored and an answered message.
    with pytest.raises(UndeclaredMessage, match="the catalogue declares"):
        runtime.handle({CONTACT_MESSAGE_ANSWERED: answered})
    with pytest.raises(UndeclaredMessage, match="no 'PageViewed' to read"):
        runtime.handle({PAGE_VIEWED: answered})


def test_a_topic_given_in_two_handler_tables_fails_at_start_up() -> None:
    """Two subscribers of one topic in one consumer group would split its partitions between them."""
    runtime = ServiceRuntime(RetentionSettings(), name="retention")
    answering = queries.query_handlers(runtime, {})
    runtime.handle(answering)

    with pytest.raises(ValueError, match="in two tables"):
        runtime.handle(answering)


def test_queries_and_commands_travel_on_topics_of_their_own() -> None:
    """A query changes nothing, a command does: they never share a topic, and each travels on
    a topic named for it."""
    for message in CATALOGUE:
        if message.type == queries.QUERY:
            assert message.topic.name.endswith(".queries.v1"), message.topic.name
        if message.type == queries.COMMAND:
            assert message.topic.name.endswith(".commands.v1"), message.topic.name
    kinds: dict[str, set[str]] = {}
    for message in CATALOGUE:
        kinds.setdefault(message.topic.name, set()).add(message.type)
    assert not any({queries.QUERY, queries.COMMAND} <= types for types in kinds.values())
    assert set(contracts(REQUESTS_COMMANDS)) == {queries.COMMAND}
