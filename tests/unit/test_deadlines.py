"""Answer deadlines: one calendar month after receipt, in Amsterdam's calendar (GDPR Art. 12(3))."""

from datetime import UTC, date, datetime

import pytest
from privacyhub.shared.deadlines import (
    days_left,
    deadline_met,
    due_date,
    due_date_for,
    is_due_soon,
    is_overdue,
    receipt_date,
    within_first_month,
)


@pytest.mark.parametrize(
    ("received_on", "due"),
    [
        (date(2025, 1, 31), date(2025, 2, 28)),  # no 31 February: that month's last day
        (date(2024, 1, 31), date(2024, 2, 29)),  # leap year
        (date(2024, 2, 29), date(2024, 3, 29)),  # the same day number, not the month's end
        (date(2025, 3, 31), date(2025, 4, 30)),
        (date(2025, 12, 31), date(2026, 1, 31)),  # across the year
        (date(2025, 6, 15), date(2025, 7, 15)),
    ],
)
def test_due_one_calendar_month_after_receipt(received_on: date, due: date) -> None:
    assert due_date(received_on) == due


@pytest.mark.parametrize(
    ("received_on", "months", "due"),
    [
        (date(2025, 1, 31), 2, date(2025, 4, 30)),  # three months from receipt, not 28 Feb + 2
        (date(2025, 1, 31), 1, date(2025, 3, 31)),
        (date(2024, 2, 29), 2, date(2024, 5, 29)),
        (date(2025, 12, 31), 2, date(2026, 3, 31)),
        (date(2025, 11, 30), 2, date(2026, 2, 28)),
    ],
)
def test_an_extension_adds_months_counted_from_receipt(
    received_on: date, months: int, due: date
) -> None:
    assert due_date(received_on, extension_months=months) == due


@pytest.mark.parametrize("months", [-1, 3])
def test_an_extension_is_at_most_two_months(months: int) -> None:
    with pytest.raises(ValueError):
        due_date(date(2025, 1, 31), extension_months=months)


def test_receipt_is_the_calendar_day_in_amsterdam() -> None:
    # 23:30 UTC on 31 January is already 1 February in Amsterdam (UTC+1 in winter).
    late_evening = datetime(2025, 1, 31, 23, 30, tzinfo=UTC)
    assert receipt_date(late_evening) == date(2025, 2, 1)
    assert due_date_for(late_evening) == date(2025, 3, 1)
    # In summer Amsterdam is UTC+2.
    assert receipt_date(datetime(2025, 3, 31, 21, 59, tzinfo=UTC)) == date(2025, 3, 31)
    assert receipt_date(datetime(2025, 3, 31, 22, 0, tzinfo=UTC)) == date(2025, 4, 1)


def test_an_extension_is_possible_up_to_and_including_the_first_due_date() -> None:
    received_on = date(2025, 1, 31)
    assert within_first_month(received_on, datetime(2025, 2, 28, 22, 59, tzinfo=UTC))
    assert not within_first_month(received_on, datetime(2025, 2, 28, 23, 0, tzinfo=UTC))


def test_due_soon_is_within_seven_days_and_overdue_after_the_due_date() -> None:
    due = date(2025, 3, 10)
    noon = datetime(2025, 3, 3, 11, 0, tzinfo=UTC)
    assert days_left(due, noon) == 7
    assert is_due_soon(due, noon) and not is_overdue(due, noon)
    assert not is_due_soon(due, datetime(2025, 3, 2, 11, 0, tzinfo=UTC))
    on_the_day = datetime(2025, 3, 10, 11, 0, tzinfo=UTC)
    assert is_due_soon(due, on_the_day) and not is_overdue(due, on_the_day)
    day_after = datetime(2025, 3, 11, 11, 0, tzinfo=UTC)
    assert is_overdue(due, day_after) and not is_due_soon(due, day_after)
    assert days_left(due, day_after) == -1


def test_a_deadline_is_met_when_answered_by_the_due_day_in_amsterdam() -> None:
    due = date(2025, 3, 10)
    later = datetime(2025, 4, 1, tzinfo=UTC)
    # 23:30 UTC on the 10th is already the 11th in Amsterdam.
    assert deadline_met(due, datetime(2025, 3, 10, 22, 30, tzinfo=UTC), later) is True
    assert deadline_met(due, datetime(2025, 3, 10, 23, 30, tzinfo=UTC), later) is False
    assert deadline_met(due, None, datetime(2025, 3, 10, 11, 0, tzinfo=UTC)) is None
    assert deadline_met(due, None, datetime(2025, 3, 11, 11, 0, tzinfo=UTC)) is False
