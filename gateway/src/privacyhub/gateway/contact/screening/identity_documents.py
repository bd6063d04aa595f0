"""Dutch passport and identity card numbers, checked by python-stdnum."""

import re
from collections.abc import Iterator

from privacyhub.gateway.contact.screening.kinds import Passage, SensitiveKind
from stdnum.nl import identiteitskaartnummer

# Printed in capitals; lower case would also match ordinary words such as "jansen123".
_DOCUMENT_NUMBER = re.compile(r"(?<!\w)[A-Z]{2}[A-Z0-9]{6}[0-9](?!\w)")


def identity_document_passages(text: str) -> Iterator[Passage]:
    """Each passport or identity card number in the format the Dutch state issues."""
    for match in _DOCUMENT_NUMBER.finditer(text):
        if identiteitskaartnummer.is_valid(match.group()):
            yield Passage(*match.span(), SensitiveKind.IDENTITY_DOCUMENT)
