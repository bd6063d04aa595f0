"""The Kubernetes manifests (deploy/kubernetes) run each process as its code expects: the
command, the environment names of its settings class, the port and probe paths it serves, the
secrets production demands, the Kafka login and database it is given, and nothing more to talk to.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from dockerfile_parse import DockerfileParser
from privacyhub.consent.app import create_runtime as consent
from privacyhub.consent.settings import ConsentSettings
from privacyhub.contact.app import create_runtime as contact
from privacyhub.contact.settings import ContactSettings
from privacyhub.gateway.app import create_app as gateway
from privacyhub.gateway.settings import GatewaySettings
from privacyhub.partner.app import create_runtime as partner
from privacyhub.partner.settings import PartnerSettings
from privacyhub.requests.app import create_runtime as requests
from privacyhub.requests.settings import RequestsSettings
from privacyhub.retention.app import create_runtime as retention
from privacyhub.retention.settings import RetentionSettings
from privacyhub.shared.kafka_access import ACCESS
from privacyhub.shared.settings import CommonSettings, EncryptingServiceSettings, ServiceSettings
from pydantic import AliasChoices

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"
BASE = KUBERNETES / "base"

SETTINGS: dict[str, type[CommonSettings]] = {
    "gateway": GatewaySettings,
    "consent": ConsentSettings,
    "contact": ContactSettings,
    "requests": RequestsSettings,
    "retention": RetentionSettings,
    "partner": PartnerSettings,
}
SERVICES = {
    "consent": consent,
    "contact": contact,
    "requests": requests,
    "retention": retention,
    "partner": partner,
}
# Read by OpenSSL in every process (the system's CAs and the Kafka cluster's), not by the settings.
NOT_SETTINGS = {"SSL_CERT_FILE"}
KAFKA_BROKERS = {"strimzi.io/cluster": "privacyhub", "strimzi.io/broker-role": "true"}
DNS = {"k8s-app": "kube-dns"}


def base_resources() -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((BASE / "kustomization.yaml").read_text(encoding="utf-8"))
    return [
        resource
        for name in kustomization["resources"]
        for resource in yaml.safe_load_all((BASE / name).read_text(encoding="utf-8"))
        if resource
    ]


RESOURCES = base_resources()


def of_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {r["metadata"]["name"]: r for r in RESOURCES if r["kind"] == kind}


def common_environment() -> dict[str, str]:
    kustomization = yaml.safe_load((BASE / "kustomization.yaml").read_text(encoding="utf-8"))
    (settings,) = [
        g for g in kustomization["configMapGenerator"] if g["name"] == "privacyhub-settings"
    ]
    return dict(literal.split("=", 1) for literal in settings["literals"])


def deployment(process: str) -> dict[str, Any]:
    return of_kind("Deployment")[f"privacyhub-{process}"]


def container(process: str) -> dict[str, Any]:
    (main,) = [
        c
        for c in deployment(process)["spec"]["template"]["spec"]["containers"]
        if c["name"] == process
    ]
    return main


def environment(process: str) -> dict[str, dict[str, Any]]:
    """Every variable the process's container is given, with its source."""
    given = {name: {"value": value} for name, value in common_environment().items()}
    given |= {variable["name"]: variable for variable in container(process).get("env", [])}
    return given


def variables(settings: type[CommonSettings]) -> set[str]:
    """The environment variables a settings class reads (pydantic-settings' naming)."""
    names = set()
    prefix = settings.model_config.get("env_prefix", "")
    for name, field in settings.model_fields.items():
        if isinstance(field.validation_alias, AliasChoices):
            names |= {str(choice).upper() for choice in field.validation_alias.choices}
        else:
            names.add(f"{prefix}{name}".upper())
    return names


def settings_as_deployed(process: str, monkeypatch: pytest.MonkeyPatch) -> CommonSettings:
    """The settings the process reads in its container: secrets stand in as placeholders."""
    for name, variable in environment(process).items():
        monkeypatch.setenv(name, variable.get("value", "from-a-secret"))
    return SETTINGS[process](_env_file=None)  # type: ignore[call-arg]


def mount_of(process: str, path: str) -> tuple[dict[str, Any], str]:
    """The volume a file path lies in, and the file's name in it."""
    directory, _, file_name = path.rpartition("/")
    (mount,) = [m for m in container(process)["volumeMounts"] if m["mountPath"] == directory]
    volumes = deployment(process)["spec"]["template"]["spec"]["volumes"]
    (volume,) = [v for v in volumes if v["name"] == mount["name"]]
    return volume, file_name


def image_commands() -> set[str]:
    """The processes the image has a command for (`ARG PROCESSES` in the Dockerfile)."""
    parser = DockerfileParser(str(ROOT / "Dockerfile"))
    (processes,) = [
        value.split("=", 1)[1].strip('"')
        for instruction in parser.structure
        if instruction["instruction"] == "ARG"
        and (value := instruction["value"]).startswith("PROCESSES=")
    ]
    return set(processes.split())


def test_there_is_one_deployment_per_process_running_its_command() -> None:
    assert set(of_kind("Deployment")) == {f"privacyhub-{process}" for process in SETTINGS}
    assert image_commands() == set(SETTINGS)
    for process in SETTINGS:
        # The image's command of that name runs `python -m privacyhub.<process>`.
        assert container(process)["image"] == "privacyhub"
        assert container(process)["args"] == [process]


@pytest.mark.parametrize("process", SETTINGS)
def test_every_variable_given_is_one_the_settings_read(process: str) -> None:
    unknown = set(environment(process)) - variables(SETTINGS[process]) - NOT_SETTINGS
    assert not unknown, f"{process} is given variables its settings do not read: {unknown}"


@pytest.mark.parametrize("process", SETTINGS)
def test_the_process_runs_in_production_mode_on_sasl_ssl_and_listens_on_all_addresses(
    process: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_as_deployed(process, monkeypatch)
    assert settings.environment == "production"
    assert settings.kafka_security_protocol == "SASL_SSL"
    assert settings.http_host == "0.0.0.0"


@pytest.mark.parametrize("process", SETTINGS)
def test_port_and_probes_are_the_ones_the_process_serves(
    process: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_as_deployed(process, monkeypatch)
    (port,) = container(process)["ports"]
    assert (port["name"], port["containerPort"]) == ("http", settings.http_port)  # type: ignore[attr-defined]
    probes = {
        kind: (
            container(process)[kind]["httpGet"]["path"],
            container(process)[kind]["httpGet"]["port"],
        )
        for kind in ("startupProbe", "livenessProbe", "readinessProbe")
    }
    assert probes == {
        "startupProbe": ("/health", "http"),
        "livenessProbe": ("/health", "http"),
        "readinessProbe": ("/ready", "http"),
    }


@pytest.mark.parametrize("process", SETTINGS)
def test_the_process_serves_the_probed_and_scraped_paths(process: str) -> None:
    served = (
        {route.path for route in gateway().routes}
        if process == "gateway"
        else {path for path, _ in SERVICES[process]().asgi_app().routes}
    )
    assert {"/health", "/ready", "/metrics"} <= served


@pytest.mark.parametrize("process", SETTINGS)
def test_every_secret_production_demands_is_given(process: str) -> None:
    given = environment(process)
    settings = SETTINGS[process]
    for field in settings.SECRETS:
        plain = {name for name in variables(settings) if name.endswith(field.upper())}
        from_file = {f"{name}_FILE" for name in plain}
        assert set(given) & (plain | from_file), f"{process} is given no {field}"


@pytest.mark.parametrize("process", SETTINGS)
def test_secrets_come_from_secrets_and_key_files_from_mounted_secrets(process: str) -> None:
    settings = SETTINGS[process]
    secret_variables = {
        name
        for field in settings.SECRETS
        if field != "message_public_keys"  # public, mounted from a ConfigMap
        for name in variables(settings)
        if name.endswith(field.upper())
    }
    for name, variable in environment(process).items():
        if name in secret_variables or name in {"KAFKA_PASSWORD", "MONGODB_URL"}:
            assert "secretKeyRef" in variable.get("valueFrom", {}), name
        if name.endswith("_FILE") and name.removesuffix("_FILE") in secret_variables:
            volume, key = mount_of(process, variable["value"])
            assert "secret" in volume, name
            items = volume["secret"].get("items")
            assert items is None or key in {item["path"] for item in items}, name


def test_the_overlays_generate_every_secret_and_config_key_the_processes_read() -> None:
    needed: set[tuple[str, str]] = set()
    for process in SETTINGS:
        for name, variable in environment(process).items():
            reference = variable.get("valueFrom", {}).get("secretKeyRef")
            own = reference and reference["name"] == f"privacyhub-{process}"
            if own and not reference.get("optional"):
                needed.add((reference["name"], reference["key"]))
            if name.endswith("_FILE") and name not in NOT_SETTINGS:
                volume, key = mount_of(process, variable["value"])
                source = volume.get("secret", {}).get("secretName") or volume["configMap"]["name"]
                needed.add((source, key))
    for overlay in (KUBERNETES / "overlays").iterdir():
        kustomization = yaml.safe_load((overlay / "kustomization.yaml").read_text(encoding="utf-8"))
        generated = {
            (generator["name"], entry.split("=", 1)[0])
            for generator in kustomization["secretGenerator"] + kustomization["configMapGenerator"]
            for entry in generator.get("files", [])
        }
        assert needed <= generated, f"{overlay.name} lacks {needed - generated}"
        # Each process's MongoDB user gets the password the overlay generates.
        for database in of_kind("MongoDBCommunity").values():
            (user,) = database["spec"]["users"]
            assert (user["passwordSecretRef"]["name"], "password") in generated, overlay.name


@pytest.mark.parametrize("process", SETTINGS)
def test_the_kafka_login_is_the_processs_declared_principal(process: str) -> None:
    (access,) = [a for a in ACCESS if a.principal in {process, f"{process}-support"}]
    given = environment(process)
    assert given["KAFKA_USERNAME"]["value"] == access.principal
    # Strimzi's user operator writes the password into a Secret named after the KafkaUser.
    assert given["KAFKA_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == access.principal


@pytest.mark.parametrize("process", SERVICES)
def test_a_service_uses_its_own_database_through_its_own_mongodb_user(
    process: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_as_deployed(process, monkeypatch)
    assert isinstance(settings, ServiceSettings)
    database = of_kind("MongoDBCommunity")[f"privacyhub-{process}-mongodb"]
    (user,) = database["spec"]["users"]
    wanted = {settings.mongodb_database}
    if isinstance(settings, EncryptingServiceSettings):
        wanted.add(settings.subject_keys_database_name)
    assert {(role["name"], role["db"]) for role in user["roles"]} == {
        ("readWrite", name) for name in wanted
    }
    url = environment(process)["MONGODB_URL"]["valueFrom"]["secretKeyRef"]
    assert url["name"] == user["connectionStringSecretName"]


def pod_labels(process: str) -> dict[str, str]:
    return deployment(process)["spec"]["template"]["metadata"]["labels"]


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    return selector["matchLabels"].items() <= labels.items()


@pytest.mark.parametrize("process", SETTINGS)
def test_each_process_has_a_service_a_service_monitor_and_a_disruption_budget(process: str) -> None:
    name = f"privacyhub-{process}"
    service = of_kind("Service")[name]
    assert service["spec"]["selector"].items() <= pod_labels(process).items()
    assert [port["targetPort"] for port in service["spec"]["ports"]] == ["http"]
    monitor = of_kind("ServiceMonitor")[name]
    assert selects(monitor["spec"]["selector"], service["metadata"]["labels"])
    assert [(e["port"], e["path"]) for e in monitor["spec"]["endpoints"]] == [("http", "/metrics")]
    budget = of_kind("PodDisruptionBudget")[name]
    assert selects(budget["spec"]["selector"], pod_labels(process))
    assert budget["spec"]["maxUnavailable"] == 1


@pytest.mark.parametrize("process", SETTINGS)
def test_every_container_has_resource_requests_and_limits(process: str) -> None:
    spec = deployment(process)["spec"]["template"]["spec"]
    for each in spec["containers"] + spec.get("initContainers", []):
        assert {"cpu", "memory"} <= each["resources"]["requests"].keys(), each["name"]
        assert {"cpu", "memory"} <= each["resources"]["limits"].keys(), each["name"]


def destinations(policy: dict[str, Any]) -> Iterator[tuple[str, frozenset[int]]]:
    """What a NetworkPolicy lets its pods reach: Kafka, DNS, a MongoDB by its pods' label, or
    any address (`anywhere`), with the ports."""
    for rule in policy["spec"]["egress"]:
        ports = frozenset(port["port"] for port in rule["ports"])
        for peer in rule.get("to", [{}]):
            labels = peer.get("podSelector", {}).get("matchLabels", {})
            if labels == KAFKA_BROKERS:
                yield "kafka", ports
            elif labels == DNS:
                yield "dns", ports
            elif "app" in labels:
                yield labels["app"], ports
            else:
                yield "anywhere", ports


@pytest.mark.parametrize("process", SETTINGS)
def test_a_process_talks_only_to_kafka_and_its_own_database(process: str) -> None:
    policy = of_kind("NetworkPolicy")[f"privacyhub-{process}"]
    assert selects(policy["spec"]["podSelector"], pod_labels(process))
    assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    allowed = set(destinations(policy))
    expected = {("kafka", frozenset({9093})), ("dns", frozenset({53}))}
    if process in SERVICES:
        expected.add((f"privacyhub-{process}-mongodb-svc", frozenset({27017})))
    if process == "requests":
        expected.add(("anywhere", frozenset({25, 465, 587})))  # the SMTP server it mails through
    assert allowed == expected
    bootstrap = common_environment()["KAFKA_BOOTSTRAP_SERVERS"]
    assert bootstrap.endswith(":9093")


@pytest.mark.parametrize("process", SERVICES)
def test_only_its_service_reaches_a_database(process: str) -> None:
    policy = of_kind("NetworkPolicy")[f"privacyhub-{process}-mongodb"]
    assert policy["spec"]["podSelector"]["matchLabels"] == {
        "app": f"privacyhub-{process}-mongodb-svc"
    }
    (rule,) = policy["spec"]["ingress"]
    peers = [peer["podSelector"]["matchLabels"] for peer in rule["from"]]
    assert peers == [
        {"app.kubernetes.io/name": f"privacyhub-{process}"},
        {"app": f"privacyhub-{process}-mongodb-svc"},
    ]


def test_the_gateway_scales_on_cpu_and_the_services_on_consumer_lag() -> None:
    (autoscaler,) = of_kind("HorizontalPodAutoscaler").values()
    assert autoscaler["spec"]["scaleTargetRef"]["name"] == "privacyhub-gateway"
    assert [m["resource"]["name"] for m in autoscaler["spec"]["metrics"]] == ["cpu"]
    scaled = {s["spec"]["scaleTargetRef"]["name"] for s in of_kind("ScaledObject").values()}
    assert scaled == {f"privacyhub-{process}" for process in SERVICES}
    for name in scaled | {"privacyhub-gateway"}:
        assert "replicas" not in of_kind("Deployment")[name]["spec"], "the autoscaler owns it"
