"""Kafka and FerretDB together, for the CLI and test fixtures.

Promises: ``start()`` provisions and starts both servers concurrently and
returns when both are ready, or stops whatever it started and re-raises;
``stop()`` stops both (safe to call twice); the context manager does the same.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Self

from . import paths
from .ferretdb import FerretDBServer
from .kafka import KafkaServer

log = logging.getLogger(__name__)


class LocalInfra:
    """A Kafka broker and a FerretDB server with data under ``<root>/.local/data``.

    ``root`` defaults to the repository root. The build cache always lives in
    the checkout's ``.local/cache``, so a temporary ``root`` costs no rebuild.
    A ``secured`` broker (SASL/SCRAM logins for ``kafka_users``, ACLs) keeps its
    data apart in ``kafka-secured``, so either kind starts from the same checkout.
    """

    def __init__(
        self,
        root: Path | None = None,
        kafka_port: int = 9092,
        kafka_controller_port: int = 9093,
        mongo_port: int = 27017,
        *,
        secured: bool = False,
        kafka_users: Iterable[str] = (),
    ) -> None:
        self.kafka = KafkaServer(
            paths.data_dir("kafka-secured" if secured else "kafka", root),
            kafka_port,
            kafka_controller_port,
            secured=secured,
            users=kafka_users,
        )
        self.mongo = FerretDBServer(paths.data_dir("ferretdb", root), mongo_port)

    def provision(self) -> None:
        """Download and build both servers unless cached."""
        self._run_both("provision")

    def start(self) -> None:
        """Start both servers (provisioning in parallel) and wait until both are ready."""
        try:
            self._run_both("start")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop both servers, FerretDB first."""
        self.mongo.stop()
        self.kafka.stop()

    def pids(self) -> dict[str, int]:
        """The process id of each running server, by name (to watch what they cost, say)."""
        running = {"kafka": self.kafka.pid(), "ferretdb": self.mongo.pid()}
        return {name: pid for name, pid in running.items() if pid is not None}

    def _run_both(self, method: str) -> None:
        # Leaving the `with` waits for both threads, so after an error (or
        # Ctrl-C) nothing is still starting when the caller cleans up.
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="localinfra") as pool:
            futures = [pool.submit(getattr(server, method)) for server in (self.kafka, self.mongo)]
            errors = [f.exception() for f in futures]
        for error in errors:
            if error is not None:
                raise error

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
