"""Pseudonymous data-subject ids: raw e-mail addresses never become keys."""

import base64
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


def visitor_id_for_key(visitor_key: str) -> str:
    """The visitor id a secret visitor key stands for: SHA-256, base64url without padding.

    The browser keeps the key and sends only the id with page views and choices, so an id seen
    anywhere proves nothing; naming the key in a rights request shows the browser is the
    requester's.
    """
    digest = hashlib.sha256(visitor_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
