"""The printed report of bench/pipeline.py: the figures, the baselines beside them with ratios,
and each target of issue 10 with PASS or FAIL."""

import math
import os
from dataclasses import dataclass, field
from typing import Any

from pipeline_phases import ChoiceEffects, ContactIntake, EndToEnd

SYSTEM_PROCESSES = ("gateway", "consent", "contact", "requests", "retention", "partner-support")
RSS_LIMIT_MB = 300
SERVING = "gateway, the services consuming"
GATEWAY = "gateway, the services paused"
BARE = "(a) bare Litestar, 202 without publishing"
KAFKA_FIRST = "(b) Litestar+aiokafka send_and_wait, first"
KAFKA = "(b) the same, after the gateway and (a)"


@dataclass
class Figures:
    """Everything one run measured."""

    header: list[str]
    concurrency: int
    duration: float
    rate: float
    e2e_duration: float
    choice_load_rate: float
    choice_load_duration: float
    visitors: int
    stored_visits: int
    ingest: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)
    ingest_backlog: str = ""
    e2e: EndToEnd | None = None
    choice_load: EndToEnd | None = None  # page views offered at choice_load_rate, choices probed
    ceiling: dict[str, Any] | None = None
    contact: ContactIntake | None = None
    contact_cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds per process
    idle_choices: ChoiceEffects | None = None
    memory: dict[str, float] = field(default_factory=dict)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}x" if theirs else "n/a"


def _statuses(load: dict[str, Any]) -> str:
    return ", ".join(f"{code}: {n}" for code, n in sorted(load["statuses"].items())) or "none"


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _choices_line(name: str, effects: ChoiceEffects) -> str:
    recorded = len(effects.latencies_ms)
    timing = (
        f"p50 {_ms(_percentile(effects.latencies_ms, 0.5))} ms, "
        f"p90 {_ms(_percentile(effects.latencies_ms, 0.9))} ms, "
        f"p99 {_ms(_percentile(effects.latencies_ms, 0.99))} ms, "
        f"max {_ms(max(effects.latencies_ms, default=None))} ms ({recorded} timed"
        f"{f', {effects.unrecorded} not recorded in time' if effects.unrecorded else ''})"
        if effects.has_recorded_at
        else "no recorded_at in consent_history: only the next view's fate is known"
    )
    queued = "" if effects.settled else " (the consumer had not caught up: the rest may be queued)"
    return (
        f"  {name:<34} {timing}; next page view linked for "
        f"{effects.governed}/{effects.probes}{queued}"
    )


def print_report(figures: Figures) -> None:
    print()
    for line in figures.header:
        print(line)
    _ingest(figures)
    _end_to_end(figures)
    _contact(figures)
    _choices(figures)
    _memory(figures)
    _targets(figures)


def _ingest(figures: Figures) -> None:
    if not figures.ingest:
        return
    print(
        f"\n1. Gateway ingest, POST /v1/pageviews: {figures.concurrency} clients for "
        f"{figures.duration:g} s (closed loop), and {figures.rate:g} req/s offered for "
        f"{figures.duration:g} s (open loop: latency counted from when each request was due)"
    )
    print(
        f"  {'':<42} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} | {f'p99 ms @ {figures.rate:g}/s':>16}"
    )
    for name, (closed, opened) in figures.ingest.items():
        print(
            f"  {name:<42} {closed['ok_per_second']:8.0f} {_ms(closed['p50_ms']):>8} "
            f"{_ms(closed['p99_ms']):>8} | {_ms(opened['p99_ms']):>16}"
        )
        print(f"  {'':<42} statuses: {_statuses(closed)} | {_statuses(opened)}")
    if figures.ingest_backlog:
        print(f"  when this started, {figures.ingest_backlog}")
    print(
        "  the services consume the gateway's page views as it runs; nobody consumes the "
        "baselines', so they and the gateway are compared with the services paused"
    )
    gateway = _req_s(figures, GATEWAY)
    ratios = []
    if BARE in figures.ingest:
        ratios.append(f"gateway / bare litestar = {_ratio(gateway, _req_s(figures, BARE))}")
    if (kafka := kafka_baseline(figures)) is not None:
        ratios.append(f"gateway / litestar+aiokafka (mean of both runs) = {_ratio(gateway, kafka)}")
    if ratios:
        print("  " + "; ".join(ratios))


def _req_s(figures: Figures, name: str) -> float:
    return float(figures.ingest[name][0]["ok_per_second"])


def kafka_baseline(figures: Figures) -> float | None:
    """Baseline (b)'s req/s: the mean of its runs before and after the gateway."""
    runs = [_req_s(figures, name) for name in (KAFKA_FIRST, KAFKA) if name in figures.ingest]
    return sum(runs) / len(runs) if runs else None


def _end_to_end(figures: Figures) -> None:
    e2e = figures.e2e
    if e2e is None:
        return
    load = e2e.load
    print(
        f"\n2. End to end: {figures.visitors} visitors with analytics consent, page views at "
        f"{figures.concurrency} clients for {figures.e2e_duration:g} s"
    )
    print(
        f"  posted: {load['ok']} accepted ({load['ok_per_second']:.0f} req/s, p99 "
        f"{_ms(load['p99_ms'])} ms; statuses {_statuses(load)}); consumer lag at start {e2e.lag_at_start}"
    )
    print(
        f"  linked in visits: {e2e.linked} in {e2e.seconds:.1f} s from the first post "
        f"= {e2e.linked_per_second:.1f} linked views/s"
    )
    if e2e.drained_after is not None:
        print(
            f"  lag back to 0 {e2e.drained_after:.1f} s after the load stopped (the backlog a "
            "load beyond the consumer's pace leaves; the lag target is taken at 1,000/s, in 4)"
        )
    else:
        print(f"  lag NOT back to 0 within the bound: {e2e.lag_left} page views still waiting")
    if figures.ceiling is not None:
        ceiling = figures.ceiling
        print(
            f"  (c) raw aiokafka consumer + insert_many, same topic and database server: "
            f"{ceiling['per_second']:.0f} msg/s ({ceiling['messages']} messages in "
            f"{ceiling['seconds']:.1f} s)"
        )
        print(f"  linked views/s / (c) = {_ratio(e2e.linked_per_second, ceiling['per_second'])}")


def _contact(figures: Figures) -> None:
    contact = figures.contact
    if contact is None:
        return
    load = contact.load
    print(
        f"\n3. Contact messages: {load['ok']} accepted of {load['requests']} posted "
        f"({load['ok_per_second']:.0f} req/s; statuses {_statuses(load)})"
    )
    done = "all stored" if contact.all_stored else "NOT all stored within the bound"
    print(
        f"  stored in contact_messages: {contact.stored} in {contact.seconds:.1f} s from the first "
        f"post = {contact.stored_per_second:.1f} messages/s ({done})"
    )
    _cpu_per_message(figures.contact_cpu, contact.stored)


def _cpu_per_message(spent: dict[str, float], messages: int) -> None:
    """What each process spent on one message; their sum bounds the rate the machine's CPUs allow."""
    if not spent or messages == 0:
        return
    total = sum(spent.values()) / messages * 1000
    shares = ", ".join(
        f"{name} {seconds / messages * 1000:.2f}"
        for name, seconds in sorted(spent.items(), key=lambda item: -item[1])
    )
    cpus = os.cpu_count() or 1
    print(
        f"  CPU per message beyond idle, until every group was idle again, ms: {shares}; "
        f"total {total:.2f} ms, so {cpus} CPUs take at most {cpus * 1000 / total:.0f} messages/s"
    )


def _choices(figures: Figures) -> None:
    if figures.idle_choices is None and figures.e2e is None and figures.choice_load is None:
        return
    print("\n4. Consent to effect: from the 202 of POST /v1/consents to the choice's recorded_at")
    if figures.idle_choices is not None:
        print(_choices_line("idle pipeline, one at a time", figures.idle_choices))
    if figures.e2e is not None and figures.e2e.choices.probes:
        print(_choices_line("during the end-to-end load (saturating)", figures.e2e.choices))
    if (at_rate := figures.choice_load) is not None:
        offered = f"at {figures.choice_load_rate:g} views/s offered"
        print(_choices_line(offered, at_rate.choices))
        print(
            f"    that load: {at_rate.load['ok']} views accepted, "
            f"{at_rate.linked_per_second:.1f} linked/s, lag 0 "
            + (
                f"{at_rate.drained_after:.1f} s after it"
                if at_rate.drained_after is not None
                else f"not reached ({at_rate.lag_left} waiting)"
            )
        )


def _memory(figures: Figures) -> None:
    print("\n5. Peak RSS while the bench ran (VmRSS, sampled every 0.5 s)")
    for name, peak in sorted(figures.memory.items(), key=lambda item: -item[1]):
        print(f"  {name:<42} {peak:7.0f} MB")


def _targets(figures: Figures) -> None:
    print("\nTargets (issue 10)")
    verdicts: list[tuple[bool | None, str, str]] = []

    def check(ok: bool | None, target: str, measured: str) -> None:
        verdicts.append((ok, target, measured))

    target = "gateway ingest >= 0.9x litestar+aiokafka (services paused for both)"
    if (kafka := kafka_baseline(figures)) is not None:
        ratio = _req_s(figures, GATEWAY) / max(1e-9, kafka)
        check(ratio >= 0.9, target, f"{ratio:.2f}x")
    else:
        check(None, target, "baselines not measured")
    if (e2e := figures.e2e) is not None:
        long_enough = figures.e2e_duration >= 60
        short = "" if long_enough else f" (load of {figures.e2e_duration:g} s, not 60)"
        rate = e2e.linked_per_second
        check(
            rate >= 1000 and long_enough,
            ">= 1000 linked views/s sustained 60 s",
            f"{rate:.1f}/s{short}",
        )
    if (at_rate := figures.choice_load) is not None:
        drained = at_rate.drained_after
        long_enough = figures.choice_load_duration >= 60
        check(
            drained is not None and drained <= 5 and long_enough,
            "lag 0 within 5 s after the load stops",
            (f"{drained:.1f} s" if drained is not None else f"{at_rate.lag_left} still waiting")
            + f" after {figures.choice_load_duration:g} s at {figures.choice_load_rate:g} views/s",
        )
    if (contact := figures.contact) is not None:
        rate = contact.stored_per_second
        check(
            rate >= 500 and contact.all_stored, ">= 500 contact messages/s stored", f"{rate:.1f}/s"
        )
    if SERVING in figures.ingest:
        gateway_open = figures.ingest[SERVING][1]  # latency as the system runs
        refused = gateway_open["requests"] - gateway_open["ok"]
        p99 = gateway_open["p99_ms"]
        check(
            p99 is not None and p99 < 50 and not refused,
            f"p99 < 50 ms at {figures.rate:g} req/s (services consuming)",
            f"{_ms(p99)} ms" + (f", {refused} not accepted" if refused else ""),
        )
    if (at_rate := figures.choice_load) is not None:
        effects = at_rate.choices
        p99 = _percentile(effects.latencies_ms, 0.99)
        timely = not effects.has_recorded_at or (
            p99 is not None and p99 < 100 and not effects.unrecorded
        )
        check(
            timely and 0 < effects.governed == effects.probes,
            "a choice governs the next view within 100 ms p99",
            f"p99 {_ms(p99)} ms at {figures.choice_load_rate:g} views/s, "
            f"{effects.governed}/{effects.probes} next views linked",
        )
    heaviest = max(SYSTEM_PROCESSES, key=lambda name: figures.memory.get(name, 0.0))
    peak = figures.memory.get(heaviest, 0.0)
    check(
        peak < RSS_LIMIT_MB,
        f"each process RSS < {RSS_LIMIT_MB} MB",
        f"highest {heaviest} {peak:.0f} MB",
    )
    for ok, target, measured in verdicts:
        verdict = "n/a " if ok is None else "PASS" if ok else "FAIL"
        print(f"  [{verdict}] {target:<50} {measured}")
    if figures.stored_visits >= 1_000_000:
        print(f"  figures taken with {figures.stored_visits} stored visits")
    else:
        print(
            f"  taken with {figures.stored_visits} stored visits; the target wants the same "
            "figures with 1 million: --stored-visits 1000000"
        )
