"""The retention rules for contact data (statement §4), as pure functions of the lifecycle.

"We delete your data once you are no longer a customer or your question is answered",
after a grace period: each fact gives a due date, and the earliest one wins.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

AFTER_ANSWER = "contact_messages.after_answer"
AFTER_CUSTOMER_ENDED = "contact_messages.after_customer_ended"
ERASURE_REQUESTED = "contact_messages.erasure_requested"


@dataclass(frozen=True)
class Due:
    """When a record is to be deleted, and by which rule."""

    at: datetime
    rule: str


def due_after_answer(answered_at: datetime, grace: timedelta) -> Due:
    return Due(answered_at + grace, AFTER_ANSWER)


def due_after_customer_ended(ended_at: datetime, grace: timedelta) -> Due:
    return Due(ended_at + grace, AFTER_CUSTOMER_ENDED)


def due_on_erasure_request(requested_at: datetime) -> Due:
    """Due at once: the person asked for erasure (Art. 17); only a legal hold still keeps it."""
    return Due(requested_at, ERASURE_REQUESTED)


def whichever_first(current: Due, proposed: Due) -> Due:
    """The earlier of two due dates; on a tie the one already scheduled stays."""
    return proposed if proposed.at < current.at else current


def concerned_by_customer_end(stored_at: datetime, ended_at: datetime) -> bool:
    """Whether the end of the customer relationship concerns a message: only those stored before it.

    A person who writes again after the relationship ended has a new question, which
    is kept until it is answered.
    """
    return stored_at <= ended_at
