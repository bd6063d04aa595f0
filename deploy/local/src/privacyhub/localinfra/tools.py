"""Checks for the external toolchains, failing with a message that says what
is missing and what it is needed for.

Promises: each ``require_*`` returns the executable's path, or raises
``ToolMissingError`` (a RuntimeError) naming the tool, the minimum version
and its purpose.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

MIN_JAVA = 17
MIN_GO = (1, 24)


class ToolMissingError(RuntimeError):
    """A required external tool is absent or too old."""


def _which(name: str, purpose: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ToolMissingError(f"`{name}` not found on PATH; it is needed {purpose}.")
    return path


def require_java() -> str:
    """Return a Java >= 17 executable (``$JAVA_HOME/bin/java`` first, then PATH)."""
    purpose = f"to run the Kafka broker (Java {MIN_JAVA} or newer)"
    java_home = os.environ.get("JAVA_HOME")
    candidate = Path(java_home, "bin", "java") if java_home else None
    java = str(candidate) if candidate and candidate.is_file() else _which("java", purpose)
    result = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    # `java -version` prints e.g. `openjdk version "17.0.15"` or `"1.8.0_392"` on stderr.
    match = re.search(r'version "(\d+)(?:\.(\d+))?', result.stderr + result.stdout)
    if match is None:
        raise ToolMissingError(f"cannot tell the version of {java}; Java is needed {purpose}.")
    major = int(match.group(1))
    if major == 1 and match.group(2):
        major = int(match.group(2))
    if major < MIN_JAVA:
        raise ToolMissingError(f"{java} is Java {major}; Java is needed {purpose}.")
    return java


def require_maven() -> str:
    """Return the ``mvn`` executable."""
    return _which("mvn", "to download the Kafka jars from Maven Central (first run only)")


def require_go() -> str:
    """Return a ``go`` executable of at least Go 1.24."""
    purpose = "to build FerretDB from the Go module proxy (first run only, Go 1.24 or newer)"
    go = _which("go", purpose)
    result = subprocess.run([go, "env", "GOVERSION"], capture_output=True, text=True, check=False)
    match = re.match(r"go(\d+)\.(\d+)", result.stdout.strip())
    if match is None or (int(match.group(1)), int(match.group(2))) < MIN_GO:
        found = result.stdout.strip() or "an unknown version"
        raise ToolMissingError(f"{go} is {found}; `go` is needed {purpose}.")
    return go


def run_build(argv: list[str], failure: str, **options: object) -> None:
    """Run a download or build step; on failure raise RuntimeError with `failure` and its last output."""
    result = subprocess.run(argv, capture_output=True, text=True, check=False, **options)  # type: ignore[call-overload]
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()
        raise RuntimeError(f"{failure} (exit {result.returncode}):\n" + "\n".join(output[-30:]))
