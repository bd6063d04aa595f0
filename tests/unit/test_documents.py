"""The committed documents say what the code does."""

import json
import runpy
from pathlib import Path

from privacyhub.consent.settings import ConsentSettings
from privacyhub.contact.settings import ContactSettings
from privacyhub.gateway.settings import GatewaySettings
from privacyhub.requests.settings import RequestsSettings
from privacyhub.retention.settings import RetentionSettings
from pydantic_settings import BaseSettings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = (GatewaySettings, ConsentSettings, ContactSettings, RequestsSettings, RetentionSettings)


def environment_variable(settings: type[BaseSettings], name: str) -> str:
    field = settings.model_fields[name]
    if field.validation_alias is not None:
        return field.validation_alias.choices[0].upper()
    return f"{settings.model_config.get('env_prefix', '')}{name}".upper()


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for settings in SETTINGS:
        for name, field in settings.model_fields.items():
            assert field.description, f"{settings.__name__}.{name} has no description"
            variable = environment_variable(settings, name)
            assert f"| `{variable}` |" in readme, f"{variable} is missing from the README's table"


def test_the_committed_asyncapi_document_matches_the_code() -> None:
    generated = runpy.run_path(str(ROOT / "docs" / "generate_asyncapi.py"))["document"]()
    committed = json.loads((ROOT / "docs" / "asyncapi.json").read_text())
    assert committed == generated, "docs/asyncapi.json is stale: run `make asyncapi`"
