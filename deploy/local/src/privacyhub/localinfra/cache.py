"""Build-once helpers for the artifact cache.

Promises:
- ``fingerprint(paths)`` changes whenever the content of any input changes.
- ``is_complete(target, fp)`` is true only after ``mark_complete(target, fp)``
  ran for the same fingerprint, so an interrupted build is never mistaken for
  a finished one.
- ``cache_lock(target)`` serialises builders of one artifact across processes
  (e.g. parallel test workers).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path


def fingerprint(paths: Iterable[Path]) -> str:
    """Return a SHA-256 over the names and contents of ``paths``."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _marker(target: Path) -> Path:
    return target.with_name(target.name + ".complete")


def is_complete(target: Path, fp: str) -> bool:
    """Return True if ``target`` exists and was completed with fingerprint ``fp``."""
    marker = _marker(target)
    return target.exists() and marker.is_file() and marker.read_text().strip() == fp


def mark_complete(target: Path, fp: str) -> None:
    """Record that ``target`` is fully built from inputs with fingerprint ``fp``."""
    _marker(target).write_text(fp + "\n")


def clear_complete(target: Path) -> None:
    """Forget that ``target`` was built (before rebuilding it)."""
    _marker(target).unlink(missing_ok=True)


@contextlib.contextmanager
def cache_lock(target: Path) -> Iterator[None]:
    """Hold an exclusive inter-process lock for building ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.with_name(target.name + ".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
