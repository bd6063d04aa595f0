"""Device type, operating system and browser from a User-Agent, by ua-parser; the raw string goes no further."""

from dataclasses import dataclass

from ua_parser import Result, parse

OTHER = "Other"  # ua-parser's own word for what it does not recognise

MOBILE_SYSTEMS = frozenset(
    {"iOS", "Android", "Windows Phone", "BlackBerry OS", "KaiOS", "Firefox OS", "HarmonyOS"}
)
DESKTOP_SYSTEMS = frozenset(
    {"Windows", "Mac OS X", "Linux", "Ubuntu", "Fedora", "Debian", "Chrome OS", "FreeBSD"}
)
TABLET_FAMILIES = frozenset({"iPad", "Kindle"})
# Browsers counted by name; any other family (a caller picks the User-Agent) is counted as Other,
# so the analytics' browser dimension stays a short, fixed list.
BROWSERS = frozenset(
    {
        "Chrome",
        "Chrome Mobile",
        "Chrome Mobile iOS",
        "Chrome Mobile WebView",
        "Chromium",
        "Firefox",
        "Firefox Mobile",
        "Firefox iOS",
        "Safari",
        "Mobile Safari",
        "Mobile Safari UI/WKWebView",
        "Edge",
        "Edge Mobile",
        "Opera",
        "Opera Mobile",
        "Samsung Internet",
        "Brave",
        "Vivaldi",
        "DuckDuckGo Mobile",
        "Yandex Browser",
        "UC Browser",
        "IE",
    }
)


@dataclass(frozen=True)
class DeviceFacts:
    device_type: str
    os: str
    browser: str


def device_type(result: Result) -> str:
    """desktop, mobile, tablet, bot or other, from what ua-parser recognised."""
    device, os = result.device, result.os
    if device is not None and device.family == "Spider":
        return "bot"
    if device is not None and (
        device.family in TABLET_FAMILIES or device.brand == "Generic_Android_Tablet"
    ):
        return "tablet"
    if os is not None and os.family in MOBILE_SYSTEMS:
        return "mobile"
    if os is not None and os.family in DESKTOP_SYSTEMS:
        return "desktop"
    return "other"


def device_facts(user_agent: str | None) -> DeviceFacts:
    """Three coarse facts; versions and device models are left out because they narrow a visitor down."""
    result = parse(user_agent or "")
    os = result.os.family if result.os else OTHER
    browser = result.user_agent.family if result.user_agent else OTHER
    return DeviceFacts(
        device_type=device_type(result),
        os=os if os in MOBILE_SYSTEMS | DESKTOP_SYSTEMS else OTHER,
        browser=browser if browser in BROWSERS else OTHER,
    )
