"""Message key pairs of a local system: one per Kafka principal, made once per data directory.

Promises:
- ``process_environments(path, prefixes)`` gives each process the variables that seal personal
  data on Kafka for its readers and open what is sealed for it (shared/sealing.py): every
  principal's public key, and its own private key under its settings prefix.
- The private keys are generated on first use and kept in ``path`` (readable by the owner only),
  so messages sealed before a restart still open after it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path


def process_environments(path: Path, prefixes: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """For each principal in ``prefixes`` (principal → settings prefix), its message-key variables."""
    # Imported here: the servers alone (``up``, test fixtures) need nothing of privacyhub-shared.
    from privacyhub.shared.kafka_access import PRINCIPALS
    from privacyhub.shared.sealing import format_private_key, format_public_keys, parse_private_keys

    private = {p: parse_private_keys(text)[0] for p, text in _stored(path, PRINCIPALS).items()}
    published = format_public_keys({p: key.public_key() for p, key in private.items()})
    return {
        principal: {
            "MESSAGE_PUBLIC_KEYS": published,
            f"{prefix}_MESSAGE_PRIVATE_KEYS": format_private_key(private[principal]),
        }
        for principal, prefix in prefixes.items()
    }


def _stored(path: Path, principals: tuple[str, ...]) -> dict[str, str]:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from privacyhub.shared.sealing import format_private_key

    keys: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    missing = [p for p in principals if p not in keys]
    if missing:
        keys |= {p: format_private_key(X25519PrivateKey.generate()) for p in missing}
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.unlink(missing_ok=True)
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            json.dump(keys, file, indent=2)
        partial.replace(path)
    return keys
