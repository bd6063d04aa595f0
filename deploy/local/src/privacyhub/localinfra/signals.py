"""Stopping a foreground command on SIGINT or SIGTERM.

A plain flag, not ``threading.Event``: a handler that calls ``Event.set()``
while the main thread sits inside ``Event.wait()`` deadlocks on the event's own
lock, and the process never stops.
"""

from __future__ import annotations

import logging
import signal
import time

log = logging.getLogger("privacyhub.localinfra")


class StopRequest:
    """Installed once per command; during start-up a signal aborts with KeyboardInterrupt."""

    def __init__(self) -> None:
        self.requested = False
        self._starting = True
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)

    def started(self) -> None:
        """From now on a signal only sets the flag; the caller's loop stops in order."""
        self._starting = False

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True once a stop was requested."""
        if not self.requested:
            time.sleep(seconds)
        return self.requested

    def _on_signal(self, signum: int, _frame: object) -> None:
        if self.requested:
            return
        self.requested = True
        log.info("received %s, stopping", signal.Signals(signum).name)
        if self._starting:
            raise KeyboardInterrupt
