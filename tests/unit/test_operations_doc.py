"""docs/operations.md names what the code declares: every secret, every topic, every Kafka login."""

import re
from pathlib import Path

import pytest
from privacyhub.consent.settings import ConsentSettings
from privacyhub.contact.settings import ContactSettings
from privacyhub.gateway.settings import GatewaySettings
from privacyhub.partner.settings import PartnerSettings
from privacyhub.requests.settings import RequestsSettings
from privacyhub.retention.settings import RetentionSettings
from privacyhub.shared.catalogue import ALL_TOPICS
from privacyhub.shared.kafka_access import LOGINS
from privacyhub.shared.production import variable
from privacyhub.shared.settings import CommonSettings

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs" / "operations.md"
SETTINGS: tuple[type[CommonSettings], ...] = (
    GatewaySettings,
    ConsentSettings,
    ContactSettings,
    RequestsSettings,
    RetentionSettings,
    PartnerSettings,
)


@pytest.fixture(scope="module")
def document() -> str:
    return DOCUMENT.read_text(encoding="utf-8")


def secret_variables(settings: type[CommonSettings]) -> list[str]:
    """The environment variables of the secrets the process checks before a production start,
    with the `_FILE` variant of each secret that has one."""
    instance = settings.model_construct()  # reads no environment
    names = [*settings.SECRETS]
    names += [
        f"{name}_file" for name in settings.SECRETS if f"{name}_file" in settings.model_fields
    ]
    return [variable(instance, name) for name in names]


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda settings: settings.__name__)
def test_every_secret_of_every_process_is_named(
    settings: type[CommonSettings], document: str
) -> None:
    missing = [name for name in secret_variables(settings) if f"`{name}`" not in document]
    assert not missing, f"docs/operations.md does not name {missing} ({settings.__name__}.SECRETS)"


def test_every_topic_is_in_the_table_with_its_partitions(document: str) -> None:
    for topic in ALL_TOPICS:
        row = re.search(rf"^\| `{re.escape(topic.name)}` \| (\d+) \|", document, re.MULTILINE)
        assert row is not None, f"docs/operations.md has no table row for {topic.name}"
        assert int(row.group(1)) == topic.partitions, (
            f"docs/operations.md gives {topic.name} {row.group(1)} partitions, "
            f"topics.py {topic.partitions}"
        )


def test_the_table_names_no_topic_the_code_lacks(document: str) -> None:
    declared = {topic.name for topic in ALL_TOPICS}
    rows = set(re.findall(r"^\| `(privacyhub\.[a-z0-9.-]+)` \|", document, re.MULTILINE))
    assert rows <= declared, f"docs/operations.md lists undeclared topics {sorted(rows - declared)}"


def test_every_kafka_login_is_named(document: str) -> None:
    missing = [login for login in LOGINS if f"`{login}`" not in document]
    assert not missing, f"docs/operations.md does not name the Kafka logins {missing}"
