"""Command line: ``python -m privacyhub.localinfra up|provision|run|dead-letters``.

``up`` starts Kafka and FerretDB, prints ``KAFKA_BOOTSTRAP_SERVERS=...`` and
``MONGODB_URL=...`` on stdout, runs until SIGINT/SIGTERM (or until a server
dies, exiting 1) and then stops both. ``provision`` only downloads and builds.
``run --secured`` (or ``PRIVACYHUB_KAFKA_SECURED=1``) runs the local broker
with SASL/SCRAM logins and ACLs. ``dead-letters list|replay`` lists or replays
the dead letters of that broker, logged in as the operator.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from . import system
from .infra import LocalInfra
from .signals import StopRequest

log = logging.getLogger("privacyhub.localinfra")

# Whether `run` starts the local broker with logins and ACLs unless told otherwise.
KAFKA_SECURED_BY_DEFAULT = True
SECURED_VARIABLE = "PRIVACYHUB_KAFKA_SECURED"


def _secured_by_default() -> bool:
    value = os.environ.get(SECURED_VARIABLE)
    if value is None:
        return KAFKA_SECURED_BY_DEFAULT
    return value.strip().lower() in ("1", "true", "yes", "on")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m privacyhub.localinfra", description=__doc__.split("\n")[0]
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start Kafka and FerretDB in the foreground")
    up.add_argument("--kafka-port", type=int, default=9092)
    up.add_argument("--kafka-controller-port", type=int, default=9093)
    up.add_argument("--mongo-port", type=int, default=27017)
    up.add_argument(
        "--root",
        type=Path,
        default=None,
        help="directory whose .local/data holds the data",
    )
    commands.add_parser("provision", help="only download and build (cached)")
    run = commands.add_parser(
        "run",
        help="the whole system in the foreground: servers (unless KAFKA_BOOTSTRAP_SERVERS "
        "and MONGODB_URL are set), topics, the gateway and all services",
    )
    run.add_argument(
        "--secured",
        action=argparse.BooleanOptionalAction,
        default=_secured_by_default(),
        help="local Kafka with SASL/SCRAM logins and ACLs; every process logs in as its "
        f"own principal (default from {SECURED_VARIABLE}, else {KAFKA_SECURED_BY_DEFAULT})",
    )
    run.add_argument(
        "--scale",
        default=os.environ.get("SCALE", ""),
        help="copies per process, e.g. consent=3,contact=2 (default from SCALE); the copies of "
        "a process share its consumer group",
    )
    run.add_argument(
        "--root",
        type=Path,
        default=None,
        help="directory whose .local/data holds the data (default: the checkout), so a second "
        "system can run beside the first",
    )
    dead_letters = commands.add_parser(
        "dead-letters",
        help="list or replay the dead letters of the local broker, logged in as the operator "
        "(`dead-letters -- --help` says how)",
    )
    dead_letters.add_argument("arguments", nargs=argparse.REMAINDER)
    return parser


def _dead_letters(arguments: list[str]) -> int:
    """privacyhub-dead-letters against the broker `run` started, or the configured one."""
    from privacyhub.shared import dead_letters  # only this command needs privacyhub-shared

    arguments = arguments[1:] if arguments[:1] == ["--"] else arguments
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        return dead_letters.main_with_environment(arguments)
    kafka = system.local_infra(secured=_secured_by_default()).kafka
    options = kafka.client_options("operator") if kafka.credentials_file.exists() else {}
    return asyncio.run(dead_letters.command(arguments, kafka.bootstrap_servers, options))


def _up(args: argparse.Namespace) -> int:
    stop = StopRequest()
    infra = LocalInfra(args.root, args.kafka_port, args.kafka_controller_port, args.mongo_port)
    try:
        infra.start()
    except KeyboardInterrupt:
        return 130
    stop.started()
    exit_code = 0
    try:
        print(f"KAFKA_BOOTSTRAP_SERVERS={infra.kafka.bootstrap_servers}", flush=True)
        print(f"MONGODB_URL={infra.mongo.url}", flush=True)
        log.info("Kafka and FerretDB are up; Ctrl-C or SIGTERM stops them")
        while not stop.wait(1.0):
            if not (infra.kafka.is_running() and infra.mongo.is_running()):
                log.error("a server exited unexpectedly; stopping the other")
                exit_code = 1
                break
    finally:
        infra.stop()
    return exit_code


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the process exit code."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        if args.command == "provision":
            LocalInfra().provision()
            return 0
        if args.command == "dead-letters":
            return _dead_letters(args.arguments)
        if args.command == "run":
            if os.environ.get("KAFKA_BOOTSTRAP_SERVERS") and os.environ.get("MONGODB_URL"):
                if args.secured:
                    log.info(
                        "using the configured servers; --secured applies to the local broker only"
                    )
                return system.run(None, args.root, system.parse_scale(args.scale))
            infra = system.local_infra(secured=args.secured, root=args.root)
            return system.run(infra, args.root, system.parse_scale(args.scale))
        return _up(args)
    except RuntimeError as exc:  # tool missing, port in use, server failed: say why, no traceback
        log.error("%s", exc)
        return 1
