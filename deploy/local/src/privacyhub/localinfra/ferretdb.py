"""FerretDB v1 (MongoDB wire protocol on SQLite) built from the Go module proxy.

Promises:
- ``provision_ferretdb()`` leaves a static binary at
  ``<repo>/.local/cache/bin/ferretdb-<version>`` and rebuilds only when it is
  missing or the Go sources in ``deploy/local/ferretdb`` or the patch below
  changed (the module and build caches are Go's defaults, ~/go/pkg/mod and
  ~/.cache/go-build).
- The binary carries three fixes to FerretDB v1.24.2, applied to a copy of the module
  at build time (v1.24.2 is the last v1 release); the build fails loudly if a line a
  fix replaces is not there:

  - ``ID_INDEX_PATCH``: its SQLite backend looks documents up by ``_id`` with the
    expression ``->'$._id'`` while the unique index on ``_id`` is built on ``->"_id"``,
    so SQLite never uses the index and every lookup, update and delete by ``_id`` scans
    the whole collection (checked with ``EXPLAIN QUERY PLAN``: SCAN before, SEARCH USING
    INDEX after).
  - ``ATOMIC_UPDATE_PATCHES``: ``update``, ``findAndModify`` and ``delete`` read the
    matching documents, change them in Go and write them back in a separate SQLite
    transaction, so two concurrent updates of one document lose one of the changes and
    two conditional updates racing from the same state both win. MongoDB makes each
    single-document update atomic, and every repository here relies on it
    (ARCHITECTURE.md), so these commands take a lock per collection around their read
    and write.
  - ``ID_IN_PUSHDOWN``: only a filter ``{_id: <string or ObjectId>}`` reaches SQLite;
    ``{_id: {$in: [...]}}`` reads the whole collection and filters it in Go, so a batch
    could not look its ids up in one query. Such a filter now becomes ``WHERE <_id> IN
    (...)`` on the same index; FerretDB still filters what comes back, as for every
    query, so the result is the same.
- ``FerretDBServer.start()`` returns once the server answers ``ping``; its
  SQLite files live in ``<data_dir>/sqlite`` and survive restarts.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import time
from pathlib import Path

from . import cache, paths
from .ports import ensure_port_free
from .process import ManagedProcess
from .readiness import mongo_ready
from .tools import require_go, run_build

log = logging.getLogger(__name__)

FERRETDB_VERSION = "v1.24.2"  # keep in step with ferretdb/go.mod
_GO_SOURCES = ("go.mod", "go.sum", "main.go")
FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
ID_INDEX_PATCH = (
    "internal/backends/sqlite/metadata/metadata.go",
    "IDColumn = DefaultColumn + \"->'$._id'\"",
    'IDColumn = DefaultColumn + `->"_id"`',
)
"""(file in the module, the line's text upstream, the same text as the index expression)."""
ID_IN_PUSHDOWN = (
    "internal/backends/sqlite/collection.go",
    "\n\tq += whereClause\n",
    '\n\tif whereClause == "" {\n\t\twhereClause, args = idInClause(params.Filter)\n\t}\n'
    "\n\tq += whereClause\n",
)
ID_IN_CLAUSE = (
    "internal/backends/sqlite/id_in.go",
    """package sqlite

import (
	"fmt"
	"strings"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// maxIDsInClause keeps a pushed-down list well under SQLite's limit of bound parameters.
const maxIDsInClause = 1000

// idInClause returns the WHERE clause and its arguments for a filter {_id: {$in: [...]}} of
// strings and ObjectIDs, on the _id index; "" and nil for a filter of any other form.
func idInClause(filter *types.Document) (string, []any) {
	if filter.Len() != 1 || !filter.Has("_id") {
		return "", nil
	}
	condition, ok := must.NotFail(filter.Get("_id")).(*types.Document)
	if !ok || condition.Len() != 1 || !condition.Has("$in") {
		return "", nil
	}
	values, ok := must.NotFail(condition.Get("$in")).(*types.Array)
	if !ok || values.Len() == 0 || values.Len() > maxIDsInClause {
		return "", nil
	}
	args := make([]any, 0, values.Len())
	for i := 0; i < values.Len(); i++ {
		value := must.NotFail(values.Get(i))
		switch value.(type) {
		case string, types.ObjectID:
			args = append(args, string(must.NotFail(sjson.MarshalSingleValue(value))))
		default:
			return "", nil
		}
	}
	placeholders := strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")
	return fmt.Sprintf(` WHERE %s IN (%s)`, metadata.IDColumn, placeholders), args
}
""",
)
"""(a file added to the module, its text): the clause ID_IN_PUSHDOWN adds."""
COLLECTION_LOCKS = (
    "internal/handler/collection_locks.go",
    """package handler

import "sync"

// collectionLocks holds one mutex per "database.collection", taken by every command that
// reads documents and writes them back, so that its read and write act as one step.
var collectionLocks sync.Map

// lockCollection locks the collection for a read-modify-write command; call the result to unlock.
func lockCollection(db, collection string) func() {
	mutex, _ := collectionLocks.LoadOrStore(db+"."+collection, new(sync.Mutex))
	mutex.(*sync.Mutex).Lock()
	return mutex.(*sync.Mutex).Unlock
}
""",
)
"""(a file added to the module, its text): the lock the patches below take."""
_LOCKED = "\n\tdefer lockCollection(params.DB, params.Collection)()\n"
ATOMIC_UPDATE_PATCHES = (
    (
        "internal/handler/msg_update.go",
        "\tvar upserted types.Array\n",
        "\tvar upserted types.Array\n" + _LOCKED,
    ),
    (
        "internal/handler/msg_findandmodify.go",
        "params *common.FindAndModifyParams) (*findAndModifyResult, error) {\n",
        "params *common.FindAndModifyParams) (*findAndModifyResult, error) {" + _LOCKED,
    ),
    (
        "internal/handler/msg_delete.go",
        "\tvar deleted int32\n",
        "\tvar deleted int32\n" + _LOCKED,
    ),
)
"""(file in the module, text found once upstream, the same text taking the collection's lock)."""


def provision_ferretdb(cache_root: Path | None = None) -> Path:
    """Ensure the FerretDB binary is built; return its path."""
    binary = (cache_root or paths.cache_dir()) / "bin" / f"ferretdb-{FERRETDB_VERSION}"
    fingerprint = cache.fingerprint(
        [*(paths.FERRETDB_GO_MODULE / name for name in _GO_SOURCES), Path(__file__)]
    )
    if cache.is_complete(binary, fingerprint):
        return binary
    with cache.cache_lock(binary):
        if cache.is_complete(binary, fingerprint):  # another process built it meanwhile
            return binary
        go = require_go()
        log.info(
            "building FerretDB %s with Go into %s (first run: about a minute)",
            FERRETDB_VERSION,
            binary,
        )
        started = time.monotonic()
        cache.clear_complete(binary)
        staging = binary.with_name(binary.name + ".partial")
        env = {
            **os.environ,
            "GOTOOLCHAIN": "local",  # never download another Go toolchain
            "CGO_ENABLED": "0",  # SQLite is modernc.org/sqlite, pure Go
            "GOFLAGS": "-mod=readonly",  # build exactly what the committed go.sum pins
        }
        env["GOWORK"] = str(_patched_workspace(go, binary.parent, env))
        run_build(
            [go, "build", "-trimpath", "-o", str(staging), "."],
            "go build of FerretDB failed",
            cwd=paths.FERRETDB_GO_MODULE,
            env=env,
        )
        staging.replace(binary)
        cache.mark_complete(binary, fingerprint)
        log.info("FerretDB built in %.1fs", time.monotonic() - started)
    return binary


def _patched_workspace(go: str, directory: Path, env: dict[str, str]) -> Path:
    """A Go workspace that builds ``deploy/local/ferretdb`` against a patched copy of FerretDB."""
    download = subprocess.run(
        [go, "mod", "download", "-json", f"{FERRETDB_MODULE}@{FERRETDB_VERSION}"],
        cwd=paths.FERRETDB_GO_MODULE,
        env=env,
        check=True,
        capture_output=True,
    )
    source = directory / f"ferretdb-src-{FERRETDB_VERSION}"
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(json.loads(download.stdout)["Dir"], source)
    for folder, _, files in os.walk(source):  # the module cache is read-only
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)
    for relative, upstream, fixed in (ID_INDEX_PATCH, ID_IN_PUSHDOWN, *ATOMIC_UPDATE_PATCHES):
        patched = source / relative
        text = patched.read_text()
        if text.count(upstream) != 1:
            raise RuntimeError(
                f"FerretDB {FERRETDB_VERSION}: {relative} no longer holds {upstream!r} once"
            )
        patched.write_text(text.replace(upstream, fixed))
    for added, text in (COLLECTION_LOCKS, ID_IN_CLAUSE):
        (source / added).write_text(text)
    workspace = directory / "ferretdb.go.work"
    go_version = "1.24"  # FerretDB v1.24's own go directive
    workspace.write_text(f"go {go_version}\n\nuse (\n\t{paths.FERRETDB_GO_MODULE}\n\t{source}\n)\n")
    return workspace


class FerretDBServer:
    """One FerretDB process with the SQLite backend on 127.0.0.1."""

    def __init__(
        self,
        data_dir: Path,
        port: int,
        cache_root: Path | None = None,
        log_level: str = "warn",
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port
        self.url = f"mongodb://127.0.0.1:{port}/"
        self.log_level = log_level
        self._cache_root = cache_root
        self._process = ManagedProcess("ferretdb", self.data_dir, self.data_dir / "ferretdb.log")

    def provision(self) -> None:
        """Build the FerretDB binary unless cached (idempotent)."""
        provision_ferretdb(self._cache_root)

    def start(self, timeout: float = 120) -> None:
        """Start FerretDB and return once it answers ``ping``; no-op if running."""
        if self.is_running():
            return
        started = time.monotonic()
        binary = provision_ferretdb(self._cache_root)
        ensure_port_free(self.port, "FerretDB")
        argv = [
            str(binary),
            f"-listen-addr=127.0.0.1:{self.port}",
            f"-data-dir={self.data_dir / 'sqlite'}",
            f"-log-level={self.log_level}",
        ]
        self._process.start(argv, cwd=self.data_dir)
        self._process.wait_ready(lambda: mongo_ready(self.url), timeout)
        log.info("FerretDB ready on %s in %.1fs", self.url, time.monotonic() - started)

    def stop(self, timeout: float = 30) -> None:
        """Stop FerretDB: SIGTERM, SIGKILL after ``timeout``."""
        self._process.stop(timeout)

    def is_running(self) -> bool:
        """Return True while the FerretDB process is alive."""
        return self._process.is_running()

    def pid(self) -> int | None:
        return self._process.pid
