"""The whole system in the foreground: servers (unless configured), topics, the gateway, four services
and the reference support-partner tool.

``python -m privacyhub.localinfra run`` is what ``make run`` calls. Without
``KAFKA_BOOTSTRAP_SERVERS`` and ``MONGODB_URL`` it provisions and starts the
local Kafka and FerretDB; then it creates the declared topics, starts every
process with the same environment, and waits until each answers ``/ready``.
A process that dies is started again, with back-off (``supervision.py``), while
the others keep serving; the runner's ``/metrics`` (``SYSTEM_METRICS_PORT``)
counts the restarts. Ctrl-C or SIGTERM stops the gateway first (no new intake),
then the services (each finishes its in-flight messages and commits), then the
servers.

With a secured local broker (``run --secured``) topics and ACLs are created
as ``admin``, and each process gets its own Kafka login, named after it. Unless
``MESSAGE_PUBLIC_KEYS`` is configured, each process also gets its own message key
pair (``message_keys.py``), so personal data on Kafka is sealed with keys of this
checkout rather than the well-known development keys.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from wsgiref.simple_server import WSGIServer

from prometheus_client import start_http_server

from . import paths
from .infra import LocalInfra
from .kafka import KafkaServer
from .kafka_credentials import ADMIN
from .mail import MailCatcher
from .message_keys import process_environments
from .ports import free_port
from .signals import StopRequest
from .supervision import RestartMetrics, Restarts

log = logging.getLogger("privacyhub.system")

STOP_TIMEOUT_SECONDS = 30.0
READY_TIMEOUT_SECONDS = 120.0
MAIL_PORT = 1025
METRICS_PORT = 8109


@dataclass(frozen=True)
class Process:
    name: str
    module: str
    port_variable: str
    default_port: int

    def port_in(self, env: Mapping[str, str]) -> int:
        """The port the environment gives the process, else its default."""
        return int(env.get(self.port_variable, self.default_port))

    @property
    def settings_prefix(self) -> str:
        return self.port_variable.removesuffix("_HTTP_PORT")


# Started in this order; stopped in reverse, so the gateway stops taking requests first.
PROCESSES = (
    Process("consent", "privacyhub.consent", "CONSENT_HTTP_PORT", 8101),
    Process("contact", "privacyhub.contact", "CONTACT_HTTP_PORT", 8102),
    Process("requests", "privacyhub.requests", "REQUESTS_HTTP_PORT", 8103),
    Process("retention", "privacyhub.retention", "RETENTION_HTTP_PORT", 8104),
    # The reference support-partner tool (deploy/partner), logged in as the partner's principal.
    Process("partner-support", "privacyhub.partner", "PARTNER_HTTP_PORT", 8105),
    Process("gateway", "privacyhub.gateway", "GATEWAY_HTTP_PORT", 8000),
)


class SystemStartError(RuntimeError):
    """A process exited or did not become ready, or the system was asked for what it cannot run."""


@dataclass(frozen=True)
class Copy:
    """One running copy of a process: the first keeps the process's name and port, the others
    are named `<process>-<n>` on free ports. All copies share the process's consumer group,
    Kafka login and message keys, so Kafka spreads the partitions over them."""

    process: Process
    number: int
    port: int

    @property
    def name(self) -> str:
        return self.process.name if self.number == 1 else f"{self.process.name}-{self.number}"


def parse_scale(text: str) -> dict[str, int]:
    """Copies per process from `consent=3,contact=2`; the gateway runs once, locally."""
    scale: dict[str, int] = {}
    names = {process.name for process in PROCESSES}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, count = item.partition("=")
        if name not in names:
            raise SystemStartError(f"SCALE names {name!r}; the processes are {sorted(names)}")
        if not count.isdigit() or int(count) < 1:
            raise SystemStartError(f"SCALE gives {name} {count!r} copies; give a number >= 1")
        if name == "gateway" and int(count) != 1:
            raise SystemStartError("SCALE: one local gateway; copies of it need a load balancer")
        scale[name] = int(count)
    return scale


def answers_ready(port: int) -> bool:
    """Whether the process serving `port` answers its readiness probe."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def local_infra(*, secured: bool, root: Path | None = None) -> LocalInfra:
    """The local servers; a secured broker gets a login for every declared Kafka principal."""
    return LocalInfra(root, secured=secured, kafka_users=_declared_logins() if secured else ())


def _declared_logins() -> Iterable[str]:
    # Imported here: the servers alone (``up``, test fixtures) need nothing of privacyhub-shared.
    from privacyhub.shared.kafka_access import LOGINS

    return LOGINS


class System:
    """The processes of one system, each started with ``env`` (plus its own login and keys).

    Ports come from ``env`` and generated message keys are kept under ``data_root`` (default: the
    checkout), not from this process's environment and the checkout alone: so a benchmark can run
    a second, throw-away system on free ports beside the one ``make run`` started.
    """

    def __init__(
        self,
        env: dict[str, str],
        kafka: KafkaServer | None = None,
        *,
        data_root: Path | None = None,
        scale: Mapping[str, int] | None = None,
    ) -> None:
        self._env = env
        self._kafka = kafka
        self._data_root = data_root
        self._copies = tuple(
            Copy(process, number, process.port_in(env) if number == 1 else free_port())
            for process in PROCESSES
            for number in range(1, (scale or {}).get(process.name, 1) + 1)
        )
        self._children: dict[str, subprocess.Popen[bytes]] = {}
        self._restarts: dict[str, Restarts] = {}
        self._output: IO[bytes] | None = None
        self._message_keys: dict[str, dict[str, str]] = {}
        self.metrics = RestartMetrics()

    def port(self, process: Process) -> int:
        """The HTTP port of one of the PROCESSES in this system."""
        return process.port_in(self._env)

    def pids(self) -> dict[str, int]:
        """The process id of every started copy, by its name (to watch their memory, say)."""
        return {name: child.pid for name, child in self._children.items()}

    def generate_message_keys(self) -> None:
        """Give each process a key pair kept under the data root, unless the environment configures them."""
        if {"MESSAGE_PUBLIC_KEYS", "MESSAGE_PUBLIC_KEYS_FILE"} & self._env.keys():
            return
        self._message_keys = process_environments(
            paths.data_dir("message-keys", self._data_root) / "keys.json",
            {process.name: process.settings_prefix for process in PROCESSES},
        )

    def create_topics(self) -> None:
        self._run_as_admin("privacyhub.shared.topics")

    def grant_access(self) -> None:
        """Create the declared ACLs; only a secured broker has them."""
        if self._kafka is not None and self._kafka.secured:
            self._run_as_admin("privacyhub.shared.kafka_access")

    def _run_as_admin(self, module: str) -> None:
        subprocess.run(
            [sys.executable, "-m", module],
            env=self._environment(ADMIN),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def _environment(self, principal: str) -> dict[str, str]:
        # A local system runs on development secrets, which production refuses (shared/production.py).
        env = {"PRIVACYHUB_ENVIRONMENT": "development"} | self._env
        env |= self._message_keys.get(principal, {})
        if self._kafka is None:
            return env
        return env | self._kafka.client_environment(principal)

    def start(self, output: IO[bytes] | None = None) -> None:
        """Start every process and wait until each is ready; their logs go to ``output`` if given
        (a benchmark keeps them apart from its report), else to this process's own output."""
        self._output = output
        for copy in self._copies:
            self._spawn(copy)
        for copy in self._copies:
            self._wait_ready(copy)

    def _spawn(self, copy: Copy) -> None:
        process = copy.process
        # Own session: the terminal's Ctrl-C reaches only this runner, which stops children in order.
        child = subprocess.Popen(
            [sys.executable, "-m", process.module],
            env=self._environment(process.name) | {process.port_variable: str(copy.port)},
            stdin=subprocess.DEVNULL,
            stdout=self._output,
            stderr=self._output,
            start_new_session=True,
        )
        self._children[copy.name] = child
        log.info("%s started (pid %d)", copy.name, child.pid)
        now = time.monotonic()
        if copy.name in self._restarts:
            self._restarts[copy.name].restarted(now)
        else:
            self._restarts[copy.name] = Restarts(started_at=now)

    def _wait_ready(self, copy: Copy) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        child = self._children[copy.name]
        while not answers_ready(copy.port):
            if child.poll() is not None:
                raise SystemStartError(f"{copy.name} exited with code {child.returncode}")
            if time.monotonic() > deadline:
                raise SystemStartError(
                    f"{copy.name} was not ready on port {copy.port} "
                    f"after {READY_TIMEOUT_SECONDS:.0f}s"
                )
            time.sleep(0.1)
        log.info("%s ready on http://127.0.0.1:%d", copy.name, copy.port)

    def supervise(self) -> None:
        """Note each copy that died since the last call, and start again those whose back-off
        has passed; the others go on serving meanwhile."""
        now = time.monotonic()
        for copy in self._copies:
            child, restarts = self._children.get(copy.name), self._restarts.get(copy.name)
            if child is None or restarts is None or child.poll() is None:
                continue
            if restarts.due_at is None:
                wait = restarts.crashed(now)
                log.error(
                    "%s died (code %s); starting it again in %.0f s",
                    copy.name,
                    child.returncode,
                    wait,
                )
            elif restarts.due(now):
                self.metrics.restarts.labels(copy.name).inc()
                self._spawn(copy)

    def stop(self) -> bool:
        """SIGTERM each child in reverse start order; True when all exited cleanly."""
        clean = True
        for copy in reversed(self._copies):
            child = self._children.pop(copy.name, None)
            if child is None:
                continue
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
                try:
                    child.wait(STOP_TIMEOUT_SECONDS)
                except subprocess.TimeoutExpired:
                    log.warning("%s ignored SIGTERM; killing it", copy.name)
                    child.kill()
                    child.wait()
            # Uvicorn re-raises the SIGTERM it handled once shutdown is complete.
            if child.returncode not in (0, -signal.SIGTERM):
                log.warning("%s exited with code %s", copy.name, child.returncode)
                clean = False
        return clean


def run(
    infra: LocalInfra | None, root: Path | None = None, scale: Mapping[str, int] | None = None
) -> int:
    """Run until a signal: exit 0 after a clean stop, 1 when the start failed or a process did
    not stop cleanly; a process that dies meanwhile is started again. The data not kept by the
    servers (mail, message keys) goes under `root`'s .local/data (the checkout's). `scale` gives
    copies per process (parse_scale)."""
    stop = StopRequest()
    env = dict(os.environ)
    started = time.monotonic()
    system = System(env, None if infra is None else infra.kafka, data_root=root, scale=scale)
    catcher: MailCatcher | None = None
    metrics: WSGIServer | None = None
    exit_code = 0
    try:
        if infra is not None:
            infra.start()
            env["MONGODB_URL"] = infra.mongo.url
        if "REQUESTS_SMTP_HOST" not in env:
            port = int(env.get("REQUESTS_SMTP_PORT", MAIL_PORT))
            catcher = MailCatcher(paths.data_dir("mail", root), port)
            catcher.start()
            env.update(catcher.environment())
            log.info("e-mails are not sent: they are kept in %s", catcher.maildir)
        system.create_topics()
        system.grant_access()
        system.generate_message_keys()
        metrics = serve_metrics(system, int(env.get("SYSTEM_METRICS_PORT", METRICS_PORT)))
        system.start()
        stop.started()
        gateway = PROCESSES[-1]
        log.info(
            "privacyhub ready in %.1fs: gateway http://127.0.0.1:%d (Ctrl-C stops everything)",
            time.monotonic() - started,
            system.port(gateway),
        )
        if infra is not None and infra.kafka.secured:
            log.info(
                "Kafka wants a login: each process has its own; all are in %s",
                infra.kafka.credentials_file,
            )
        while not stop.wait(0.5):
            system.supervise()
    except (SystemStartError, subprocess.CalledProcessError) as error:
        log.error("%s", error)
        exit_code = 1
    except KeyboardInterrupt:
        exit_code = 130
    finally:
        log.info("stopping")
        if metrics is not None:
            metrics.shutdown()
        if not system.stop():
            exit_code = exit_code or 1
        if catcher is not None:
            catcher.stop()
        if infra is not None:
            infra.stop()
    return exit_code


def serve_metrics(system: System, port: int) -> WSGIServer:
    """The runner's own metrics (restarts) at http://127.0.0.1:`port`/metrics."""
    try:
        server, _thread = start_http_server(port, "127.0.0.1", registry=system.metrics.registry)
    except OSError as error:
        raise SystemStartError(f"SYSTEM_METRICS_PORT {port} cannot be served: {error}") from error
    log.info("restarts counted at http://127.0.0.1:%d/metrics", port)
    return server
