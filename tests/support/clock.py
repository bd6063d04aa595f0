"""A clock a test can move forward, so deadlines are checked without waiting for them."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from privacyhub.shared.envelope import utc_now


class MovableClock:
    """Real time plus an offset that a test moves forward for a while."""

    def __init__(self) -> None:
        self._offset = timedelta()

    def __call__(self) -> datetime:
        return utc_now() + self._offset

    @contextmanager
    def moved_forward(self, by: timedelta) -> Iterator[None]:
        self._offset += by
        try:
            yield
        finally:
            self._offset -= by
