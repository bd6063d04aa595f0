"""Linked page views/s end to end with one consent copy and with three, in one run.

    uv run python bench/scaling.py [--copies 3] [--e2e-duration 60] [--visitors 200] [--quick]

For each count, a system of its own as bench/pipeline.py starts it (free ports, throw-away data),
with that many consent copies in one consumer group (as `make run SCALE=consent=N`); the same
consenting visitors' page views at the same closed-loop load; linked views/s until the consent
group's lag is 0 again. The copies share the machine's cores with everything else, so on a
2-core machine more copies show the cost of coordination as much as any gain: the ratio is the
figure, and it is printed as measured.
"""

import argparse
import asyncio
import sys

from pipeline import RATE_LIMIT_PER_MINUTE, measure
from pipeline import options as pipeline_options
from pipeline_phases import note
from pipeline_system import running_system


def options() -> tuple[argparse.Namespace, int]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=3, help="consent copies to compare with one")
    own, rest = parser.parse_known_args()
    sys.argv = [sys.argv[0], "--only", "e2e", *rest]
    return pipeline_options(), own.copies


def main() -> None:
    args, copies = options()
    overrides = {"GATEWAY_RATE_LIMIT_PER_MINUTE": str(RATE_LIMIT_PER_MINUTE)}
    linked: dict[int, float] = {}
    for count in (1, copies):
        args.scale = f"consent={count}"
        note(f"end to end with {count} consent cop{'y' if count == 1 else 'ies'}")
        with running_system(overrides, scale={"consent": count}) as bench:
            figures = asyncio.run(measure(bench, args))
        assert figures.e2e is not None
        linked[count] = figures.e2e.linked_per_second
        drained = figures.e2e.drained_after
        print(
            f"consent copies {count}: {figures.e2e.load['ok']} page views accepted, "
            f"{linked[count]:.1f} linked views/s, lag 0 "
            + (f"{drained:.1f} s after the load" if drained is not None else "not reached"),
            flush=True,
        )
    print(f"{copies} copies / 1 copy = {linked[copies] / max(linked[1], 1e-9):.2f}x")


if __name__ == "__main__":
    main()
