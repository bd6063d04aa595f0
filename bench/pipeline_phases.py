"""The measurements bench/pipeline.py takes of the running system, one function per phase.

Every wait here has a bound: the current consumers can be far slower than the load, and the bench
then reports what they reached (and what was still waiting) instead of waiting for ever.
"""

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipeline_http import Client
from pipeline_kafka import ConsumerLag
from pipeline_load import generate
from pipeline_requests import analytics_consent, page_views
from privacyhub.shared.bulk import found_by_id
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure

VISITS = "visits"
CONSENT_HISTORY = "consent_history"
CONTACT_MESSAGES = "contact_messages"
PAGE_VIEW_BODIES = 8192
POLL_SECONDS = 0.1
UNAVAILABLE_PAUSE = 0.5  # a website's retry after a 503, short so the probe still measures latency
UNAVAILABLE_BOUND = 30.0


def note(text: str) -> None:
    """Progress, on stderr; the report goes to stdout."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


@dataclass
class Pipeline:
    gateway: Client
    consent: AsyncDatabase
    contact: AsyncDatabase
    lag: ConsumerLag
    statement_version: str = ""


async def until(probe: Callable[[], Awaitable[bool]], bound: float) -> float | None:
    """Poll until `probe()` holds; when it did (epoch seconds), None if `bound` seconds passed first."""
    deadline = time.time() + bound
    while True:
        if await probe():
            return time.time()
        if time.time() > deadline:
            return None
        await asyncio.sleep(POLL_SECONDS)


async def document_count(db: AsyncDatabase, collection: str) -> int:
    """How many documents a collection holds, cheaply: FerretDB v1 counts by reading every
    document (seconds per 100,000), while collStats answers from its storage's own figures."""
    try:
        return int((await db.command("collStats", collection))["count"])
    except (OperationFailure, KeyError):
        return await db[collection].estimated_document_count()


async def lag_is_zero(pipeline: Pipeline) -> bool:
    return await pipeline.lag.lag() == 0


def pageview_load(port: int, seed: int, visitors: list[str] | None = None, **how: Any) -> dict:
    """A load spec for the generator: `how` gives mode, concurrency or rate, duration, warmup."""
    bodies = {"kind": "pageviews", "count": PAGE_VIEW_BODIES, "seed": seed, "visitors": visitors}
    return {"port": port, "path": "/v1/pageviews", "bodies": bodies, **how}


async def post_accepted(gateway: Client, path: str, body: Any) -> Any:
    """POST until the gateway accepts (202), retrying a 503 as a website would: the gateway says
    503 when Kafka does not acknowledge in time, which a loaded machine can make happen."""
    deadline = time.time() + UNAVAILABLE_BOUND
    while True:
        status, answer = await gateway.call("POST", path, body)
        if status == 202:
            return answer
        if status != 503 or time.time() > deadline:
            raise RuntimeError(f"POST {path} answered {status}: {answer}")
        note(f"POST {path} answered 503; retrying")
        await asyncio.sleep(UNAVAILABLE_PAUSE)


async def current_statement_version(gateway: Client, bound: float) -> str:
    """The statement in force; asked again while the consent service is still joining its group."""
    deadline = time.time() + bound
    while True:
        status, statement = await gateway.call("GET", "/v1/privacy-statement")
        if status == 200:
            return statement["version"]
        if time.time() > deadline:
            raise RuntimeError(f"GET /v1/privacy-statement answered {status}: {statement}")
        await asyncio.sleep(1.0)


async def give_consents(pipeline: Pipeline, visitors: list[str], bound: float) -> float | None:
    """Every visitor consents to analytics; how long until all choices were recorded (None: not
    within `bound` seconds after the last answer)."""
    started = time.time()
    gate = asyncio.Semaphore(20)

    async def consent(visitor: str) -> str:
        async with gate:
            body = analytics_consent(visitor, pipeline.statement_version)
            accepted = await post_accepted(pipeline.gateway, "/v1/consents", body)
        return accepted["consent_id"]

    ids = await asyncio.gather(*(consent(v) for v in visitors))
    history = pipeline.consent[CONSENT_HISTORY]

    async def all_recorded() -> bool:
        return await history.count_documents({"_id": {"$in": ids}}) == len(ids)

    done = await until(all_recorded, bound)
    return None if done is None else done - started


@dataclass
class ChoiceProbe:
    """A new visitor's analytics consent, and a page view sent as soon as it was answered, with
    the ids the gateway answered: the `_id`s of the choice in consent_history and of the view in
    visits once it is linked."""

    visitor_id: str
    answered_at: float
    consent_id: str
    page_view_id: str


async def probe_choice(pipeline: Pipeline, visitor: str) -> ChoiceProbe:
    choice = analytics_consent(visitor, pipeline.statement_version)
    consent = await post_accepted(pipeline.gateway, "/v1/consents", choice)
    answered_at = time.time()
    view = page_views(1, seed=len(visitor), visitors=[visitor])[0]
    accepted = await post_accepted(pipeline.gateway, "/v1/pageviews", view)
    return ChoiceProbe(visitor, answered_at, consent["consent_id"], accepted["page_view_id"])


@dataclass
class ChoiceEffects:
    """How long after the 202 each choice was recorded, and whether the next view obeyed it."""

    probes: int
    latencies_ms: list[float] = field(default_factory=list)
    unrecorded: int = 0
    governed: int = 0
    has_recorded_at: bool = True
    settled: bool = True  # the consumer had caught up, so a view not linked was not linked for good


async def choice_effects(
    pipeline: Pipeline, probes: list[ChoiceProbe], *, settled: bool
) -> ChoiceEffects:
    """`recorded_at` of each choice in consent_history, and how many probe views are linked in
    visits, both read by `_id` (a filter on anything else reads the whole collection on
    FerretDB: minutes with a million stored visits)."""
    effects = ChoiceEffects(len(probes), settled=settled)
    chosen = await found_by_id(
        pipeline.consent[CONSENT_HISTORY], [p.consent_id for p in probes], {"recorded_at": 1}
    )
    linked = await found_by_id(
        pipeline.consent[VISITS], [p.page_view_id for p in probes], {"_id": 1}
    )
    for probe in probes:
        recorded = chosen.get(probe.consent_id)
        if recorded is None:
            effects.unrecorded += 1
        elif isinstance(moment := recorded.get("recorded_at"), datetime):
            delay = (moment.timestamp() - probe.answered_at) * 1000
            effects.latencies_ms.append(max(0.0, delay))
        else:
            effects.has_recorded_at = False
    effects.governed = len(linked)
    return effects


async def idle_choices(pipeline: Pipeline, visitors: list[str], bound: float) -> ChoiceEffects:
    """Choices made one at a time, each once the one before and its page view were processed,
    so that nothing else loads the pipeline (each wait is bounded by `bound` seconds)."""
    history = pipeline.consent[CONSENT_HISTORY]
    probes = []
    settled = True
    for visitor in visitors:
        probe = await probe_choice(pipeline, visitor)
        probes.append(probe)

        async def processed(visitor: str = visitor) -> bool:
            recorded = await history.find_one({"visitor_id": visitor}, {"_id": 1})
            return recorded is not None and await lag_is_zero(pipeline)

        settled = await until(processed, bound) is not None
    return await choice_effects(pipeline, probes, settled=settled)


@dataclass
class EndToEnd:
    load: dict[str, Any]
    lag_at_start: int
    linked: int
    seconds: float
    drained_after: float | None  # seconds from the end of the load until the lag was 0
    lag_left: int
    choices: ChoiceEffects

    @property
    def linked_per_second(self) -> float:
        return self.linked / self.seconds if self.seconds > 0 else 0.0


async def end_to_end(
    pipeline: Pipeline,
    load: dict[str, Any],
    probe_visitors: list[str],
    *,
    drain_bound: float,
) -> EndToEnd:
    """Page views of consenting visitors at load; linked views/s from the first post until the
    consent service's lag is back to 0 (or the bound passed); choices probed meanwhile."""
    await until(lambda: lag_is_zero(pipeline), drain_bound)
    lag_at_start = await pipeline.lag.lag()
    before = await document_count(pipeline.consent, VISITS)
    running = asyncio.create_task(generate(load))
    pause = load["duration"] / max(1, len(probe_visitors))
    probes = []
    for visitor in probe_visitors:
        if running.done():
            break
        probes.append(await probe_choice(pipeline, visitor))
        await asyncio.sleep(pause)
    figures = await running
    note(f"load done: {figures['ok']} page views accepted; waiting for the consumer's lag")
    drained = await until(lambda: lag_is_zero(pipeline), drain_bound)
    end = drained if drained is not None else time.time()
    lag_left = 0 if drained is not None else await pipeline.lag.lag()
    linked = await document_count(pipeline.consent, VISITS) - before
    choices = await choice_effects(pipeline, probes, settled=drained is not None)
    return EndToEnd(
        load=figures,
        lag_at_start=lag_at_start,
        linked=linked - choices.governed,
        seconds=end - figures["first_sent_at"],
        drained_after=None if drained is None else max(0.0, drained - figures["last_done_at"]),
        lag_left=lag_left,
        choices=choices,
    )


@dataclass
class ContactIntake:
    load: dict[str, Any]
    stored: int
    seconds: float
    all_stored: bool
    before: int  # contact messages held before the phase

    @property
    def stored_per_second(self) -> float:
        return self.stored / self.seconds if self.seconds > 0 else 0.0


async def contact_intake(
    pipeline: Pipeline, port: int, count: int, concurrency: int, run: str, *, drain_bound: float
) -> ContactIntake:
    """`count` contact messages, each from another address; stored/s until the contact service
    holds them all (or the bound passed)."""
    before = await document_count(pipeline.contact, CONTACT_MESSAGES)
    load = {
        "port": port,
        "path": "/v1/contact",
        "bodies": {"kind": "contact", "count": count, "run": run, "seed": 5},
        "mode": "closed",
        "concurrency": concurrency,
        "duration": 3600.0,
        "total": count,
    }
    figures = await generate(load)
    stored = 0

    async def all_stored() -> bool:
        nonlocal stored
        stored = await document_count(pipeline.contact, CONTACT_MESSAGES) - before
        return stored >= figures["ok"]

    done = await until(all_stored, drain_bound)
    end = done if done is not None else time.time()
    return ContactIntake(figures, stored, end - figures["first_sent_at"], done is not None, before)


async def backlog(pipeline: Pipeline, contact: ContactIntake | None) -> str:
    """What the consumers still have to do from the phases before, said in words."""
    views = await pipeline.lag.lag()
    messages = 0
    if contact is not None:
        held = await document_count(pipeline.contact, CONTACT_MESSAGES) - contact.before
        messages = max(0, contact.load["ok"] - held)
    return (
        f"the consent service had {views} page views and the contact service {messages} "
        "messages still to process from the phases before"
    )
