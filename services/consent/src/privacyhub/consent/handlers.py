"""What the consent service consumes: consent choices and page views in batches on its hot path,
and one table for the rest: the statement versions published, the subject commands it answers as
a data owner (subject_commands.py), the queries it answers (queries.py), the expiry commands it
answers (expiry.py) and the legal holds announced (shared/legal_holds.py)."""

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from privacyhub.consent.statements import Statements
from privacyhub.consent.stream import PartitionsOwned, VisitorStream
from privacyhub.shared.contracts.statement import STATEMENT_PUBLISHED, StatementVersion
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.legal_holds import HeldData, legal_hold_handlers
from privacyhub.shared.service import Handler, ServiceRuntime
from privacyhub.shared.topics import CONSENT_CHOICES, PAGE_VIEWS

logger = logging.getLogger(__name__)

# Called with the versions a new material version replaces and that new version's number.
MaterialChange = Callable[[list[str], str], Awaitable[Any]]


def register_handlers(
    runtime: ServiceRuntime,
    stream: VisitorStream,
    statements: Statements,
    on_material_change: MaterialChange,
    *,
    subject_commands: dict[str, Handler],
    queries: dict[str, Handler],
    expiry: dict[str, Handler],
    held: HeldData,
) -> None:
    """Subscribe every handler of the service: `subject_commands`, `queries` and `expiry` are the
    tables subject_commands.py, `query_handlers` and expiry.py built for it."""
    # One consumer for both topics, keyed by visitor id alike, so a visitor's choices and views
    # reach the same copy of the service (shared/service.py, GROUP_MEMBERSHIP). The page views
    # of a poll are applied in chunks; before each, the choices are read up to their end and
    # applied, so a view is never judged before a choice made ahead of it, and a choice waits
    # for one chunk of views at most (shared/batches.py). The stream judges every view by the
    # moments of the choices. A redelivered choice or view has no second effect (inserts keyed
    # by the consent id or the page view id; the choice in force replaced only by a later one)
    # and the stream never asks what it applied before: it marks nothing processed, which
    # would be a write per page view.
    runtime.consume_batches(
        CONSENT_CHOICES,
        PAGE_VIEWS,
        handler=stream.apply,
        listener=PartitionsOwned(stream),
        first=[CONSENT_CHOICES],
        marks_processed=False,
    )
    runtime.handle(
        {
            **statement_handlers(runtime, statements, on_material_change),
            **subject_commands,
            **queries,
            **expiry,
            **legal_hold_handlers(held),
        }
    )


def statement_handlers(
    runtime: ServiceRuntime, statements: Statements, on_material_change: MaterialChange
) -> dict[str, Handler]:
    """The statement versions published: `on_material_change` is the hook for renewal."""

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

    return {STATEMENT_PUBLISHED: keep_published_statement}
