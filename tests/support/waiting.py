"""Waiting for an asynchronous outcome without sleeping a fixed time."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T | None]], *, within: float = 30.0, what: str = "condition"
) -> T:
    """Poll `probe` until it returns something truthy; fail naming `what` after `within` seconds.

    The bound is a hang guard for CI, not a performance assertion.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        result = await probe()
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {within:.0f}s")
        await asyncio.sleep(0.05)
