"""The load generator of bench/pipeline.py, run in an OS process of its own.

`generate(spec)` starts `python bench/pipeline_load.py`, hands it the spec as JSON and returns
the figures it prints. The child builds every request's bytes before the clock starts and then
either keeps `concurrency` keep-alive connections busy (closed loop: req/s at that concurrency)
or sends at a fixed `rate` whatever the answers do (open loop): a request's latency then counts
from the moment it was due, so a slow answer cannot hide the requests queued behind it
(coordinated omission). The same generator loads the system and the baselines.
"""

import asyncio
import json
import math
import sys
import time
from collections import Counter, deque
from pathlib import Path
from typing import Any

# Run as a script, the child finds its siblings next to it.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pipeline_http import Connection, request_bytes
from pipeline_requests import contact_messages, page_views

MAX_OPEN_LOOP_CONNECTIONS = 512
# How long answers still due after the load may take before they count as lost.
STRAGGLER_SECONDS = 30.0


class Figures:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.statuses: Counter[str] = Counter()
        self.first_sent_at: float | None = None
        self.last_done_at = 0.0

    def sent(self) -> None:
        if self.first_sent_at is None:
            self.first_sent_at = time.time()

    def add(self, status: int | None, seconds: float) -> None:
        """One request; a lost one (no answer) counts with the time it waited, a lower bound."""
        self.statuses["lost" if status is None else str(status)] += 1
        self.latencies.append(seconds)
        self.last_done_at = time.time()

    def summary(self, window: float) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        ok = sum(n for status, n in self.statuses.items() if status.startswith("2"))

        def percentile(q: float) -> float | None:
            if not ordered:
                return None
            return ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000

        return {
            "requests": sum(self.statuses.values()),
            "ok": ok,
            "statuses": dict(self.statuses),
            "seconds": window,
            "ok_per_second": ok / window if window > 0 else 0.0,
            "p50_ms": percentile(0.50),
            "p90_ms": percentile(0.90),
            "p99_ms": percentile(0.99),
            "max_ms": percentile(1.0),
            "first_sent_at": self.first_sent_at,
            "last_done_at": self.last_done_at,
        }


def prepared(spec: dict[str, Any]) -> list[bytes]:
    bodies = spec["bodies"]
    if bodies["kind"] == "pageviews":
        made = page_views(bodies["count"], bodies["seed"], bodies.get("visitors"))
    else:
        made = contact_messages(bodies["count"], bodies["run"], bodies["seed"])
    return [request_bytes("POST", spec["path"], spec["port"], body) for body in made]


async def closed_loop(spec: dict[str, Any], raws: list[bytes]) -> dict[str, Any]:
    """`concurrency` clients, each sending its next request when the last one was answered."""
    port, total = spec["port"], spec.get("total")
    connections = [await Connection.open(port) for _ in range(spec["concurrency"])]
    figures = Figures()
    started = time.perf_counter()
    record_from = started + spec.get("warmup", 0.0)
    stop_at = record_from + spec["duration"]
    issued = 0

    async def client(connection: Connection) -> None:
        nonlocal issued
        while (now := time.perf_counter()) < stop_at and (total is None or issued < total):
            raw = raws[issued % len(raws)]
            issued += 1
            figures.sent()
            try:
                status: int | None = (await connection.request(raw))[0]
            except ConnectionError:
                status = None
                connection.closed = True
            if now >= record_from:
                figures.add(status, time.perf_counter() - now)
            if connection.closed:
                connection = await Connection.open(port)
        connection.close()

    clients = [asyncio.create_task(client(c)) for c in connections]
    await asyncio.wait(clients, timeout=stop_at - started + STRAGGLER_SECONDS)
    window = time.perf_counter() - max(record_from, started)
    for task in clients:
        task.cancel()
    await asyncio.gather(*clients, return_exceptions=True)
    return figures.summary(window)


async def open_loop(spec: dict[str, Any], raws: list[bytes]) -> dict[str, Any]:
    """A request every 1/rate seconds on whichever connection is free (a new one when none is)."""
    port, rate = spec["port"], spec["rate"]
    loop = asyncio.get_running_loop()
    idle = [await Connection.open(port) for _ in range(min(64, MAX_OPEN_LOOP_CONNECTIONS))]
    opened = len(idle)
    # Requests waiting for a connection; handed None when one closed, to open one in its place.
    queued: deque[asyncio.Future[Connection | None]] = deque()
    figures = Figures()

    async def acquire() -> Connection:
        nonlocal opened
        while idle:
            connection = idle.pop()
            if not connection.closed:
                return connection
            opened -= 1  # the server closed it while it was idle
        if opened < MAX_OPEN_LOOP_CONNECTIONS:
            opened += 1
            return await Connection.open(port)
        waiting: asyncio.Future[Connection | None] = loop.create_future()
        queued.append(waiting)
        handed = await waiting
        return handed if handed is not None else await Connection.open(port)

    def hand_over(connection: Connection | None) -> bool:
        while queued:
            waiting = queued.popleft()
            if not waiting.done():  # a cancelled straggler no longer waits
                waiting.set_result(connection)
                return True
        return False

    def release(connection: Connection) -> None:
        nonlocal opened
        if connection.closed:
            if not hand_over(None):
                opened -= 1
        elif not hand_over(connection):
            idle.append(connection)

    async def fire(due: float, raw: bytes, record: bool) -> None:
        connection = await acquire()
        figures.sent()
        status: int | None = None
        try:
            status = (await connection.request(raw))[0]
        except ConnectionError:
            connection.closed = True
        except asyncio.CancelledError:
            connection.closed = True  # its answer may still come: nobody else may read it
            raise
        finally:
            release(connection)
        if record:
            figures.add(status, time.perf_counter() - due)

    warmup = spec.get("warmup", 0.0)
    start = time.perf_counter() + 0.05
    record_from = start + warmup
    pending: set[asyncio.Task[None]] = set()
    due_of: dict[asyncio.Task[None], float] = {}
    for n in range(int((warmup + spec["duration"]) * rate)):
        due = start + n / rate
        delay = due - time.perf_counter()
        await asyncio.sleep(max(delay, 0))
        task = asyncio.create_task(fire(due, raws[n % len(raws)], due >= record_from))
        pending.add(task)
        due_of[task] = due
        task.add_done_callback(pending.discard)
    if pending:
        _, late = await asyncio.wait(pending, timeout=STRAGGLER_SECONDS)
        now = time.perf_counter()
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
        for due in sorted(due_of[task] for task in late if due_of[task] >= record_from):
            figures.add(None, now - due)
    return figures.summary(spec["duration"])


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    raws = prepared(spec)
    if spec["mode"] == "open":
        return await open_loop(spec, raws)
    return await closed_loop(spec, raws)


async def generate(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one load in a child process; its figures."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await child.communicate(json.dumps(spec).encode())
    if child.returncode != 0:
        raise RuntimeError(f"the load generator failed with exit code {child.returncode}")
    return json.loads(out)


def main() -> None:
    spec = json.loads(sys.stdin.read())
    try:
        import uvloop  # the servers under test run on it too, when it is installed
    except ImportError:
        result = asyncio.run(run(spec))
    else:
        result = uvloop.run(run(spec))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
