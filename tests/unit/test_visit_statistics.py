"""What a page view leaves for statistics, and how counts become rankings and shares."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone

from privacyhub.consent.analytics import days_between, ranked, shares
from privacyhub.consent.visits import visit_facts
from privacyhub.shared.contracts.consent import PageViewed

AMSTERDAM_SUMMER = timezone(timedelta(hours=2))


def page_view(url: str, referrer: str | None, occurred_at: datetime) -> PageViewed:
    return PageViewed(
        visitor_id="visitor-unit-test",
        url=url,
        referrer=referrer,
        device_type="mobile",
        os="iOS",
        browser="Mobile Safari",
        occurred_at=occurred_at,
    )


def test_a_view_is_counted_by_utc_day_page_path_and_referring_site() -> None:
    just_after_midnight_in_amsterdam = datetime(2024, 6, 2, 0, 30, tzinfo=AMSTERDAM_SUMMER)

    facts = visit_facts(
        page_view(
            "https://www.jobport.nl/vacatures/data-analist",
            "https://www.linkedin.com/feed/",
            just_after_midnight_in_amsterdam,
        )
    )

    assert facts == {
        "day": "2024-06-01",
        "page": "/vacatures/data-analist",
        "referrer_host": "www.linkedin.com",
        "device_type": "mobile",
        "os": "iOS",
        "browser": "Mobile Safari",
    }
    assert "visitor-unit-test" not in repr(facts)


def test_moving_between_our_own_pages_and_coming_directly_are_no_referrals() -> None:
    moment = datetime(2024, 6, 1, 12, tzinfo=UTC)

    internal = visit_facts(page_view("https://jobport.nl/", "https://jobport.nl/contact", moment))
    direct = visit_facts(page_view("https://jobport.nl", None, moment))

    assert internal["referrer_host"] is None
    assert direct["referrer_host"] is None
    assert direct["page"] == "/"


def test_rankings_put_the_most_viewed_first_and_break_ties_alphabetically() -> None:
    counts = Counter({"/contact": 1, "/vacatures": 3, "/": 1})

    assert ranked(counts) == [("/vacatures", 3), ("/", 1), ("/contact", 1)]
    assert [(s.value, s.fraction) for s in shares(counts, total=5)] == [
        ("/vacatures", 0.6),
        ("/", 0.2),
        ("/contact", 0.2),
    ]
    assert shares(Counter({"desktop": 1, "mobile": 2}), total=3)[1].fraction == 0.3333


def test_a_range_of_days_includes_both_ends() -> None:
    assert days_between(date(2024, 2, 28), date(2024, 3, 1)) == [
        date(2024, 2, 28),
        date(2024, 2, 29),
        date(2024, 3, 1),
    ]
