"""Resident memory of the system's processes, sampled while bench/pipeline.py loads them.

Read from /proc/<pid>/status (VmRSS), so the bench needs no extra dependency.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

INTERVAL_SECONDS = 0.5


def rss_megabytes(pid: int) -> float | None:
    """The process's resident set in MB; None once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


class MemoryWatch:
    """The highest RSS seen of each process `pids()` names, sampled every half second."""

    def __init__(self, pids: Callable[[], dict[str, int]]) -> None:
        self._pids = pids
        self.peaks: dict[str, float] = {}

    def sample(self) -> None:
        for name, pid in self._pids().items():
            rss = rss_megabytes(pid)
            if rss is not None:
                self.peaks[name] = max(rss, self.peaks.get(name, 0.0))

    @contextlib.asynccontextmanager
    async def watching(self) -> AsyncIterator["MemoryWatch"]:
        async def sample_forever() -> None:
            while True:
                self.sample()
                await asyncio.sleep(INTERVAL_SECONDS)

        task = asyncio.create_task(sample_forever())
        try:
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
