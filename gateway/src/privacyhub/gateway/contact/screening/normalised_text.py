"""Text as the screening reads it, so that look-alike characters cannot hide a number or a word.

NFKC folds full-width digits and ligatures, format characters (zero-width spaces, soft hyphens,
direction marks) are dropped, every space, line break or separator becomes one ASCII space and every
dash one hyphen-minus. Each character remembers which characters of the original it came from, so a
passage found here can be redacted in the text the visitor wrote.
"""

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

_MINUS_SIGN = "\u2212"
_ASCII_SPACES = str.maketrans({chr(code): " " for code in range(128) if chr(code).isspace()})
# Characters seen recur: each is looked up in Unicode's tables once.
_CHARACTERS_REMEMBERED = 4096


@dataclass(frozen=True)
class NormalisedText:
    text: str
    # For each character of text: the original characters it came from, as start and end.
    origin_starts: tuple[int, ...]
    origin_ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Where the characters start to end (end > start) of text lie in the original."""
        return self.origin_starts[start], self.origin_ends[end - 1]


def normalise(original: str) -> NormalisedText:
    """The original in screening form; see the module docstring for what changes."""
    if original.isascii():  # NFKC changes no ASCII character, and none is a format character
        positions = range(len(original))
        return NormalisedText(
            original.translate(_ASCII_SPACES), tuple(positions), tuple(p + 1 for p in positions)
        )
    characters: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for start, end in _clusters(original):
        for character in unicodedata.normalize("NFKC", original[start:end]):
            plain = _plain(character)
            if plain:
                characters.append(plain)
                starts.append(start)
                ends.append(end)
    return NormalisedText("".join(characters), tuple(starts), tuple(ends))


def folded(text: str) -> str:
    """The same number of characters, in lower case and without accents ("Patiënt": "patient")."""
    if text.isascii():
        return text.lower()
    return "".join(_folded(character) for character in text)


def _clusters(text: str) -> Iterator[tuple[int, int]]:
    """A character with the combining marks after it, which NFKC may compose into one."""
    start = 0
    for position in range(1, len(text) + 1):
        if position == len(text) or not unicodedata.combining(text[position]):
            yield start, position
            start = position


@lru_cache(maxsize=_CHARACTERS_REMEMBERED)
def _plain(character: str) -> str:
    category = unicodedata.category(character)
    if category == "Cf":
        return ""
    if character.isspace() or category.startswith("Z"):
        return " "
    if category == "Pd" or character == _MINUS_SIGN:
        return "-"
    return character


@lru_cache(maxsize=_CHARACTERS_REMEMBERED)
def _folded(character: str) -> str:
    # Some characters lower or decompose into two ("İ"); those stay as they are, keeping positions.
    lower = character.lower()
    base = "".join(c for c in unicodedata.normalize("NFD", lower) if not unicodedata.combining(c))
    return base if len(base) == 1 else character
