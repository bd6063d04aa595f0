"""The processing register (GDPR Art. 30): one declared place for purposes, data categories,
the fields each category stores, legal bases, retention, recipients and topics.

Loaded and validated once (`REGISTER`); services and the gateway read from it instead of
repeating what it says, and tests check the running system against it.
"""

from functools import cache
from importlib.resources import files

from privacyhub.shared.register.model import ProcessingRegister

REGISTER_FILE = "processing-register.toml"


@cache
def load_register() -> ProcessingRegister:
    """The register shipped with this package, validated (a broken register stops start-up)."""
    import tomllib

    text = files(__package__).joinpath(REGISTER_FILE).read_text(encoding="utf-8")
    return ProcessingRegister.model_validate(tomllib.loads(text))
