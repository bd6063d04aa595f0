"""Kafka and MongoDB endpoints for a tool run: the configured ones, else local servers for the run."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .infra import LocalInfra
from .ports import free_port


@contextlib.contextmanager
def configured_or_local_servers() -> Iterator[tuple[str, str]]:
    """(bootstrap servers, MongoDB URL) from KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL, else from
    local servers on free ports with throw-away data, stopped when the block ends."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS") and os.environ.get("MONGODB_URL"):
        yield os.environ["KAFKA_BOOTSTRAP_SERVERS"], os.environ["MONGODB_URL"]
        return
    with (
        tempfile.TemporaryDirectory() as root,
        LocalInfra(Path(root), free_port(), free_port(), free_port()) as infra,
    ):
        yield infra.kafka.bootstrap_servers, infra.mongo.url
