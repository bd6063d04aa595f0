"""Structured JSON logs that never carry personal data.

Every record, ours and the libraries', goes through one structlog pipeline whose
`redact_personal_data` step blanks fields named after personal data and any
e-mail address, IBAN-like or long digit run that slipped into a free-text value.
"""

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog

REDACTED = "[redacted]"

PERSONAL_FIELDS = frozenset(
    {
        "email",
        "first_name",
        "last_name",
        "name",
        "message",
        "company",
        "found_us_via",
        "device",
        "user_agent",
        "ip",
        "ip_address",
        "details",
        "text",
        "code",
        "address",
        "phone",
    }
)

_PERSONAL_PATTERNS = (
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),  # e-mail addresses
    re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]){10,30}\b"),  # IBAN-shaped
    re.compile(r"\b\d[\d .-]{7,}\d\b"),  # BSN, card or phone numbers
    re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b"),  # IPv4 addresses (with a port)
    re.compile(r"\b(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}\b"),  # IPv6 addresses, full
    re.compile(r"(?:[0-9a-fA-F]{1,4})?::(?:[0-9a-fA-F]{1,4}:?)*"),  # IPv6 addresses, compressed
)


def _scrub(text: str) -> str:
    for pattern in _PERSONAL_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def redact_personal_data(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: blank personal fields, scrub personal patterns from every other string."""
    for key, value in list(event_dict.items()):
        if key.lower() in PERSONAL_FIELDS:
            event_dict[key] = REDACTED
        elif isinstance(value, str):
            event_dict[key] = _scrub(value)
    return event_dict


def configure_logging(*, service: str, level: str = "INFO", stream: TextIO | None = None) -> None:
    """Send all logging (structlog and stdlib) as redacted JSON lines to `stream` (stderr by default)."""

    def add_service(
        _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        event_dict.setdefault("service", service)
        return event_dict

    shared_processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        add_service,
        structlog.processors.format_exc_info,
        redact_personal_data,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            *shared_processors,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.ExtraAdder(), *shared_processors],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.EventRenamer("msg"),
            structlog.processors.JSONRenderer(),
        ],
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
