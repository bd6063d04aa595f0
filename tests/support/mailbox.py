"""A real SMTP server for tests (aiosmtpd) that keeps every e-mail it receives, for tests to read."""

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from privacyhub.localinfra import free_port

from tests.support.waiting import eventually

HOST = "127.0.0.1"

# aiosmtpd logs every SMTP command at INFO; the tests read the messages instead.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class Mailbox:
    """Listens on a free loopback port in a thread of its own; `messages` is what arrived so far."""

    def __init__(self) -> None:
        self.host = HOST
        self.port = free_port()
        self._received: list[EmailMessage] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname=self.host, port=self.port)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self._received.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return list(self._received)

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]

    async def wait_for(
        self,
        address: str,
        matches: Callable[[EmailMessage], bool] = lambda _: True,
        *,
        what: str = "an e-mail",
    ) -> EmailMessage:
        """The first e-mail to `address` that `matches`, once it has arrived."""

        async def arrived() -> EmailMessage | None:
            return next((m for m in self.to(address) if matches(m)), None)

        return await eventually(arrived, what=what)

    @contextmanager
    def running(self) -> Iterator["Mailbox"]:
        self._controller.start()
        try:
            yield self
        finally:
            self._controller.stop()


def text_of(message: EmailMessage) -> str:
    """The plain-text body."""
    return message.get_content()
