"""Privacy statement versions (statement §9), kept by the consent service because every consent proof names one."""

import re
from datetime import date
from typing import Any

from privacyhub.shared.contracts.statement import StatementMetadata, StatementVersion
from privacyhub.shared.statement import seed_statement
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

COLLECTION = "statement_versions"

SuccessionKey = tuple[date, tuple[tuple[int, int, str], ...]]


def succession_key(statement: StatementMetadata) -> SuccessionKey:
    """Later publication date first; on the same date the higher version number, read numerically (2.10 after 2.9)."""
    parts = re.split(r"[.\-]", statement.version)
    return (
        statement.published_on,
        tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in parts),
    )


def _from_document(document: dict[str, Any]) -> dict[str, Any]:
    return {"version": document.pop("_id"), **document}


class Statements:
    """Every published version, keyed by its version number; a version once kept is never rewritten."""

    def __init__(self, db: AsyncDatabase) -> None:
        self._collection = db[COLLECTION]

    async def ensure_seeded(self) -> None:
        """Keep the seed version (2.1) unless it is already there."""
        await self.publish(seed_statement())

    async def publish(self, statement: StatementVersion) -> bool:
        """Keep a new version; False when a version with that number already exists."""
        document = {
            "_id": statement.version,
            **statement.model_dump(mode="json", exclude={"version"}),
        }
        try:
            await self._collection.insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    async def get(self, version: str) -> StatementVersion | None:
        document = await self._collection.find_one({"_id": version})
        if document is None:
            return None
        return StatementVersion.model_validate(_from_document(document))

    async def all(self) -> list[StatementMetadata]:
        """Every version without its text, oldest first."""
        cursor = self._collection.find({}, projection={"text": 0})
        versions = [StatementMetadata.model_validate(_from_document(d)) async for d in cursor]
        return sorted(versions, key=succession_key)

    async def current(self) -> StatementVersion:
        """The version in force: the latest published."""
        versions = await self.all()
        if not versions:
            raise LookupError("no statement version is kept; ensure_seeded has not run")
        current = await self.get(versions[-1].version)
        if current is None:
            raise LookupError("the latest statement version disappeared while being read")
        return current

    async def renewal_for(self, versions: set[str]) -> dict[str, str | None]:
        """For each of `versions`, the latest material version published after it (a consent
        given under it needs renewal under that one), or None when there is none."""
        listed = await self.all()
        renewals: dict[str, str | None] = {}
        for version in versions:
            known = next((v for v in listed if v.version == version), None)
            later = [
                v.version
                for v in listed
                if v.material and known is not None and succession_key(v) > succession_key(known)
            ]
            renewals[version] = later[-1] if later else None
        return renewals

    async def replaced_by(self, statement: StatementMetadata) -> list[str]:
        """The versions that came before `statement`."""
        successor = succession_key(statement)
        return [v.version for v in await self.all() if succession_key(v) < successor]
