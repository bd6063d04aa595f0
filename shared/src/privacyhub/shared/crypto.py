"""Personal data at rest, encrypted per data subject (envelope encryption), so erasure can shred it.

Every data subject gets a random 256-bit data key; a service encrypts the personal fields of
that subject's documents with it (AES-GCM, a random 96-bit nonce per value, the subject id and
field name as associated data). The data key is stored only wrapped (AES-GCM again) by a
key-encryption key (KEK) that never touches a database: it comes from the service's settings
or a mounted secret file. Erasure deletes the subject's documents and destroys the data key.

Where the keys live decides what erasure means for backups. If the wrapped data keys sat in the
same database as the data, a dump taken before an erasure would hold both the ciphertext and
its wrapped key, and the live KEK would open it: shredding would protect nothing. So:

- The wrapped data keys live in a key store of their own (`subject_keys` in a database apart
  from the service's data, `SUBJECT_KEYS_DATABASE`); FerretDB's SQLite backend even keeps it in
  a file of its own. A dump or backup of the data database holds ciphertext only: after an
  erasure no key anywhere live opens the subject's fields in it, whatever the dump's age.
- The key store itself is the one thing whose copies must stay short-lived: a copy taken before
  an erasure still opens older data dumps while the KEK that wrapped it is configured. Rotating
  the KEK (a new one first in `KEY_ENCRYPTION_KEYS`; the start-up `rewrap_all` re-wraps every
  data key) and then retiring the old one makes every earlier key-store copy unreadable. Keep
  key-store backups no longer than the rotation period, and every erasure is final everywhere
  one rotation later.

A value written while its subject is being erased must not end up under a destroyed key,
unreadable and deleted by nobody: every write confirms its key after writing (`FieldCipher.store`),
a key is destroyed only by a handshake with those confirmations (`SubjectKeys.destroy_when_unused`),
and a read takes a value whose key is gone for erased, never for an error. A batch of writes may
skip the confirmations when the key store's destruction log shows that no destruction could have
met them (`SubjectKeys.destructions`, `FieldCipher.store_all`).
"""

import base64
import json
import logging
import os
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from bson import Binary
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from privacyhub.shared.bulk import insert_skipping_stored, update_all_by_id
from privacyhub.shared.envelope import utc_now
from privacyhub.shared.lookups import looked_up
from privacyhub.shared.settings import EncryptingServiceSettings
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

logger = logging.getLogger(__name__)

SUBJECT_KEYS = "subject_keys"
KEY_DESTRUCTIONS = "key_destructions"
DESTRUCTION_LOG = "log"  # the `_id` of the one document of KEY_DESTRUCTIONS
STALE_DESTRUCTION = timedelta(minutes=10)
"""A destruction registered this long ago and not ended is taken for one whose process died;
every real destruction ends within a few round trips."""
KEY_BYTES = 32
NONCE_BYTES = 12
KEY_ID_BYTES = 16
# The first byte of every encrypted value, FORMAT | key id | nonce | ciphertext: what the plaintext is.
JSON_FORMAT = b"\x01"
BYTES_FORMAT = b"\x02"
FORMATS = (JSON_FORMAT, BYTES_FORMAT)
HEADER_BYTES = 1 + KEY_ID_BYTES
RESEALS = 5
DESTROY_ATTEMPTS = 5
DESTROYING = "destroying"  # the mark of a destruction in progress on a key document

T = TypeVar("T")


class SubjectKeyDestroyed(Exception):
    """The subject's data key was destroyed (erasure): what it encrypted can never be read again."""


class KeyEncryptionKeyUnavailable(Exception):
    """A data key is wrapped by a KEK that is not configured (any more): retired, or a foreign store."""


class UndecryptableValue(Exception):
    """A value failed authentication: tampered with, or moved to another subject or field."""


@dataclass(frozen=True)
class KeyEncryptionKey:
    id: str
    secret: bytes = field(repr=False)


class Keyring:
    """The configured KEKs: the first wraps, every one unwraps."""

    def __init__(self, keys: Sequence[KeyEncryptionKey]) -> None:
        if not keys:
            raise ValueError("at least one key-encryption key is needed")
        if len({key.id for key in keys}) != len(keys):
            raise ValueError("key-encryption key ids must be unique")
        for key in keys:
            if len(key.secret) != KEY_BYTES:
                raise ValueError(f"key-encryption key {key.id!r} is not 256 bits")
        self.current = keys[0]
        self._by_id = {key.id: AESGCM(key.secret) for key in keys}

    @classmethod
    def parse(cls, text: str) -> "Keyring":
        """Read `id:base64key[,id:base64key...]`."""
        keys = []
        for entry in filter(None, (part.strip() for part in text.split(","))):
            key_id, separator, encoded = entry.partition(":")
            if not separator or not key_id:
                raise ValueError("a key-encryption key is written as id:base64key")
            keys.append(KeyEncryptionKey(key_id, base64.b64decode(encoded, validate=True)))
        return cls(keys)

    @classmethod
    def from_settings(cls, settings: EncryptingServiceSettings) -> "Keyring":
        if settings.key_encryption_keys_file is not None:
            return cls.parse(settings.key_encryption_keys_file.read_text(encoding="utf-8"))
        return cls.parse(settings.key_encryption_keys.get_secret_value())

    def wrap(self, subject_id: str, key_id: bytes, data_key: bytes) -> dict[str, Any]:
        """The stored form of a data key: wrapped by the current KEK, bound to its subject and key id."""
        nonce = os.urandom(NONCE_BYTES)
        wrapped = self._by_id[self.current.id].encrypt(
            nonce, data_key, _wrapping_context(subject_id, key_id)
        )
        return {"kek_id": self.current.id, "wrapped_key": Binary(nonce + wrapped)}

    def unwrap(self, document: Mapping[str, Any]) -> bytes:
        kek = self._by_id.get(document["kek_id"])
        if kek is None:
            raise KeyEncryptionKeyUnavailable(
                f"data key wrapped by key-encryption key {document['kek_id']!r}, which is not configured"
            )
        stored = bytes(document["wrapped_key"])
        context = _wrapping_context(document["_id"], bytes(document["key_id"]))
        try:
            return kek.decrypt(stored[:NONCE_BYTES], stored[NONCE_BYTES:], context)
        except InvalidTag:
            raise UndecryptableValue("a wrapped data key failed authentication") from None


def _wrapping_context(subject_id: str, key_id: bytes) -> bytes:
    return b"subject-key\x00" + subject_id.encode() + b"\x00" + key_id


@dataclass(frozen=True)
class DataKey:
    key_id: bytes
    aead: AESGCM = field(repr=False)


@dataclass(frozen=True)
class Destructions:
    """The key store's destruction log at one read: how many destructions had started, and
    whether any had not ended."""

    started: int
    quiet: bool


@dataclass(frozen=True)
class CachedKey:
    expires: float
    key: DataKey
    trusted_since: int | None
    """`Destructions.started` of a quiet read made before the key was last found in the store:
    while the log still reads so, no destruction can have deleted it."""


class SubjectKeys:
    """The key store: one wrapped data key per subject, created on first use, destroyed on erasure.

    Unwrapped keys are cached for `cache_seconds` (at most `cache_size` of them), so another copy
    of the service may still hold a destroyed key that long. Nothing rests on the cache being
    current: a write confirms its key in the store (`confirm`) unless the destruction log shows
    that no destruction can have deleted it (`trusted`), and a read whose value names another key
    than the cached one looks again.
    """

    def __init__(
        self,
        db: AsyncDatabase,
        keyring: Keyring,
        *,
        cache_size: int = 50_000,
        cache_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._collection = db[SUBJECT_KEYS]
        self._log = db[KEY_DESTRUCTIONS]
        self._keyring = keyring
        self._cache: OrderedDict[str, CachedKey] = OrderedDict()
        self._cache_size = cache_size
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._last_read: Destructions | None = None

    async def key_for(self, subject_id: str) -> DataKey:
        """The subject's data key, made (and stored wrapped) when the subject has none."""
        if (key := await self.existing_key(subject_id)) is not None:
            return key
        key, document = self._new_key(subject_id)
        try:
            await self._collection.insert_one(document)
        except DuplicateKeyError:  # a concurrent handler made the subject's key first
            if (key := await self.existing_key(subject_id, fresh=True)) is None:
                raise SubjectKeyDestroyed(subject_id) from None
            return key
        return self._remember(subject_id, key)

    def _new_key(self, subject_id: str) -> tuple[DataKey, dict[str, Any]]:
        """A fresh data key for the subject, and its stored (wrapped) form."""
        key_id, secret = os.urandom(KEY_ID_BYTES), AESGCM.generate_key(bit_length=256)
        document = {
            "_id": subject_id,
            "key_id": Binary(key_id),
            **self._keyring.wrap(subject_id, key_id, secret),
            "created_at": utc_now(),
        }
        return DataKey(key_id, AESGCM(secret)), document

    async def existing_key(self, subject_id: str, *, fresh: bool = False) -> DataKey | None:
        """The subject's data key, or None when it has none (never had, or destroyed).

        `fresh` reads the key store even when the key is cached.
        """
        cached = self._cache.get(subject_id)
        if not fresh and cached is not None and cached.expires > self._clock():
            self._cache.move_to_end(subject_id)
            return cached.key
        document = await self._collection.find_one({"_id": subject_id})
        if document is None:
            self._cache.pop(subject_id, None)
            return None
        key = DataKey(bytes(document["key_id"]), AESGCM(self._keyring.unwrap(document)))
        return self._remember(subject_id, key)

    async def confirm(self, subject_id: str, key_id: bytes) -> bool:
        """After writing with the key `key_id`: whether the store (not the cache) still holds it.

        Also clears the mark of a destruction in progress, which then looks again for data of
        the subject and finds what was written (`destroy_when_unused`). A cached copy of a key
        found gone is forgotten, so the next `key_for` makes a fresh one.
        """
        result = await self._collection.update_one(
            {"_id": subject_id, "key_id": Binary(key_id)}, {"$unset": {DESTROYING: ""}}
        )
        if result.matched_count == 0:
            cached = self._cache.get(subject_id)
            if cached is not None and cached.key.key_id == key_id:
                del self._cache[subject_id]
        return result.matched_count == 1

    async def keys_for(
        self, subject_ids: Iterable[str], seen: Destructions | None = None
    ) -> dict[str, DataKey]:
        """Every subject's data key (made where missing), never one round trip after another.

        Keys not cached are first made afresh and inserted in one bulk, which stores those of
        subjects without a key (on a busy intake most are new); a subject whose key exists
        already keeps it, looked up a few at a time. The store decides, by its unique `_id`,
        whose key is made, so two writers never make two keys for one subject. A key found in
        the store after a quiet read of the destruction log, `seen`, is `trusted` while the log
        reads the same.
        """
        wanted = set(subject_ids)
        now = self._clock()
        found = {
            s: entry.key for s in wanted if (entry := self._cache.get(s)) and entry.expires > now
        }
        missing = sorted(wanted - found.keys())
        made = [self._new_key(subject_id) for subject_id in missing]
        existing = await insert_skipping_stored(self._collection, [doc for _, doc in made])
        kept = {missing[position] for position in existing}
        from_store = {s: key for s, (key, _) in zip(missing, made, strict=True) if s not in kept}
        from_store |= await looked_up(self._stored_key, kept)
        trusted_since = seen.started if seen is not None and seen.quiet else None
        for subject_id, key in from_store.items():
            self._remember(subject_id, key, trusted_since)
        return found | from_store

    async def _stored_key(self, subject_id: str) -> DataKey:
        """The subject's data key as the store holds it now (made when it has none), never the cache's."""
        if (key := await self.existing_key(subject_id, fresh=True)) is not None:
            return key
        return await self.key_for(subject_id)

    def trusted(self, subject_id: str, key: DataKey, seen: Destructions) -> bool:
        """Whether no destruction can have deleted the subject's `key` before the log read `seen`.

        A destruction that deletes a key is logged before it (`_logged`) and ends after it. The
        key was found in the store after a quiet read of the log, so a destruction that deleted
        it since started after that read, and the log no longer reads the same.
        """
        entry = self._cache.get(subject_id)
        return (
            seen.quiet
            and entry is not None
            and entry.key.key_id == key.key_id
            and entry.trusted_since == seen.started
        )

    async def confirm_all(
        self, written: Mapping[str, bytes], seen: Destructions | None = None
    ) -> set[str]:
        """`confirm` for many subjects in one bulk; the subjects whose key was gone. A key
        confirmed after the quiet log read `seen` is `trusted` while the log reads the same.

        The bulk selects by subject only, so it tells gone keys from kept ones; a key destroyed
        and made anew between a write and this confirmation would pass. Only the copy of a
        service that consumes a subject's partition makes its keys, one batch after the other,
        so that copy confirms a batch before it can make the next key.
        """
        if not written:
            return set()
        unmarked = await update_all_by_id(self._collection, written, {"$unset": {DESTROYING: ""}})
        if unmarked == len(written):
            if seen is not None and seen.quiet:
                for subject_id, key_id in written.items():
                    entry = self._cache.get(subject_id)
                    if entry is not None and entry.key.key_id == key_id:
                        self._remember(subject_id, entry.key, seen.started)
            return set()
        gone = set()
        for subject_id, key_id in written.items():
            if not await self.confirm(subject_id, key_id):
                gone.add(subject_id)
        return gone

    def forget(self, subject_id: str) -> None:
        """Drop the cached key: another copy of the service may destroy it."""
        self._cache.pop(subject_id, None)

    async def destructions(self) -> Destructions:
        """Read the destruction log. A destruction logged too long ago (`STALE_DESTRUCTION`)
        belongs to a process that died: it is ended here, after its mark is taken off the key,
        so the process, if only slow, finds its mark gone and deletes nothing."""
        log = await self._log.find_one({"_id": DESTRUCTION_LOG}) or {}
        in_progress: list[dict[str, Any]] = log.get("in_progress") or []
        oldest = time.time() - STALE_DESTRUCTION.total_seconds()
        for destruction in in_progress:
            if destruction["since"] < oldest:
                logger.warning("ending a destruction of a data key whose process died")
                await self._collection.update_one(
                    {"_id": destruction["subject_id"], DESTROYING: destruction["mark"]},
                    {"$unset": {DESTROYING: ""}},
                )
                await self._log.update_one(
                    {"_id": DESTRUCTION_LOG}, {"$pull": {"in_progress": destruction}}
                )
        self._last_read = Destructions(started=log.get("started", 0), quiet=not in_progress)
        return self._last_read

    async def destructions_read_before(self) -> Destructions:
        """The destruction log as this process last read it (read now if never): a read made
        before a write vouches for it however long before, as a destruction logged since then
        changes what the log reads after the write (`FieldCipher.store_all`)."""
        return self._last_read or await self.destructions()

    @asynccontextmanager
    async def _logged(self, subject_id: str, mark: str) -> AsyncIterator[None]:
        """Log a destruction in progress, from before it looks for data until after it deleted."""
        destruction = {"mark": mark, "subject_id": subject_id, "since": time.time()}
        await self._log.update_one(
            {"_id": DESTRUCTION_LOG},
            {"$inc": {"started": 1}, "$push": {"in_progress": destruction}},
            upsert=True,
        )
        try:
            yield
        finally:
            await self._log.update_one(
                {"_id": DESTRUCTION_LOG}, {"$pull": {"in_progress": destruction}}
            )

    async def destroy_when_unused(
        self, subject_id: str, in_use: Callable[[], Awaitable[bool]]
    ) -> bool:
        """Crypto-shred the subject unless `in_use()` finds data encrypted with its key; True when destroyed.

        Call it after deleting the subject's data. The key is marked, `in_use()` asked, and the
        key deleted only while it still carries that mark. A writer confirms its key after its
        write has landed (`confirm`), clearing any mark; operations on the one key document are
        ordered, so each confirmation falls before the mark (then the write precedes `in_use()`,
        which sees it, and the key stays), between the mark and the deletion (the deletion finds
        its mark gone, so this looks again and sees the write), or after the deletion (the writer
        finds its key gone and seals what it wrote again under a fresh key). No write is left
        under a destroyed key, and none is lost. When writers keep confirming, the key stays
        (backups stay readable until a later erasure), never the other way round.

        A writer that skips its confirmation (`trusted`) read the log quiet before its write and
        unchanged after it, so this, logged before `in_use()`, sees that write.
        """
        for _ in range(DESTROY_ATTEMPTS):
            mark = os.urandom(KEY_ID_BYTES).hex()
            marked = await self._collection.update_one(
                {"_id": subject_id}, {"$set": {DESTROYING: mark}}
            )
            if marked.matched_count == 0:
                self._cache.pop(subject_id, None)
                return False
            async with self._logged(subject_id, mark):
                if await in_use():
                    await self._collection.update_one(
                        {"_id": subject_id, DESTROYING: mark}, {"$unset": {DESTROYING: ""}}
                    )
                    return False
                deleted = await self._collection.delete_one({"_id": subject_id, DESTROYING: mark})
            if deleted.deleted_count == 1:
                self._cache.pop(subject_id, None)
                return True
        logger.warning("a data key was kept: writes for its subject kept coming in")
        return False

    async def destroy(self, subject_id: str) -> bool:
        """Crypto-shred the subject now, whatever is still encrypted with its key; True when it had one."""
        self._cache.pop(subject_id, None)
        async with self._logged(subject_id, os.urandom(KEY_ID_BYTES).hex()):
            result = await self._collection.delete_one({"_id": subject_id})
        return result.deleted_count == 1

    async def rewrap_all(self) -> int:
        """Re-wrap every data key not wrapped by the current KEK with it; the number re-wrapped.

        Run at start-up: configure a new KEK first and keep the old one after it until every copy
        has run this, then drop the old one.
        """
        current = self._keyring.current.id
        rewrapped = 0
        async for document in self._collection.find({"kek_id": {"$ne": current}}):
            subject_id = document["_id"]
            key_id = bytes(document["key_id"])
            wrapped = self._keyring.wrap(subject_id, key_id, self._keyring.unwrap(document))
            result = await self._collection.update_one(
                {"_id": subject_id, "kek_id": document["kek_id"]}, {"$set": wrapped}
            )
            rewrapped += result.modified_count
        if rewrapped:
            logger.info(
                "re-wrapped data keys with the current key-encryption key",
                extra={"count": rewrapped},
            )
        return rewrapped

    def _remember(self, subject_id: str, key: DataKey, trusted_since: int | None = None) -> DataKey:
        expires = self._clock() + self._cache_seconds
        self._cache[subject_id] = CachedKey(expires, key, trusted_since)
        self._cache.move_to_end(subject_id)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return key


class FieldCipher:
    """Encrypts and decrypts the chosen personal fields of a subject's documents.

    A field's value is JSON, or bytes (kept as they are, say a chunk of a file).
    """

    def __init__(self, keys: SubjectKeys, fields: Iterable[str]) -> None:
        self._keys = keys
        self.fields = frozenset(fields)

    async def encrypt(self, subject_id: str, document: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of `document` with each chosen field's value sealed under the subject's key."""
        chosen = [name for name in document if name in self.fields]
        if not chosen:
            return dict(document)
        key = await self._keys.key_for(subject_id)
        sealed = {name: _seal(key, subject_id, name, document[name]) for name in chosen}
        return {**document, **sealed}

    async def store(
        self,
        subject_id: str,
        document: Mapping[str, Any],
        *,
        write: Callable[[dict[str, Any]], Awaitable[T]],
        collection: AsyncCollection,
        selection: Mapping[str, Any],
    ) -> T:
        """Seal `document` and `write` it, making sure it does not stay under a destroyed key; what `write` returned.

        The key used may have been destroyed meanwhile: by an erasure on another copy of the
        service, whose cache still held the key, or one that found the subject without data just
        before this write. So once written, the key is confirmed in the key store (`confirm`;
        why that suffices: `SubjectKeys.destroy_when_unused`). When it is gone, the sealed values
        are replaced, in the document `selection` names and only while they are still the ones
        written, by the same values sealed under a fresh key, which is confirmed in turn. Only
        when erasures of the subject keep coming in does it give up (SubjectKeyDestroyed, so
        the message is redelivered); what it wrote then reads as erased.
        """
        sealed = await self.encrypt(subject_id, document)
        written = await write(sealed)
        key_id = self.key_id_of(sealed)
        if key_id is not None and not await self._keys.confirm(subject_id, key_id):
            await self._seal_again(subject_id, document, sealed, collection, selection)
        return written

    async def rewrite(
        self,
        collection: AsyncCollection,
        subject_id: str,
        documents: Iterable[Mapping[str, Any]],
        corrections: Mapping[str, Any],
        *,
        owner: str,
        also: Mapping[str, Any] | None = None,
    ) -> int:
        """Seal the subject's opened `documents` again with `corrections` applied, under `owner`'s
        key (another subject id when a rectification changes whose they are), each written in
        place while it is still the subject's, with `also` set beside it; how many were rewritten.
        """
        rewritten = 0
        for document in documents:
            fields = {name: document[name] for name in self.fields if name in document}

            async def write(sealed: dict[str, Any], reference: Any = document["_id"]) -> int:
                result = await collection.update_one(
                    {"_id": reference, "subject_id": subject_id},
                    {"$set": {**sealed, "subject_id": owner, **(also or {})}},
                )
                return result.modified_count

            rewritten += await self.store(
                owner,
                {**fields, **corrections},
                write=write,
                collection=collection,
                selection={"_id": document["_id"]},
            )
        return rewritten

    async def _seal_again(
        self,
        subject_id: str,
        document: Mapping[str, Any],
        sealed: dict[str, Any],
        collection: AsyncCollection,
        selection: Mapping[str, Any],
    ) -> None:
        """Replace what was written under a destroyed key with the same values under a fresh one."""
        for _ in range(RESEALS):
            logger.warning("a data key was destroyed while writing with it; sealing again")
            resealed = await self.encrypt(subject_id, document)
            await collection.update_one(
                {**selection, **self.sealed_values(sealed)},
                {"$set": self.sealed_values(resealed)},
            )
            sealed = resealed
            key_id = self.key_id_of(sealed)
            if key_id is None or await self._keys.confirm(subject_id, key_id):
                return
        raise SubjectKeyDestroyed("the subject's data key kept being destroyed while writing")

    async def store_all(
        self,
        documents: Sequence[tuple[str, Mapping[str, Any]]],
        *,
        write: Callable[[list[dict[str, Any]]], Awaitable[None]],
        collection: AsyncCollection,
    ) -> None:
        """`store` for a batch: seal each (subject id, document) pair, `write` them all at once,
        confirm every key in one bulk, and seal again only the documents whose key was destroyed
        meanwhile (each document holds its `_id`, which selects it).

        When the destruction log reads quiet before the write and the same after it, no
        destruction met the write: only the keys not `trusted` are confirmed. The read before is
        the last one made here (the read after the previous write), so a write reads the log once.
        """
        if not documents:
            return
        seen = await self._keys.destructions_read_before()
        keys = await self._keys.keys_for((subject for subject, _ in documents), seen)
        trusted = {s for s, key in keys.items() if self._keys.trusted(s, key, seen)}
        sealed = [self._sealed(keys[subject], subject, document) for subject, document in documents]
        await write(sealed)
        written = {}
        for (subject_id, _), stored in zip(documents, sealed, strict=True):
            if (key_id := self.key_id_of(stored)) is not None:
                written[subject_id] = key_id
        after = await self._keys.destructions()
        if seen.quiet and after == seen:
            written = {s: key_id for s, key_id in written.items() if s not in trusted}
        gone = await self._keys.confirm_all(written, after)
        for (subject_id, document), stored in zip(documents, sealed, strict=True):
            if subject_id in gone:
                selection = {"_id": stored["_id"]}
                await self._seal_again(subject_id, document, stored, collection, selection)

    def _sealed(self, key: DataKey, subject_id: str, document: Mapping[str, Any]) -> dict[str, Any]:
        sealed = {
            name: _seal(key, subject_id, name, document[name])
            for name in document
            if name in self.fields
        }
        return {**document, **sealed}

    async def decrypt(self, subject_id: str, document: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of `document` with the chosen fields opened; SubjectKeyDestroyed after erasure."""
        chosen = [name for name in document if name in self.fields]
        if not chosen:
            return dict(document)
        key = await self._keys.existing_key(subject_id)
        if key is not None and any(_key_id(document[name]) != key.key_id for name in chosen):
            # The cache may hold a key destroyed since, and the subject have a fresh one.
            key = await self._keys.existing_key(subject_id, fresh=True)
        opened = {name: _open(key, subject_id, name, document[name]) for name in chosen}
        return {**document, **opened}

    async def decrypt_unless_shredded(
        self, subject_id: str, document: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """Like `decrypt`, but None when the document's key was destroyed: what it sealed is erased."""
        try:
            return await self.decrypt(subject_id, document)
        except SubjectKeyDestroyed:
            return None

    def without_sealed(self, document: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of `document` without the chosen fields: how it reads once they are erased."""
        return {name: value for name, value in document.items() if name not in self.fields}

    def sealed_values(self, document: Mapping[str, Any]) -> dict[str, Any]:
        """The chosen fields of a stored document: every sealed value is unique, so they select it exactly."""
        return {name: value for name, value in document.items() if name in self.fields}

    def key_id_of(self, document: Mapping[str, Any]) -> bytes | None:
        """The id of the key the document's first sealed field is sealed with; None when none is sealed."""
        for value in self.sealed_values(document).values():
            if (key_id := _key_id(value)) is not None:
                return key_id
        return None


def _key_id(stored: Any) -> bytes | None:
    if isinstance(stored, bytes) and stored[:1] in FORMATS and len(stored) > HEADER_BYTES:
        return stored[1:HEADER_BYTES]
    return None


def _seal(key: DataKey, subject_id: str, name: str, value: Any) -> Binary:
    if isinstance(value, bytes):
        header, plaintext = BYTES_FORMAT + key.key_id, value
    else:
        header = JSON_FORMAT + key.key_id
        plaintext = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = key.aead.encrypt(nonce, plaintext, _field_context(header, subject_id, name))
    return Binary(header + nonce + ciphertext)


def _open(key: DataKey | None, subject_id: str, name: str, stored: Any) -> Any:
    if not isinstance(stored, bytes):
        raise UndecryptableValue(f"field {name!r} is not encrypted")
    header = stored[:HEADER_BYTES]
    if header[:1] not in FORMATS:
        raise UndecryptableValue(f"field {name!r} is not in a known encrypted format")
    if key is None or key.key_id != header[1:]:
        raise SubjectKeyDestroyed(f"the data key of field {name!r} was destroyed")
    nonce = stored[HEADER_BYTES : HEADER_BYTES + NONCE_BYTES]
    ciphertext = stored[HEADER_BYTES + NONCE_BYTES :]
    try:
        plaintext = key.aead.decrypt(nonce, ciphertext, _field_context(header, subject_id, name))
    except InvalidTag:
        raise UndecryptableValue(f"field {name!r} failed authentication") from None
    return plaintext if header[:1] == BYTES_FORMAT else json.loads(plaintext)


def _field_context(header: bytes, subject_id: str, name: str) -> bytes:
    return header + subject_id.encode() + b"\x00" + name.encode()


def subject_keys_for(runtime: Any) -> SubjectKeys:
    """The key store of a service (a ServiceRuntime with EncryptingServiceSettings), rotated at start-up."""
    settings: EncryptingServiceSettings = runtime.settings
    keys = SubjectKeys(
        runtime.mongo[settings.subject_keys_database_name], Keyring.from_settings(settings)
    )
    runtime.on_startup(keys.rewrap_all)
    return keys
