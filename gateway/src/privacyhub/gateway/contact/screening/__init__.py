"""Sensitive-data screening of free text (statement §2b: "Stuur nooit gevoelige persoonsgegevens mee").

Findings name the field and the kind of data, never the matched text, so a refusal can be
explained to the visitor without repeating what they should not have sent. Every check reads the
text in normalised form (normalised_text.py), so look-alike characters hide nothing.
"""

from collections.abc import Mapping

from privacyhub.gateway.contact.screening.bank_accounts import iban_passages
from privacyhub.gateway.contact.screening.identity_documents import identity_document_passages
from privacyhub.gateway.contact.screening.kinds import (
    EVERY_KIND,
    LABELS,
    Finding,
    Label,
    Passage,
    SensitiveKind,
    placeholder,
)
from privacyhub.gateway.contact.screening.medical import medical_passages
from privacyhub.gateway.contact.screening.normalised_text import normalise
from privacyhub.gateway.contact.screening.numbers import number_passages
from privacyhub.gateway.contact.screening.passwords import password_passages

__all__ = [
    "EVERY_KIND",
    "LABELS",
    "Finding",
    "Label",
    "SensitiveKind",
    "find_sensitive_data",
    "placeholder",
    "redact",
    "sensitive_passages",
]


def sensitive_passages(text: str, kinds: frozenset[SensitiveKind] = EVERY_KIND) -> list[Passage]:
    """Every passage of text holding one of these kinds, in text order; where passages overlap,
    the one starting first wins."""
    normalised = normalise(text)
    screened = normalised.text
    found = sorted(
        (
            passage
            for passage in (
                *password_passages(screened),
                *iban_passages(screened),
                *identity_document_passages(screened),
                *number_passages(screened),
                *medical_passages(screened),
            )
            if passage.kind in kinds
        ),
        key=lambda passage: (passage.start, -passage.end),
    )
    kept: list[Passage] = []
    for passage in found:
        if not kept or passage.start >= kept[-1].end:
            kept.append(passage)
    return [Passage(*normalised.original_span(start, end), kind) for start, end, kind in kept]


def find_sensitive_data(
    fields: Mapping[str, str | None], kinds: frozenset[SensitiveKind] = EVERY_KIND
) -> list[Finding]:
    """Each field that holds sensitive data of these kinds, once per kind, in field and text order."""
    findings: dict[Finding, None] = {}
    for name, text in fields.items():
        for passage in sensitive_passages(text or "", kinds):
            findings[Finding(field=name, kind=passage.kind)] = None
    return list(findings)


def redact(
    fields: Mapping[str, str | None], kinds: frozenset[SensitiveKind] = EVERY_KIND
) -> dict[str, str | None]:
    """The same fields with every passage of these kinds replaced by a placeholder naming its kind."""
    redacted: dict[str, str | None] = {}
    for name, text in fields.items():
        if text is None:
            redacted[name] = None
            continue
        for passage in reversed(sensitive_passages(text, kinds)):
            text = text[: passage.start] + placeholder(passage.kind) + text[passage.end :]
        redacted[name] = text
    return redacted
