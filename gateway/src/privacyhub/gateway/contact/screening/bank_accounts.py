"""International bank account numbers (IBAN), checked by python-stdnum, in any grouping."""

import re
from collections.abc import Iterator

from privacyhub.gateway.contact.screening.kinds import Passage, SensitiveKind
from stdnum import iban

# A country code and check digits ("NL91", "NL 91"), then groups of letters and digits with
# spaces, dots or dashes between them; an IBAN has at most 34 characters, so at most 30 groups.
_IBAN_START = re.compile(
    r"(?<!\w)[A-Za-z]{2}[ .\-]?[0-9]{2}[A-Za-z0-9]*(?:[ .\-]+[A-Za-z0-9]+){0,30}"
)
_GROUP = re.compile(r"[A-Za-z0-9]+")
_IBAN_MAX_LENGTH = 34


def iban_passages(text: str) -> Iterator[Passage]:
    """Each IBAN in text whose mod-97 check and country format hold, from its first to last group."""
    position = 0
    while start_match := _IBAN_START.search(text, position):
        position = start_match.start() + 1
        compact = ""
        for group in _GROUP.finditer(start_match.group()):
            compact += group.group()
            if len(compact) > _IBAN_MAX_LENGTH:
                break
            if iban.is_valid(compact):
                end = start_match.start() + group.end()
                yield Passage(start_match.start(), end, SensitiveKind.IBAN)
                position = end
                break
