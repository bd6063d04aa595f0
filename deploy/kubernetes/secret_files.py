"""Create the secret files an overlay's secretGenerator reads, for every one that is missing.

    uv run python deploy/kubernetes/secret_files.py deploy/kubernetes/overlays/production/secrets

Never overwrites a file: rotating a key is a change by hand (docs/operations.md says how).
`message-public-keys` is written anew each time from the current (first) private key of every
process, so it always publishes the keys the processes hold. Keep the directory out of version
control (it is git-ignored) and in a secret store.
"""

import base64
import os
import secrets
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from privacyhub.shared.sealing import format_private_key, format_public_keys, parse_private_keys

PRINCIPALS = {
    "gateway": "gateway",
    "consent": "consent",
    "contact": "contact",
    "requests": "requests",
    "retention": "retention",
    "partner": "partner-support",
}
"""Each process (its directory of secret files) and the Kafka principal its message keys are for."""
KEY_ENCRYPTION = ("consent", "contact", "requests", "partner")
"""The processes that keep personal data encrypted per subject, with key-encryption keys of their own."""
DATABASES = ("consent", "contact", "requests", "retention", "partner")


def hmac_secret() -> str:
    return secrets.token_urlsafe(48)


def key_encryption_key() -> str:
    return f"{date.today():%Y%m}:{base64.b64encode(os.urandom(32)).decode()}"


def message_private_key() -> str:
    return format_private_key(X25519PrivateKey.generate())


def wanted() -> dict[str, Callable[[], str]]:
    """Each file (relative to the secrets directory) and how to make its value."""
    files: dict[str, Callable[[], str]] = {
        "subject-id-secret": hmac_secret,  # one value: the gateway and requests must agree
        "gateway/staff-token-secret": hmac_secret,
        "gateway/operations-token": hmac_secret,
        "requests/verification-code-secret": hmac_secret,
    }
    files |= {f"{process}/message-private-keys": message_private_key for process in PRINCIPALS}
    files |= {f"{process}/key-encryption-keys": key_encryption_key for process in KEY_ENCRYPTION}
    files |= {f"mongodb/{process}": hmac_secret for process in DATABASES}
    return files


def create_missing(directory: Path) -> list[Path]:
    created = []
    for name, make in wanted().items():
        path = directory / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(make(), encoding="utf-8")
            path.chmod(0o600)
            created.append(path)
    public = {
        principal: parse_private_keys(
            (directory / process / "message-private-keys").read_text(encoding="utf-8")
        )[0].public_key()
        for process, principal in PRINCIPALS.items()
    }
    (directory / "message-public-keys").write_text(format_public_keys(public), encoding="utf-8")
    return created


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for path in create_missing(Path(sys.argv[1])):
        print(f"created {path}")
