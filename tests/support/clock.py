"""A clock a test can move, so deadlines are checked without waiting for them."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from privacyhub.shared.envelope import utc_now


class MovableClock:
    """Real time plus an offset that a test moves forward (or back) for a while."""

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

    @contextmanager
    def moved_back(self, by: timedelta) -> Iterator[None]:
        """What happens meanwhile happened `by` ago: old records made through the normal path."""
        with self.moved_forward(-by):
            yield
