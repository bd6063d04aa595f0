"""Configuration files for a single-node KRaft Kafka broker.

Promises: ``server_properties`` describes one combined broker+controller on
loopback with every internal topic at replication factor 1 (so it works with a
single node) and topics created only explicitly. Given the node's own login it
describes a secured node instead: clients must log in with SASL/SCRAM-SHA-512,
every request is checked against ACLs (nothing is allowed without one), and
only ``admin`` and the node itself are super users. ``LOG4J2_PROPERTIES`` sends
the broker's log to ``${sys:kafka.logs.dir}/server.log``, rolled at 10 MB.
"""

from __future__ import annotations

from pathlib import Path

from .kafka_credentials import ADMIN, SCRAM_MECHANISM, KafkaCredentials

NODE_ID = 1
CLIENT_LISTENER = "SASL_PLAINTEXT"


def server_properties(
    port: int,
    controller_port: int,
    log_dirs: Path,
    broker_login: KafkaCredentials | None = None,
) -> str:
    """Return server.properties text for a combined-mode node on 127.0.0.1, secured given a login."""
    settings = {
        "process.roles": "broker,controller",
        "node.id": NODE_ID,
        # Static voters: the storage is formatted without --standalone.
        "controller.quorum.voters": f"{NODE_ID}@127.0.0.1:{controller_port}",
        **(
            _plaintext_listeners(port, controller_port)
            if broker_login is None
            else _secured_listeners(port, controller_port, broker_login)
        ),
        "log.dirs": str(log_dirs),
        # Topics are declared by the services; a typo must fail, not create a topic.
        "auto.create.topics.enable": "false",
        "num.partitions": 1,
        "default.replication.factor": 1,
        "min.insync.replicas": 1,
        "offsets.topic.replication.factor": 1,
        # Defaults are 50 partitions and a 3 s delay: slow for a one-node test broker.
        "offsets.topic.num.partitions": 1,
        "group.initial.rebalance.delay.ms": 0,
        "transaction.state.log.replication.factor": 1,
        "transaction.state.log.min.isr": 1,
        "transaction.state.log.num.partitions": 1,
        "share.coordinator.state.topic.replication.factor": 1,
        "share.coordinator.state.topic.min.isr": 1,
        "share.coordinator.state.topic.num.partitions": 1,
    }
    lines = ["# Written by privacyhub.localinfra on every start; edits are overwritten."]
    lines += [f"{key}={value}" for key, value in settings.items()]
    return "\n".join(lines) + "\n"


def _plaintext_listeners(port: int, controller_port: int) -> dict[str, object]:
    return {
        "listeners": f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{port}",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
    }


def _secured_listeners(
    port: int, controller_port: int, login: KafkaCredentials
) -> dict[str, object]:
    user, password = login.username, login.password
    return {
        "listeners": f"{CLIENT_LISTENER}://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        "advertised.listeners": f"{CLIENT_LISTENER}://127.0.0.1:{port}",
        "listener.security.protocol.map": f"{CLIENT_LISTENER}:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": CLIENT_LISTENER,
        "sasl.enabled.mechanisms": SCRAM_MECHANISM,
        "sasl.mechanism.inter.broker.protocol": SCRAM_MECHANISM,
        f"listener.name.{CLIENT_LISTENER.lower()}.{SCRAM_MECHANISM.lower()}.sasl.jaas.config": (
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{user}" password="{password}";'
        ),
        # SCRAM users live in the metadata log, which the controller must serve before
        # it can read them; so the controller link logs in with PLAIN against a static user.
        "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
        "sasl.mechanism.controller.protocol": "PLAIN",
        "listener.name.controller.plain.sasl.jaas.config": (
            "org.apache.kafka.common.security.plain.PlainLoginModule required "
            f'username="{user}" password="{password}" user_{user}="{password}";'
        ),
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found": "false",
        "super.users": f"User:{ADMIN};User:{user}",
    }


LOG4J2_PROPERTIES = """\
# Written by privacyhub.localinfra on every start; edits are overwritten.
status = warn
name = privacyhub-localinfra-kafka

appender.file.type = RollingFile
appender.file.name = FILE
appender.file.fileName = ${sys:kafka.logs.dir}/server.log
appender.file.filePattern = ${sys:kafka.logs.dir}/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 10MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 2

rootLogger.level = WARN
rootLogger.appenderRef.file.ref = FILE

# Start-up and shut-down milestones ("Kafka Server started") stay visible.
logger.raftserver.name = kafka.server.KafkaRaftServer
logger.raftserver.level = INFO
logger.broker.name = kafka.server.BrokerServer
logger.broker.level = INFO
logger.controller.name = kafka.server.ControllerServer
logger.controller.level = INFO
"""
