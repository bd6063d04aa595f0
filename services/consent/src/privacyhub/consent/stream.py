"""The consent service's hot path: consent choices and page views, a batch at a time.

One consumer reads both topics (and the `VisitorStateChanged` notices on the choices topic), so
a visitor's choices and views meet in one copy of the service, which decides every view from
what it holds in memory (visitor_state.py) and stores a batch's outcome in a few bulk writes:
the choices in the history and the ones now in force, the linked visits, the anonymous counts.

Within a batch, notices come first (they say the stored state changed), then choices and views
in the order of their moments, so a view is judged by the choice in force when it was seen,
whichever topic brought it first. The rare cases the memory cannot settle go to the database:
a view older than every choice held of its visitor, and a choice without analytics that arrives
after views it should have kept unlinked were linked.
"""

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from aiokafka import ConsumerRebalanceListener, TopicPartition
from privacyhub.consent.consents import Consents
from privacyhub.consent.restrictions import Restrictions
from privacyhub.consent.statements import Statements
from privacyhub.consent.visitor_state import Choice, KnownVisitor, VisitorStates, owned_by
from privacyhub.consent.visits import Visits
from privacyhub.shared.contracts.consent import ConsentGiven, PageViewed, VisitorStateChanged
from privacyhub.shared.contracts.statement import StatementVersion
from privacyhub.shared.crypto import SubjectKeys
from privacyhub.shared.dead_letter import UnprocessableMessage
from privacyhub.shared.envelope import Envelope, utc_now
from privacyhub.shared.lookups import looked_up
from privacyhub.shared.topics import PAGE_VIEWS

logger = logging.getLogger(__name__)

View = tuple[UUID, PageViewed]


class VisitorStream:
    def __init__(
        self,
        *,
        consents: Consents,
        visits: Visits,
        restrictions: Restrictions,
        statements: Statements,
        keys: SubjectKeys,
        states: VisitorStates,
    ) -> None:
        self._consents = consents
        self._visits = visits
        self._restrictions = restrictions
        self._statements = statements
        self._keys = keys
        self.states = states
        self._published: dict[str, StatementVersion] = {}
        # A rebalance may load the state while a batch is still being applied: one waits for the other.
        self._applying = asyncio.Lock()

    async def apply(self, envelopes: Sequence[Envelope[Any]]) -> None:
        """Apply a batch; a choice naming an unknown statement version fails it before any effect.

        A batch that fails is applied again (Kafka delivers it again, or the consumer applies
        its messages one by one), but what this attempt recorded in memory may be ahead of what
        reached the database: a choice held as made would not be written in force the next time.
        So its visitors are forgotten, and read from the database when met again.
        """
        async with self._applying:
            try:
                await self._apply(envelopes)
            except BaseException:
                self.states.forget({e.payload.visitor_id for e in envelopes})
                raise

    async def _apply(self, envelopes: Sequence[Envelope[Any]]) -> None:
        notices = [e.payload for e in envelopes if isinstance(e.payload, VisitorStateChanged)]
        choices = [e.payload for e in envelopes if isinstance(e.payload, ConsentGiven)]
        views = [(e.event_id, e.payload) for e in envelopes if isinstance(e.payload, PageViewed)]
        statements = await self._statements_of(choices)
        await self._read_again({notice.visitor_id for notice in notices})
        visitors = {c.visitor_id for c in choices} | {view.visitor_id for _, view in views}
        await self._look_up([v for v in visitors if self.states.needs_lookup(v)])
        await self._open(visitors)

        outcome = Outcome()
        timeline: list[tuple[datetime, int, ConsentGiven | View]] = [
            (choice.given_at, 0, choice) for choice in choices
        ]
        timeline += [(view.occurred_at, 1, (event_id, view)) for event_id, view in views]
        for _, _, item in sorted(timeline, key=lambda entry: entry[:2]):
            if isinstance(item, ConsentGiven):
                self._choose(item, outcome)
            else:
                self._judge(item, outcome)
        await self._judge_from_history(outcome)

        await self._consents.keep_all(
            [(c, statements[c.statement_version]) for c in choices],
            in_force=[(c, statements[c.statement_version]) for c in outcome.in_force.values()],
            renewals=await self._statements.renewal_for(set(statements)) if choices else {},
        )
        for visitor_id, since, until in outcome.unlink:
            await self._visits.unlink(visitor_id, since=since, until=until)
        await self._visits.link_all(outcome.linked)
        if self._visits.analytics_exemption:
            await self._visits.count_all(outcome.counted)

    def _choose(self, choice: ConsentGiven, outcome: "Outcome") -> None:
        known = self.states.of(choice.visitor_id)
        made = Choice(choice.given_at, choice.purposes.analytics)
        if made in known.choices:
            return  # redelivered
        known.record(made)
        if known.latest() == made:
            outcome.in_force[choice.visitor_id] = choice
        if made.analytics or known.linked_until is None or known.linked_until < made.given_at:
            return
        # Views seen after this choice were linked before it arrived: undo that until the next choice.
        later = [c.given_at for c in known.choices if c.given_at > made.given_at]
        outcome.unlink.append((choice.visitor_id, made.given_at, later[0] if later else None))

    def _judge(self, view: View, outcome: "Outcome") -> None:
        _, seen = view
        known = self.states.get(seen.visitor_id)
        if known is not None and known.restricted:
            return
        allowed = False if known is None else known.analytics_at(seen.occurred_at)
        if seen.global_privacy_control:
            allowed = False
        if allowed is None:
            outcome.from_history.append(view)
        elif allowed:
            outcome.link(view, self.states.of(seen.visitor_id))
        else:
            outcome.counted.append(view)

    async def _judge_from_history(self, outcome: "Outcome") -> None:
        for view in outcome.from_history:
            _, seen = view
            purposes = await self._consents.purposes_at(seen.visitor_id, seen.occurred_at)
            if purposes.analytics:
                outcome.link(view, self.states.of(seen.visitor_id))
            else:
                outcome.counted.append(view)

    async def _statements_of(self, choices: list[ConsentGiven]) -> dict[str, StatementVersion]:
        for version in {choice.statement_version for choice in choices} - self._published.keys():
            statement = await self._statements.get(version)
            if statement is None:
                raise UnprocessableMessage("consent refers to an unknown statement version")
            self._published[version] = statement  # a published version is never rewritten
        return self._published

    async def _read_again(self, visitor_ids: set[str]) -> None:
        """Forget what is held of the visitors, and read them from the database."""
        for visitor_id in visitor_ids:
            self._keys.forget(visitor_id)
        await self._look_up(sorted(visitor_ids))

    async def _look_up(self, visitor_ids: Sequence[str]) -> None:
        if not visitor_ids:
            return
        in_force, restricted = await asyncio.gather(
            self._consents.in_force_of(visitor_ids), self._restrictions.of(visitor_ids)
        )
        for visitor_id in visitor_ids:
            self.states.put(
                visitor_id,
                loaded(in_force.get(visitor_id), restricted=visitor_id in restricted),
            )

    async def _open(self, visitor_ids: set[str]) -> None:
        """Decrypt the loaded choices in force of the visitors that have one still sealed."""
        sealed = {
            visitor_id: known
            for visitor_id in visitor_ids
            if (known := self.states.get(visitor_id)) is not None and known.unopened is not None
        }

        async def allowed(visitor_id: str) -> bool | None:
            return await self._consents.analytics_allowed(sealed[visitor_id].unopened or {})

        opened = await looked_up(allowed, sealed)
        for visitor_id, known in sealed.items():
            stored, known.unopened = known.unopened or {}, None
            if visitor_id in opened:
                known.record(Choice(stored["given_at"], opened[visitor_id]))

    async def load(self, owned: set[int]) -> None:
        """Hold every visitor of the `owned` partitions who chose or is restricted."""
        async with self._applying:
            await self._load(owned)

    async def _load(self, owned: set[int]) -> None:
        wanted = owned_by(owned, PAGE_VIEWS.partitions)
        in_force = await self._consents.in_force_of([], wanted=wanted)
        restricted = await self._restrictions.restricted_among(wanted)
        visitors = {
            visitor_id: loaded(in_force.get(visitor_id), restricted=visitor_id in restricted)
            for visitor_id in in_force.keys() | restricted
        }
        self.states.replace(visitors, complete=True)
        logger.info(
            "visitor consent loaded",
            extra={"partitions": sorted(owned), "visitors": len(visitors)},
        )


def loaded(in_force: dict[str, Any] | None, *, restricted: bool) -> KnownVisitor:
    """A visitor as stored: the choice in force (sealed), and whether processing is restricted.

    Earlier choices are not read; a view older than the one in force is judged from the
    database. Views since then may be linked, as far as this copy knows.
    """
    if in_force is None:
        return KnownVisitor(restricted=restricted)
    return KnownVisitor(
        unopened=in_force, earlier_unknown=True, restricted=restricted, linked_until=utc_now()
    )


class Outcome:
    """What a batch does: choices now in force, views linked, counted, and windows to unlink."""

    def __init__(self) -> None:
        self.in_force: dict[str, ConsentGiven] = {}
        self.linked: list[View] = []
        self.counted: list[View] = []
        self.from_history: list[View] = []
        self.unlink: list[tuple[str, datetime, datetime | None]] = []

    def link(self, view: View, known: KnownVisitor) -> None:
        self.linked.append(view)
        seen = view[1].occurred_at
        known.linked_until = seen if known.linked_until is None else max(known.linked_until, seen)


class PartitionsOwned(ConsumerRebalanceListener):  # type: ignore[misc]
    """Loads the visitors of the partitions this copy is given before it consumes them."""

    def __init__(self, stream: VisitorStream) -> None:
        self._stream = stream

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        return None

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        await self._stream.load({tp.partition for tp in assigned if tp.topic == PAGE_VIEWS.name})
