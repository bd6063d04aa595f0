import io
import json
import logging

import pytest
import structlog
from privacyhub.shared.logs import REDACTED, configure_logging


@pytest.fixture
def json_lines():
    stream = io.StringIO()
    configure_logging(service="test", level="DEBUG", stream=stream)

    def read() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield read
    structlog.reset_defaults()


def test_personal_fields_are_blanked(json_lines) -> None:
    structlog.get_logger().info(
        "contact stored", email="jan@example.nl", first_name="Jan", reference="CT-1"
    )
    (line,) = json_lines()
    assert line["email"] == REDACTED
    assert line["first_name"] == REDACTED
    assert line["reference"] == "CT-1"
    assert line["service"] == "test"


def test_personal_patterns_are_scrubbed_from_library_logs(json_lines) -> None:
    logging.getLogger("some.library").warning(
        "failed for jan@example.nl with IBAN NL91ABNA0417164300"
    )
    (line,) = json_lines()
    assert "jan@example.nl" not in line["msg"]
    assert "NL91ABNA0417164300" not in line["msg"]
    assert line["msg"].startswith("failed for")


def test_ip_addresses_are_scrubbed_but_times_survive(json_lines) -> None:
    logging.getLogger("uvicorn.error").info(
        "request from 192.168.10.7:51234 and 2001:db8::8a2e:370:7334 at 12:30:45"
    )
    (line,) = json_lines()
    assert "192.168.10.7" not in line["msg"]
    assert "2001:db8" not in line["msg"]
    assert "12:30:45" in line["msg"]
    assert line["timestamp"].startswith("20")
