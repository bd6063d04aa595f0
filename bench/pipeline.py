"""Throughput of the visitor pipeline end to end, with baselines measured in the same run.

    uv run python bench/pipeline.py [--quick] [--duration 20] [--concurrency 50] [--rate 500]
        [--visitors 200] [--e2e-duration 60] [--contact-messages 3000] [--choices 50]
        [--choice-load-rate 1000] [--choice-load-duration 60] [--choice-load-probes 500]
        [--drain-timeout 60] [--stored-visits N] [--skip-baselines] [--only ingest|contact|e2e|choices] [--scale consent=3]

Starts its own system as `make run` does (local secured Kafka and FerretDB, topics, ACLs, a login
and message keys per process, every process an OS process of its own), but on free ports with
throw-away data, so it runs beside a `make run` system and beside test runs; with
KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL set it uses those servers instead. It raises the
gateway's rate limit for its own run, and says so. Then, in this order:

1. consent-to-effect latency with the pipeline idle: a new visitor's analytics consent, and a
   page view as soon as it was answered; how long after the 202 the choice was recorded
   (`recorded_at` in consent_history) and whether that view was linked; the next such probe
   only once both were processed;
2. end to end: the visitors consent, then page views of theirs at load; linked views/s in the
   consent service's `visits` from the first post until its consumer group's lag on the
   page-view topic is 0 again (bounded by --drain-timeout), choices probed during the load.
   That load is as much as the gateway takes (closed loop), more than the consumer links, so
   a choice made during it waits behind the backlog that builds up; the target's "within 100 ms
   under load" is therefore also taken at the target's own sustained load: the same visitors'
   page views offered at --choice-load-rate (1000/s, open loop) for --choice-load-duration s
   (60), choices probed meanwhile. The lag target ("back to 0 within 5 s after the load stops")
   is taken after that load as well, the target's 1,000 views/s for 60 s: after a saturating
   load the backlog is as large as the gap between what the gateway took and what the consumer
   linked, which the report shows beside it;
3. contact messages stored/s, until the contact service holds them all (bounded likewise);
4. gateway ingest of POST /v1/pageviews: req/s, p50 and p99 at --concurrency clients, and p99 at
   a fixed offered --rate (open loop, so latency is not hidden by coordinated omission);
5. the baselines on the same broker and database server: (a) a bare Litestar + uvicorn app with
   the gateway's own PageViewForm validation and ua-parser device parsing that answers 202
   without publishing, (b) the same app plus one aiokafka send_and_wait per request (acks=all,
   idempotent, logged in as the gateway's principal, to a bench topic), each loaded by the same
   generator as the gateway; (c) a raw aiokafka consumer that reads the page-view topic and does
   insert_many of small documents, the consumer side's ceiling.

The end-to-end phase comes before the gateway's own ingest so that the consent service's lag
starts at 0. Before the ingest, the bench waits (bounded by --drain-timeout) until no consumer
group has work left from the phases before, since retention and partner support work off a
contact message's lifecycle events after the contact service stored it; the gateway and its
baselines then share the machine with nothing but the consumers of their own page views. The
report says how long that took, and what was still left. The gateway is measured so, as it runs,
and then once more with the services paused (SIGSTOP, SIGCONT after): nobody consumes what the
baselines publish, so the gateway against its baselines is compared with the services paused
for all three, and the report says so. (b) is loaded once before the gateway and once after (a),
and the gateway is compared with the mean of the two: the speed of a shared machine drifts over
minutes, and a baseline measured on one side only would carry that drift into the ratio.
`--only ingest` measures 4 and the baselines (a) and (b) alone, on the same system; `--only contact` measures 3 alone, `--only e2e` 2 without its
probes, `--only choices` the consent-to-effect probes at --choice-load-rate alone. `--scale consent=3` runs copies of a process as `make run SCALE=...` does;
bench/scaling.py compares one consent copy with three.
Peak RSS of every process is sampled throughout. The report ends with each target of issue 10
and PASS or FAIL. Progress goes to stderr, the report to stdout. Figures on a shared 2-core
machine are noisy; the ratios to the baselines of the same run are what count.
"""

import argparse
import asyncio
import contextlib
import os
import signal
import time
import uuid
from collections.abc import Iterator
from typing import Any

from pipeline_ceiling import run as consumer_ceiling
from pipeline_cpu import CpuMeter
from pipeline_http import Client
from pipeline_kafka import ConsumerLag, create_bench_topic, unfinished_work
from pipeline_load import generate
from pipeline_memory import MemoryWatch
from pipeline_phases import (
    VISITS,
    Pipeline,
    backlog,
    contact_intake,
    current_statement_version,
    end_to_end,
    give_consents,
    idle_choices,
    note,
    pageview_load,
    until,
)
from pipeline_report import BARE, GATEWAY, KAFKA, KAFKA_FIRST, SERVING, Figures, print_report
from pipeline_requests import visitor_ids
from pipeline_seed import seed_visits
from pipeline_system import BenchSystem, baseline_app, running_system
from privacyhub.localinfra import ADMIN, FERRETDB_VERSION, KAFKA_VERSION
from privacyhub.localinfra.system import parse_scale
from privacyhub.shared.topics import PAGE_VIEWS
from pymongo import AsyncMongoClient

RATE_LIMIT_PER_MINUTE = 1_000_000_000
CEILING_MESSAGES = 200_000
IDLE_CPU_SECONDS = 5.0  # how long the contact phase first measures what the idle system spends

DEFAULTS: dict[str, Any] = {
    "duration": 20.0,
    "concurrency": 50,
    "rate": 500.0,
    "visitors": 200,
    "e2e_duration": 60.0,
    "contact_messages": 3000,
    "choices": 50,
    "choice_load_rate": 1000.0,
    "choice_load_duration": 60.0,
    "choice_load_probes": 500,
    "drain_timeout": 60.0,
    "warmup": 2.0,
}
QUICK: dict[str, Any] = {
    "duration": 3.0,
    "visitors": 50,
    "e2e_duration": 5.0,
    "contact_messages": 200,
    "choices": 10,
    "choice_load_duration": 5.0,
    "choice_load_probes": 20,
    "drain_timeout": 15.0,
    "warmup": 0.5,
}


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Defaults are for a full run; --quick takes a few seconds per phase "
        f"({', '.join(f'{k}={v:g}' for k, v in QUICK.items())}). Options given win over both.",
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run, a few seconds per phase")
    parser.add_argument(
        "--duration", type=float, help="seconds of each gateway/baseline ingest load (20)"
    )
    parser.add_argument("--concurrency", type=int, help="clients of every closed-loop load (50)")
    parser.add_argument("--rate", type=float, help="offered req/s of the open-loop loads (500)")
    parser.add_argument(
        "--visitors", type=int, help="consenting visitors of the end-to-end load (200)"
    )
    parser.add_argument("--e2e-duration", type=float, help="seconds of the end-to-end load (60)")
    parser.add_argument("--contact-messages", type=int, help="contact messages to post (3000)")
    parser.add_argument(
        "--choices", type=int, help="consent-to-effect probes, idle and under load each (50)"
    )
    parser.add_argument(
        "--choice-load-rate",
        type=float,
        help="offered page views/s while choices are probed at the target's load (1000)",
    )
    parser.add_argument("--choice-load-duration", type=float, help="seconds of that load (60)")
    parser.add_argument(
        "--choice-load-probes",
        type=int,
        help="consent-to-effect probes during that load (500: enough that its p99 is not its "
        "maximum)",
    )
    parser.add_argument(
        "--drain-timeout",
        type=float,
        help="the most seconds to wait after a load for the consumers to catch up (60)",
    )
    parser.add_argument(
        "--warmup", type=float, help="unrecorded seconds before each ingest load (2)"
    )
    parser.add_argument(
        "--stored-visits",
        type=int,
        default=0,
        help="first seed the consent database with this many linked visits (not timed)",
    )
    parser.add_argument(
        "--skip-baselines", action="store_true", help="measure the system only, without (a)-(c)"
    )
    parser.add_argument(
        "--only",
        choices=("ingest", "contact", "e2e", "choices"),
        help="measure one phase: ingest is the gateway's page-view ingest (4) and baselines "
        "(a), (b); contact is the contact messages stored/s (3); e2e is the end-to-end load "
        "(2) without the consent-to-effect probes; choices is those probes at "
        "--choice-load-rate alone",
    )
    parser.add_argument(
        "--scale",
        default="",
        help="copies per process, as make run's SCALE (consent=3); one of each by default",
    )
    parser.add_argument(
        "--keep-data",
        action="store_true",
        help="keep the run's temporary directory (server data, the processes' logs)",
    )
    args = parser.parse_args()
    for name, default in DEFAULTS.items():
        if getattr(args, name) is None:
            setattr(args, name, QUICK.get(name, default) if args.quick else default)
    return args


def header(bench: BenchSystem, args: argparse.Namespace) -> list[str]:
    servers = (
        f"local secured Kafka {KAFKA_VERSION} (SASL/SCRAM, ACLs) and FerretDB {FERRETDB_VERSION} "
        "(SQLite), free ports, throw-away data"
        if bench.local
        else f"configured servers: Kafka {bench.bootstrap}, MongoDB {bench.mongodb_url}"
    )
    return [
        f"privacyhub pipeline benchmark, {time.strftime('%Y-%m-%d %H:%M:%S %Z')}"
        f"{' (--quick)' if args.quick else ''}",
        f"machine: {os.cpu_count()} CPUs, load average at start {os.getloadavg()[0]:.2f}",
        f"servers: {servers}",
        f"GATEWAY_RATE_LIMIT_PER_MINUTE raised to {RATE_LIMIT_PER_MINUTE} for this run "
        "(default 120), so that the load is measured rather than refused with 429",
        f"copies: {args.scale or 'one of each process'}",
    ]


async def ingest(port: int, args: argparse.Namespace) -> tuple[dict, dict]:
    """Closed loop at --concurrency, then open loop at --rate, the same bodies for every app."""
    closed = await generate(
        pageview_load(
            port,
            15,
            mode="closed",
            concurrency=args.concurrency,
            duration=args.duration,
            warmup=args.warmup,
        )
    )
    opened = await generate(
        pageview_load(
            port, 15, mode="open", rate=args.rate, duration=args.duration, warmup=args.warmup
        )
    )
    return closed, opened


async def measure(bench: BenchSystem, args: argparse.Namespace) -> Figures:
    run = uuid.uuid4().hex[:8]
    figures = Figures(
        header=header(bench, args),
        concurrency=args.concurrency,
        duration=args.duration,
        rate=args.rate,
        e2e_duration=args.e2e_duration,
        choice_load_rate=args.choice_load_rate,
        choice_load_duration=args.choice_load_duration,
        visitors=args.visitors,
        stored_visits=args.stored_visits,
    )
    mongo: AsyncMongoClient = AsyncMongoClient(bench.mongodb_url, tz_aware=True)
    consent = mongo[bench.setting("CONSENT_MONGODB_DATABASE", "privacyhub_consent")]
    contact = mongo[bench.setting("CONTACT_MONGODB_DATABASE", "privacyhub_contact")]
    group = bench.setting("CONSENT_CONSUMER_GROUP", "privacyhub-consent")
    gateway = Client(bench.gateway_port)
    watch = MemoryWatch(bench.pids)
    lag = ConsumerLag(bench.bootstrap, bench.kafka_options(ADMIN), group, PAGE_VIEWS.name)
    async with lag, watch.watching():
        pipeline = Pipeline(gateway, consent, contact, lag)
        if args.stored_visits:
            note(f"seeding {args.stored_visits} stored visits")
            seconds = await seed_visits(consent[VISITS], args.stored_visits)
            figures.header.append(
                f"stored visits: {args.stored_visits} seeded first in {seconds:.0f} s (not timed)"
            )
        if args.only == "contact":
            await contact_phase(bench, args, figures, pipeline, run)
        elif args.only == "e2e":
            await visitor_phases(bench, args, figures, pipeline, probes=False)
        elif args.only == "choices":
            await visitor_phases(bench, args, figures, pipeline, probes=True, saturate=False)
        else:
            if args.only is None:
                await pipeline_phases(bench, args, figures, pipeline, run)
            await ingest_phases(bench, args, figures, pipeline, lag, run)
        figures.memory = dict(watch.peaks)
    gateway.close()
    await mongo.close()
    return figures


async def settle(bench: BenchSystem, bound: float) -> str:
    """Wait (at most `bound` seconds) until no consumer group has work left, so that the
    gateway's ingest and its baselines after it share the machine with the same consumers: the
    page views the ingest itself sends; said in words."""
    options = bench.kafka_options(ADMIN)
    started = time.time()

    async def idle() -> bool:
        return await unfinished_work(bench.bootstrap, options) == 0

    done = await until(idle, bound)
    if done is None:
        left = await unfinished_work(bench.bootstrap, options)
        return f"the services still had {left} messages to process after {bound:g} s"
    return f"every consumer group was idle {done - started:.1f} s after the phases before"


async def pipeline_phases(
    bench: BenchSystem, args: argparse.Namespace, figures: Figures, pipeline: Pipeline, run: str
) -> None:
    """1-3: consent to effect while idle, end to end, contact intake."""
    await visitor_phases(bench, args, figures, pipeline, probes=True)
    await contact_phase(bench, args, figures, pipeline, run)


async def visitor_phases(
    bench: BenchSystem,
    args: argparse.Namespace,
    figures: Figures,
    pipeline: Pipeline,
    *,
    probes: bool,
    saturate: bool = True,
) -> None:
    """The visitors' consents, then the end-to-end load; with `probes`, consent to effect idle
    before it and at the target's rate after it; without `saturate`, only the probes at the
    target's rate."""
    gateway = pipeline.gateway
    pipeline.statement_version = await current_statement_version(gateway, args.drain_timeout)
    visitors = visitor_ids(args.visitors, seed=11)
    note(f"{args.visitors} visitors give analytics consent")
    took = await give_consents(pipeline, visitors, args.drain_timeout)
    figures.header.append(
        f"{args.visitors} consents of the end-to-end visitors recorded in "
        + (f"{took:.1f} s" if took is not None else f"more than {args.drain_timeout:g} s")
    )
    if probes and saturate:
        note("consent-to-effect, idle")
        figures.idle_choices = await idle_choices(
            pipeline, visitor_ids(args.choices, seed=12), args.drain_timeout
        )
    if saturate:
        await saturating_load(bench, args, figures, pipeline, visitors, probes=probes)
    if not probes:
        return
    note(
        f"consent-to-effect at {args.choice_load_rate:g} page views/s offered "
        f"for {args.choice_load_duration:g} s"
    )
    load = pageview_load(
        bench.gateway_port,
        16,
        visitors,
        mode="open",
        rate=args.choice_load_rate,
        duration=args.choice_load_duration,
    )
    figures.choice_load = await end_to_end(
        pipeline,
        load,
        visitor_ids(args.choice_load_probes, seed=17),
        drain_bound=args.drain_timeout,
    )


async def saturating_load(
    bench: BenchSystem,
    args: argparse.Namespace,
    figures: Figures,
    pipeline: Pipeline,
    visitors: list[str],
    *,
    probes: bool,
) -> None:
    """2: the visitors' page views as fast as the gateway takes them, choices probed meanwhile."""
    note(f"end to end: page views for {args.e2e_duration:g} s")
    load = pageview_load(
        bench.gateway_port,
        13,
        visitors,
        mode="closed",
        concurrency=args.concurrency,
        duration=args.e2e_duration,
    )
    figures.e2e = await end_to_end(
        pipeline,
        load,
        visitor_ids(args.choices if probes else 0, seed=14),
        drain_bound=args.drain_timeout,
    )


async def contact_phase(
    bench: BenchSystem, args: argparse.Namespace, figures: Figures, pipeline: Pipeline, run: str
) -> None:
    note(f"contact: {args.contact_messages} messages, once every consumer group is idle")
    await settle(bench, args.drain_timeout)
    meter = CpuMeter(bench.pids_with_servers)
    await meter.idle(IDLE_CPU_SECONDS)
    meter.start()
    figures.contact = await contact_intake(
        pipeline,
        bench.gateway_port,
        args.contact_messages,
        args.concurrency,
        run,
        drain_bound=args.drain_timeout,
    )
    # Retention and the partner work off what the contact service announced and disclosed.
    await settle(bench, args.drain_timeout)
    figures.contact_cpu = meter.stop()


async def ingest_phases(
    bench: BenchSystem,
    args: argparse.Namespace,
    figures: Figures,
    pipeline: Pipeline,
    lag: ConsumerLag,
    run: str,
) -> None:
    """The gateway's ingest as it runs, then with the services paused beside its baselines."""
    note("gateway ingest: waiting until the services finished the earlier phases' work")
    settled = await settle(bench, args.drain_timeout)
    figures.ingest_backlog = f"{settled}; {await backlog(pipeline, figures.contact)}"
    figures.ingest[SERVING] = await ingest(bench.gateway_port, args)
    with services_paused(bench):
        if not args.skip_baselines:  # (b) on both sides of the gateway: see the docstring
            figures.ingest[KAFKA_FIRST] = await kafka_baseline(bench, args)
        figures.ingest[GATEWAY] = await ingest(bench.gateway_port, args)
        if not args.skip_baselines:
            await baselines(bench, args, figures)
    if not args.skip_baselines and args.only is None:
        note("baseline (c): raw consumer + insert_many")
        figures.ceiling = await consumer_ceiling(ceiling_options(bench, lag, run))


async def baselines(bench: BenchSystem, args: argparse.Namespace, figures: Figures) -> None:
    """(a) and (b), loaded like the gateway."""
    note("baseline (a): bare Litestar")
    with baseline_app(bench, "baseline (a) bare litestar", None) as port:
        figures.ingest[BARE] = await ingest(port, args)
    figures.ingest[KAFKA] = await kafka_baseline(bench, args)


async def kafka_baseline(bench: BenchSystem, args: argparse.Namespace) -> tuple[dict, dict]:
    note("baseline (b): Litestar + aiokafka")
    topic = await create_bench_topic(bench.bootstrap, bench.kafka_options(ADMIN), acls=bench.local)
    with baseline_app(bench, "baseline (b) litestar+aiokafka", topic) as port:
        return await ingest(port, args)


def ceiling_options(bench: BenchSystem, lag: ConsumerLag, run: str) -> dict[str, Any]:
    """(c) reads the page-view topic as the consent service does."""
    return {
        "topic": PAGE_VIEWS.name,
        "partitions": lag.partitions,
        "group": f"{lag.group}-bench-ceiling-{run}",
        "database": f"bench_ceiling_{run}",
        "limit": CEILING_MESSAGES,
        "env": bench.environment("consent") | {"MONGODB_URL": bench.mongodb_url},
    }


@contextlib.contextmanager
def services_paused(bench: BenchSystem) -> Iterator[None]:
    """Every process but the gateway stopped (SIGSTOP) meanwhile, continued (SIGCONT) after."""
    paused = [pid for name, pid in bench.pids().items() if name != "gateway"]
    note(f"pausing the {len(paused)} service processes for the gateway and its baselines")
    for pid in paused:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in paused:
            os.kill(pid, signal.SIGCONT)


def main() -> None:
    args = options()
    note(
        "starting the system (servers, topics, ACLs, every process); "
        f"GATEWAY_RATE_LIMIT_PER_MINUTE raised to {RATE_LIMIT_PER_MINUTE} for this run"
    )
    overrides = {"GATEWAY_RATE_LIMIT_PER_MINUTE": str(RATE_LIMIT_PER_MINUTE)}
    scale = parse_scale(args.scale)
    with running_system(overrides, keep=args.keep_data, scale=scale) as bench:
        note(f"system ready; gateway on port {bench.gateway_port}; logs in {bench.log_path}")
        figures = asyncio.run(measure(bench, args))
        print_report(figures)
        note("stopping the system")


if __name__ == "__main__":
    main()
