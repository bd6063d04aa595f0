"""Where local infrastructure keeps its sources, build cache and data.

Promises:
- ``repo_root()`` is the nearest ancestor of this file holding ``uv.lock`` or
  ``.git`` (the checkout), or None when installed outside a checkout.
- ``cache_dir()`` is ``<repo>/.local/cache``: downloads and builds shared by
  every data directory of this checkout (``.local/`` is git-ignored).
- ``data_dir(name, root)`` is ``<root or repo>/.local/data/<name>``.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[3]
"""deploy/local: holds kafka/pom.xml and the ferretdb/ Go module."""

KAFKA_POM = PACKAGE_ROOT / "kafka" / "pom.xml"
FERRETDB_GO_MODULE = PACKAGE_ROOT / "ferretdb"

_ROOT_MARKERS = ("uv.lock", ".git")


def repo_root() -> Path | None:
    """Return the checkout this package lives in, or None if there is none."""
    for directory in Path(__file__).resolve().parents:
        if any((directory / marker).exists() for marker in _ROOT_MARKERS):
            return directory
    return None


def local_dir(root: Path | None = None) -> Path:
    """Return ``<root>/.local``, defaulting root to the checkout.

    Raises RuntimeError when no root is given and none can be found.
    """
    base = root if root is not None else repo_root()
    if base is None:
        raise RuntimeError(
            "cannot find the repository root (no uv.lock or .git above "
            f"{Path(__file__).resolve()}); pass root= explicitly"
        )
    return Path(base).resolve() / ".local"


def cache_dir() -> Path:
    """Return the build/download cache of this checkout (``<repo>/.local/cache``)."""
    return local_dir() / "cache"


def data_dir(name: str, root: Path | None = None) -> Path:
    """Return ``<root>/.local/data/<name>`` (not created)."""
    return local_dir(root) / "data" / name
