"""Rights requests at rest, one document per request, changed only by conditional single-document updates.

`RightsRequests` is the only code that touches the `rights_requests` collection. Its methods are
written by concern, one module each, and joined here into the one class: the request coming in
and its verification (intake.py), the officer's steps before it is carried out (decisions.py),
its execution across the owners (execution.py), the reads over many requests (reads.py), and
requests leaving the store (erasure.py).

FerretDB has no transactions, so every state change names the state it starts from in its
filter: two copies of the service racing on one request cannot both win, and a redelivered
message finds the change already made.

The requester's e-mail address, the request's details and corrections and the visitor ids are
encrypted under the subject's data key (shared/crypto.py); every read through this store
returns them decrypted, or without them when the key was destroyed (the person was erased).
Status, dates, decision and receipts stay readable for the queue and the proof.
"""

from privacyhub.requests.rights.requests_store.decisions import Decisions
from privacyhub.requests.rights.requests_store.documents import (
    AWAITING_A_CODE,
    COLLECTION,
    PERSONAL_FIELDS,
    RightsRequestDocument,
    request_cipher,
)
from privacyhub.requests.rights.requests_store.erasure import Erasure, Expired
from privacyhub.requests.rights.requests_store.execution import (
    NEW_EMAIL_NOT_VERIFIED,
    Execution,
)
from privacyhub.requests.rights.requests_store.intake import Intake
from privacyhub.requests.rights.requests_store.reads import Reads
from privacyhub.shared.crypto import SubjectKeys
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

__all__ = [
    "AWAITING_A_CODE",
    "COLLECTION",
    "NEW_EMAIL_NOT_VERIFIED",
    "PERSONAL_FIELDS",
    "Expired",
    "RightsRequestDocument",
    "RightsRequests",
]


class RightsRequests(Intake, Decisions, Execution, Reads, Erasure):
    """The store of the `rights_requests` collection."""

    def __init__(self, db: AsyncDatabase, keys: SubjectKeys) -> None:
        self._collection = db[COLLECTION]
        self._cipher = request_cipher(keys)

    async def ensure_indexes(self) -> None:
        await self._collection.create_index([("status", ASCENDING), ("due_date", ASCENDING)])
        await self._collection.create_index("subject_id")
        await self._collection.create_index(
            [("status", ASCENDING), ("execution.started_at", ASCENDING)]
        )
