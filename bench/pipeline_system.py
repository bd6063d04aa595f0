"""The system bench/pipeline.py measures, started as `make run` starts it, and the baseline apps.

Without KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL it starts the local secured Kafka (SASL/SCRAM
logins, ACLs) and FerretDB of privacyhub.localinfra, on free ports with data in a temporary
directory; then, either way, the topics, the ACLs, a message key pair per process, the mail
catcher and every process (gateway, consent, contact, requests, retention, partner) as OS
processes of their own, each on a free port and logged in as its own principal. Their logs go
to a file in the temporary directory, kept when the run fails.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from privacyhub.localinfra import LocalInfra, free_port
from privacyhub.localinfra.mail import MailCatcher
from privacyhub.localinfra.system import PROCESSES, System, answers_ready
from privacyhub.shared.kafka_access import LOGINS
from privacyhub.shared.kafka_login import kafka_client_options
from privacyhub.shared.settings import CommonSettings

GATEWAY = next(process for process in PROCESSES if process.name == "gateway")
BASELINE_APP = Path(__file__).resolve().parent / "pipeline_baseline_app.py"
READY_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 30.0


@dataclass
class BenchSystem:
    env: dict[str, str]
    system: System
    log_path: Path
    output: IO[bytes]
    infra: LocalInfra | None
    extra_pids: dict[str, int] = field(default_factory=dict)

    @property
    def local(self) -> bool:
        return self.infra is not None

    @property
    def gateway_port(self) -> int:
        return self.system.port(GATEWAY)

    @property
    def bootstrap(self) -> str:
        if self.infra is not None:
            return self.infra.kafka.bootstrap_servers
        return self.env["KAFKA_BOOTSTRAP_SERVERS"]

    @property
    def mongodb_url(self) -> str:
        return self.env["MONGODB_URL"]

    def setting(self, variable: str, default: str) -> str:
        """A value the processes were started with, else their default."""
        return self.env.get(variable) or default

    def kafka_options(self, principal: str) -> dict[str, Any]:
        """aiokafka login arguments of a principal (admin: the super user) on the local broker;
        on configured servers, the login the environment gives every process."""
        if self.infra is not None:
            return self.infra.kafka.client_options(principal)
        return kafka_client_options(CommonSettings())

    def environment(self, principal: str) -> dict[str, str]:
        """The variables that log a process of ours in as `principal`."""
        if self.infra is not None:
            return self.env | self.infra.kafka.client_environment(principal)
        return dict(self.env)

    def pids(self) -> dict[str, int]:
        return self.system.pids() | self.extra_pids

    def pids_with_servers(self) -> dict[str, int]:
        """The processes of `pids()` and, when the bench started them, Kafka and FerretDB."""
        return self.pids() | (self.infra.pids() if self.infra is not None else {})


@contextlib.contextmanager
def running_system(
    env_overrides: dict[str, str], *, keep: bool = False, scale: dict[str, int] | None = None
) -> Iterator[BenchSystem]:
    """The whole system (`scale`: copies per process), stopped in order when the block ends; its
    data and logs are removed then, unless the run failed or `keep` is set."""
    root = Path(tempfile.mkdtemp(prefix="privacyhub-bench-"))
    env = dict(os.environ) | env_overrides
    for process in PROCESSES:
        env[process.port_variable] = str(free_port())
    configured = bool(env.get("KAFKA_BOOTSTRAP_SERVERS") and env.get("MONGODB_URL"))
    infra = None
    if not configured:
        infra = LocalInfra(
            root, free_port(), free_port(), free_port(), secured=True, kafka_users=LOGINS
        )
    catcher = None
    log_path = root / "processes.log"
    failed = True
    with open(log_path, "wb") as output:
        system = System(env, None if infra is None else infra.kafka, data_root=root, scale=scale)
        try:
            if infra is not None:
                infra.start()
                env["MONGODB_URL"] = infra.mongo.url
            if "REQUESTS_SMTP_HOST" not in env:
                catcher = MailCatcher(root / "mail", free_port())
                catcher.start()
                env.update(catcher.environment())
            system.create_topics()
            system.grant_access()
            system.generate_message_keys()
            system.start(output)
            yield BenchSystem(env, system, log_path, output, infra)
            failed = False
        finally:
            system.stop()
            if catcher is not None:
                catcher.stop()
            if infra is not None:
                infra.stop()
            if failed or keep:
                print(f"data and logs of the run are kept in {root}", file=sys.stderr)
    if not (failed or keep):
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def baseline_app(bench: BenchSystem, name: str, publish_to: str | None) -> Iterator[int]:
    """A baseline app in an OS process of its own (uvicorn, one worker); yields its port.

    It logs in as the gateway's principal, so it meets the same ACLs on the same broker.
    """
    port = free_port()
    argv = [sys.executable, str(BASELINE_APP), "--port", str(port)]
    if publish_to is not None:
        argv += ["--publish", publish_to]
    child = subprocess.Popen(
        argv,
        env=bench.environment("gateway"),
        stdin=subprocess.DEVNULL,
        stdout=bench.output,
        stderr=bench.output,
        start_new_session=True,
    )
    bench.extra_pids[name] = child.pid
    try:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not answers_ready(port):
            if child.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the baseline app {name} did not start; see {bench.log_path}")
            time.sleep(0.1)
        yield port
    finally:
        del bench.extra_pids[name]
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
