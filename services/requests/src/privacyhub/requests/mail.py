"""Sending e-mails to requesters over SMTP (aiosmtplib).

A mail server that cannot be reached is an infrastructure failure: the message being handled
is redelivered until it can send. A recipient the server refuses for good is the address's
fault: that e-mail is dropped (and logged without the address) so the rest flows on.
"""

import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

import aiosmtplib
from privacyhub.requests.settings import RequestsSettings
from privacyhub.shared.dead_letter import TransientFailure

logger = logging.getLogger(__name__)

# aiosmtplib's start_tls: None upgrades when the server offers STARTTLS, True insists on it.
START_TLS = {"auto": None, "starttls": True, "tls": False, "none": False}


@dataclass(frozen=True)
class Notice:
    """A plain-text e-mail to a requester: Dutch first, English below."""

    subject: str
    body: str


class MailServerUnavailable(TransientFailure):
    """The SMTP server did not take the e-mail now; the message is redelivered after a pause."""


class Mailer:
    def __init__(self, settings: RequestsSettings) -> None:
        self._settings = settings
        self._sender_domain = parseaddr(settings.mail_sender)[1].rpartition("@")[2] or None

    def compose(self, to: str, notice: Notice) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self._settings.mail_sender
        message["To"] = to
        message["Subject"] = notice.subject
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = make_msgid(domain=self._sender_domain)
        message.set_content(notice.body)
        return message

    async def send(self, to: str, notice: Notice) -> bool:
        """True once the server accepted the e-mail; False when it refuses the recipient for good."""
        settings = self._settings
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        try:
            await aiosmtplib.send(
                self.compose(to, notice),
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username,
                password=password,
                use_tls=settings.smtp_tls == "tls",
                start_tls=START_TLS[settings.smtp_tls],
                timeout=settings.smtp_timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            if all(refused.code >= 500 for refused in error.recipients):
                logger.warning(
                    "mail server refused the recipient",
                    extra={"smtp_codes": [refused.code for refused in error.recipients]},
                )
                return False
            raise MailServerUnavailable("recipient temporarily refused") from error
        except (aiosmtplib.SMTPException, OSError) as error:
            logger.warning("mail server unavailable", extra={"error": type(error).__name__})
            raise MailServerUnavailable(type(error).__name__) from error
        return True
