"""Many small reads by id at once: a batch's lookups overlap instead of waiting one for another."""

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")

AT_ONCE = 16
"""Reads in flight at a time: enough to hide round trips, few enough to leave the pool for others."""


async def looked_up(read: Callable[[K], Awaitable[V | None]], keys: Iterable[K]) -> dict[K, V]:
    """`read(key)` for every key, at most AT_ONCE at a time; the keys that found something."""
    limit = asyncio.Semaphore(AT_ONCE)

    async def one(key: K) -> V | None:
        async with limit:
            return await read(key)

    wanted = list(dict.fromkeys(keys))
    found = await asyncio.gather(*map(one, wanted))
    return {key: value for key, value in zip(wanted, found, strict=True) if value is not None}
