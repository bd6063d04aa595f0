"""What sealing personal data for its readers costs per message, next to what a message costs anyway.

    uv run python bench/message_sealing.py [--messages 5000]

Seals and opens a contact message (one reader) and a subject command (two readers) with the
development keys, and prints the time per message next to a baseline measured in the same run:
serialising and validating the same envelope with pydantic, which every publish and consume does.
No servers needed: the cost is CPU, and the Kafka round trip it adds to is in contact_latency.py.
"""

import argparse
import statistics
import time
from collections.abc import Callable

from privacyhub.shared.contracts.contact import CONTACT_MESSAGE_RECEIVED, ContactMessageReceived
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.sealing import MessageKeys
from privacyhub.shared.topics import CONTACT_MESSAGES, SUBJECT_COMMANDS

ENVELOPE = Envelope[ContactMessageReceived](
    type=CONTACT_MESSAGE_RECEIVED,
    subject_id="5f0c8b5e2d8a4c1f9e7b6a3d2c1b0a99",
    payload=ContactMessageReceived(
        reference="CT-BENCH0001",
        email="bench@example.nl",
        first_name="Bench",
        last_name="Mark",
        message="Hoe lang duurt het voordat mijn vraag is opgeslagen? " * 4,
        device="Firefox 128 on Windows 10",
    ),
)


def per_message_us(work: Callable[[], object], messages: int) -> float:
    """The median of five rounds, in microseconds per message."""
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(messages):
            work()
        rounds.append((time.perf_counter() - started) / messages * 1e6)
    return statistics.median(rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    messages = parser.parse_args().messages
    gateway, contact = MessageKeys.development("gateway"), MessageKeys.development("contact")
    plain = ENVELOPE.model_dump(mode="json")
    one_reader = gateway.seal(CONTACT_MESSAGES.name, plain)
    two_readers = gateway.seal(SUBJECT_COMMANDS.name, plain)

    def baseline() -> object:
        return Envelope[ContactMessageReceived].model_validate_json(ENVELOPE.model_dump_json())

    figures = {
        "baseline: envelope to JSON and back, validated": per_message_us(baseline, messages),
        "seal for 1 reader (contact messages)": per_message_us(
            lambda: gateway.seal(CONTACT_MESSAGES.name, plain), messages
        ),
        "seal for 2 readers (subject commands)": per_message_us(
            lambda: gateway.seal(SUBJECT_COMMANDS.name, plain), messages
        ),
        "open (contact messages)": per_message_us(
            lambda: contact.open(CONTACT_MESSAGES.name, one_reader), messages
        ),
        "open one of 2 readers (subject commands)": per_message_us(
            lambda: contact.open(SUBJECT_COMMANDS.name, two_readers), messages
        ),
    }
    base = next(iter(figures.values()))
    print(f"{messages} messages per round, median of 5 rounds")
    for name, micros in figures.items():
        print(f"{name:<50} {micros:8.1f} µs/message  {micros / base:5.1f}x baseline")


if __name__ == "__main__":
    main()
