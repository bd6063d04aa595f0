"""The screening corpus (tests/unit/screening_corpus/): realistic contact-form messages, scored.

A message counts as flagged when the screening finds anything in it; a positive counts as caught
only when the kind it is labelled with is among the findings.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from privacyhub.gateway.contact.screening import SensitiveKind, find_sensitive_data

CORPUS = Path(__file__).parents[1] / "unit" / "screening_corpus"
_ESCAPE = re.compile(r"\\(n|u[0-9a-fA-F]{4})")


@dataclass(frozen=True)
class LabelledMessage:
    kind: SensitiveKind
    text: str


@dataclass
class CorpusScore:
    caught: list[LabelledMessage] = field(default_factory=list)
    missed: list[LabelledMessage] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)
    wrongly_flagged: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return len(self.caught) / (len(self.caught) + len(self.missed))

    @property
    def precision(self) -> float:
        return len(self.caught) / (len(self.caught) + len(self.wrongly_flagged))

    def report(self) -> str:
        lines = [
            f"screening corpus: {len(self.caught) + len(self.missed)} positives, "
            f"{len(self.passed) + len(self.wrongly_flagged)} negatives",
            f"recall    {self.recall:.3f} ({len(self.missed)} missed)",
            f"precision {self.precision:.3f} ({len(self.wrongly_flagged)} wrongly flagged)",
        ]
        lines += [f"  missed {message.kind}: {message.text!r}" for message in self.missed]
        lines += [f"  wrongly flagged: {text!r}" for text in self.wrongly_flagged]
        return "\n".join(lines)


def _unescaped(line: str) -> str:
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) == "n" else chr(int(m.group(1)[1:], 16)), line)


def _messages(name: str) -> list[str]:
    lines = (CORPUS / name).read_text(encoding="utf-8").splitlines()
    return [_unescaped(line) for line in lines if line.strip() and not line.startswith("#")]


def positives() -> list[LabelledMessage]:
    labelled = (message.split(" | ", 1) for message in _messages("positives.txt"))
    return [LabelledMessage(SensitiveKind(kind), text) for kind, text in labelled]


def negatives() -> list[str]:
    return _messages("negatives.txt")


def score() -> CorpusScore:
    """How the screening classifies every message of the corpus."""
    result = CorpusScore()
    for message in positives():
        kinds = {finding.kind for finding in find_sensitive_data({"message": message.text})}
        (result.caught if message.kind in kinds else result.missed).append(message)
    for text in negatives():
        flagged = find_sensitive_data({"message": text})
        (result.wrongly_flagged if flagged else result.passed).append(text)
    return result
