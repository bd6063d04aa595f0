"""Medical information: Dutch and English terms with their inflections and compounds.

Words are compared in lower case and without accents. A term listed in medical_terms.txt matches
as that file describes; a compound ending in a word from not_about_a_person.txt
("diabetesverpleegkundige", "kankeronderzoek") is about work or care, not someone's health.
"""

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from privacyhub.gateway.contact.screening.kinds import Passage, SensitiveKind
from privacyhub.gateway.contact.screening.normalised_text import folded
from privacyhub.gateway.contact.screening.word_lists import word_list

_WORDS_REMEMBERED = 65_536  # words recur across messages: each is judged once
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


def _alternatives(words: Iterable[str]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))


_TERMS = word_list("medical_terms.txt")
_PHRASES = _phrase_pattern([term for term in _TERMS if re.search(r"[\s-]", term)])
_WORD_TERMS = [term for term in _TERMS if not re.search(r"[\s-]", term)]
# Each list as one pattern or tuple, so a word is compared once, not once per term.
_ANYWHERE = _alternatives(term for term in _WORD_TERMS if len(term) >= _ANYWHERE_FROM)
_AT_AN_END = tuple(term for term in _WORD_TERMS if len(term) == _AT_EITHER_END)
_AT_AN_END_INFLECTED = tuple(term + ending for term in _AT_AN_END for ending in _INFLECTIONS)
_WHOLE = frozenset(term for term in _WORD_TERMS if len(term) < _AT_EITHER_END)
_NOT_ABOUT_A_PERSON = frozenset(word_list("not_about_a_person.txt"))
# A compound ending in one of them: at least one letter before it.
_ENDS_IN_WORK_OR_CARE = re.compile(rf".(?:{_alternatives(_NOT_ABOUT_A_PERSON).pattern})$")


def medical_passages(text: str) -> Iterator[Passage]:
    """Each word or phrase in text that names a condition, treatment or someone's health."""
    text = folded(text)
    for phrase in _PHRASES.finditer(text):
        yield Passage(*phrase.span(), SensitiveKind.MEDICAL)
    words = list(_WORD.finditer(text))
    for word, following in zip(words, [*words[1:], None], strict=False):
        if _is_medical(word.group()) and not _followed_by_work_or_care(text, word, following):
            yield Passage(*word.span(), SensitiveKind.MEDICAL)


@lru_cache(maxsize=_WORDS_REMEMBERED)
def _is_medical(word: str) -> bool:
    compound = re.sub(r"['-]", "", word)
    if _ENDS_IN_WORK_OR_CARE.search(compound):
        return False
    parts = re.split(r"['-]", word)
    return _ANYWHERE.search(compound) is not None or any(
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
    return word in _WHOLE or word.startswith(_AT_AN_END) or word.endswith(_AT_AN_END_INFLECTED)
