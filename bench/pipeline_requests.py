"""Realistic request bodies for bench/pipeline.py: page views as a website's script sends them,
contact-form messages without sensitive data (so none is refused), consent choices."""

import random
import string
from typing import Any

VISITOR_ALPHABET = string.ascii_letters + string.digits + "_-"

PAGES = (
    "/",
    "/vacatures",
    "/vacatures/software-ontwikkelaar-utrecht",
    "/vacatures/verpleegkundige-amsterdam",
    "/vacatures/logistiek-medewerker-tilburg?utm_source=nieuwsbrief&utm_medium=email",
    "/vacatures?q=data+analist&plaats=rotterdam",
    "/werkgevers/plaats-een-vacature",
    "/blog/sollicitatiegesprek-tips",
    "/over-ons",
    "/contact",
    "/privacy",
    "/account/inloggen",
)
REFERRERS = (
    "",
    "",
    "https://www.google.com/",
    "https://www.google.nl/search?q=vacatures+utrecht",
    "https://www.linkedin.com/feed/",
    "https://www.jobport.nl/vacatures",
    "https://duckduckgo.com/",
    "https://t.co/abc123",
)
USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.6 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.6778.104 Mobile Safari/537.36",
    "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
)

FIRST_NAMES = ("Anna", "Daan", "Fatima", "Jeroen", "Lotte", "Mohamed", "Sanne", "Thijs")
LAST_NAMES = ("de Vries", "Jansen", "Bakker", "El Amrani", "Visser", "Smit", "Mulder", "Bos")
QUESTIONS = (
    "Hebben jullie nog plek voor een stagiair in de zomer?",
    "Hoe lang blijft mijn sollicitatie zichtbaar voor werkgevers?",
    "Kan ik een vacature plaatsen voor een parttime functie in Zwolle?",
    "Ik krijg geen e-mail meer met nieuwe vacatures, kunnen jullie dat nakijken?",
    "Wat kost een advertentie voor een maand op de voorpagina?",
    "Mijn profiel toont een oud adres, hoe pas ik dat aan?",
)


def visitor_id(rng: random.Random) -> str:
    """A cookie value of 8 to 128 characters, mostly of the usual 16 to 40."""
    length = rng.randint(8, 128) if rng.random() < 0.1 else rng.randint(16, 40)
    return "".join(rng.choices(VISITOR_ALPHABET, k=length))


def visitor_ids(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [visitor_id(rng) for _ in range(count)]


def page_view(rng: random.Random, visitor: str) -> dict[str, Any]:
    return {
        "visitor_id": visitor,
        "url": "https://www.jobport.nl" + rng.choice(PAGES),
        "referrer": rng.choice(REFERRERS),
        "user_agent": rng.choice(USER_AGENTS),
    }


def page_views(count: int, seed: int, visitors: list[str] | None = None) -> list[dict[str, Any]]:
    """`count` page views, of the given visitors in turn, else each of a new visitor."""
    rng = random.Random(seed)
    if visitors:
        return [page_view(rng, visitors[n % len(visitors)]) for n in range(count)]
    return [page_view(rng, visitor_id(rng)) for _ in range(count)]


# Digits written as letters in the addresses: the screening reads an address's digits apart from
# its letters, and a run tag's and a count's digits together may pass the BSN or card number check.
DIGITS_AS_LETTERS = str.maketrans("0123456789", "abcdefghij")


def contact_messages(count: int, run: str, seed: int) -> list[dict[str, Any]]:
    """`count` valid contact-form messages, each from another e-mail address."""
    rng = random.Random(seed)
    return [
        {
            "email": f"bench.{run}.{n}".translate(DIGITS_AS_LETTERS) + "@example.nl",
            "first_name": rng.choice(FIRST_NAMES),
            "last_name": rng.choice(LAST_NAMES),
            "message": rng.choice(QUESTIONS),
            **({"company": "Jobport lezer B.V."} if rng.random() < 0.3 else {}),
        }
        for n in range(count)
    ]


def analytics_consent(visitor: str, statement_version: str) -> dict[str, Any]:
    return {
        "visitor_id": visitor,
        "purposes": {"necessary": True, "analytics": True, "marketing": False},
        "statement_version": statement_version,
    }
