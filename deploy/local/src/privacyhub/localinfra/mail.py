"""A local mail catcher: an SMTP server (aiosmtpd) that keeps every e-mail in a Maildir.

`make run` starts it when no REQUESTS_SMTP_HOST is configured, so the codes and notices
the requests service sends can be read in `.local/data/mail/` instead of going out.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .ports import ensure_port_free, tcp_accepts
from .process import ManagedProcess


class MailCatcher:
    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port
        self.maildir = self.data_dir / "maildir"
        self._process = ManagedProcess("mail", self.data_dir, self.data_dir / "mail.log")

    def start(self, timeout: float = 30) -> None:
        ensure_port_free(self.port, "the mail catcher")
        self.maildir.parent.mkdir(parents=True, exist_ok=True)
        self._process.start(
            [
                sys.executable,
                "-m",
                "aiosmtpd",
                "--nosetuid",
                "--listen",
                f"127.0.0.1:{self.port}",
                "--class",
                "aiosmtpd.handlers.Mailbox",
                str(self.maildir),
            ],
            cwd=self.data_dir,
        )
        self._process.wait_ready(lambda: tcp_accepts(self.port), timeout)

    def stop(self) -> None:
        self._process.stop()

    def environment(self) -> dict[str, str]:
        """What the requests service needs to send its mail here."""
        return {
            "REQUESTS_SMTP_HOST": "127.0.0.1",
            "REQUESTS_SMTP_PORT": str(self.port),
            "REQUESTS_SMTP_TLS": "none",
        }
