"""Statement versions: the hash belongs to the text, and succession orders dates, then version numbers."""

import hashlib
from datetime import date
from pathlib import Path

import pytest
from privacyhub.consent.statements import succession_key
from privacyhub.shared.contracts.statement import StatementMetadata, StatementVersion, text_sha256
from privacyhub.shared.statement import seed_statement
from pydantic import ValidationError

SEED_FILE = (
    Path(__file__).resolve().parents[2]
    / "shared/src/privacyhub/shared/statement/privacy-statement-v2.1.nl.txt"
)


def metadata(version: str, published_on: date) -> StatementMetadata:
    return StatementMetadata(
        version=version,
        published_on=published_on,
        language="nl",
        sha256="0" * 64,
        material=True,
    )


def test_the_seed_is_version_2_1_of_3_4_2023_hashed_over_the_file_bytes() -> None:
    seed = seed_statement()

    assert (seed.version, seed.published_on, seed.language) == ("2.1", date(2023, 4, 3), "nl")
    assert seed.sha256 == hashlib.sha256(SEED_FILE.read_bytes()).hexdigest()


def test_a_version_whose_hash_is_not_of_its_text_is_refused() -> None:
    with pytest.raises(ValidationError, match="sha256 is not the hash of text"):
        StatementVersion(
            **metadata("2.2", date(2024, 1, 1)).model_dump(exclude={"sha256"}),
            sha256=text_sha256("een andere tekst"),
            text="de tekst",
        )


def test_succession_follows_the_date_then_the_version_number_read_as_numbers() -> None:
    versions = [
        metadata("2.10", date(2024, 5, 1)),
        metadata("3.0", date(2024, 1, 1)),
        metadata("2.9", date(2024, 5, 1)),
        metadata("2.1", date(2023, 4, 3)),
    ]

    ordered = [v.version for v in sorted(versions, key=succession_key)]

    assert ordered == ["2.1", "3.0", "2.9", "2.10"]
