"""Sealing personal data on Kafka for the principals the ACLs let read it (shared/sealing.py)."""

import base64
import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from privacyhub.shared.catalogue import ALL_TOPICS
from privacyhub.shared.contracts.subject import SUBJECT_DATA_ERASED, SUBJECT_DATA_EXPORTED
from privacyhub.shared.kafka_access import PRINCIPALS
from privacyhub.shared.owners import answer_topic
from privacyhub.shared.sealing import (
    DATA_KEY_FORM,
    DATA_KEY_LIFETIME_SECONDS,
    KEY_ID_BYTES,
    READERS,
    SEALED_PAYLOAD,
    SUITE,
    WRAPPED_KEY_BYTES,
    MessageKeys,
    UnsealedMessage,
    development_private_key,
    format_private_key,
    format_public_keys,
)
from privacyhub.shared.settings import CommonSettings
from privacyhub.shared.topics import CONTACT_MESSAGES, PARTNER_SUPPORT, SUBJECT_COMMANDS
from pydantic import SecretStr

MESSAGE = {
    "event_id": "8c1f6a52-7f4e-4d1a-9a43-1f4f2d6e0b11",
    "type": "ContactMessageReceived",
    "subject_id": "subject-1",
    "payload": {"email": "anna@example.nl", "message": "Mijn vraag"},
}


def public_keys(**replaced: X25519PrivateKey) -> dict:
    keys = {p: development_private_key(p) for p in PRINCIPALS} | replaced
    return {p: key.public_key() for p, key in keys.items()}


def test_every_topic_with_personal_data_is_sealed_for_its_readers_and_no_other_is() -> None:
    for topic in ALL_TOPICS:
        if topic.name in READERS:
            assert topic.carries_personal_data and READERS[topic.name], topic.name
        else:
            assert not topic.carries_personal_data or topic.name.endswith("dead-letter.v1")
    assert READERS[CONTACT_MESSAGES.name] == ("contact",)
    assert READERS[PARTNER_SUPPORT.name] == ("partner-support",)
    assert set(READERS[SUBJECT_COMMANDS.name]) == {"consent", "contact"}


def test_only_the_rights_workflow_can_open_an_owners_export() -> None:
    exports = answer_topic(SUBJECT_DATA_EXPORTED).name
    assert READERS[exports] == ("requests",)
    sealed = MessageKeys.development("consent").seal(exports, MESSAGE)
    with pytest.raises(UnsealedMessage):
        MessageKeys.development("retention").open(exports, sealed)
    # The retention service still reads the receipts it acts on.
    assert "retention" in READERS[answer_topic(SUBJECT_DATA_ERASED).name]


def test_the_sealed_form_keeps_routing_readable_and_hides_the_payload() -> None:
    sealed = MessageKeys.development("gateway").seal(CONTACT_MESSAGES.name, MESSAGE)

    assert sealed["subject_id"] == "subject-1" and sealed["type"] == MESSAGE["type"]
    assert "payload" not in sealed and set(sealed[SEALED_PAYLOAD]) == {"contact"}
    copy = sealed[SEALED_PAYLOAD]["contact"]
    assert copy.startswith(DATA_KEY_FORM)
    assert b"anna@example.nl" not in base64.b64decode(copy.removeprefix(DATA_KEY_FORM))
    assert MessageKeys.development("contact").open(CONTACT_MESSAGES.name, sealed) == MESSAGE


def test_one_message_is_sealed_for_each_of_several_readers() -> None:
    sealed = MessageKeys.development("requests").seal(SUBJECT_COMMANDS.name, MESSAGE)

    for reader in ("consent", "contact"):
        assert MessageKeys.development(reader).open(SUBJECT_COMMANDS.name, sealed) == MESSAGE


@pytest.mark.parametrize(
    ("principal", "topic", "alter", "problem"),
    [
        ("partner-support", CONTACT_MESSAGES.name, lambda m: m, "not sealed for partner-support"),
        (
            "contact",
            CONTACT_MESSAGES.name,
            lambda m: {**m, "subject_id": "other"},
            "authentication",
        ),
        ("contact", SUBJECT_COMMANDS.name, lambda m: m, "authentication"),
        ("contact", CONTACT_MESSAGES.name, lambda m: {**m, SEALED_PAYLOAD: None}, "not sealed"),
    ],
    ids=["another-reader", "moved-to-another-subject", "moved-to-another-topic", "unsealed"],
)
def test_a_payload_opens_only_for_its_reader_on_its_topic_in_its_envelope(
    principal: str, topic: str, alter, problem: str
) -> None:
    sealed = MessageKeys.development("gateway").seal(CONTACT_MESSAGES.name, MESSAGE)
    if topic == SUBJECT_COMMANDS.name:  # a copy sealed for contact, replayed on another topic
        sealed = {**sealed, SEALED_PAYLOAD: {"contact": sealed[SEALED_PAYLOAD]["contact"]}}

    with pytest.raises(UnsealedMessage, match=problem):
        MessageKeys.development(principal).open(topic, alter(sealed))


def test_a_reader_that_rotated_its_key_pair_still_opens_what_was_sealed_before() -> None:
    old, new = development_private_key("contact"), X25519PrivateKey.generate()
    before = MessageKeys.development("gateway").seal(CONTACT_MESSAGES.name, MESSAGE)
    rotated_directory = public_keys(contact=new)
    after = MessageKeys("gateway", private_keys=[], public_keys=rotated_directory).seal(
        CONTACT_MESSAGES.name, MESSAGE
    )

    contact = MessageKeys("contact", private_keys=[new, old], public_keys=rotated_directory)
    assert contact.open(CONTACT_MESSAGES.name, before) == MESSAGE
    assert contact.open(CONTACT_MESSAGES.name, after) == MESSAGE
    retired = MessageKeys("contact", private_keys=[new], public_keys=rotated_directory)
    with pytest.raises(UnsealedMessage, match="key contact lacks"):
        retired.open(CONTACT_MESSAGES.name, before)


def test_keys_come_from_settings_and_misconfiguration_is_named() -> None:
    contact_key = X25519PrivateKey.generate()
    directory = public_keys(contact=contact_key)
    published = format_public_keys(directory)
    gateway = CommonSettings(message_public_keys=published)
    contact = CommonSettings(
        message_public_keys=published,
        message_private_keys=SecretStr(format_private_key(contact_key)),
    )
    sealed = MessageKeys.from_settings(gateway, "gateway").seal(CONTACT_MESSAGES.name, MESSAGE)
    assert (
        MessageKeys.from_settings(contact, "contact").open(CONTACT_MESSAGES.name, sealed) == MESSAGE
    )

    with pytest.raises(ValueError, match="does not match its published public key"):
        MessageKeys("contact", private_keys=[X25519PrivateKey.generate()], public_keys=directory)
    incomplete = {p: k for p, k in directory.items() if p != "requests"}
    with pytest.raises(ValueError, match="no message public key for the principals requests"):
        MessageKeys("gateway", private_keys=[], public_keys=incomplete)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def data_key_and_rest(sealed: dict, reader: str) -> tuple[bytes, bytes]:
    stored = base64.b64decode(sealed[SEALED_PAYLOAD][reader].removeprefix(DATA_KEY_FORM))
    header_end = KEY_ID_BYTES + WRAPPED_KEY_BYTES
    return stored[:header_end], stored[header_end:]


def test_messages_share_a_wrapped_data_key_until_it_expires_each_with_its_own_nonce() -> None:
    clock = Clock()
    directory = public_keys()
    gateway = MessageKeys("gateway", private_keys=[], public_keys=directory, clock=clock)
    contact = MessageKeys.development("contact")

    first = gateway.seal(CONTACT_MESSAGES.name, MESSAGE)
    second = gateway.seal(CONTACT_MESSAGES.name, MESSAGE)
    clock.now += DATA_KEY_LIFETIME_SECONDS
    third = gateway.seal(CONTACT_MESSAGES.name, MESSAGE)

    (key_1, rest_1), (key_2, rest_2), (key_3, _) = (
        data_key_and_rest(sealed, "contact") for sealed in (first, second, third)
    )
    assert key_1 == key_2 and rest_1 != rest_2
    assert key_3 != key_1
    assert all(contact.open(CONTACT_MESSAGES.name, s) == MESSAGE for s in (first, second, third))


def test_each_reader_and_topic_has_a_data_key_of_its_own() -> None:
    requests = MessageKeys.development("requests")
    commands = requests.seal(SUBJECT_COMMANDS.name, MESSAGE)
    contact_messages = requests.seal(CONTACT_MESSAGES.name, MESSAGE)

    keys = {
        data_key_and_rest(commands, "consent")[0],
        data_key_and_rest(commands, "contact")[0],
        data_key_and_rest(contact_messages, "contact")[0],
    }
    assert len(keys) == 3


def test_a_payload_sealed_in_the_first_form_still_opens() -> None:
    """Before data keys, each payload was HPKE-sealed on its own; such messages may still wait on a topic."""
    routing = {name: value for name, value in MESSAGE.items() if name != "payload"}
    bound = json.dumps(routing, sort_keys=True, separators=(",", ":")).encode()
    info = b"\x00".join(
        (b"privacyhub sealed payload v1", CONTACT_MESSAGES.name.encode(), b"contact", bound)
    )
    reader = development_private_key("contact").public_key()
    key_id = hashlib.sha256(reader.public_bytes_raw()).digest()[:KEY_ID_BYTES]
    ciphertext = SUITE.encrypt(json.dumps(MESSAGE["payload"]).encode(), reader, info=info)
    first_form = {
        **routing,
        SEALED_PAYLOAD: {"contact": base64.b64encode(key_id + ciphertext).decode()},
    }

    contact = MessageKeys.development("contact")
    assert contact.open(CONTACT_MESSAGES.name, first_form) == MESSAGE
    with pytest.raises(UnsealedMessage, match="authentication"):
        contact.open(CONTACT_MESSAGES.name, {**first_form, "subject_id": "other"})
