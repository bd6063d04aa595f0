"""The contact service's stored documents as the service reads them: decrypted with its keys."""

from privacyhub.contact.repository import ContactMessages
from privacyhub.contact.settings import ContactSettings
from privacyhub.shared.crypto import Keyring, SubjectKeys
from pymongo.asynchronous.database import AsyncDatabase


def readable_messages(db: AsyncDatabase, settings: ContactSettings) -> ContactMessages:
    """The contact messages as the service reads them: decrypted with its key store and key-encryption keys."""
    keys = SubjectKeys(
        db.client[settings.subject_keys_database_name], Keyring.from_settings(settings)
    )
    return ContactMessages(db, keys)
