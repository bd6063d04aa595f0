"""Pseudonymous data-subject ids: raw e-mail addresses never become keys."""

import hashlib
import hmac


def normalise_email(email: str) -> str:
    return email.strip().lower()


def subject_id_for_email(secret: str, email: str) -> str:
    """HMAC-SHA256 of the normalised e-mail address, hex encoded."""
    return hmac.new(secret.encode(), normalise_email(email).encode(), hashlib.sha256).hexdigest()
