"""The Compose topology (deploy/compose) keeps to the Compose specification and to the code.

compose.yaml and its podman override validate against the Compose specification's JSON schema
(vendored with its provenance); every privacyhub service runs a command the image has, sets only
variables its process's settings read, gives each secret the process checks from a mounted file,
logs in to Kafka as its own principal, and its health check asks its real port and path; every
secret is one make_secrets.py makes; and the brokers are as many as the topics' replicas.
"""

import importlib.util
import json
import re
import runpy
import shlex
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml
from dockerfile_parse import DockerfileParser
from privacyhub.consent.app import create_runtime as consent_runtime
from privacyhub.consent.settings import ConsentSettings
from privacyhub.contact.app import create_runtime as contact_runtime
from privacyhub.contact.settings import ContactSettings
from privacyhub.gateway.app import create_app as gateway_app
from privacyhub.gateway.settings import GatewaySettings
from privacyhub.localinfra.system import PROCESSES
from privacyhub.partner.app import create_runtime as partner_runtime
from privacyhub.partner.settings import PartnerSettings
from privacyhub.requests.app import create_runtime as requests_runtime
from privacyhub.requests.settings import RequestsSettings
from privacyhub.retention.app import create_runtime as retention_runtime
from privacyhub.retention.settings import RetentionSettings
from privacyhub.shared.production import variable
from privacyhub.shared.settings import CommonSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_DIR = ROOT / "deploy" / "compose"
SCHEMA = COMPOSE_DIR / "schema" / "compose-spec.json"
IMAGE = "${PRIVACYHUB_IMAGE:-privacyhub:latest}"
# Read by OpenSSL when the process makes its TLS context, not by the settings.
TLS_VARIABLES = {"SSL_CERT_FILE"}
HEALTH_URL = re.compile(r"http://127\.0\.0\.1:(\d+)(/[\w/-]*)")


@dataclass(frozen=True)
class ProcessCode:
    settings: type[CommonSettings]
    served_paths: Callable[[CommonSettings], set[str]]


def _gateway_paths(settings: CommonSettings) -> set[str]:
    assert isinstance(settings, GatewaySettings)
    return {route.path for route in gateway_app(settings).routes}


def _service_paths(create_runtime: Callable[[Any], Any]) -> Callable[[CommonSettings], set[str]]:
    return lambda settings: {path for path, _ in create_runtime(settings).asgi_app().routes}


# By the image's command (the module `python -m privacyhub.<command>` runs).
CODE = {
    "gateway": ProcessCode(GatewaySettings, _gateway_paths),
    "consent": ProcessCode(ConsentSettings, _service_paths(consent_runtime)),
    "contact": ProcessCode(ContactSettings, _service_paths(contact_runtime)),
    "requests": ProcessCode(RequestsSettings, _service_paths(requests_runtime)),
    "retention": ProcessCode(RetentionSettings, _service_paths(retention_runtime)),
    "partner": ProcessCode(PartnerSettings, _service_paths(partner_runtime)),
}
# The Kafka principal of each command, as `make run` logs each process in.
PRINCIPALS = {process.module.removeprefix("privacyhub."): process.name for process in PROCESSES}


class ComposeLoader(yaml.SafeLoader):
    """YAML with the tags an override file may use to replace (`!override`) or drop (`!reset`)
    what it merges into; a reset key is left out, as Compose leaves it out of the merged file."""


RESET = object()
ComposeLoader.add_constructor("!reset", lambda loader, node: RESET)
ComposeLoader.add_constructor(
    "!override",
    lambda loader, node: (
        loader.construct_mapping(node, deep=True)
        if isinstance(node, yaml.MappingNode)
        else loader.construct_sequence(node, deep=True)
    ),
)


def without_resets(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: without_resets(item) for key, item in value.items() if item is not RESET}
    if isinstance(value, list):
        return [without_resets(item) for item in value]
    return value


def load(name: str) -> dict[str, Any]:
    return without_resets(yaml.load((COMPOSE_DIR / name).read_text(), Loader=ComposeLoader))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load("compose.yaml")


def privacyhub_services(compose: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, service in compose["services"].items():
        if service.get("image") == IMAGE and service["command"][0] in CODE:
            yield name, service


def environment_variables(settings: type[CommonSettings]) -> set[str]:
    instance = settings.model_construct()  # reads no environment
    return {variable(instance, name) for name in settings.model_fields}


@pytest.mark.parametrize("name", ["compose.yaml", "compose.podman.yaml"])
def test_the_compose_files_follow_the_compose_specification(name: str) -> None:
    validator = jsonschema_rs.validator_for(json.loads(SCHEMA.read_text()))
    errors = [str(error) for error in validator.iter_errors(load(name))]
    assert not errors, f"{name} breaks the Compose specification: {errors}"


def test_every_process_of_the_image_runs_as_a_service(compose: dict[str, Any]) -> None:
    parser = DockerfileParser(str(ROOT / "Dockerfile"), env_replace=False)
    [processes] = [
        value.partition("=")[2].strip('"').split()
        for instruction in parser.structure
        if instruction["instruction"] == "ARG"
        and (value := instruction["value"]).startswith("PROCESSES=")
    ]
    commands = [service["command"][0] for _, service in privacyhub_services(compose)]
    assert sorted(commands) == sorted(processes) == sorted(CODE)


def test_each_process_runs_in_production_with_a_restart_policy(compose: dict[str, Any]) -> None:
    for name, service in privacyhub_services(compose):
        assert service["environment"]["PRIVACYHUB_ENVIRONMENT"] == "production", name
        assert service["restart"] == "unless-stopped", name
        assert service["healthcheck"]["test"][0] == "CMD", name


def test_each_service_sets_only_what_its_settings_read(compose: dict[str, Any]) -> None:
    for name, service in privacyhub_services(compose):
        settings = CODE[service["command"][0]].settings
        unknown = set(service["environment"]) - environment_variables(settings) - TLS_VARIABLES
        assert not unknown, f"{name} sets {sorted(unknown)}, which {settings.__name__} never reads"


def test_each_service_reads_every_secret_it_checks_from_a_mounted_file(
    compose: dict[str, Any],
) -> None:
    for name, service in privacyhub_services(compose):
        settings = CODE[service["command"][0]].settings
        instance = settings.model_construct()
        environment = service["environment"]
        for secret in settings.SECRETS:
            assert variable(instance, secret) not in environment, f"{name}: {secret} in plain text"
            file_variable = variable(instance, f"{secret}_file")
            mounted = environment.get(file_variable, "")
            assert mounted.startswith("/run/secrets/"), f"{name} does not set {file_variable}"
            assert mounted.removeprefix("/run/secrets/") in service["secrets"], name


def test_each_service_logs_in_to_kafka_as_its_own_principal(compose: dict[str, Any]) -> None:
    for name, service in privacyhub_services(compose):
        principal = PRINCIPALS[service["command"][0]]
        environment = service["environment"]
        assert environment["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL", name
        assert environment["KAFKA_USERNAME"] == principal, name
        assert environment["KAFKA_PASSWORD_FILE"] == f"/run/secrets/kafka_{principal}_password"


def test_each_health_check_asks_the_processs_own_port_and_path(compose: dict[str, Any]) -> None:
    for name, service in privacyhub_services(compose):
        code = CODE[service["command"][0]]
        settings = code.settings(_env_file=None, environment="development")
        url = HEALTH_URL.search(shlex.join(service["healthcheck"]["test"]))
        assert url is not None, f"{name}'s health check asks no local URL"
        assert int(url.group(1)) == settings.http_port, name
        assert url.group(2) in code.served_paths(settings), f"{name} serves no {url.group(2)}"


def test_the_setup_job_runs_the_projects_own_topic_and_acl_commands(
    compose: dict[str, Any],
) -> None:
    setup = compose["services"]["kafka-setup"]
    script = setup["command"][-1]
    scripts = tomllib.loads((ROOT / "shared" / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["privacyhub-topics"] == "privacyhub.shared.topics:create_topics_cli"
    assert "privacyhub-topics" in script
    assert importlib.util.find_spec("privacyhub.shared.kafka_access") is not None
    assert "python -m privacyhub.shared.kafka_access" in script
    brokers = [name for name in compose["services"] if re.fullmatch(r"kafka-\d+", name)]
    assert int(setup["environment"]["KAFKA_REPLICATION_FACTOR"]) == len(brokers) == 3
    assert set(setup["environment"]) - TLS_VARIABLES <= environment_variables(CommonSettings)


def test_every_secret_is_one_make_secrets_makes(compose: dict[str, Any], tmp_path: Path) -> None:
    make_secrets = runpy.run_path(str(COMPOSE_DIR / "make_secrets.py"))
    folder = make_secrets["SecretsFolder"](tmp_path / "secrets")
    for make in ("make_kafka_tls", "make_kafka_logins", "make_message_keys"):
        make_secrets[make](folder, *([3] if make == "make_kafka_tls" else []))
    make_secrets["make_application_secrets"](folder)
    made = {path.name for path in folder.path.iterdir()}
    declared = {Path(secret["file"]).name for secret in compose["secrets"].values()}
    assert declared <= made, f"make_secrets.py makes no {sorted(declared - made)}"
    assert {name for name in compose["secrets"]} == declared
    used = {
        secret for service in compose["services"].values() for secret in service.get("secrets", [])
    }
    assert used == set(compose["secrets"])


def test_the_podman_override_changes_only_services_of_the_topology(
    compose: dict[str, Any],
) -> None:
    override = load("compose.podman.yaml")
    assert set(override["services"]) <= set(compose["services"])
    for name, service in override["services"].items():
        assert "secrets" not in service, f"the override changes {name}'s secrets"
        assert set(service.get("environment", {})) <= {"MONGODB_URL"}, name
