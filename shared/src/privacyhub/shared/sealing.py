"""Personal data on Kafka, sealed for the services that may read it.

A topic the processing register marks as carrying personal data travels sealed: the envelope's
routing fields (event id, type, subject id, correlation id, time) stay readable for
partitioning, deduplication and dead letters; the payload is encrypted once for each principal
the Kafka ACLs let read the topic (`kafka_access`). A publisher needs only its readers' public
keys; each reader opens its own copy with its private key.

Each publishing process holds a short-lived data key per topic and reader (AES-256-GCM, a new
one every few minutes): the data key travels wrapped with HPKE (RFC 9180: X25519, HKDF-SHA256,
AES-256-GCM) for the reader's public key, with the topic and the reader bound into HPKE's
`info`; the payload is encrypted under the data key with a fresh nonce, with the topic, the
reader and the routing fields as associated data. So a sealed payload moved to another
envelope, topic or reader does not open, as before, while a message costs one AES-GCM
encryption instead of an X25519 key agreement per reader. A reader keeps the data keys it
unwrapped (a bounded number), so it too runs HPKE once per data key, not per message.

On top of the ACLs this keeps the broker's disks and backups, an operator's console consumer and
a mis-granted ACL to ciphertext. The dead-letter topic keeps what failed as it came, sealed.

On the wire a sealed message is the envelope with `payload` replaced by
`sealed_payload: {principal: "2:" base64(key id | wrapped data key | nonce | ciphertext)}`; the
key id (the first 8 bytes of the SHA-256 of the reader's public key) lets a reader that rotated
its key pair pick the private key that opens it. The first form, `base64(key id | HPKE
ciphertext of the payload)` without a prefix, still opens, so messages sealed before this
form was introduced are processed after an upgrade.
"""

import base64
import copy
import functools
import hashlib
import json
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from faststream import BaseMiddleware
from faststream.message import StreamMessage
from privacyhub.shared.catalogue import ALL_TOPICS
from privacyhub.shared.dead_letter import UnprocessableMessage
from privacyhub.shared.kafka_access import ACCESS, PRINCIPALS
from privacyhub.shared.settings import CommonSettings
from privacyhub.shared.topics import DEAD_LETTER
from pydantic import BaseModel
from pydantic_core import to_json

logger = logging.getLogger(__name__)

SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
SEALED_PAYLOAD = "sealed_payload"
KEY_ID_BYTES = 8
DATA_KEY_FORM = "2:"
WRAPPED_KEY_BYTES = 32 + 32 + 16  # X25519 encapsulation, AES-256 key, GCM tag
NONCE_BYTES = 12
DATA_KEY_LIFETIME_SECONDS = 300.0
# Far below the 2**32 messages NIST allows one AES-GCM key with random nonces.
DATA_KEY_MESSAGES = 1_000_000
OPENED_DATA_KEYS_KEPT = 1024


def _readers() -> dict[str, tuple[str, ...]]:
    readers: dict[str, tuple[str, ...]] = {}
    for topic in ALL_TOPICS:
        # Dead letters keep the failed message as it came: a sealed one stays sealed.
        if topic.carries_personal_data and topic != DEAD_LETTER:
            readers[topic.name] = tuple(grant.principal for grant in ACCESS if topic in grant.reads)
    return readers


READERS: Mapping[str, tuple[str, ...]] = _readers()
"""Every sealed topic and the principals its payloads are sealed for."""


class MismatchedMessageKeys(ValueError):
    """A process's keys cannot open what is sealed for its principal: it would park every message
    as a dead letter nobody can read, after the sender was told it was accepted."""


class UnsealedMessage(UnprocessableMessage):
    """A message on a sealed topic that this process cannot open: not sealed, not for it, or altered."""


def raw_public_key(key: X25519PublicKey) -> bytes:
    return key.public_bytes_raw()


def key_id(key: X25519PublicKey) -> bytes:
    return hashlib.sha256(raw_public_key(key)).digest()[:KEY_ID_BYTES]


def development_private_key(principal: str) -> X25519PrivateKey:
    """A well-known key per principal, so a development system runs without configuration."""
    seed = hashlib.sha256(b"privacyhub development message key\x00" + principal.encode()).digest()
    return X25519PrivateKey.from_private_bytes(seed)


def parse_public_keys(text: str) -> dict[str, X25519PublicKey]:
    """Read `principal:base64key[,principal:base64key...]`."""
    keys = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        principal, separator, encoded = entry.partition(":")
        if not separator or not principal:
            raise ValueError("a message public key is written as principal:base64key")
        keys[principal] = X25519PublicKey.from_public_bytes(
            base64.b64decode(encoded, validate=True)
        )
    return keys


def parse_private_keys(text: str) -> list[X25519PrivateKey]:
    """Read `base64key[,base64key...]`, the current key first."""
    return [
        X25519PrivateKey.from_private_bytes(base64.b64decode(part.strip(), validate=True))
        for part in text.split(",")
        if part.strip()
    ]


def format_public_keys(keys: Mapping[str, X25519PublicKey]) -> str:
    return ",".join(
        f"{principal}:{base64.b64encode(raw_public_key(key)).decode()}"
        for principal, key in keys.items()
    )


def format_private_key(key: X25519PrivateKey) -> str:
    return base64.b64encode(key.private_bytes_raw()).decode()


@dataclass(slots=True)
class DataKey:
    """A publisher's current data key for one topic and reader, and its wrapped form."""

    cipher: AESGCM
    header: bytes  # key id | data key wrapped with HPKE for the reader
    expires: float
    uses_left: int


class MessageKeys:
    """What one process holds: every principal's public key, and its own private keys."""

    def __init__(
        self,
        principal: str,
        *,
        private_keys: Sequence[X25519PrivateKey],
        public_keys: Mapping[str, X25519PublicKey],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        missing = [p for p in PRINCIPALS if p not in public_keys]
        if missing:
            raise MismatchedMessageKeys(
                f"no message public key for the principals {', '.join(missing)}"
            )
        published = public_keys.get(principal)
        if private_keys and published is not None:
            current = raw_public_key(private_keys[0].public_key())
            if current != raw_public_key(published):
                raise MismatchedMessageKeys(
                    f"the current message private key of {principal!r} does not match "
                    "its published public key"
                )
        self.principal = principal
        self._public_keys = dict(public_keys)
        self._private_keys = {key_id(key.public_key()): key for key in private_keys}
        self._clock = clock
        self._data_keys: dict[tuple[str, str], DataKey] = {}
        self._opened_data_keys: OrderedDict[tuple[str, bytes], AESGCM] = OrderedDict()

    @classmethod
    def development(cls, principal: str) -> "MessageKeys":
        """The well-known development keys, as a process without key settings holds them."""
        return cls(
            principal,
            private_keys=[development_private_key(principal)],
            public_keys={p: development_private_key(p).public_key() for p in PRINCIPALS},
        )

    @classmethod
    def from_settings(cls, settings: CommonSettings, principal: str) -> "MessageKeys":
        if settings.message_public_keys_file is not None:
            public_keys = parse_public_keys(settings.message_public_keys_file.read_text())
        elif settings.message_public_keys is not None:
            public_keys = parse_public_keys(settings.message_public_keys)
        else:
            public_keys = {p: development_private_key(p).public_key() for p in PRINCIPALS}
        if settings.message_private_keys_file is not None:
            private_keys = parse_private_keys(settings.message_private_keys_file.read_text())
        elif settings.message_private_keys is not None:
            private_keys = parse_private_keys(settings.message_private_keys.get_secret_value())
        else:
            private_keys = [development_private_key(principal)]
        return cls(principal, private_keys=private_keys, public_keys=public_keys)

    def encoded(self, topic: str, envelope: BaseModel) -> bytes:
        """The envelope as it travels on `topic`: JSON, its payload sealed when the topic is."""
        if topic not in READERS:
            return envelope.model_dump_json().encode()
        return to_json(self.seal(topic, envelope.model_dump(mode="json")))

    def seal(self, topic: str, message: Mapping[str, Any]) -> dict[str, Any]:
        """The message with its payload sealed for every reader of `topic`."""
        routing = {name: value for name, value in message.items() if name != "payload"}
        plaintext = to_json(message["payload"])
        bound = _bound(routing)
        sealed = {}
        for reader in READERS[topic]:
            data_key = self._data_key(topic, reader)
            nonce = os.urandom(NONCE_BYTES)
            ciphertext = data_key.cipher.encrypt(
                nonce, plaintext, _associated_data(topic, reader, bound)
            )
            encoded = base64.b64encode(data_key.header + nonce + ciphertext).decode()
            sealed[reader] = DATA_KEY_FORM + encoded
        return {**routing, SEALED_PAYLOAD: sealed}

    def _data_key(self, topic: str, reader: str) -> DataKey:
        now = self._clock()
        current = self._data_keys.get((topic, reader))
        if current is None or current.expires <= now or current.uses_left <= 0:
            secret = AESGCM.generate_key(bit_length=256)
            public_key = self._public_keys[reader]
            wrapped = SUITE.encrypt(secret, public_key, info=_key_info(topic, reader))
            current = self._data_keys[(topic, reader)] = DataKey(
                cipher=AESGCM(secret),
                header=key_id(public_key) + wrapped,
                expires=now + DATA_KEY_LIFETIME_SECONDS,
                uses_left=DATA_KEY_MESSAGES,
            )
        current.uses_left -= 1
        return current

    def open(self, topic: str, message: Mapping[str, Any]) -> dict[str, Any]:
        """The message with the payload sealed for this process opened; UnsealedMessage otherwise."""
        sealed = message.get(SEALED_PAYLOAD)
        if not isinstance(sealed, Mapping):
            raise UnsealedMessage(f"a message on {topic} was not sealed")
        mine = sealed.get(self.principal)
        if not isinstance(mine, str):
            raise UnsealedMessage(f"a message on {topic} was not sealed for {self.principal}")
        routing = {name: value for name, value in message.items() if name != SEALED_PAYLOAD}
        if mine.startswith(DATA_KEY_FORM):
            plaintext = self._open_under_data_key(topic, routing, mine[len(DATA_KEY_FORM) :])
        else:
            plaintext = self._open_first_form(topic, routing, mine)
        return {**routing, "payload": json.loads(plaintext)}

    def _open_under_data_key(self, topic: str, routing: Mapping[str, Any], encoded: str) -> bytes:
        stored = _decoded(topic, encoded)
        header_end = KEY_ID_BYTES + WRAPPED_KEY_BYTES
        if len(stored) < header_end + NONCE_BYTES + 16:
            raise UnsealedMessage(f"a sealed message on {topic} is too short")
        cipher = self._opened_data_key(topic, stored[:header_end])
        nonce, ciphertext = (
            stored[header_end : header_end + NONCE_BYTES],
            stored[header_end + NONCE_BYTES :],
        )
        try:
            return cipher.decrypt(
                nonce, ciphertext, _associated_data(topic, self.principal, _bound(routing))
            )
        except InvalidTag:
            raise UnsealedMessage(f"a sealed message on {topic} failed authentication") from None

    def _opened_data_key(self, topic: str, header: bytes) -> AESGCM:
        cached = self._opened_data_keys.get((topic, header))
        if cached is not None:
            self._opened_data_keys.move_to_end((topic, header))
            return cached
        private_key = self._private_key(topic, header[:KEY_ID_BYTES])
        try:
            secret = SUITE.decrypt(
                header[KEY_ID_BYTES:], private_key, info=_key_info(topic, self.principal)
            )
        except InvalidTag:
            raise UnsealedMessage(f"a sealed message on {topic} failed authentication") from None
        cipher = self._opened_data_keys[(topic, header)] = AESGCM(secret)
        if len(self._opened_data_keys) > OPENED_DATA_KEYS_KEPT:
            self._opened_data_keys.popitem(last=False)
        return cipher

    def _open_first_form(self, topic: str, routing: Mapping[str, Any], encoded: str) -> bytes:
        """The payload HPKE-sealed per message, as every message was before data keys."""
        stored = _decoded(topic, encoded)
        private_key = self._private_key(topic, stored[:KEY_ID_BYTES])
        try:
            return SUITE.decrypt(
                stored[KEY_ID_BYTES:],
                private_key,
                info=_first_form_info(topic, self.principal, routing),
            )
        except InvalidTag:
            raise UnsealedMessage(f"a sealed message on {topic} failed authentication") from None

    def _private_key(self, topic: str, wanted: bytes) -> X25519PrivateKey:
        private_key = self._private_keys.get(wanted)
        if private_key is None:
            raise UnsealedMessage(
                f"a message on {topic} was sealed with a key {self.principal} lacks"
            )
        return private_key


def _decoded(topic: str, encoded: str) -> bytes:
    try:
        return base64.b64decode(encoded, validate=True)
    except ValueError:
        raise UnsealedMessage(f"a sealed message on {topic} is not base64") from None


def _bound(routing: Mapping[str, Any]) -> bytes:
    return json.dumps(routing, sort_keys=True, separators=(",", ":")).encode()


def _key_info(topic: str, reader: str) -> bytes:
    return b"\x00".join((b"privacyhub data key v2", topic.encode(), reader.encode()))


def _associated_data(topic: str, reader: str, bound: bytes) -> bytes:
    return b"\x00".join((b"privacyhub sealed payload v2", topic.encode(), reader.encode(), bound))


def _first_form_info(topic: str, reader: str, routing: Mapping[str, Any]) -> bytes:
    bound = json.dumps(routing, sort_keys=True, separators=(",", ":"))
    return b"\x00".join(
        (b"privacyhub sealed payload v1", topic.encode(), reader.encode(), bound.encode())
    )


class SealingMiddleware(BaseMiddleware):
    """Seals what a process publishes on a sealed topic, and opens what it consumes from one."""

    def __init__(self, msg: Any, /, *, context: Any, keys: MessageKeys) -> None:
        super().__init__(msg, context=context)
        self._keys = keys

    async def publish_scope(self, call_next: Any, cmd: Any) -> Any:
        if cmd.destination in READERS:
            cmd.body = self._keys.seal(cmd.destination, _as_json(cmd.body))
        return await call_next(cmd)

    async def consume_scope(self, call_next: Any, msg: StreamMessage[Any]) -> Any:
        if isinstance(msg.raw_message, tuple):
            return await call_next(msg)  # a batch opens each message itself (shared/batches.py)
        topic = msg.raw_message.topic
        if topic not in READERS:
            return await call_next(msg)
        try:
            message = json.loads(msg.body)
        except ValueError:
            raise UnsealedMessage(f"a message on {topic} is not JSON") from None
        opened = copy.copy(msg)  # the outer middlewares (dead letters) keep the sealed original
        opened.body = json.dumps(self._keys.open(topic, message)).encode()
        opened.clear_cache()
        return await call_next(opened)


def _as_json(body: Any) -> dict[str, Any]:
    if isinstance(body, BaseModel):
        return body.model_dump(mode="json")
    if isinstance(body, (bytes, str)):
        return json.loads(body)
    return dict(body)


def sealing_middleware(keys: MessageKeys) -> Any:
    return functools.partial(SealingMiddleware, keys=keys)
