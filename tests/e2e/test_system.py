"""The whole system as `make run` starts it: five processes (the contact service in two copies),
real servers, a copy killed in the middle of a stream without a message lost, started again
while the rest serve, and a clean stop on SIGTERM."""

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from privacyhub.contact.repository import COLLECTION
from privacyhub.contact.settings import ContactSettings
from privacyhub.localinfra import free_port
from pymongo import AsyncMongoClient

from tests.support.contact_store import readable_messages
from tests.support.endpoints import Endpoints
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

SERVICES = ("GATEWAY", "CONSENT", "CONTACT", "REQUESTS", "RETENTION", "PARTNER")
STREAM = 200  # contact messages posted while a contact copy is killed
CONTACT_FORM = {
    "email": "pieter.jansen@example.nl",
    "first_name": "Pieter",
    "last_name": "Jansen",
    "message": "Hebben jullie nog plek voor een stagiair?",
}


@dataclass
class RunningSystem:
    process: subprocess.Popen[bytes]
    gateway_url: str
    contact_database: str
    requests_database: str
    output: Path
    metrics_url: str

    def pids_of(self, process: str) -> list[int]:
        """Every process id the runner logged starting `process` with, oldest first."""
        started = re.findall(rf"{process} started \(pid (\d+)\)", self.output.read_text())
        return [int(pid) for pid in started]


@pytest.fixture
def system(endpoints: Endpoints, tmp_path: Path) -> Iterator[RunningSystem]:
    run = uuid.uuid4().hex[:8]
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": endpoints.kafka_bootstrap_servers,
        "MONGODB_URL": endpoints.mongodb_url,
    }
    for service in SERVICES:
        env[f"{service}_HTTP_PORT"] = str(free_port())
        env[f"{service}_MONGODB_DATABASE"] = f"e2e_{service.lower()}_{run}"
        env[f"{service}_CONSUMER_GROUP"] = f"e2e-{service.lower()}-{run}"
    env["REQUESTS_SMTP_PORT"] = str(free_port())  # the mail catcher's, beside a `make run` one
    env["SYSTEM_METRICS_PORT"] = str(free_port())
    env["SCALE"] = "contact=2"
    env["GATEWAY_RATE_LIMIT_PER_MINUTE"] = str(100 * STREAM)  # the stream comes from one client
    output = tmp_path / "system.log"
    with open(output, "wb") as sink:
        process = subprocess.Popen(
            # Its own data root: a `make run` system may hold the checkout's mail directory.
            [sys.executable, "-m", "privacyhub.localinfra", "run", "--root", str(tmp_path)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        yield RunningSystem(
            process,
            f"http://127.0.0.1:{env['GATEWAY_HTTP_PORT']}",
            env["CONTACT_MONGODB_DATABASE"],
            env["REQUESTS_MONGODB_DATABASE"],
            output,
            f"http://127.0.0.1:{env['SYSTEM_METRICS_PORT']}/metrics",
        )
    finally:
        if process.poll() is None:  # the test failed before its own stop
            stop_runner(process)


def stop_runner(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, so the runner stops its processes; a SIGKILL only if it cannot, after which its
    processes (each in a session of its own) are killed by their process group, not left behind."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        process.kill()
        process.wait()
        for child in map(int, children):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child, signal.SIGKILL)


async def test_the_system_accepts_stores_recovers_and_stops_cleanly(
    system: RunningSystem, endpoints: Endpoints
) -> None:
    async with httpx.AsyncClient(base_url=system.gateway_url) as http:

        async def announced_ready() -> bool:
            # What a user waits for: make run says so once every process is ready.
            assert system.process.poll() is None, system.output.read_text()[-3000:]
            return "privacyhub ready" in system.output.read_text()

        await eventually(announced_ready, within=120, what="the system to be ready")
        assert (await http.get("/ready")).status_code == 200
        response = await http.post("/v1/contact", json=CONTACT_FORM)
        # The same person also files a complaint and an access request: their logs are checked too.
        email = CONTACT_FORM["email"]
        complaint = {"email": email, "message": "Ik mis een antwoord.", "kind": "complaint"}
        assert (await http.post("/v1/complaints", json=complaint)).status_code == 202
        access = {"type": "access", "email": email, "details": CONTACT_FORM["last_name"]}
        assert (await http.post("/v1/rights-requests", json=access)).status_code == 202
    assert response.status_code == 202, response.text
    reference = response.json()["reference"]

    mongo: AsyncMongoClient = AsyncMongoClient(endpoints.mongodb_url, tz_aware=True)
    try:
        database = mongo[system.contact_database]
        await eventually(
            lambda: database[COLLECTION].find_one({"_id": reference}),
            what="the stored contact message",
        )
        settings = ContactSettings(mongodb_database=system.contact_database)
        document = await readable_messages(database, settings).get(reference)
        requests = mongo[system.requests_database]

        async def both_handled() -> bool:
            # A code e-mail and a receipt went out once these are marked.
            sent = await requests["rights_requests"].count_documents({"notified": {"$ne": []}})
            return sent >= 1 and await requests["complaints"].count_documents({}) >= 1

        await eventually(both_handled, what="the complaint and the access request")
    finally:
        await mongo.close()
    assert document["message"] == CONTACT_FORM["message"]

    await a_killed_service_is_started_again_while_the_rest_serve(system, endpoints)

    system.process.send_signal(signal.SIGTERM)
    assert system.process.wait(timeout=90) == 0, system.output.read_text()[-3000:]
    logs = system.output.read_text()
    assert logs.count("Application shutdown complete") == len(SERVICES) + 1  # two contact copies
    assert "exited with code" not in logs
    for personal in (CONTACT_FORM["email"], CONTACT_FORM["first_name"], CONTACT_FORM["last_name"]):
        assert personal not in logs


async def a_killed_service_is_started_again_while_the_rest_serve(
    system: RunningSystem, endpoints: Endpoints
) -> None:
    """SIGKILL one of the two contact copies while messages stream in: the other takes its
    partitions over, the runner starts it again, and every accepted message is stored once."""
    assert len(system.pids_of("contact-2")) == 1, "the second copy runs"
    [first] = system.pids_of("contact")
    references: list[str] = []
    async with httpx.AsyncClient(base_url=system.gateway_url) as http:

        async def post(number: int) -> None:
            form = CONTACT_FORM | {"message": f"Vraag {number} over de vacature voor stagiairs"}
            response = await http.post("/v1/contact", json=form)
            assert response.status_code == 202, response.text
            references.append(response.json()["reference"])

        for batch in range(STREAM // 10):
            if batch == STREAM // 20:
                os.kill(first, signal.SIGKILL)  # in the middle of the stream
            await asyncio.gather(*(post(batch * 10 + n) for n in range(10)))

        async def started_again() -> bool:
            # Started up, not only spawned: a SIGTERM during start-up ends it without a shutdown.
            started = system.output.read_text().count("Application startup complete")
            return len(system.pids_of("contact")) == 2 and started == len(SERVICES) + 2

        await eventually(started_again, what="the runner to start the contact copy again")
        metrics = (await http.get(system.metrics_url)).text
    assert system.process.poll() is None, "the runner keeps the rest serving"
    assert 'privacyhub_process_restarts_total{process="contact"} 1.0' in metrics
    assert "contact died (code -9)" in system.output.read_text()

    mongo: AsyncMongoClient = AsyncMongoClient(endpoints.mongodb_url, tz_aware=True)
    try:
        messages = mongo[system.contact_database][COLLECTION]

        async def all_stored() -> bool:
            stored = await messages.count_documents({"_id": {"$in": references}})
            return stored == len(references)

        await eventually(all_stored, what=f"all {STREAM} messages of the stream stored")
    finally:
        await mongo.close()
    assert len(set(references)) == STREAM
