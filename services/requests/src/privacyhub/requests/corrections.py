"""The corrections a rectification request names, one per line of its details: `field: new value`.

Field names are accepted in English or Dutch (`last_name` or `achternaam`); lines that name
no known field are the requester's explanation and are left alone.
"""

from typing import get_args

from privacyhub.shared.contracts.subject import RectifiableField

FIELD_NAMES: dict[str, RectifiableField] = {
    **{field: field for field in get_args(RectifiableField)},
    "e-mail": "email",
    "e-mailadres": "email",
    "voornaam": "first_name",
    "achternaam": "last_name",
    "bedrijf": "company",
}


def named_corrections(details: str | None) -> dict[RectifiableField, str]:
    corrections: dict[RectifiableField, str] = {}
    for line in (details or "").splitlines():
        name, separator, value = line.partition(":")
        field = FIELD_NAMES.get(name.strip().lower())
        if separator and field is not None and value.strip():
            corrections[field] = value.strip()
    return corrections
