"""One-time verification codes: six random digits, kept only as an HMAC bound to their request
(as is a new e-mail address once verified)."""

import hashlib
import hmac
import secrets
from uuid import UUID

CODE_DIGITS = 6


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_digest(secret: str, request_id: UUID, code: str) -> str:
    """Binding the request id means a code of one request is worthless for another."""
    message = f"{request_id}:{code.strip()}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def code_matches(secret: str, request_id: UUID, code: str, stored_digest: str | None) -> bool:
    """Constant-time comparison, so response timing tells nothing about how close a guess was."""
    return hmac.compare_digest(code_digest(secret, request_id, code), stored_digest or "")


def address_digest(secret: str, request_id: UUID, address: str) -> str:
    """What a request keeps of a new e-mail address once its code was entered: enough to tell
    whether an amendment names that same address, nothing to read it back from."""
    message = f"{request_id}:address:{address}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
