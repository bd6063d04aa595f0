"""The statement the platform starts from: Jobport's version 2.1 of 3-4-2023, shipped as package data."""

import hashlib
from datetime import date
from functools import cache
from importlib.resources import files

from privacyhub.shared.contracts.statement import StatementVersion

SEED_FILE = "privacy-statement-v2.1.nl.txt"


@cache
def seed_statement() -> StatementVersion:
    """Version 2.1 with the SHA-256 of the file's exact bytes."""
    content = files(__name__).joinpath(SEED_FILE).read_bytes()
    return StatementVersion(
        version="2.1",
        published_on=date(2023, 4, 3),
        language="nl",
        text=content.decode("utf-8"),
        sha256=hashlib.sha256(content).hexdigest(),
        material=True,
    )
