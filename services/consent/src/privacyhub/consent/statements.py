"""Privacy statement versions (statement §9), kept by the consent service because every consent proof names one."""

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from privacyhub.shared.contracts.statement import (
    CURRENT_STATEMENT_QUERY,
    STATEMENT_PUBLISHED,
    STATEMENT_VERSION_QUERY,
    STATEMENT_VERSIONS_QUERY,
    StatementMetadata,
    StatementVersion,
)
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.queries import Query, QueryHandler, Reply
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.statement import seed_statement
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

COLLECTION = "statement_versions"

logger = logging.getLogger(__name__)

# Called with the versions a new material version replaces and that new version's number.
MaterialChange = Callable[[list[str], str], Awaitable[Any]]

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


def register_statement_handlers(
    runtime: ServiceRuntime, statements: Statements, on_material_change: MaterialChange
) -> None:
    async def keep_published_statement(envelope: Envelope[StatementVersion]) -> None:
        """Keep a published version once; a material one sends consents under earlier versions to renewal."""
        published = envelope.payload

        async def effect() -> None:
            await statements.publish(published)
            # Compared rather than trusting publish(): a redelivery after a crash finds its own version kept.
            if await statements.get(published.version) != published:
                logger.warning(
                    "statement version already kept with other content; publication ignored",
                    extra={"version": published.version, "event_id": str(envelope.event_id)},
                )
                return
            if published.material:
                await on_material_change(await statements.replaced_by(published), published.version)

        await runtime.processed_events.apply_once(envelope.event_id, envelope.type, effect)

    runtime.handle({STATEMENT_PUBLISHED: keep_published_statement})


def statement_queries(statements: Statements) -> dict[str, QueryHandler]:
    """Answers to the gateway's reads of the statement, by query name."""

    async def current(_: Query) -> Reply:
        statement = await statements.current()
        return Reply(status="found", result=statement.model_dump(mode="json"))

    async def one_version(query: Query) -> Reply:
        version = query.arguments.get("version")
        if not isinstance(version, str):
            return Reply(status="invalid", reason="argument 'version' must be text")
        statement = await statements.get(version)
        if statement is None:
            return Reply(status="not_found", reason="no statement with that version")
        return Reply(status="found", result=statement.model_dump(mode="json"))

    async def all_versions(_: Query) -> Reply:
        versions = await statements.all()
        return Reply(status="found", result=[v.model_dump(mode="json") for v in versions])

    return {
        CURRENT_STATEMENT_QUERY: current,
        STATEMENT_VERSION_QUERY: one_version,
        STATEMENT_VERSIONS_QUERY: all_versions,
    }
