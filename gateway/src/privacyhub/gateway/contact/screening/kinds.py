"""What screening finds: the kinds of sensitive data, their labels, and where a passage lies."""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple


class SensitiveKind(StrEnum):
    PASSWORD = "password"
    BSN = "bsn"
    IDENTITY_DOCUMENT = "identity_document"
    IBAN = "iban"
    PAYMENT_CARD = "payment_card"
    MEDICAL = "medical"


EVERY_KIND = frozenset(SensitiveKind)


class Label(NamedTuple):
    nl: str
    en: str


LABELS: Mapping[SensitiveKind, Label] = {
    SensitiveKind.PASSWORD: Label("een wachtwoord of pincode", "a password or PIN"),
    SensitiveKind.BSN: Label("een burgerservicenummer (BSN)", "a citizen service number (BSN)"),
    SensitiveKind.IDENTITY_DOCUMENT: Label(
        "een paspoort- of identiteitskaartnummer", "a passport or identity card number"
    ),
    SensitiveKind.IBAN: Label("een bankrekeningnummer (IBAN)", "a bank account number (IBAN)"),
    SensitiveKind.PAYMENT_CARD: Label("een betaalkaartnummer", "a payment card number"),
    SensitiveKind.MEDICAL: Label("medische gegevens", "medical information"),
}


@dataclass(frozen=True)
class Finding:
    """A field holds a kind of sensitive data; deliberately without the data itself."""

    field: str
    kind: SensitiveKind


class Passage(NamedTuple):
    """Characters start to end of a text hold sensitive data of this kind."""

    start: int
    end: int
    kind: SensitiveKind


def placeholder(kind: SensitiveKind) -> str:
    return f"[verwijderd: {kind}]"
