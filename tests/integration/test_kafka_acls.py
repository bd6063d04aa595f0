"""A secured broker lets each principal use only its own topics and consumer groups.

Uses a broker of its own, started as `run --secured` starts it: SASL/SCRAM logins,
ACLs from privacyhub.shared.kafka_access, nothing allowed without an ACL. Each
principal connects with the settings the runner hands its process.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.conn import create_conn
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    SaslAuthenticationFailed,
    TopicAuthorizationFailedError,
)
from privacyhub.localinfra import KafkaServer, free_port
from privacyhub.shared.broker import make_broker
from privacyhub.shared.kafka_access import LOGINS, grant_access
from privacyhub.shared.kafka_login import kafka_client_options
from privacyhub.shared.settings import CommonSettings
from privacyhub.shared.topics import (
    CONTACT_LIFECYCLE,
    CONTACT_MESSAGES,
    DEAD_LETTER,
    PARTNER_SUPPORT,
    TopicSpec,
    ensure_topics,
)
from prometheus_client import CollectorRegistry

from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

RUN = uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
async def secured_kafka(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[KafkaServer]:
    kafka = KafkaServer(
        tmp_path_factory.mktemp("secured") / "kafka",
        port=free_port(),
        controller_port=free_port(),
        secured=True,
        users=LOGINS,
    )
    await asyncio.to_thread(kafka.start)
    try:
        await ensure_topics(kafka.bootstrap_servers, client_options=kafka.client_options())
        await grant_access(kafka.bootstrap_servers, client_options=kafka.client_options())
        yield kafka
    finally:
        await asyncio.to_thread(kafka.stop)


def settings_of(kafka: KafkaServer, principal: str, **overrides: str) -> CommonSettings:
    """What a process reads from the environment the runner gives it as `principal`."""
    # The variables are the settings' aliases in upper case.
    environment = {
        name.lower(): value for name, value in kafka.client_environment(principal).items()
    }
    return CommonSettings(**environment | overrides)


@asynccontextmanager
async def consumer_of(
    settings: CommonSettings, topic: TopicSpec, group: str
) -> AsyncIterator[AIOKafkaConsumer]:
    consumer = AIOKafkaConsumer(
        topic.name,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **kafka_client_options(settings),
    )
    try:
        await consumer.start()
        yield consumer
    finally:
        await consumer.stop()


@asynccontextmanager
async def assigned_reader(
    settings: CommonSettings, topic: TopicSpec
) -> AsyncIterator[AIOKafkaConsumer]:
    """A reader of every partition of `topic` in no consumer group, as the operator reads."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **kafka_client_options(settings),
    )
    try:
        await consumer.start()
        consumer.assign([TopicPartition(topic.name, p) for p in range(topic.partitions)])
        yield consumer
    finally:
        await consumer.stop()


async def read_until(consumer: AIOKafkaConsumer, value: bytes) -> None:
    async def arrived() -> bool:
        batches = await consumer.getmany(timeout_ms=200)
        return any(record.value == value for records in batches.values() for record in records)

    await eventually(arrived, within=30, what=f"{value!r} for the consumer")


async def produce_as(settings: CommonSettings, topic: TopicSpec, value: bytes) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, **kafka_client_options(settings)
    )
    try:
        await producer.start()
        await producer.send_and_wait(topic.name, value)
    finally:
        await producer.stop()


async def test_contact_reads_its_messages_in_its_group_and_publishes_its_lifecycle(
    secured_kafka: KafkaServer,
) -> None:
    message, lifecycle = f"message {RUN}".encode(), f"stored {RUN}".encode()
    await produce_as(settings_of(secured_kafka, "gateway"), CONTACT_MESSAGES, message)

    contact = settings_of(secured_kafka, "contact")
    async with consumer_of(contact, CONTACT_MESSAGES, f"privacyhub-contact-test-{RUN}") as reader:
        await read_until(reader, message)
        await reader.commit()
    contact_broker = make_broker(contact, client_id="contact", registry=CollectorRegistry())
    async with contact_broker:
        await contact_broker.publish(lifecycle, CONTACT_LIFECYCLE.name)

    admin = settings_of(secured_kafka, "admin")
    async with consumer_of(admin, CONTACT_LIFECYCLE, f"audit-{RUN}") as audit:
        await read_until(audit, lifecycle)


async def test_the_support_partner_reads_its_partner_topic(secured_kafka: KafkaServer) -> None:
    shared = f"support case {RUN}".encode()
    await produce_as(settings_of(secured_kafka, "admin"), PARTNER_SUPPORT, shared)

    partner = settings_of(secured_kafka, "partner-support")
    group = f"privacyhub-partner-support-test-{RUN}"
    async with consumer_of(partner, PARTNER_SUPPORT, group) as reader:
        await read_until(reader, shared)


async def test_the_support_partner_is_denied_contact_messages(secured_kafka: KafkaServer) -> None:
    partner = settings_of(secured_kafka, "partner-support")
    group = f"privacyhub-partner-support-test-{RUN}"
    with pytest.raises(TopicAuthorizationFailedError):
        async with consumer_of(partner, CONTACT_MESSAGES, group) as reader:
            await reader.getmany(timeout_ms=5000)


async def test_the_support_partner_may_not_write_its_partner_topic(
    secured_kafka: KafkaServer,
) -> None:
    partner = settings_of(secured_kafka, "partner-support")
    with pytest.raises(TopicAuthorizationFailedError):
        await produce_as(partner, PARTNER_SUPPORT, b"forged")


async def test_a_service_may_not_join_another_services_group(secured_kafka: KafkaServer) -> None:
    contact = settings_of(secured_kafka, "contact")
    with pytest.raises(GroupAuthorizationFailedError):
        async with consumer_of(contact, CONTACT_MESSAGES, "privacyhub-consent") as reader:
            await reader.getmany(timeout_ms=5000)


async def test_a_wrong_password_fails_authentication(secured_kafka: KafkaServer) -> None:
    impostor = settings_of(secured_kafka, "contact", kafka_password="not-the-password")
    with pytest.raises(SaslAuthenticationFailed):
        await create_conn("127.0.0.1", secured_kafka.port, **kafka_client_options(impostor))


async def test_a_client_without_login_cannot_use_the_broker(secured_kafka: KafkaServer) -> None:
    anonymous = CommonSettings(kafka_bootstrap_servers=secured_kafka.bootstrap_servers)
    assert anonymous.kafka_security_protocol == "PLAINTEXT"
    with pytest.raises(KafkaConnectionError):
        await produce_as(anonymous, CONTACT_MESSAGES, b"anonymous")


async def test_the_operator_reads_dead_letters_without_a_group_and_no_personal_topic(
    secured_kafka: KafkaServer,
) -> None:
    parked = f"parked {RUN}".encode()
    await produce_as(settings_of(secured_kafka, "consent"), DEAD_LETTER, parked)
    operator = settings_of(secured_kafka, "operator")
    async with assigned_reader(operator, DEAD_LETTER) as reader:
        await read_until(reader, parked)
    with pytest.raises(TopicAuthorizationFailedError):
        async with assigned_reader(operator, CONTACT_MESSAGES) as reader:
            await reader.getmany(timeout_ms=5000)


def test_the_logins_are_readable_by_their_owner_only(secured_kafka: KafkaServer) -> None:
    assert Path(secured_kafka.credentials_file).stat().st_mode & 0o077 == 0
