"""Real servers for the whole test session.

Order of choice: endpoints from the environment (KAFKA_BOOTSTRAP_SERVERS and
MONGODB_URL), else testcontainers when a Docker engine answers, else the
deploy/local servers started once for the session. A failure to start them is an
error, never a skip.
"""

import asyncio
import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from privacyhub.shared.topics import ensure_topics

from tests.support.endpoints import Endpoints

# The suite runs on the repository's development secrets, which production refuses.
os.environ["PRIVACYHUB_ENVIRONMENT"] = "development"


def _docker_engine_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception:
        return False
    return True


def _from_docker(stack: ExitStack) -> Endpoints:
    from testcontainers.kafka import KafkaContainer
    from testcontainers.mongodb import MongoDbContainer

    kafka = stack.enter_context(KafkaContainer().with_kraft())
    mongo = stack.enter_context(MongoDbContainer("mongo:7"))
    return Endpoints(kafka.get_bootstrap_server(), mongo.get_connection_url())


def _from_local_servers(stack: ExitStack, data_root: Path) -> Endpoints:
    from privacyhub.localinfra import LocalInfra, free_port

    infra = LocalInfra(
        root=data_root,
        kafka_port=free_port(),
        kafka_controller_port=free_port(),
        mongo_port=free_port(),
    )
    stack.enter_context(infra)
    return Endpoints(infra.kafka.bootstrap_servers, infra.mongo.url)


@pytest.fixture(scope="session")
def endpoints(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoints]:
    with ExitStack() as stack:
        if os.environ.get("KAFKA_BOOTSTRAP_SERVERS") and os.environ.get("MONGODB_URL"):
            found = Endpoints(os.environ["KAFKA_BOOTSTRAP_SERVERS"], os.environ["MONGODB_URL"])
        elif _docker_engine_answers():
            found = _from_docker(stack)
        else:
            found = _from_local_servers(stack, tmp_path_factory.mktemp("servers"))
        asyncio.run(ensure_topics(found.kafka_bootstrap_servers))
        yield found
