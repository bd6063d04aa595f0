"""Revoked staff tokens, by token id (`jti`), from a file an admin edits: no restart needed.

The file (GATEWAY_REVOKED_TOKENS_FILE) holds one token id a line; `#` starts a comment, blank
lines are skipped. It is read again whenever it changed since the last read (its modification
time, size or inode, so a file replaced by a rename counts too). A file that cannot be read for
a moment (an editor replacing it) leaves the ids read before in force, so no revocation is lost.
"""

import logging
import os
from pathlib import Path

logger = logging.getLogger(__name__)


def token_ids_in(text: str) -> frozenset[str]:
    """The token ids a revocation file lists."""
    return frozenset(
        token_id for line in text.splitlines() if (token_id := line.partition("#")[0].strip())
    )


class RevokedTokens:
    """The ids of revoked staff tokens; none when there is no file."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._version: tuple[int, int, int] | None = None
        self._ids: frozenset[str] = frozenset()
        self._unreadable = False
        if path is not None:
            self._ids = token_ids_in(path.read_text(encoding="utf-8"))  # unreadable: no start
            self._version = _version_of(os.stat(path))

    def __contains__(self, token_id: object) -> bool:
        self._read_if_changed()
        return token_id in self._ids

    def _read_if_changed(self) -> None:
        if self._path is None:
            return
        try:
            version = _version_of(os.stat(self._path))
            if version != self._version:
                self._ids = token_ids_in(self._path.read_text(encoding="utf-8"))
                self._version = version
            self._unreadable = False
        except (OSError, UnicodeDecodeError) as error:
            if not self._unreadable:  # once, not at every staff request
                logger.warning(
                    "revoked token file unreadable, the ids read before stay revoked",
                    extra={"path": str(self._path), "error": type(error).__name__},
                )
            self._unreadable = True


def _version_of(stat: os.stat_result) -> tuple[int, int, int]:
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)
