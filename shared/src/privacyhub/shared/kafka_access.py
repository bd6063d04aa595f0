"""Who may use which Kafka topics and consumer groups, declared once.

Each principal is a Kafka login. A principal may WRITE the topics it publishes to,
READ the topics it consumes, and READ (join, commit in) every consumer group whose
name starts with its group prefix: its own group `privacyhub-<service>`, and test
groups named `privacyhub-<service>-<run>`. A broker with ACLs and
`allow.everyone.if.no.acl.found=false` denies everything else.

`acl_bindings()` turns the declaration into ACL bindings; `grant_access()` creates
them with an administrator's login. `python -m privacyhub.shared.kafka_access` does
so on KAFKA_BOOTSTRAP_SERVERS with the login from the environment.
"""

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from aiokafka.client import AIOKafkaClient
from aiokafka.errors import for_code
from aiokafka.protocol.admin import CreateAclsRequest
from privacyhub.shared.catalogue import Process, published_by, read_by, topics_of
from privacyhub.shared.kafka_login import kafka_client_options
from privacyhub.shared.settings import CommonSettings
from privacyhub.shared.topics import DEAD_LETTER, GATEWAY_REPLIES, TopicSpec


@dataclass(frozen=True)
class Access:
    """What one Kafka principal may do; `group_prefix` None: it reads without a consumer group."""

    principal: str
    writes: tuple[TopicSpec, ...] = ()
    reads: tuple[TopicSpec, ...] = ()
    group_prefix: str | None = None


def _process(process: Process) -> Access:
    """What the message catalogue says the process publishes and reads; every process parks
    unprocessable messages on the dead-letter topic (make_broker)."""
    return Access(
        process.value,
        writes=(*topics_of(published_by(process)), DEAD_LETTER),
        reads=topics_of(read_by(process)),
        # Every gateway instance reads every reply, so it uses no consumer group.
        group_prefix=None if process is Process.GATEWAY else f"privacyhub-{process.value}",
    )


ACCESS: tuple[Access, ...] = tuple(_process(process) for process in Process)
PRINCIPALS: tuple[str, ...] = tuple(access.principal for access in ACCESS)
"""The processes: each one has a message key pair (sealing.py) besides its login."""

# A person, not a process: lists the dead letters and replays them to the topic they came from
# (dead_letters.py), so it may write whatever some process consumes. It reads no consumer group
# and holds no message keys: a replayed message goes back as sealed as it came.
OPERATOR = Access(
    "operator",
    writes=tuple(
        sorted(
            {topic for access in ACCESS for topic in access.reads} - {GATEWAY_REPLIES},
            key=lambda topic: topic.name,
        )
    ),
    reads=(DEAD_LETTER,),
)
GRANTS: tuple[Access, ...] = (*ACCESS, OPERATOR)
LOGINS: tuple[str, ...] = tuple(grant.principal for grant in GRANTS)
"""Every Kafka login a secured broker needs."""


class ResourceType(IntEnum):
    """Kafka's protocol codes (org.apache.kafka.common.resource.ResourceType)."""

    TOPIC = 2
    GROUP = 3


class PatternType(IntEnum):
    LITERAL = 3
    PREFIXED = 4


class Operation(IntEnum):
    READ = 3
    WRITE = 4


ALLOW = 3
ANY_HOST = "*"


@dataclass(frozen=True)
class AclBinding:
    """One ALLOW rule; Kafka implies DESCRIBE from READ and WRITE."""

    principal: str
    resource_type: ResourceType
    resource_name: str
    pattern_type: PatternType
    operation: Operation

    def request(self) -> CreateAclsRequest:
        return CreateAclsRequest(
            self.resource_type,
            self.resource_name,
            self.pattern_type,
            self.principal,
            ANY_HOST,
            self.operation,
            ALLOW,
        )


def acl_bindings(access: tuple[Access, ...] = GRANTS) -> list[AclBinding]:
    """Every ALLOW rule the declaration grants, and nothing more."""
    bindings = []
    for grant in access:
        user = f"User:{grant.principal}"
        for operation, topics in ((Operation.WRITE, grant.writes), (Operation.READ, grant.reads)):
            bindings += [
                AclBinding(user, ResourceType.TOPIC, topic.name, PatternType.LITERAL, operation)
                for topic in topics
            ]
        if grant.group_prefix is not None:
            bindings.append(
                AclBinding(
                    user,
                    ResourceType.GROUP,
                    grant.group_prefix,
                    PatternType.PREFIXED,
                    Operation.READ,
                )
            )
    return bindings


async def grant_access(
    bootstrap_servers: str,
    *,
    client_options: Mapping[str, Any],
    access: tuple[Access, ...] = GRANTS,
) -> None:
    """Create every declared binding (existing ones stay); needs an administrator's login.

    aiokafka's admin client has no ACL calls, so this sends Kafka's CreateAcls request itself.
    """
    client = AIOKafkaClient(bootstrap_servers=bootstrap_servers, **client_options)
    await client.bootstrap()
    try:
        for binding in acl_bindings(access):
            response = await client.send(client.get_random_node(), binding.request())
            for error_code, message in response.creation_responses:
                if error_code:
                    raise for_code(error_code)(f"{binding}: {message}")
    finally:
        await client.close()


def main() -> None:
    settings = CommonSettings()
    asyncio.run(
        grant_access(
            settings.kafka_bootstrap_servers, client_options=kafka_client_options(settings)
        )
    )
    for grant in GRANTS:
        groups = f"groups {grant.group_prefix}*" if grant.group_prefix else "no group"
        print(
            f"User:{grant.principal}: writes {len(grant.writes)} topics, "
            f"reads {len(grant.reads)}, {groups}"
        )


if __name__ == "__main__":
    main()
