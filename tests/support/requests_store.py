"""The requests service's stored documents as the service reads them: decrypted with its keys."""

from privacyhub.requests.complaints.workflow import Complaints
from privacyhub.requests.rights.requests_store import RightsRequests
from privacyhub.requests.settings import RequestsSettings
from privacyhub.shared.crypto import Keyring, SubjectKeys
from pymongo.asynchronous.database import AsyncDatabase


def subject_keys(db: AsyncDatabase, settings: RequestsSettings) -> SubjectKeys:
    """The key store of the requests service that owns `db`, opened with its key-encryption keys."""
    owner = settings.model_copy(update={"mongodb_database": db.name})
    return SubjectKeys(db.client[owner.subject_keys_database_name], Keyring.from_settings(settings))


def readable_requests(db: AsyncDatabase, settings: RequestsSettings) -> RightsRequests:
    """The rights requests as the service reads them: decrypted."""
    return RightsRequests(db, subject_keys(db, settings))


def readable_complaints(db: AsyncDatabase, settings: RequestsSettings) -> Complaints:
    """The complaints as the service reads them: decrypted."""
    return Complaints(db, subject_keys(db, settings))
