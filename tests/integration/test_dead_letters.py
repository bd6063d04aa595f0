"""An operator lists what the services parked, without personal data, and replays it once fixed.

A consent choice names a statement version the consent service does not know yet, so it is
parked; once that version is published, the replay records the choice, and a second replay of
the same letter records nothing more. A message a handler makes that Kafka cannot take parks its
input as too large, counted and logged as critical. Real Kafka and MongoDB-protocol server.
"""

import logging
import uuid
from datetime import date

import pytest
from privacyhub.consent.consents import HISTORY
from privacyhub.consent.settings import ConsentSettings
from privacyhub.consent.statements import COLLECTION as STATEMENTS
from privacyhub.shared import dead_letter
from privacyhub.shared.contracts.consent import (
    CONSENT_GIVEN,
    ConsentGiven,
    ConsentSource,
    Purposes,
)
from privacyhub.shared.contracts.statement import (
    STATEMENT_PUBLISHED,
    StatementVersion,
    text_sha256,
)
from privacyhub.shared.dead_letters import ParkedLetter, UnknownLetters, parked_letters, replay
from privacyhub.shared.dead_letters import command as operator_command
from privacyhub.shared.envelope import Envelope, utc_now
from privacyhub.shared.queries import QUERY, Query
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import (
    CONSENT_CHOICES,
    CONSENT_QUERIES,
    DEAD_LETTER,
    GATEWAY_REPLIES,
    STATEMENT_VERSIONS,
)
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.copies import from_now_on, separate_copy
from tests.support.endpoints import Endpoints
from tests.support.kafka import collect_until, publish_message
from tests.support.services import service_settings
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("consent_service")]


def choice_under(version: str, visitor: str) -> Envelope[ConsentGiven]:
    return Envelope[ConsentGiven](
        type=CONSENT_GIVEN,
        subject_id=visitor,
        payload=ConsentGiven(
            consent_id=str(uuid.uuid4()),
            visitor_id=visitor,
            purposes=Purposes(analytics=True, marketing=False),
            statement_version=version,
            source=ConsentSource.API,
            given_at=utc_now(),
        ),
    )


def old_minor_version(version: str) -> Envelope[StatementVersion]:
    """Published long ago and not material: it becomes no one's current statement."""
    text = f"Privacyverklaring {version}"
    return Envelope[StatementVersion](
        type=STATEMENT_PUBLISHED,
        subject_id="statement",
        payload=StatementVersion(
            version=version,
            published_on=date(2001, 1, 1),
            language="nl",
            sha256=text_sha256(text),
            material=False,
            text=text,
        ),
    )


async def publish(endpoints: Endpoints, topic: str, envelope: Envelope) -> None:
    await publish_message(
        endpoints.kafka_bootstrap_servers,
        topic,
        envelope.model_dump_json().encode(),
        key=envelope.partition_key,
    )


async def letter_of(endpoints: Endpoints, visitor_id: str) -> ParkedLetter:
    """The letter that parked the visitor's choice; found by its key, which only a test may read."""

    async def parked() -> ParkedLetter | None:
        letters = await parked_letters(endpoints.kafka_bootstrap_servers, {})
        return next((p for p in letters if p.letter.key == visitor_id), None)

    return await eventually(parked, what="the choice to be parked")


async def test_a_parked_choice_is_listed_without_personal_data_and_replayed_once_fixed(
    endpoints: Endpoints, consent_db: AsyncDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    version, visitor = f"0.{uuid.uuid4().int % 10**9}", f"v-{uuid.uuid4().hex}"
    choice = choice_under(version, visitor)
    await publish(endpoints, CONSENT_CHOICES.name, choice)
    parked = await letter_of(endpoints, visitor)

    assert await operator_command(["list", "--json"], endpoints.kafka_bootstrap_servers, {}) == 0
    listed = capsys.readouterr().out
    summary = parked.summary()
    assert (summary["type"], summary["source_topic"]) == (CONSENT_GIVEN, CONSENT_CHOICES.name)
    assert summary["reason"] == "consent refers to an unknown statement version"
    assert summary["parked_by"] == "consent"
    assert f'"letter": "{parked.letter_id}"' in listed
    for personal in (visitor, choice.payload.consent_id, parked.letter.original):
        assert personal not in listed

    await publish(endpoints, STATEMENT_VERSIONS.name, old_minor_version(version))
    await eventually(
        lambda: consent_db[STATEMENTS].find_one({"_id": version}), what="the version to be kept"
    )
    for _ in range(2):
        replayed = await replay(endpoints.kafka_bootstrap_servers, {}, [parked.letter_id])
        assert [r.letter_id for r in replayed] == [parked.letter_id]

    recorded = {"_id": choice.payload.consent_id}
    await eventually(
        lambda: consent_db[HISTORY].find_one(recorded), what="the replayed choice to be recorded"
    )
    # A later choice of the visitor comes after both replays on their partition.
    await publish(endpoints, CONSENT_CHOICES.name, later := choice_under("2.1", visitor))
    await eventually(
        lambda: consent_db[HISTORY].find_one({"_id": later.payload.consent_id}),
        what="a later choice to be recorded",
    )
    assert await consent_db[HISTORY].count_documents(recorded) == 1


async def test_an_unknown_letter_is_refused_naming_it(endpoints: Endpoints) -> None:
    with pytest.raises(UnknownLetters, match="no dead letter 0:999999999"):
        await replay(endpoints.kafka_bootstrap_servers, {}, ["0:999999999"])


async def test_a_message_too_large_for_kafka_is_parked_counted_and_logged_as_critical(
    endpoints: Endpoints,
) -> None:
    """A handler whose message Kafka cannot take is a bug ops must hear of: its input is parked
    with a reason of its own, counted as too_large and logged as critical, not retried for ever."""
    settings = separate_copy(service_settings(ConsentSettings, endpoints, "consent"), "too-large")
    await from_now_on(endpoints.kafka_bootstrap_servers, settings, "consent")
    runtime = ServiceRuntime(settings, name="consent")
    levels: list[int] = []
    listener = logging.Handler()
    listener.emit = lambda record: levels.append(record.levelno)  # type: ignore[method-assign]
    logging.getLogger(dead_letter.__name__).addHandler(listener)

    @runtime.subscriber(CONSENT_QUERIES)
    async def answer_too_much(envelope: Envelope[Query]) -> None:
        oversized = {"type": "QueryAnswered", "payload": "x" * (2 * 1024 * 1024)}
        await runtime.broker.publish(oversized, GATEWAY_REPLIES.name, key=b"too-large")

    question = Envelope[Query](
        type=QUERY, subject_id=f"v-{uuid.uuid4().hex}", payload=Query(name="consents")
    )
    try:
        async with runtime.running():
            await publish(endpoints, CONSENT_QUERIES.name, question)
            letters = await collect_until(
                endpoints.kafka_bootstrap_servers,
                DEAD_LETTER.name,
                lambda letter: str(question.event_id) in letter["original"],
            )
    finally:
        logging.getLogger(dead_letter.__name__).removeHandler(listener)
        await runtime.mongo.close()

    assert letters[-1]["reason"] == dead_letter.TOO_LARGE
    assert letters[-1]["parked_by"] == "consent"
    parked = runtime.registry.get_sample_value(
        "privacyhub_dead_letters_total", {"kind": "too_large"}
    )
    assert parked == 1
    assert logging.CRITICAL in levels
