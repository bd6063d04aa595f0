"""A server child process: started in its own session with its output in a
log file, waited for by a readiness probe, stopped with SIGTERM then SIGKILL.

Promises:
- ``start()`` refuses to run a second server on the same data directory: a
  leftover whose owning Python process died (an orphan) is stopped first, a
  live one raises ``ServerStartError``.
- ``wait_ready(probe, timeout)`` returns once ``probe()`` is true; if the
  child exits first or the timeout passes it raises ``ServerStartError`` with
  the tail of the child's log (and stops the child on timeout).
- ``stop(timeout)`` leaves no process of the child's group running.
- Children still running when the interpreter exits are stopped (atexit).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import signal
import subprocess
import time
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path

log = logging.getLogger(__name__)

_RUNNING: weakref.WeakSet[ManagedProcess] = weakref.WeakSet()


class ServerStartError(RuntimeError):
    """A server process failed to start or to become ready."""


def _pid_alive(pid: int) -> bool:
    """Return True if ``pid`` runs and is not a zombie waiting to be reaped."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] != "Z"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _terminate_group(pgid: int, timeout: float, is_gone: Callable[[], bool]) -> None:
    """SIGTERM the process group, then SIGKILL it if it outlives ``timeout``."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while not is_gone() and time.monotonic() < deadline:
        time.sleep(0.05)
    if not is_gone():
        log.warning("process group %d ignored SIGTERM for %.0fs; sending SIGKILL", pgid, timeout)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)


class ManagedProcess:
    """One server child process bound to a data directory."""

    def __init__(self, name: str, data_dir: Path, log_path: Path) -> None:
        self.name = name
        self.data_dir = data_dir
        self.log_path = log_path
        self._pid_file = data_dir / f"{name}.pid"
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_offset = 0

    # --- lifecycle -------------------------------------------------------

    def start(self, argv: Sequence[str], cwd: Path | None = None) -> None:
        """Spawn ``argv`` in a new session, appending its output to the log."""
        if self.is_running():
            raise ServerStartError(f"{self.name} is already running (pid {self.pid})")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._reap_leftover()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as out:
            out.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} starting {self.name}\n".encode())
            out.flush()
            self._log_offset = out.tell()
            log.debug("starting %s: %s", self.name, " ".join(argv))
            # A new session keeps a terminal's Ctrl-C away from the child, so
            # our Python sees it first and stops the children in order.
            self._proc = subprocess.Popen(
                list(argv),
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._pid_file.write_text(f"{self._proc.pid} {os.getpid()}\n")
        _RUNNING.add(self)

    def wait_ready(
        self, probe: Callable[[], bool], timeout: float, extra_logs: Sequence[Path] = ()
    ) -> None:
        """Poll ``probe`` with short backoff until true; see module docstring."""
        deadline = time.monotonic() + timeout
        delay = 0.1
        last_error: BaseException | None = None
        while True:
            if self._proc is None or self._proc.poll() is not None:
                code = None if self._proc is None else self._proc.returncode
                self._forget()
                raise ServerStartError(
                    f"{self.name} exited with code {code} before it was ready; "
                    f"last log lines:\n{self.log_tail(extra_logs)}"
                )
            try:
                if probe():
                    return
            except Exception as exc:
                last_error = exc
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                tail = self.log_tail(extra_logs)
                self.stop()
                raise ServerStartError(
                    f"{self.name} was not ready after {timeout:.0f}s "
                    f"(last probe error: {last_error!r}); last log lines:\n{tail}"
                )
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, 1.0)

    def stop(self, timeout: float = 30) -> None:
        """Stop the child (SIGTERM, then SIGKILL after ``timeout``); no-op if not running."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            log.info("stopping %s (pid %d)", self.name, proc.pid)
            _terminate_group(proc.pid, timeout, lambda: proc.poll() is not None)
            proc.wait()
        self._forget()

    def is_running(self) -> bool:
        """Return True while the child process is alive."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    # --- diagnostics -----------------------------------------------------

    def log_tail(self, extra_logs: Sequence[Path] = (), lines: int = 40) -> str:
        """Return the last ``lines`` lines this run wrote to its log files."""
        parts = []
        for path, offset in [
            (self.log_path, self._log_offset),
            *((p, 0) for p in extra_logs),
        ]:
            try:
                with open(path, "rb") as handle:
                    handle.seek(offset)
                    text = handle.read().decode(errors="replace")
            except OSError:
                continue
            tail = "\n".join(text.splitlines()[-lines:])
            if tail.strip():
                parts.append(f"--- {path} ---\n{tail}")
        return "\n".join(parts) or "(no log output)"

    # --- internals -------------------------------------------------------

    def _forget(self) -> None:
        _RUNNING.discard(self)
        self._pid_file.unlink(missing_ok=True)

    def _reap_leftover(self) -> None:
        """Stop an orphan left on this data dir by a Python that died; refuse a live one."""
        try:
            child, owner = (int(x) for x in self._pid_file.read_text().split())
        except (OSError, ValueError):
            return
        # Only trust the pid if it still runs a command on this data dir (pids get reused).
        if not _pid_alive(child) or str(self.data_dir) not in _cmdline(child):
            self._pid_file.unlink(missing_ok=True)
            return
        if _pid_alive(owner):
            raise ServerStartError(
                f"{self.name} data dir {self.data_dir} is in use by pid {child} "
                f"(started by pid {owner}); stop it or use another data dir"
            )
        log.warning(
            "stopping leftover %s (pid %d) from an earlier run on %s",
            self.name,
            child,
            self.data_dir,
        )
        _terminate_group(child, 30, lambda: not _pid_alive(child))
        self._pid_file.unlink(missing_ok=True)


@atexit.register
def _stop_all() -> None:
    for proc in list(_RUNNING):
        proc.stop()
