"""Passwords and PIN codes given in a message ("mijn wachtwoord is geheim", "pincode: 4321").

A word after "wachtwoord ... is" is taken for the password itself unless it says something about
the password ("vergeten", "verlopen", "niet", "gewijzigd"), which is what most such sentences do.
"""

import re
from collections.abc import Iterator

from privacyhub.gateway.contact.screening.kinds import Passage, SensitiveKind
from privacyhub.gateway.contact.screening.word_lists import word_list

_KEYWORD = (
    r"(?:wachtwoord(?:en)?|password|passwd|pwd|passcode|pincode|pin-code|pin|inlogcode"
    r"|toegangscode|inloggegevens|login\s+code)"
)
# "ww" is also the unemployment benefit (WW), so only "ww:" or "ww =" announces a password.
_PASSWORD = re.compile(
    rf"(?<!\w)(?:{_KEYWORD}(?!\w)|ww(?=\s*[:=]))"
    r"(?:\s*[:=]\s*(?P<given>\S+)"
    r"|(?:\s+[\w'.@-]+){0,4}?\s+(?:is|was|luidt|zijn|waren)\s+(?P<stated>\S+(?:\s+\S+){0,3})"
    r"|\s+(?P<digits>[0-9]{4,6})(?![\w-])"
    # Straight after the word, six or more characters with letters and digits:
    # "wachtwoord Feyenoord1908", but not "pin 3x fout" or "wachtwoord 2FA".
    r"|\s+(?P<bare>(?=\S*[^\W\d_])(?=\S*\d)\S{6,}))",
    re.IGNORECASE,
)
_QUOTES_AND_PUNCTUATION = "\"'`\u2018\u2019\u201c\u201d.,;:!?()"
# Words that may come between "is" and the password: "mijn wachtwoord is nog steeds Zomer2024".
_FILLERS = frozenset(
    "nu nog steeds altijd gewoon eigenlijk trouwens dus daar hier now still just simply actually".split()
)
_NOT_THE_PASSWORD = _FILLERS | frozenset(word_list("words_about_a_password.txt"))
# A Dutch past participle ("gewijzigd", "verlopen", "ontgrendeld") tells what happened to it.
_PARTICIPLE = re.compile(r"(?:ge|ver|be|ont|her)\w{2,}(?:d|t|en)", re.IGNORECASE)
# "8 tekens lang": a length, not a password.
_LENGTH_UNITS = {"tekens", "karakters", "characters", "letters", "cijfers", "digits"}


def password_passages(text: str) -> Iterator[Passage]:
    """Each password or PIN the text gives, the secret alone (not the words announcing it)."""
    for match in _PASSWORD.finditer(text):
        group = next(name for name in ("given", "stated", "digits", "bare") if match.group(name))
        start = match.start(group)
        words = match.group(group).split()
        while len(words) > 1 and words[0].lower() in _FILLERS:
            start = text.index(words[1], start + len(words[0]))
            words = words[1:]
        secret = words[0].strip(_QUOTES_AND_PUNCTUATION)
        following = words[1].lower().strip(_QUOTES_AND_PUNCTUATION) if len(words) > 1 else ""
        if _is_a_secret(secret, following):
            offset = text.index(secret, start)
            yield Passage(offset, offset + len(secret), SensitiveKind.PASSWORD)


def _is_a_secret(word: str, following: str) -> bool:
    if not word or word.lower() in _NOT_THE_PASSWORD or following in _LENGTH_UNITS:
        return False
    return not _PARTICIPLE.fullmatch(word)
