"""The part of an e-mail address a visitor chose freely, as text the screening can read."""

import re

_LOCAL_PART_SEPARATORS = re.compile(r"[._+\-=]+")
_LETTERS_THEN_DIGITS = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


def local_part_as_text(address: str) -> str:
    """The local part with its separators as spaces, once as written and once with letters and
    digits apart, so "anna.111222333@…" and "bsn111222333@…" both show their number."""
    local_part = address.rpartition("@")[0]
    words = _LOCAL_PART_SEPARATORS.sub(" ", local_part)
    # A semicolon keeps the two readings from joining into one longer number.
    return f"{words} ; {_LETTERS_THEN_DIGITS.sub(' ', words)}"
