"""The operator's view of the dead-letter topic: what was parked, and putting it back once fixed.

    privacyhub-dead-letters list [--source-topic TOPIC] [--json]
    privacyhub-dead-letters replay LETTER [LETTER ...]

It logs in as the `operator` principal (kafka_access.py), which may read the dead-letter topic
and write the topics the services consume, nothing else, and holds no message keys. A letter is
named `partition:offset` on the dead-letter topic and listed with when and by which process it
was parked, its source topic, the message type and the reason: never its key or its content (the
reasons name fields, never values; dead_letter.py). A replay puts the original bytes back on
their source topic under their key, so a sealed message stays sealed for its reader; the
consumers' idempotency by event id makes a second replay, or the replay of a message that was
processed after all, change nothing.
"""

import argparse
import asyncio
import json
import sys
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from privacyhub.shared.dead_letter import DeadLetter
from privacyhub.shared.kafka_access import OPERATOR
from privacyhub.shared.kafka_login import kafka_client_options
from privacyhub.shared.settings import CommonSettings
from privacyhub.shared.topics import DEAD_LETTER

REPLAY_TARGETS = frozenset(topic.name for topic in OPERATOR.writes)
FETCH_TIMEOUT_MS = 500


@dataclass(frozen=True)
class ParkedLetter:
    partition: int
    offset: int
    letter: DeadLetter

    @property
    def letter_id(self) -> str:
        return f"{self.partition}:{self.offset}"

    @property
    def message_type(self) -> str | None:
        """The envelope's type, a routing field that stays in clear on sealed topics too."""
        try:
            message = json.loads(self.letter.original)
        except ValueError:
            return None
        kind = message.get("type") if isinstance(message, dict) else None
        return kind if isinstance(kind, str) else None

    def summary(self) -> dict[str, Any]:
        """What the operator may see: no key, no content."""
        return {
            "letter": self.letter_id,
            "failed_at": self.letter.failed_at.isoformat(),
            "parked_by": self.letter.parked_by,
            "source_topic": self.letter.source_topic,
            "type": self.message_type,
            "reason": self.letter.reason,
        }


class UnknownLetters(ValueError):
    pass


async def parked_letters(
    bootstrap_servers: str, client_options: Mapping[str, Any]
) -> list[ParkedLetter]:
    """Every letter on the dead-letter topic up to its end when asked, oldest first.

    Read without a consumer group (the operator commits nothing), so listing twice lists the same.
    """
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, enable_auto_commit=False, **client_options
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(DEAD_LETTER.name, p) for p in range(DEAD_LETTER.partitions)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        letters: list[ParkedLetter] = []
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            batches = await consumer.getmany(*partitions, timeout_ms=FETCH_TIMEOUT_MS)
            for tp, records in batches.items():
                letters += [
                    ParkedLetter(tp.partition, r.offset, DeadLetter.model_validate_json(r.value))
                    for r in records
                    if r.offset < ends[tp]
                ]
    finally:
        await consumer.stop()
    return sorted(letters, key=lambda parked: parked.letter.failed_at)


async def replay(
    bootstrap_servers: str, client_options: Mapping[str, Any], letter_ids: Collection[str]
) -> list[ParkedLetter]:
    """Publish the named letters' originals on their source topics; the letters replayed.

    Nothing is published when a letter is unknown or came from a topic no service consumes.
    """
    letters = {
        parked.letter_id: parked
        for parked in await parked_letters(bootstrap_servers, client_options)
    }
    if unknown := sorted(set(letter_ids) - letters.keys()):
        raise UnknownLetters(f"no dead letter {', '.join(unknown)}")
    chosen = [letters[letter_id] for letter_id in letter_ids]
    if foreign := sorted({p.letter.source_topic for p in chosen} - REPLAY_TARGETS):
        raise UnknownLetters(f"no service consumes {', '.join(foreign)}: nothing to replay to")
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        acks="all",
        enable_idempotence=True,
        **client_options,
    )
    await producer.start()
    try:
        sent = [
            await producer.send(
                parked.letter.source_topic,
                parked.letter.original.encode(),
                key=parked.letter.key.encode() if parked.letter.key else None,
                headers=[
                    ("content-type", b"application/json"),
                    ("replayed_from", f"{DEAD_LETTER.name}:{parked.letter_id}".encode()),
                ],
            )
            for parked in chosen
        ]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()
    return chosen


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="privacyhub-dead-letters", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="the parked messages, oldest first")
    listing.add_argument("--source-topic", help="only the letters that came from this topic")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    again = commands.add_parser("replay", help="put parked messages back on their source topic")
    again.add_argument("letters", nargs="+", metavar="LETTER", help="partition:offset, as listed")
    return parser


async def command(
    argv: Sequence[str], bootstrap_servers: str, client_options: Mapping[str, Any]
) -> int:
    """The command line against a broker; the exit code."""
    args = _parser().parse_args(argv)
    if args.command == "replay":
        try:
            replayed = await replay(bootstrap_servers, client_options, args.letters)
        except UnknownLetters as error:
            print(f"privacyhub-dead-letters: {error}", file=sys.stderr)
            return 2
        for parked in replayed:
            print(f"replayed {parked.letter_id} to {parked.letter.source_topic}")
        return 0
    letters = await parked_letters(bootstrap_servers, client_options)
    shown = [p for p in letters if args.source_topic in (None, p.letter.source_topic)]
    for parked in shown:
        summary = parked.summary()
        if args.json:
            print(json.dumps(summary))
        else:
            print("  ".join(str(summary[field] or "-") for field in summary))
    if not args.json:
        print(f"{len(shown)} dead letters", file=sys.stderr)
    return 0


def main_with_environment(argv: Sequence[str]) -> int:
    """Against the broker and with the Kafka login of the environment (the operator's)."""
    settings = CommonSettings()
    options = kafka_client_options(settings)
    return asyncio.run(command(argv, settings.kafka_bootstrap_servers, options))


def main() -> None:
    """`privacyhub-dead-letters`."""
    sys.exit(main_with_environment(sys.argv[1:]))
