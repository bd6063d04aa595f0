"""The consent service's stored documents as the service reads them: decrypted with its keys."""

from privacyhub.consent.analytics import Analytics
from privacyhub.consent.consents import Consents
from privacyhub.consent.settings import ConsentSettings
from privacyhub.consent.visits import Visits
from privacyhub.shared.crypto import Keyring, SubjectKeys
from pymongo.asynchronous.database import AsyncDatabase


def visitor_keys(db: AsyncDatabase, settings: ConsentSettings) -> SubjectKeys:
    """The key store of the consent service that owns `db`, opened with its key-encryption keys."""
    owner = settings.model_copy(update={"mongodb_database": db.name})
    return SubjectKeys(db.client[owner.subject_keys_database_name], Keyring.from_settings(settings))


def readable_consents(db: AsyncDatabase, settings: ConsentSettings) -> Consents:
    """The consent choices as the service reads them: decrypted."""
    return Consents(db, visitor_keys(db, settings))


def readable_visits(db: AsyncDatabase, settings: ConsentSettings) -> Visits:
    """The linked visits as the service reads them: decrypted."""
    return Visits(db, visitor_keys(db, settings), analytics_exemption=settings.analytics_exemption)


def analytics_of(db: AsyncDatabase, settings: ConsentSettings) -> Analytics:
    """The statistics the service computes from `db`, its linked visits decrypted."""
    return Analytics(db, visitor_keys(db, settings))
