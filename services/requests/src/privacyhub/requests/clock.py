"""The service's sense of now, injected so deadlines can be tested without waiting for them."""

from collections.abc import Callable
from datetime import datetime

Clock = Callable[[], datetime]
"""Returns the current time as an aware datetime."""
