"""Unique words for test data that people would type.

The contact screening reads digits in names, addresses and messages as possible citizen service
or card numbers (and an address's local part with its letters and digits apart), so a random hex
tag refuses a form now and then. Letters alone never make a number.
"""

import secrets
import string


def unique_word(length: int = 10) -> str:
    """Random lower-case letters: 26**10 words at the default length."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(length))
