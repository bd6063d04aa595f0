"""Requests per client per minute, counted in memory: a token bucket per client address.

A client may send `per_window` requests at once; after that its bucket refills at `per_window`
tokens a window (a minute, unless told otherwise), so a steady client gets `per_window` requests
a window. The same buckets, keyed by pseudonymous subject id and with a day's window, limit how
often one e-mail address may be given on the public forms (`AddressLimiter`). Each request costs one
dictionary lookup and a little arithmetic, never a serialised history.

Memory stays bounded: a bucket that has been idle long enough to be full again is the same as
no bucket, so buckets are kept in order of last use and dropped from the idle end; beyond
`max_clients` the least recently seen client is dropped as well (it starts again with a full
bucket). Each gateway copy counts its own clients, as Litestar's in-memory store did.

The client is the connection's remote address (`scope["client"]`, as Litestar's default
`get_remote_address`); uvicorn replaces it with X-Forwarded-For only for trusted proxies. The
address is a dictionary key only: it is never logged and never leaves the process.
"""

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from litestar.exceptions import TooManyRequestsException

WINDOW_SECONDS = 60.0
UNKNOWN_CLIENT = "127.0.0.1"  # Litestar's choice when the server reports no client address


@dataclass(slots=True)
class Bucket:
    tokens: float
    updated: float


class Verdict(NamedTuple):
    """What a request was told: allowed or not, what is left, and when to come back."""

    allowed: bool
    remaining: int
    retry_after_seconds: int
    full_again_seconds: int


class ClientRateLimiter:
    """Token buckets per client, refilled continuously; O(1) per request."""

    def __init__(
        self,
        per_window: int,
        *,
        window_seconds: float = WINDOW_SECONDS,
        max_clients: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_window = per_window
        self.policy = f"{per_window}; w={int(window_seconds)}".encode()
        self.limit = str(per_window).encode()
        self._window_seconds = window_seconds
        self._per_second = per_window / window_seconds
        self._max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, Bucket] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, client: str) -> Verdict:
        """Spend one token of `client`'s bucket if it has one."""
        now = self._clock()
        self._forget_idle(now)
        bucket = self._buckets.get(client)
        if bucket is None:
            bucket = self._buckets[client] = Bucket(float(self.per_window), now)
            if len(self._buckets) > self._max_clients:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(client)
            bucket.tokens = min(
                float(self.per_window), bucket.tokens + (now - bucket.updated) * self._per_second
            )
            bucket.updated = now
        allowed = bucket.tokens >= 1.0
        if allowed:
            bucket.tokens -= 1.0
        return Verdict(
            allowed,
            int(bucket.tokens),
            0 if allowed else math.ceil((1.0 - bucket.tokens) / self._per_second),
            math.ceil((self.per_window - bucket.tokens) / self._per_second),
        )

    def headers(self, verdict: Verdict) -> list[tuple[bytes, bytes]]:
        """The IETF draft's RateLimit fields, as Litestar's middleware sent them, and Retry-After
        when the request was refused."""
        headers = [
            (b"ratelimit-policy", self.policy),
            (b"ratelimit-limit", self.limit),
            (b"ratelimit-remaining", str(verdict.remaining).encode()),
            (b"ratelimit-reset", str(verdict.full_again_seconds).encode()),
        ]
        if not verdict.allowed:
            headers.append((b"retry-after", str(verdict.retry_after_seconds).encode()))
        return headers

    def _forget_idle(self, now: float) -> None:
        # Buckets are in order of last use; one idle for a whole window is full, like a new one.
        while self._buckets:
            oldest = next(iter(self._buckets.values()))
            if now - oldest.updated < self._window_seconds:
                return
            self._buckets.popitem(last=False)


class AddressLimiter:
    """How often one e-mail address may be given on the public rights-request and complaint
    forms, across every client: each request e-mails that address, so without this anyone could
    flood a person's mailbox (and the officer's queue) from many addresses. Keyed by the
    pseudonymous subject id, never the address."""

    def __init__(self, per_day: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._buckets = ClientRateLimiter(per_day, window_seconds=24 * 3600.0, clock=clock)

    def take(self, subject_id: str) -> None:
        """Spend one of the address's requests; TooManyRequestsException (429) when none is left."""
        verdict = self._buckets.take(subject_id)
        if not verdict.allowed:
            raise TooManyRequestsException(
                detail="too many requests for this e-mail address",
                headers={"retry-after": str(verdict.retry_after_seconds)},
            )
