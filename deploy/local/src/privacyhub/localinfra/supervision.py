"""Starting a process of the local system again after it died, as an orchestrator would.

The first restart comes after FIRST_DELAY_SECONDS, each next one after twice the delay before,
up to MAX_DELAY_SECONDS, so a process that cannot start does not spin; one that ran for
STEADY_SECONDS since its last start counts as recovered, and its next crash waits the first
delay again. Restarts are logged and counted in `privacyhub_process_restarts_total`.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter

FIRST_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 60.0
STEADY_SECONDS = 120.0


@dataclass
class Restarts:
    """One process's crashes: when it last started, and when it may start again."""

    started_at: float
    delay: float = FIRST_DELAY_SECONDS
    due_at: float | None = None  # set while it is down, waiting for its restart

    def crashed(self, now: float) -> float:
        """Note a crash at `now`; the seconds until the process may start again."""
        if now - self.started_at >= STEADY_SECONDS:
            self.delay = FIRST_DELAY_SECONDS
        wait = self.delay
        self.delay = min(self.delay * 2, MAX_DELAY_SECONDS)
        self.due_at = now + wait
        return wait

    def due(self, now: float) -> bool:
        return self.due_at is not None and now >= self.due_at

    def restarted(self, now: float) -> None:
        self.started_at, self.due_at = now, None


class RestartMetrics:
    """The runner's own series, served on its metrics port."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.restarts = Counter(
            "privacyhub_process_restarts",
            "Times the local runner started a process again after it died",
            ["process"],
            registry=self.registry,
        )
