"""Medical information: Dutch and English terms with their inflections and compounds.

Words are compared in lower case and without accents. A term listed in medical_terms.txt matches
as that file describes; a compound ending in a word from not_about_a_person.txt
("diabetesverpleegkundige", "kankeronderzoek") is about work or care, not someone's health.
"""

import re
from collections.abc import Iterator

from privacyhub.gateway.contact.screening.kinds import Passage, SensitiveKind
from privacyhub.gateway.contact.screening.normalised_text import folded
from privacyhub.gateway.contact.screening.word_lists import word_list

_ANYWHERE_FROM = 6
_AT_EITHER_END = 5
_INFLECTIONS = ("", "s", "e", "en", "'s")
# Letters, joined by hyphens or apostrophes into one word: "hiv-test", "burn-outklachten".
_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")


def _phrase_pattern(phrases: list[str]) -> re.Pattern[str]:
    alternatives = (
        r"[\s-]*".join(map(re.escape, re.split(r"[\s-]+", phrase)))
        for phrase in sorted(phrases, key=len, reverse=True)
    )
    return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})\w*")


_TERMS = word_list("medical_terms.txt")
_PHRASES = _phrase_pattern([term for term in _TERMS if re.search(r"[\s-]", term)])
_WORD_TERMS = [term for term in _TERMS if not re.search(r"[\s-]", term)]
_ANYWHERE = tuple(term for term in _WORD_TERMS if len(term) >= _ANYWHERE_FROM)
_AT_AN_END = tuple(term for term in _WORD_TERMS if len(term) == _AT_EITHER_END)
_WHOLE = frozenset(term for term in _WORD_TERMS if len(term) < _AT_EITHER_END)
_NOT_ABOUT_A_PERSON = tuple(word_list("not_about_a_person.txt"))


def medical_passages(text: str) -> Iterator[Passage]:
    """Each word or phrase in text that names a condition, treatment or someone's health."""
    text = folded(text)
    for phrase in _PHRASES.finditer(text):
        yield Passage(*phrase.span(), SensitiveKind.MEDICAL)
    words = list(_WORD.finditer(text))
    for word, following in zip(words, [*words[1:], None], strict=False):
        if _is_medical(word.group()) and not _followed_by_work_or_care(text, word, following):
            yield Passage(*word.span(), SensitiveKind.MEDICAL)


def _is_medical(word: str) -> bool:
    compound = re.sub(r"['-]", "", word)
    if any(compound.endswith(end) and compound != end for end in _NOT_ABOUT_A_PERSON):
        return False
    parts = re.split(r"['-]", word)
    return any(term in compound for term in _ANYWHERE) or any(
        _names_a_term(part) for part in {compound, *parts}
    )


def _followed_by_work_or_care(
    text: str, word: re.Match[str], following: re.Match[str] | None
) -> bool:
    """ "psychiatrisch verpleegkundige", "diabetes zorg": written apart, still about work or care."""
    return (
        following is not None
        and following.group() in _NOT_ABOUT_A_PERSON
        and text[word.end() : following.start()].isspace()
    )


def _names_a_term(word: str) -> bool:
    if word in _WHOLE:
        return True
    return any(
        word.startswith(term) or word.endswith(tuple(term + ending for ending in _INFLECTIONS))
        for term in _AT_AN_END
    )
