"""Sensitive-data screening of free text (statement §2b: "Stuur nooit gevoelige persoonsgegevens mee").

Findings name the field and the kind of data, never the matched text, so a refusal can be
explained to the visitor without repeating what they should not have sent.
"""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib.resources import files
from typing import NamedTuple

from stdnum import iban, luhn
from stdnum.nl import bsn, identiteitskaartnummer


class SensitiveKind(StrEnum):
    PASSWORD = "password"
    BSN = "bsn"
    IDENTITY_DOCUMENT = "identity_document"
    IBAN = "iban"
    PAYMENT_CARD = "payment_card"
    MEDICAL = "medical"


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
    field: str
    kind: SensitiveKind


class _Span(NamedTuple):
    start: int
    end: int
    kind: SensitiveKind


def placeholder(kind: SensitiveKind) -> str:
    return f"[verwijderd: {kind}]"


_PASSWORD = re.compile(
    r"\b(?:wachtwoord|password|passwd|pwd|pincode|pin)\b"
    r"(?:\s*[:=]\s*(?P<given>\S+)"
    r"|(?:\s+\w+){0,4}?\s+(?:is|luidt|was)\s+(?P<stated>\S+))",
    re.IGNORECASE,
)
_TRAILING_PUNCTUATION = ".,;!?"

# Digits with single spaces, dots or dashes between them: "1234 5678 9012 3456", "111.222.333".
_NUMBER = re.compile(r"(?<![\w+])(?>\d+(?:[ .\-]\d+)*)(?!\w)")
_DIGITS = re.compile(r"\d+")
# The nine digits after +31 would otherwise pass for a BSN: "+31 6 12345678", "(+31) (0)20 1234567".
_INTERNATIONAL_PHONE = re.compile(
    r"\(?(?:\+\d{1,3}|(?<!\w)00\d{1,3}(?=[ .\-(]))\)?(?:[ .\-]?\(0\))?(?:[ .\-]?\d){6}"
)
_IBAN_START = re.compile(r"(?<!\w)[A-Z]{2}\d{2}[A-Z0-9]*(?: [A-Z0-9]+)*", re.IGNORECASE)
_IBAN_MAX_LENGTH = 34
# Dutch passport and identity card numbers are printed in capitals; stdnum checks the format.
_DOCUMENT_NUMBER = re.compile(r"(?<!\w)[A-Z]{2}[A-Z0-9]{6}\d(?!\w)")


def _medical_terms_pattern() -> re.Pattern[str]:
    lines = (files(__package__) / "medical_terms.txt").read_text(encoding="utf-8").splitlines()
    terms = {line.strip().lower() for line in lines if line.strip() and not line.startswith("#")}
    alternatives = (
        r"\s+".join(map(re.escape, term.split())) for term in sorted(terms, key=len, reverse=True)
    )
    return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)", re.IGNORECASE)


_MEDICAL_TERM = _medical_terms_pattern()


def _password_spans(text: str) -> Iterator[_Span]:
    for match in _PASSWORD.finditer(text):
        group = "given" if match.group("given") else "stated"
        start, end = match.span(group)
        secret = text[start:end].rstrip(_TRAILING_PUNCTUATION)
        # "mijn wachtwoord is vergeten" is a question, "mijn wachtwoord is geheim123" a password.
        if secret and (group == "given" or not secret.isalpha()):
            yield _Span(start, start + len(secret), SensitiveKind.PASSWORD)


def _number_kind(digits: str) -> SensitiveKind | None:
    if len(digits) == 9 and bsn.is_valid(digits):
        return SensitiveKind.BSN
    # Card numbers are 13 to 19 digits; none starts with 0 (an industry identifier not used for cards).
    if 13 <= len(digits) <= 19 and digits[0] != "0" and luhn.is_valid(digits):
        return SensitiveKind.PAYMENT_CARD
    return None


def _number_spans(text: str) -> Iterator[_Span]:
    phones = [match.span() for match in _INTERNATIONAL_PHONE.finditer(text)]
    for number in _NUMBER.finditer(text):
        # The whole number, and each digit group alone for numbers written next to each other.
        candidates = {number.span()} | {
            (number.start() + group.start(), number.start() + group.end())
            for group in _DIGITS.finditer(number.group())
        }
        for start, end in candidates:
            if any(start < phone_end and phone_start < end for phone_start, phone_end in phones):
                continue
            kind = _number_kind(re.sub(r"\D", "", text[start:end]))
            if kind:
                yield _Span(start, end, kind)


def _iban_spans(text: str) -> Iterator[_Span]:
    position = 0
    while match := _IBAN_START.search(text, position):
        position = match.start() + 1
        end = match.start()
        compact = ""
        for part in match.group().split(" "):
            end += len(part) + (1 if compact else 0)
            compact += part
            if len(compact) > _IBAN_MAX_LENGTH:
                break
            if iban.is_valid(compact):
                yield _Span(match.start(), end, SensitiveKind.IBAN)
                position = end
                break


def _document_spans(text: str) -> Iterator[_Span]:
    for match in _DOCUMENT_NUMBER.finditer(text):
        if identiteitskaartnummer.is_valid(match.group()):
            yield _Span(*match.span(), SensitiveKind.IDENTITY_DOCUMENT)


def _medical_spans(text: str) -> Iterator[_Span]:
    for match in _MEDICAL_TERM.finditer(text):
        yield _Span(*match.span(), SensitiveKind.MEDICAL)


def _sensitive_spans(text: str) -> list[_Span]:
    """Every sensitive passage, in text order; where passages overlap, the one starting first wins."""
    found = sorted(
        [
            *_password_spans(text),
            *_iban_spans(text),
            *_document_spans(text),
            *_number_spans(text),
            *_medical_spans(text),
        ],
        key=lambda span: (span.start, -span.end),
    )
    kept: list[_Span] = []
    for span in found:
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
    return kept


def find_sensitive_data(fields: Mapping[str, str | None]) -> list[Finding]:
    """Each field that holds sensitive data, once per kind, in field and text order."""
    findings: dict[Finding, None] = {}
    for name, text in fields.items():
        for span in _sensitive_spans(text or ""):
            findings[Finding(field=name, kind=span.kind)] = None
    return list(findings)


def redact(fields: Mapping[str, str | None]) -> dict[str, str | None]:
    """The same fields with every sensitive passage replaced by a placeholder naming its kind."""
    redacted: dict[str, str | None] = {}
    for name, text in fields.items():
        if text is None:
            redacted[name] = None
            continue
        for span in reversed(_sensitive_spans(text)):
            text = text[: span.start] + placeholder(span.kind) + text[span.end :]
        redacted[name] = text
    return redacted
