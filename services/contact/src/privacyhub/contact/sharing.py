"""Sharing contact messages with the recipients the processing register declares, and nobody else.

A stored message is disclosed to each recipient of the `contact_messages` category, with only
the fields the register names for it, on the topic the register names for it; every disclosure
is logged in `disclosures`. Subject commands are passed on to those recipients (Art. 19) they
address, cut down to what they were given, and their answers go back to the rights workflow
(partner_answers.py, which takes only answers to the commands passed on). A message whose
processing is restricted or objected to (repository.processing_stopped) is disclosed to nobody.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from privacyhub.contact.partner_answers import PassedOnCommands
from privacyhub.contact.repository import processing_stopped
from privacyhub.shared.bulk import insert_new
from privacyhub.shared.catalogue import ALL_TOPICS
from privacyhub.shared.clock import Clock
from privacyhub.shared.contracts.contact import ContactMessageReceived
from privacyhub.shared.contracts.partner import (
    RECORD_SHARED,
    RECTIFY_SHARED_RECORDS,
    PartnerMessage,
    RectifySharedRecords,
    SharedRecord,
)
from privacyhub.shared.contracts.subject import (
    RectifySubjectData,
    SubjectCommand,
    SubjectMessage,
)
from privacyhub.shared.envelope import Envelope, derived_event_id, utc_now
from privacyhub.shared.expiry import erase_before_except_held
from privacyhub.shared.owners import json_record
from privacyhub.shared.publishing import Publication
from privacyhub.shared.register import load_register
from privacyhub.shared.register.model import Recipient
from privacyhub.shared.service import ServiceRuntime
from pydantic import BaseModel, JsonValue
from pymongo.asynchronous.database import AsyncDatabase

CATEGORY = "contact_messages"
DISCLOSURES = "disclosures"
# The contact form's names for what recipients call otherwise: the e-mail address is where to reply.
RECIPIENT_NAMES = {"email": "reply_to"}


class UndeclaredRecipient(Exception):
    """Nothing goes to a recipient the processing register does not declare."""


def shareable_record(message: ContactMessageReceived) -> dict[str, JsonValue]:
    """The whole message in recipients' names; `disclose` picks the few fields a recipient may have."""
    return {
        RECIPIENT_NAMES.get(name, name): value
        for name, value in message.model_dump(mode="json").items()
    }


def declared_part(recipient: Recipient, record: dict[str, JsonValue]) -> SharedRecord:
    """Exactly the recipient's declared fields of the record; a declared field the record lacks is an error."""
    if missing := set(recipient.fields) - set(record):
        raise ValueError(f"recipient {recipient.id} is declared fields the record lacks: {missing}")
    return SharedRecord(**{name: record[name] for name in recipient.fields})


def passed_on_command(
    recipient: Recipient, command_type: str, command: Any
) -> tuple[str, BaseModel]:
    """The command as the recipient gets it: no visitor ids, corrections only of fields it holds."""
    if isinstance(command, RectifySubjectData):
        renamed = {
            RECIPIENT_NAMES.get(name, name): value for name, value in command.corrections.items()
        }
        return RECTIFY_SHARED_RECORDS, RectifySharedRecords(
            request_id=command.request_id,
            corrections={
                name: value for name, value in renamed.items() if name in recipient.fields
            },
            new_subject_id=command.new_subject_id,
        )
    return command_type, command.model_copy(update={"visitor_ids": []})


@dataclass(frozen=True)
class Disclosure:
    """What goes to one recipient of one message: its declared fields, on its topic."""

    recipient: Recipient
    reference: str
    shared: Envelope[PartnerMessage]
    publisher: Any


class Disclosures:
    """The log of what went to whom: recipient, reference, subject, field names and time; never the data."""

    def __init__(self, db: AsyncDatabase) -> None:
        self._collection = db[DISCLOSURES]

    async def ensure_indexes(self) -> None:
        await self._collection.create_index("reference")
        await self._collection.create_index("disclosed_at")

    async def record_all(self, disclosures: Sequence["Disclosure"]) -> None:
        """Log disclosures in one bulk, each once, under the id of the message that carried it."""
        await insert_new(
            self._collection,
            [
                {
                    "_id": str(disclosure.shared.event_id),
                    "recipient": disclosure.recipient.id,
                    "reference": disclosure.reference,
                    "subject_id": disclosure.shared.subject_id,
                    "fields": sorted(disclosure.recipient.fields),
                    "disclosed_at": disclosure.shared.occurred_at,
                }
                for disclosure in disclosures
            ],
        )

    async def erase_disclosed_before(self, cutoff: datetime, *, held: list[str]) -> tuple[int, int]:
        """Delete the disclosures made before `cutoff`, except of the `held` subjects; how many went and were kept."""
        return await erase_before_except_held(self._collection, "disclosed_at", cutoff, held=held)

    async def of_references(self, references: Iterable[str]) -> list[dict[str, Any]]:
        cursor = self._collection.find({"reference": {"$in": list(references)}}).sort(
            "disclosed_at", 1
        )
        return [document async for document in cursor]


class Sharing:
    """Disclosure to the declared recipients of contact messages, and Art. 19 towards them."""

    def __init__(
        self,
        runtime: ServiceRuntime,
        disclosures: Disclosures,
        passed_on: PassedOnCommands,
        *,
        clock: Clock = utc_now,
    ) -> None:
        """`clock` dates the disclosures; tests may pass one they control."""
        self._register = load_register()
        self._clock = clock
        self._disclosures = disclosures
        self._passed_on = passed_on
        self._publish_in_order = runtime.publish_in_order
        self.recipients = self._register.recipients_of(CATEGORY)
        topics = {topic.name: topic for topic in ALL_TOPICS}
        self._topics = {
            recipient.topic: runtime.publisher(topics[recipient.topic])
            for recipient in self.recipients
        }

    async def disclose(
        self, recipient_id: str, message: Envelope[ContactMessageReceived]
    ) -> Envelope[PartnerMessage]:
        """Send one recipient its declared fields of a stored message, and log it; refuses undeclared recipients."""
        try:
            recipient = self._register.recipient(recipient_id)
        except KeyError as undeclared:
            raise UndeclaredRecipient(recipient_id) from undeclared
        if recipient not in self.recipients:
            raise UndeclaredRecipient(f"{recipient_id} is not a recipient of {CATEGORY}")
        disclosure = self._disclosure(recipient, message)
        await self.send([disclosure])
        return disclosure.shared

    def disclosures_of(
        self, message: Envelope[ContactMessageReceived], stored: dict[str, Any]
    ) -> list[Disclosure]:
        """What every declared recipient is to get of the message; nothing when its `stored`
        document stops processing (restricted, objected to)."""
        if processing_stopped(stored):
            return []
        return [self._disclosure(recipient, message) for recipient in self.recipients]

    async def send(
        self, disclosures: Sequence[Disclosure], *, along: Iterable[Publication] = ()
    ) -> None:
        """Publish the disclosures, and `along` with them the batch's other publications, all
        at once; log the disclosures once Kafka has acknowledged every one."""
        await self._publish_in_order([*along, *((d.publisher, d.shared) for d in disclosures)])
        await self._disclosures.record_all(disclosures)

    async def disclose_to_recipients(
        self, message: Envelope[ContactMessageReceived], stored: dict[str, Any]
    ) -> None:
        """Disclose the message to every declared recipient, unless its `stored` document stops processing."""
        await self.send(self.disclosures_of(message, stored))

    def _disclosure(
        self, recipient: Recipient, message: Envelope[ContactMessageReceived]
    ) -> Disclosure:
        part = declared_part(recipient, shareable_record(message.payload))
        shared = Envelope[PartnerMessage](
            event_id=derived_event_id(message.event_id, f"{recipient.id}:{RECORD_SHARED}"),
            type=RECORD_SHARED,
            occurred_at=self._clock(),
            subject_id=message.subject_id,
            correlation_id=message.correlation_id,
            payload=PartnerMessage.model_validate(part.model_dump(mode="json")),
        )
        return Disclosure(
            recipient=recipient,
            reference=message.payload.reference,
            shared=shared,
            publisher=self._topics[recipient.topic],
        )

    async def with_disclosures(
        self, records: list[dict[str, JsonValue]]
    ) -> list[dict[str, JsonValue]]:
        """Exported messages, each naming the recipients it went to, why, where and when (Art. 15(1)(c))."""
        found = await self._disclosures.of_references(str(r["reference"]) for r in records)
        recipients = {recipient.id: recipient for recipient in self._register.recipients}
        disclosed: dict[str, list[JsonValue]] = {}
        for disclosure in found:
            recipient = recipients[disclosure["recipient"]]
            disclosed.setdefault(disclosure["reference"], []).append(
                json_record(
                    {
                        "recipient": recipient.name,
                        "purpose": recipient.purpose,
                        "location": recipient.location,
                        "agreement_reference": recipient.agreement_reference,
                        "fields": disclosure["fields"],
                        "disclosed_at": disclosure["disclosed_at"],
                    }
                )
            )
        return [
            record | {"disclosures": disclosed.get(str(record["reference"]), [])}
            for record in records
        ]

    async def pass_on(self, envelope: Envelope[SubjectMessage], command: SubjectCommand) -> None:
        """Hand a subject command to every recipient it addresses (Art. 19), before acting on it here."""
        for recipient in self.recipients:
            if not command.addresses(recipient.id):
                continue
            command_type, given = passed_on_command(recipient, envelope.type, command)
            forwarded = Envelope[PartnerMessage](
                event_id=derived_event_id(envelope.event_id, f"{recipient.id}:{command_type}"),
                type=command_type,
                subject_id=envelope.subject_id,
                correlation_id=envelope.correlation_id,
                payload=PartnerMessage.model_validate(given.model_dump(mode="json")),
            )
            await self._passed_on.record(recipient.id, forwarded)
            await self._topics[recipient.topic].publish(forwarded, key=forwarded.partition_key)
