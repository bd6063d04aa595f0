"""Browser and device from a User-Agent header, by the maintained ua-parser (no regexes of our own)."""

from ua_parser import parse


def describe_device(user_agent: str | None) -> str | None:
    """A short, non-identifying description such as "Firefox 128 on Windows 10"."""
    if not user_agent:
        return None
    result = parse(user_agent)
    browser = result.user_agent.family if result.user_agent else "unknown browser"
    if result.user_agent and result.user_agent.major:
        browser = f"{browser} {result.user_agent.major}"
    system = result.os.family if result.os else "unknown system"
    if result.os and result.os.major:
        system = f"{system} {result.os.major}"
    return f"{browser} on {system}"
