"""Apache Kafka from Maven Central, run as one single-node KRaft broker.

Promises:
- ``provision_kafka()`` leaves the broker's runtime jars in
  ``<repo>/.local/cache/kafka-<version>/libs`` and downloads only when they are
  missing or ``kafka/pom.xml`` changed (Maven's own repository is ~/.m2).
- ``KafkaServer.start()`` formats the storage on first use only, so a
  restart after ``stop()`` keeps topics, messages and committed offsets, and
  returns once a metadata request shows a live broker and controller.
"""

from __future__ import annotations

import base64
import logging
import shutil
import subprocess
import time
import uuid
from pathlib import Path

from . import cache, paths
from .kafka_config import LOG4J2_PROPERTIES, server_properties
from .ports import ensure_port_free, tcp_accepts
from .process import ManagedProcess, ServerStartError
from .readiness import kafka_ready
from .tools import require_java, require_maven

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
        result = subprocess.run(
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
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            output = (result.stdout + result.stderr).strip().splitlines()
            raise RuntimeError(
                f"mvn could not fetch the Kafka jars (exit {result.returncode}):\n"
                + "\n".join(output[-30:])
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


class KafkaServer:
    """One Kafka 4.1 broker (combined broker+controller) on 127.0.0.1."""

    def __init__(
        self,
        data_dir: Path,
        port: int,
        controller_port: int,
        cache_root: Path | None = None,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port
        self.controller_port = controller_port
        self.bootstrap_servers = f"127.0.0.1:{port}"
        self._cache_root = cache_root
        self._logs_dir = self.data_dir / "logs"
        self._storage_dir = self.data_dir / "kraft-logs"
        self._process = ManagedProcess("kafka", self.data_dir, self._logs_dir / "kafka.out")

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
        config = self._write_config()
        jvm = [
            java,
            *HEAP_OPTS,
            *JVM_OPTS,
            *self._logging_opts(),
            "-cp",
            str(libs / "*"),
        ]
        if not (self._storage_dir / "meta.properties").exists():
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

    # --- internals -------------------------------------------------------

    def _ready(self) -> bool:
        # The TCP check keeps aiokafka from logging connection errors while the JVM boots.
        return tcp_accepts(self.port) and kafka_ready(self.bootstrap_servers)

    def _logging_opts(self) -> list[str]:
        return [
            f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.properties'}",
            f"-Dkafka.logs.dir={self._logs_dir}",
        ]

    def _write_config(self) -> Path:
        self._logs_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "log4j2.properties").write_text(LOG4J2_PROPERTIES)
        config = self.data_dir / "server.properties"
        config.write_text(server_properties(self.port, self.controller_port, self._storage_dir))
        return config

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
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise ServerStartError(
                f"formatting Kafka storage in {self._storage_dir} failed (exit {result.returncode}):\n"
                + (result.stdout + result.stderr).strip()
            )
