"""Apache Kafka from Maven Central, run as one single-node KRaft broker.

Promises:
- ``provision_kafka()`` leaves the broker's runtime jars in
  ``<repo>/.local/cache/kafka-<version>/libs`` and downloads only when they are
  missing or ``kafka/pom.xml`` changed (Maven's own repository is ~/.m2).
- ``KafkaServer.start()`` formats the storage on first use only, so a
  restart after ``stop()`` keeps topics, messages and committed offsets, and
  returns once a metadata request shows a live broker and controller.
- A ``secured`` broker accepts only SASL/SCRAM logins and ACL-permitted
  requests. Its users (``admin``, the node itself and the ``users`` given) get
  passwords in ``<data_dir>/credentials.json`` and SCRAM credentials when the
  storage is formatted; a data directory formatted without one of them is
  refused with a message saying to delete it.
"""

from __future__ import annotations

import base64
import logging
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

from . import cache, paths
from .kafka_config import LOG4J2_PROPERTIES, server_properties
from .kafka_credentials import (
    ADMIN,
    BROKER,
    SCRAM_MECHANISM,
    CredentialStore,
    KafkaCredentials,
    UnknownKafkaUserError,
)
from .ports import ensure_port_free, tcp_accepts
from .process import ManagedProcess, ServerStartError
from .readiness import kafka_ready
from .tools import require_java, require_maven, run_build

log = logging.getLogger(__name__)

KAFKA_VERSION = "4.1.1"  # keep in step with kafka/pom.xml
HEAP_OPTS = ["-Xms256m", "-Xmx512m"]
JVM_OPTS = [
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-Djava.awt.headless=true",
]


def provision_kafka(cache_root: Path | None = None) -> Path:
    """Ensure Kafka's jars are cached; return the directory holding them."""
    target = (cache_root or paths.cache_dir()) / f"kafka-{KAFKA_VERSION}"
    libs = target / "libs"
    fingerprint = cache.fingerprint([paths.KAFKA_POM])
    if cache.is_complete(target, fingerprint):
        return libs
    with cache.cache_lock(target):
        if cache.is_complete(target, fingerprint):  # another process built it meanwhile
            return libs
        mvn = require_maven()
        log.info("downloading Kafka %s jars from Maven Central into %s", KAFKA_VERSION, libs)
        started = time.monotonic()
        cache.clear_complete(target)
        staging = target.with_name(target.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(target, ignore_errors=True)
        run_build(
            [
                mvn,
                "-B",
                "-q",
                "-f",
                str(paths.KAFKA_POM),
                "dependency:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={staging / 'libs'}",
            ],
            "mvn could not fetch the Kafka jars",
        )
        staging.rename(target)
        cache.mark_complete(target, fingerprint)
        log.info("Kafka jars ready in %.1fs", time.monotonic() - started)
    return libs


def _random_cluster_id() -> str:
    """Return an id in the format of Kafka's ``Uuid.randomUuid().toString()``."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cluster_id.startswith("-"):  # Kafka rejects ids that look like CLI options
            return cluster_id


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to a file only its owner can read (it may hold passwords)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)


class KafkaServer:
    """One Kafka 4.1 broker (combined broker+controller) on 127.0.0.1."""

    def __init__(
        self,
        data_dir: Path,
        port: int,
        controller_port: int,
        cache_root: Path | None = None,
        *,
        secured: bool = False,
        users: Iterable[str] = (),
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port
        self.controller_port = controller_port
        self.bootstrap_servers = f"127.0.0.1:{port}"
        self.secured = secured
        self._users = tuple(users)
        self._credential_store = CredentialStore(self.data_dir / "credentials.json")
        self._credentials: dict[str, KafkaCredentials] = {}
        self._cache_root = cache_root
        self._logs_dir = self.data_dir / "logs"
        self._storage_dir = self.data_dir / "kraft-logs"
        self._process = ManagedProcess("kafka", self.data_dir, self._logs_dir / "kafka.out")

    @property
    def credentials_file(self) -> Path:
        """Where a secured broker keeps its users' passwords (owner-only)."""
        return self._credential_store.path

    def credentials(self, user: str) -> KafkaCredentials:
        """The login of ``user`` on this secured broker, once it has started."""
        if not self.secured:
            raise UnknownKafkaUserError(
                f"the Kafka broker on {self.bootstrap_servers} has no users"
            )
        if not self._credentials and self._credential_store.exists():
            self._credentials = self._credential_store.load()
        try:
            return self._credentials[user]
        except KeyError:
            raise UnknownKafkaUserError(
                f"{user!r} has no login on the Kafka broker on {self.bootstrap_servers}"
            ) from None

    def client_options(self, user: str = ADMIN) -> dict[str, str]:
        """aiokafka keyword arguments that connect as ``user`` (none on a plaintext broker)."""
        return self.credentials(user).client_options() if self.secured else {}

    def client_environment(self, user: str) -> dict[str, str]:
        """The variables that point a privacyhub process at this broker as ``user``."""
        environment = {"KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers}
        if self.secured:
            environment |= self.credentials(user).environment()
        return environment

    def provision(self) -> None:
        """Download the broker's jars unless cached (idempotent)."""
        provision_kafka(self._cache_root)

    def start(self, timeout: float = 120) -> None:
        """Start the broker and return once it serves metadata; no-op if running."""
        if self.is_running():
            return
        started = time.monotonic()
        libs = provision_kafka(self._cache_root)
        java = require_java()
        ensure_port_free(self.port, "Kafka")
        ensure_port_free(self.controller_port, "the Kafka controller")
        formatted = (self._storage_dir / "meta.properties").exists()
        config = self._write_config(self._broker_login(formatted) if self.secured else None)
        jvm = [
            java,
            *HEAP_OPTS,
            *JVM_OPTS,
            *self._logging_opts(),
            "-cp",
            str(libs / "*"),
        ]
        if not formatted:
            self._format_storage(jvm, config)
        self._process.start([*jvm, "kafka.Kafka", str(config)], cwd=self.data_dir)
        self._process.wait_ready(self._ready, timeout, extra_logs=[self._logs_dir / "server.log"])
        log.info(
            "Kafka ready on %s in %.1fs",
            self.bootstrap_servers,
            time.monotonic() - started,
        )

    def stop(self, timeout: float = 30) -> None:
        """Stop the broker: SIGTERM (clean shutdown), SIGKILL after ``timeout``."""
        self._process.stop(timeout)

    def is_running(self) -> bool:
        """Return True while the broker process is alive."""
        return self._process.is_running()

    def pid(self) -> int | None:
        return self._process.pid

    # --- internals -------------------------------------------------------

    def _ready(self) -> bool:
        # The TCP check keeps aiokafka from logging connection errors while the JVM boots.
        return tcp_accepts(self.port) and kafka_ready(
            self.bootstrap_servers, client_options=self.client_options(ADMIN)
        )

    def _logging_opts(self) -> list[str]:
        return [
            f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.properties'}",
            f"-Dkafka.logs.dir={self._logs_dir}",
        ]

    def _broker_login(self, formatted: bool) -> KafkaCredentials:
        """Make every user's password before the first format; afterwards, only read them."""
        if not formatted:
            self._credentials = self._credential_store.create(self._users)
            return self._credentials[BROKER]
        if not self._credential_store.exists():
            raise ServerStartError(
                f"the Kafka storage in {self._storage_dir} was formatted without users; "
                f"delete {self.data_dir} to start a secured broker there"
            )
        self._credentials = self._credential_store.load()
        if missing := [u for u in (ADMIN, BROKER, *self._users) if u not in self._credentials]:
            raise ServerStartError(
                f"the Kafka storage in {self._storage_dir} was formatted before "
                f"{', '.join(missing)} had a login; delete {self.data_dir} to format it again"
            )
        return self._credentials[BROKER]

    def _write_config(self, broker_login: KafkaCredentials | None) -> Path:
        self._logs_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "log4j2.properties").write_text(LOG4J2_PROPERTIES)
        config = self.data_dir / "server.properties"
        _write_private(
            config,
            server_properties(self.port, self.controller_port, self._storage_dir, broker_login),
        )
        return config

    def _scram_arguments(self) -> list[str]:
        return [
            argument
            for login in self._credentials.values()
            for argument in (
                "--add-scram",
                f"{SCRAM_MECHANISM}=[name={login.username},password={login.password}]",
            )
        ]

    def _without_passwords(self, text: str) -> str:
        for login in self._credentials.values():
            text = text.replace(login.password, "***")
        return text

    def _format_storage(self, jvm: list[str], config: Path) -> None:
        log.info("formatting Kafka storage in %s", self._storage_dir)
        result = subprocess.run(
            [
                *jvm,
                "kafka.tools.StorageTool",
                "format",
                "-t",
                _random_cluster_id(),
                "-c",
                str(config),
                "--ignore-formatted",
                *(self._scram_arguments() if self.secured else []),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise ServerStartError(
                f"formatting Kafka storage in {self._storage_dir} failed (exit {result.returncode}):\n"
                + self._without_passwords((result.stdout + result.stderr).strip())
            )
