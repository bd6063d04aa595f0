"""CPU time each process of the system spends on a phase of bench/pipeline.py.

Read from /proc/<pid>/stat (user + system time), so it counts what a process did whatever else
loads the machine: CPU milliseconds per message is steadier than messages per second on a shared
2-core machine, and says which process bounds the throughput.
"""

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of the process so far; None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields after the command name, which is in parentheses and may hold spaces.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND


class CpuMeter:
    """CPU seconds of each process `pids()` names between `start()` and `stop()`, beyond what
    it spends idle (consumers polling, heartbeats, sweeps) in as much time, measured by `idle()`."""

    def __init__(self, pids: Callable[[], dict[str, int]]) -> None:
        self._pids = pids
        self._started: dict[str, tuple[int, float]] = {}
        self._started_at = 0.0
        self._idle_per_second: dict[str, float] = {}

    async def idle(self, seconds: float) -> None:
        """Measure what the processes spend with nothing to do; call it while the system is idle."""
        self.start()
        await asyncio.sleep(seconds)
        self._idle_per_second = {name: spent / seconds for name, spent in self._spent().items()}

    def start(self) -> None:
        self._started_at = time.monotonic()
        self._started = {}
        for name, pid in self._pids().items():
            seconds = cpu_seconds(pid)
            if seconds is not None:
                self._started[name] = (pid, seconds)

    def stop(self) -> dict[str, float]:
        elapsed = time.monotonic() - self._started_at
        return {
            name: max(0.0, spent - self._idle_per_second.get(name, 0.0) * elapsed)
            for name, spent in self._spent().items()
        }

    def _spent(self) -> dict[str, float]:
        spent = {}
        for name, (pid, before) in self._started.items():
            after = cpu_seconds(pid)
            if after is not None:
                spent[name] = after - before
        return spent
