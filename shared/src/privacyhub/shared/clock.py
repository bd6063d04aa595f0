"""A service's sense of now, injected so deadlines and retention can be tested without waiting."""

from collections.abc import Callable
from datetime import datetime

Clock = Callable[[], datetime]
"""Returns the current time as an aware datetime (`envelope.utc_now` outside tests)."""
