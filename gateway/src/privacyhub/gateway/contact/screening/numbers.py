"""Citizen service numbers (BSN) and payment card numbers, however the visitor grouped the digits.

A number is a run of digit groups with spaces, dots or dashes between them. Every stretch of
consecutive groups with one separator style ("111 222 333", "4111-1111-1111-1111") is tried, so a
number written next to another is still found. Only a stretch that lies wholly inside a real phone
number (as python-phonenumbers recognises it) is passed over: a longer number around or after a
phone prefix, such as a card number after "+31 ", is still checked.
"""

import re
from collections.abc import Iterator
from itertools import pairwise

import phonenumbers
from privacyhub.gateway.contact.screening.kinds import Passage, SensitiveKind
from stdnum import luhn
from stdnum.nl import bsn

_DIGIT_RUN = re.compile(r"(?<!\w)[0-9]+(?:[ .\-]+[0-9]+)*(?!\w)")
_DIGIT_GROUP = re.compile(r"[0-9]+")
_BSN_LENGTH = 9
# Card numbers are 13 to 19 digits (ISO/IEC 7812).
_CARD_LENGTHS = range(13, 20)
_LONGEST = max(_CARD_LENGTHS)
_PHONE_REGION = "NL"


def number_passages(text: str) -> Iterator[Passage]:
    """Each stretch of digits in text that passes the BSN elfproef or is a Luhn-valid card number."""
    phones = _phone_number_spans(text)
    for start, end, digits in _digit_stretches(text):
        if any(p_start <= start and end <= p_end for p_start, p_end in phones):
            continue
        kind = _number_kind(digits)
        if kind:
            yield Passage(start, end, kind)


def _digit_stretches(text: str) -> Iterator[tuple[int, int, str]]:
    """Start, end and digits of every stretch of consecutive digit groups that share one
    separator style and hold at most as many digits as the longest card number."""
    for run in _DIGIT_RUN.finditer(text):
        groups = [
            (run.start() + group.start(), run.start() + group.end())
            for group in _DIGIT_GROUP.finditer(run.group())
        ]
        for first in range(len(groups)):
            digits = ""
            for last in range(first, len(groups)):
                digits += text[slice(*groups[last])]
                if len(digits) > _LONGEST:
                    break
                if _one_separator_style(text, groups[first : last + 1]):
                    yield groups[first][0], groups[last][1], digits


def _number_kind(digits: str) -> SensitiveKind | None:
    if len(digits) == _BSN_LENGTH and bsn.is_valid(digits):
        return SensitiveKind.BSN
    # No card number starts with 0 (an industry identifier not used for cards).
    if len(digits) in _CARD_LENGTHS and digits[0] != "0" and luhn.is_valid(digits):
        return SensitiveKind.PAYMENT_CARD
    return None


def _one_separator_style(text: str, groups: list[tuple[int, int]]) -> bool:
    """People type a number with one kind of separator; "12-05 2024" is a date and a year."""
    styles = {
        frozenset(text[previous_end:start]) - {" "} or frozenset(" ")
        for (_, previous_end), (start, _) in pairwise(groups)
    }
    return len(styles) <= 1


def _phone_number_spans(text: str) -> list[tuple[int, int]]:
    matcher = phonenumbers.PhoneNumberMatcher(
        text, _PHONE_REGION, leniency=phonenumbers.Leniency.VALID
    )
    return [(match.start, match.end) for match in matcher]
