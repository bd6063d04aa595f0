"""A page view's user agent becomes device type, operating system and browser, nothing finer."""

import pytest
from privacyhub.gateway.visitors.schemas import page_address
from privacyhub.gateway.visitors.user_agents import DeviceFacts, device_facts
from pydantic import HttpUrl

USER_AGENTS = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0": (
        "desktop",
        "Windows",
        "Firefox",
    ),
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15": ("desktop", "Mac OS X", "Safari"),
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1": ("mobile", "iOS", "Mobile Safari"),
    "Mozilla/5.0 (Linux; Android 14; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36": ("mobile", "Android", "Chrome Mobile"),
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1": ("tablet", "iOS", "Mobile Safari"),
    "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36": ("tablet", "Android", "Chrome"),
    # Families beyond the known browsers are counted as Other: a caller chooses the User-Agent.
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)": (
        "bot",
        "Other",
        "Other",
    ),
    "curl/8.5.0": ("other", "Other", "Other"),
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/120.0.0.0 Safari/537.36": ("desktop", "Linux", "Other"),
    "Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko)": (
        "other",
        "Other",
        "Other",
    ),
}


@pytest.mark.parametrize(("user_agent", "expected"), USER_AGENTS.items())
def test_a_user_agent_is_reduced_to_three_facts(
    user_agent: str, expected: tuple[str, str, str]
) -> None:
    assert device_facts(user_agent) == DeviceFacts(*expected)


@pytest.mark.parametrize("missing", [None, ""])
def test_without_a_user_agent_every_fact_is_other(missing: str | None) -> None:
    assert device_facts(missing) == DeviceFacts("other", "Other", "Other")


def test_query_strings_fragments_and_credentials_are_cut_from_addresses() -> None:
    url = HttpUrl("https://anna:geheim@www.jobport.nl:8443/vacatures/data?email=a@b.nl#top")

    assert page_address(url) == "https://www.jobport.nl:8443/vacatures/data"
    assert page_address(HttpUrl("https://jobport.nl")) == "https://jobport.nl/"
