"""Every message the platform sends, declared once: its type, payload, topic, key, publishers and
readers. Retention and whether it carries personal data are its topic's (topics.py, from the
processing register).

Derived from here: the topics that exist (`ALL_TOPICS`: those the messages travel on, and
the dead letters), the Kafka ACLs (kafka_access.py) and so whom a payload is sealed for
(sealing.py); which payload an envelope type is read into (`contracts`); what each process may
declare as a publication or a subscription (`ServiceRuntime`), and so the AsyncAPI document.
The dead-letter topic carries no message of its own: every process parks what it cannot process
there, in the shape of the message it came as (dead_letter.py).
"""

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from privacyhub.shared.contracts.access_log import STAFF_DATA_READ, StaffDataRead
from privacyhub.shared.contracts.complaints import COMPLAINT_RECEIVED, ComplaintReceived
from privacyhub.shared.contracts.consent import (
    CONSENT_GIVEN,
    PAGE_VIEWED,
    VISITOR_STATE_CHANGED,
    ConsentGiven,
    PageViewed,
    VisitorStateChanged,
)
from privacyhub.shared.contracts.contact import (
    CONTACT_MESSAGE_ANSWERED,
    CONTACT_MESSAGE_RECEIVED,
    CONTACT_MESSAGE_STORED,
    MARK_CONTACT_ANSWERED,
    ContactMessageAnswered,
    ContactMessageReceived,
    ContactMessageStored,
    MarkContactAnswered,
)
from privacyhub.shared.contracts.partner import (
    RECORD_SHARED,
    RECTIFY_SHARED_RECORDS,
    RectifySharedRecords,
    SharedRecord,
)
from privacyhub.shared.contracts.retention import (
    ERASE_EXPIRED_RECORDS,
    EXPIRED_RECORDS_ERASED,
    LEGAL_HOLD_LIFTED,
    LEGAL_HOLD_PLACED,
    LIFT_LEGAL_HOLD,
    MARK_CUSTOMER_ENDED,
    PLACE_LEGAL_HOLD,
    EraseExpiredRecords,
    ExpiredRecordsErased,
    LegalHoldLifted,
    LegalHoldPlaced,
    LiftLegalHold,
    MarkCustomerEnded,
    PlaceLegalHold,
)
from privacyhub.shared.contracts.rights import (
    RIGHTS_REQUEST_RECEIVED,
    RIGHTS_REQUEST_VERIFIED,
    RightsRequestReceived,
    RightsRequestVerified,
)
from privacyhub.shared.contracts.statement import STATEMENT_PUBLISHED, StatementVersion
from privacyhub.shared.contracts.subject import (
    ERASE_SUBJECT_DATA,
    EXPORT_SUBJECT_DATA,
    LIFT_RESTRICTION,
    OBJECT_TO_PROCESSING,
    RECTIFY_SUBJECT_DATA,
    RESTRICT_PROCESSING,
    SUBJECT_DATA_ERASED,
    SUBJECT_DATA_EXPORTED,
    SUBJECT_PROCESSING_CHANGED,
    WITHDRAW_CONSENTS,
    EraseSubjectData,
    ExportSubjectData,
    LiftRestriction,
    ObjectToProcessing,
    RectifySubjectData,
    RestrictProcessing,
    SubjectDataErased,
    SubjectDataExported,
    SubjectProcessingChanged,
    WithdrawConsents,
)
from privacyhub.shared.queries import COMMAND, QUERY, REPLY, Command, Query, Reply
from privacyhub.shared.topics import (
    COMPLAINTS,
    CONSENT_CHOICES,
    CONSENT_QUERIES,
    CONTACT_COMMANDS,
    CONTACT_LIFECYCLE,
    CONTACT_MESSAGES,
    CONTACT_QUERIES,
    DEAD_LETTER,
    GATEWAY_REPLIES,
    PAGE_VIEWS,
    PARTNER_RESULTS,
    PARTNER_SUPPORT,
    REQUESTS_COMMANDS,
    REQUESTS_LIFECYCLE,
    REQUESTS_QUERIES,
    RETENTION_COMMANDS,
    RETENTION_EXPIRY,
    RETENTION_EXPIRY_RECEIPTS,
    RETENTION_HOLDS,
    RETENTION_QUERIES,
    RIGHTS_REQUESTS,
    STAFF_ACCESS_LOG,
    STATEMENT_VERSIONS,
    SUBJECT_COMMANDS,
    SUBJECT_EXPORTS,
    SUBJECT_RESULTS,
    TopicSpec,
)
from pydantic import BaseModel


class Process(StrEnum):
    """A process that publishes or reads messages; also its Kafka login and message-key owner."""

    GATEWAY = "gateway"
    CONSENT = "consent"
    CONTACT = "contact"
    REQUESTS = "requests"
    RETENTION = "retention"
    PARTNER_SUPPORT = "partner-support"


class Key(StrEnum):
    """What a message's `subject_id`, and so its Kafka key, is: one key's messages stay in order."""

    SUBJECT = "the pseudonymous data subject (HMAC of the e-mail address)"
    VISITOR = "the visitor id"
    REFERENCE = "the contact message's reference"
    HOLD = "the legal hold's id"
    CATEGORY = "the data category that expires"
    STATEMENT = "the privacy statement (one key: versions stay in order)"
    QUERIED = "what the query or command is about, or a fixed key for a whole list"


@dataclass(frozen=True)
class Message:
    type: str
    payload: type[BaseModel]
    topic: TopicSpec
    key: Key
    publishers: tuple[Process, ...]
    readers: tuple[Process, ...]


GATEWAY, CONSENT, CONTACT = Process.GATEWAY, Process.CONSENT, Process.CONTACT
REQUESTS, RETENTION, PARTNER = Process.REQUESTS, Process.RETENTION, Process.PARTNER_SUPPORT
_OWNER_PROCESSES = (CONSENT, CONTACT)
_EXPIRING_PROCESSES = (CONSENT, CONTACT, REQUESTS)


def _messages(
    topic: TopicSpec,
    key: Key,
    kinds: Iterable[tuple[str, type[BaseModel]]],
    *,
    publishers: tuple[Process, ...],
    readers: tuple[Process, ...],
) -> tuple[Message, ...]:
    return tuple(Message(t, payload, topic, key, publishers, readers) for t, payload in kinds)


_SUBJECT_COMMANDS = (  # the erasure first
    (ERASE_SUBJECT_DATA, EraseSubjectData),
    (EXPORT_SUBJECT_DATA, ExportSubjectData),
    (RECTIFY_SUBJECT_DATA, RectifySubjectData),
    (RESTRICT_PROCESSING, RestrictProcessing),
    (LIFT_RESTRICTION, LiftRestriction),
    (OBJECT_TO_PROCESSING, ObjectToProcessing),
    (WITHDRAW_CONSENTS, WithdrawConsents),
)
_RECEIPTS = (
    (SUBJECT_DATA_ERASED, SubjectDataErased),
    (SUBJECT_PROCESSING_CHANGED, SubjectProcessingChanged),
)
_EXPORT = ((SUBJECT_DATA_EXPORTED, SubjectDataExported),)
# A recipient is given rectifications in its own field names, not the owners' command.
_PARTNER_COMMANDS = tuple(
    (RECTIFY_SHARED_RECORDS, RectifySharedRecords)
    if kind == RECTIFY_SUBJECT_DATA
    else (kind, payload)
    for kind, payload in _SUBJECT_COMMANDS
)


CATALOGUE: tuple[Message, ...] = (
    # The website, through the gateway.
    *_messages(
        CONTACT_MESSAGES,
        Key.SUBJECT,
        [(CONTACT_MESSAGE_RECEIVED, ContactMessageReceived)],
        publishers=(GATEWAY,),
        readers=(CONTACT,),
    ),
    *_messages(
        PAGE_VIEWS,
        Key.VISITOR,
        [(PAGE_VIEWED, PageViewed)],
        publishers=(GATEWAY,),
        readers=(CONSENT,),
    ),
    *_messages(
        CONSENT_CHOICES,
        Key.VISITOR,
        [(CONSENT_GIVEN, ConsentGiven)],
        publishers=(GATEWAY,),
        readers=(CONSENT,),
    ),
    # The copy of the consent service that holds a visitor hears that a rights request changed it.
    *_messages(
        CONSENT_CHOICES,
        Key.VISITOR,
        [(VISITOR_STATE_CHANGED, VisitorStateChanged)],
        publishers=(CONSENT,),
        readers=(CONSENT,),
    ),
    *_messages(
        RIGHTS_REQUESTS,
        Key.SUBJECT,
        [(RIGHTS_REQUEST_RECEIVED, RightsRequestReceived)],
        publishers=(GATEWAY,),
        readers=(REQUESTS,),
    ),
    *_messages(
        COMPLAINTS,
        Key.SUBJECT,
        [(COMPLAINT_RECEIVED, ComplaintReceived)],
        publishers=(GATEWAY,),
        readers=(REQUESTS,),
    ),
    # Staff, through the gateway.
    *_messages(
        STATEMENT_VERSIONS,
        Key.STATEMENT,
        [(STATEMENT_PUBLISHED, StatementVersion)],
        publishers=(GATEWAY,),
        readers=(CONSENT,),
    ),
    *_messages(
        CONTACT_COMMANDS,
        Key.REFERENCE,
        [(MARK_CONTACT_ANSWERED, MarkContactAnswered)],
        publishers=(GATEWAY,),
        readers=(CONTACT,),
    ),
    *_messages(
        RETENTION_COMMANDS,
        Key.HOLD,
        [(PLACE_LEGAL_HOLD, PlaceLegalHold), (LIFT_LEGAL_HOLD, LiftLegalHold)],
        publishers=(GATEWAY,),
        readers=(RETENTION,),
    ),
    *_messages(
        RETENTION_COMMANDS,
        Key.SUBJECT,
        [(MARK_CUSTOMER_ENDED, MarkCustomerEnded)],
        publishers=(GATEWAY,),
        readers=(RETENTION,),
    ),
    *_messages(
        STAFF_ACCESS_LOG,
        Key.SUBJECT,
        [(STAFF_DATA_READ, StaffDataRead)],
        publishers=(GATEWAY,),
        readers=(REQUESTS,),
    ),
    # Reads: the gateway asks each owner on its query topic, every owner answers on one topic.
    *(
        message
        for topic, owner in (
            (CONSENT_QUERIES, CONSENT),
            (CONTACT_QUERIES, CONTACT),
            (REQUESTS_QUERIES, REQUESTS),
            (RETENTION_QUERIES, RETENTION),
        )
        for message in _messages(
            topic, Key.QUERIED, [(QUERY, Query)], publishers=(GATEWAY,), readers=(owner,)
        )
    ),
    # Steps a person takes on a rights request, a complaint or a breach (a decision, a code): the
    # owner's commands topic, not its queries', as a command changes what it holds.
    *_messages(
        REQUESTS_COMMANDS,
        Key.QUERIED,
        [(COMMAND, Command)],
        publishers=(GATEWAY,),
        readers=(REQUESTS,),
    ),
    *_messages(
        GATEWAY_REPLIES,
        Key.QUERIED,
        [(REPLY, Reply)],
        publishers=(CONSENT, CONTACT, REQUESTS, RETENTION),
        readers=(GATEWAY,),
    ),
    # Between the services.
    *_messages(
        CONTACT_LIFECYCLE,
        Key.SUBJECT,
        [
            (CONTACT_MESSAGE_STORED, ContactMessageStored),
            (CONTACT_MESSAGE_ANSWERED, ContactMessageAnswered),
        ],
        publishers=(CONTACT,),
        readers=(RETENTION,),
    ),
    # For partner support tools that follow verified requests; no process of the platform reads it.
    *_messages(
        REQUESTS_LIFECYCLE,
        Key.SUBJECT,
        [(RIGHTS_REQUEST_VERIFIED, RightsRequestVerified)],
        publishers=(REQUESTS,),
        readers=(),
    ),
    *_messages(
        SUBJECT_COMMANDS,
        Key.SUBJECT,
        _SUBJECT_COMMANDS[1:],
        publishers=(REQUESTS,),
        readers=_OWNER_PROCESSES,
    ),
    # An erasure also comes from retention: the end of a customer relationship starts the erasure
    # of what was kept for it.
    *_messages(
        SUBJECT_COMMANDS,
        Key.SUBJECT,
        _SUBJECT_COMMANDS[:1],
        publishers=(REQUESTS, RETENTION),
        readers=_OWNER_PROCESSES,
    ),
    *_messages(
        SUBJECT_RESULTS,
        Key.SUBJECT,
        _RECEIPTS,
        publishers=_OWNER_PROCESSES,
        readers=(REQUESTS, RETENTION),
    ),
    *_messages(
        SUBJECT_EXPORTS, Key.SUBJECT, _EXPORT, publishers=_OWNER_PROCESSES, readers=(REQUESTS,)
    ),
    # The contact service discloses to the registered partner and passes the commands on (Art. 19).
    *_messages(
        PARTNER_SUPPORT,
        Key.SUBJECT,
        [(RECORD_SHARED, SharedRecord), *_PARTNER_COMMANDS],
        publishers=(CONTACT,),
        readers=(PARTNER,),
    ),
    *_messages(
        PARTNER_RESULTS,
        Key.SUBJECT,
        (*_RECEIPTS, *_EXPORT),
        publishers=(PARTNER,),
        readers=(CONTACT,),
    ),
    *_messages(
        RETENTION_HOLDS,
        Key.HOLD,
        [(LEGAL_HOLD_PLACED, LegalHoldPlaced), (LEGAL_HOLD_LIFTED, LegalHoldLifted)],
        publishers=(RETENTION,),
        readers=_OWNER_PROCESSES,
    ),
    *_messages(
        RETENTION_EXPIRY,
        Key.CATEGORY,
        [(ERASE_EXPIRED_RECORDS, EraseExpiredRecords)],
        publishers=(RETENTION,),
        readers=_EXPIRING_PROCESSES,
    ),
    *_messages(
        RETENTION_EXPIRY_RECEIPTS,
        Key.CATEGORY,
        [(EXPIRED_RECORDS_ERASED, ExpiredRecordsErased)],
        publishers=_EXPIRING_PROCESSES,
        readers=(RETENTION,),
    ),
)


def on(*topics: TopicSpec) -> tuple[Message, ...]:
    """The messages that travel on `topics`."""
    names = {topic.name for topic in topics}
    return tuple(message for message in CATALOGUE if message.topic.name in names)


def contracts(*topics: TopicSpec) -> dict[str, type[BaseModel]]:
    """Envelope type -> payload: how a reader of `topics` reads what comes."""
    return {message.type: message.payload for message in on(*topics)}


def published_by(process: Process) -> tuple[Message, ...]:
    return tuple(message for message in CATALOGUE if process in message.publishers)


def read_by(process: Process) -> tuple[Message, ...]:
    return tuple(message for message in CATALOGUE if process in message.readers)


def topics_of(messages: Iterable[Message]) -> tuple[TopicSpec, ...]:
    """Each topic the messages travel on, once, in catalogue order."""
    return tuple({message.topic.name: message.topic for message in messages}.values())


INFRASTRUCTURE_TOPICS: tuple[TopicSpec, ...] = (DEAD_LETTER,)
"""The topics that carry no message of the catalogue: every process parks what it cannot
process on the dead letters, in the shape of the message it came as."""

ALL_TOPICS: tuple[TopicSpec, ...] = (*topics_of(CATALOGUE), *INFRASTRUCTURE_TOPICS)
"""Every topic of the platform: the topics the catalogue's messages travel on, and the
infrastructure's. Only these are created (`topics.ensure_topics`, `privacyhub-topics`), given
ACLs (kafka_access.py), sealed for (sealing.py) and made KafkaTopics (deploy/kubernetes)."""

LONGEST_RETENTION: timedelta = max(topic.retention for topic in ALL_TOPICS)
"""After this long no topic can bring a message back: its idempotency mark can go."""


class UndeclaredMessage(LookupError):
    """Code that publishes or reads what the catalogue does not declare: a bug, found at start-up."""


def declared_reading(process: Process, topic: TopicSpec) -> dict[str, type[BaseModel]]:
    """Envelope type -> payload of what `process` reads on `topic`."""
    read = {m.type: m.payload for m in on(topic) if process in m.readers}
    if not read:
        raise UndeclaredMessage(f"the catalogue declares nothing {process} reads on {topic.name}")
    return read


def declared_publishing(process: Process, topic: TopicSpec) -> tuple[type[BaseModel], ...]:
    """The payloads `process` publishes on `topic`, each once."""
    payloads = tuple(dict.fromkeys(m.payload for m in on(topic) if process in m.publishers))
    if not payloads:
        raise UndeclaredMessage(
            f"the catalogue declares nothing {process} publishes on {topic.name}"
        )
    return payloads


def governs(topic_name: str) -> bool:
    """Whether the topic is one of the platform's; a test's own topics are not checked."""
    return topic_name in _GOVERNED


@functools.cache
def types_read(process: Process, topic_name: str) -> frozenset[str]:
    """The envelope types `process` reads on the topic of that name."""
    return frozenset(
        m.type for m in CATALOGUE if m.topic.name == topic_name and process in m.readers
    )


_GOVERNED = frozenset(topic.name for topic in ALL_TOPICS)


@functools.cache  # on the gateway's request path
def topic_for(process: Process, message_type: str) -> TopicSpec:
    """The one topic on which `process` publishes messages of `message_type`."""
    topics = topics_of(m for m in published_by(process) if m.type == message_type)
    if len(topics) != 1:
        raise UndeclaredMessage(
            f"the catalogue gives {process} {len(topics)} topics for {message_type!r}, not one"
        )
    return topics[0]
