"""Answer deadlines of rights requests (GDPR Art. 12(3)): one calendar month after receipt, extendable by two.

A deadline is a calendar date in Jobport's time zone: a request that arrives at 00:30 on
1 March in Amsterdam was received on 1 March, although it is still February in UTC. A month
later is the same day number in the next month, or that month's last day when it has no
such day (31 January → 28 or 29 February).
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

CALENDAR = ZoneInfo("Europe/Amsterdam")
ANSWER_MONTHS = 1
MAX_EXTENSION_MONTHS = 2
DUE_SOON_DAYS = 7


def receipt_date(received_at: datetime) -> date:
    """The calendar day a request was received on."""
    return received_at.astimezone(CALENDAR).date()


def today(now: datetime) -> date:
    return receipt_date(now)


def due_date(received_on: date, *, extension_months: int = 0) -> date:
    """The last day to answer. An extension counts from receipt too, so 31 January + 1 + 2 months is 30 April."""
    if not 0 <= extension_months <= MAX_EXTENSION_MONTHS:
        raise ValueError(f"an extension is 0 to {MAX_EXTENSION_MONTHS} months")
    return received_on + relativedelta(months=ANSWER_MONTHS + extension_months)


def due_date_for(received_at: datetime, *, extension_months: int = 0) -> date:
    return due_date(receipt_date(received_at), extension_months=extension_months)


def within_first_month(received_on: date, now: datetime) -> bool:
    """An extension may be announced only within the first month: up to and including its due date."""
    return today(now) <= due_date(received_on)


def days_left(due: date, now: datetime) -> int:
    """Whole days until the due date; 0 on the day itself, negative once it has passed."""
    return (due - today(now)).days


def is_overdue(due: date, now: datetime) -> bool:
    return days_left(due, now) < 0


def is_due_soon(due: date, now: datetime) -> bool:
    """Due within the next `DUE_SOON_DAYS` days (today included) and not yet overdue."""
    return 0 <= days_left(due, now) <= DUE_SOON_DAYS


def deadline_met(due: date, answered_at: datetime | None, now: datetime) -> bool | None:
    """Whether a request was answered by its due date; None while it is open and not yet due."""
    if answered_at is not None:
        return receipt_date(answered_at) <= due
    return False if is_overdue(due, now) else None
