"""Pseudonymous data-subject ids: raw e-mail addresses never become keys."""

import hashlib
import hmac


def normalise_email(email: str) -> str:
    return email.strip().lower()


def subject_id_for_email(secret: str, email: str) -> str:
    """HMAC-SHA256 of the normalised e-mail address, hex encoded."""
    return hmac.new(secret.encode(), normalise_email(email).encode(), hashlib.sha256).hexdigest()


def secret_digest(secret: str) -> str:
    """SHA-256 of a secret handed to a person (an access token, a download code), hex encoded:
    only the digest travels on Kafka and is stored, and a guess is compared against it."""
    return hashlib.sha256(secret.encode()).hexdigest()
