"""What every part of the rights-requests store shares: the collection's name, the personal
fields and how they are sealed, the statuses its selections name, and the base its parts
(intake.py, decisions.py, execution.py, reads.py, erasure.py) add their methods to."""

from typing import Any

from privacyhub.shared.contracts.rights import OPEN_STATUSES, Status
from privacyhub.shared.crypto import FieldCipher, SubjectKeys
from pymongo.asynchronous.collection import AsyncCollection

COLLECTION = "rights_requests"
# The person in a request, encrypted per subject; an erasure drops these fields altogether.
PERSONAL_FIELDS = ("email", "details", "corrections", "visitor_ids")

RightsRequestDocument = dict[str, Any]
# A request waits for a code: the requester's own (identity), or a corrected address's (it is theirs).
AWAITING_A_CODE = [
    Status.AWAITING_VERIFICATION.value,
    Status.AWAITING_NEW_EMAIL_VERIFICATION.value,
]
UNDECIDED = [
    Status.AWAITING_VERIFICATION.value,
    Status.VERIFICATION_LOCKED.value,
    Status.VERIFIED.value,
]
# Owners are carrying the request out (or some left it unanswered).
CARRYING_OUT = [Status.EXECUTING.value, Status.ESCALATED.value]
# All an alert to the officer is written from: never a personal field.
ALERT_FIELDS = {"status": 1, "due_date": 1, "execution": 1}


def open_statuses() -> dict[str, Any]:
    return {"$in": [status.value for status in OPEN_STATUSES]}


def request_cipher(keys: SubjectKeys) -> FieldCipher:
    """How a request's personal fields are sealed and opened, for every reader of the collection."""
    return FieldCipher(keys, PERSONAL_FIELDS)


async def decrypted(cipher: FieldCipher, document: RightsRequestDocument) -> RightsRequestDocument:
    """The request with its personal fields opened; without them when its subject's key is gone."""
    opened = await cipher.decrypt_unless_shredded(document["subject_id"], document)
    return cipher.without_sealed(document) if opened is None else opened


class StoreBase:
    """What each part of the store works on, set once by `RightsRequests`."""

    _collection: AsyncCollection
    _cipher: FieldCipher
