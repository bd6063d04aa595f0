"""Each consuming process scales on the lag of the consumer group it joins, on exactly the topics
it subscribes to, up to as many copies as those topics have partitions; the committed KEDA
resources are what deploy/kubernetes/keda.py writes."""

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from privacyhub.consent.app import create_runtime as consent
from privacyhub.contact.app import create_runtime as contact
from privacyhub.partner.app import create_runtime as partner
from privacyhub.requests.app import create_runtime as requests
from privacyhub.retention.app import create_runtime as retention
from privacyhub.shared.catalogue import ALL_TOPICS

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"
SERVICES = {
    "consent": consent,
    "contact": contact,
    "requests": requests,
    "retention": retention,
    "partner": partner,
}
PARTITIONS = {topic.name: topic.partitions for topic in ALL_TOPICS}
SCALING = KUBERNETES / "base" / "keda" / "scaling.yaml"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kubernetes_keda", KUBERNETES / "keda.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def resources(kind: str, path: Path) -> dict[str, dict[str, Any]]:
    return {
        r["metadata"]["name"]: r
        for r in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if r and r["kind"] == kind
    }


def test_the_committed_scaling_is_what_the_declarations_generate() -> None:
    for path, text in load_generator().rendered().items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.name} drifted from the declarations: run "
            "`uv run python deploy/kubernetes/keda.py` and commit the result"
        )


@pytest.mark.parametrize("process", SERVICES)
def test_a_service_scales_on_its_groups_lag_on_every_topic_it_consumes(process: str) -> None:
    runtime = SERVICES[process]()
    subscribed = {name for s in runtime.broker.subscribers for name in s.topic_names}
    scaled = resources("ScaledObject", SCALING)[f"privacyhub-{process}"]["spec"]
    triggers = scaled["triggers"]
    assert {t["type"] for t in triggers} == {"kafka"}
    assert sorted(t["metadata"]["topic"] for t in triggers) == sorted(subscribed)
    assert {t["metadata"]["consumerGroup"] for t in triggers} == {runtime.settings.consumer_group}
    # The service starts a new group from the earliest offset (ServiceRuntime.subscriber).
    assert {t["metadata"]["offsetResetPolicy"] for t in triggers} == {"earliest"}
    assert scaled["maxReplicaCount"] == max(PARTITIONS[name] for name in subscribed)
    assert scaled["minReplicaCount"] <= scaled["maxReplicaCount"]


@pytest.mark.parametrize("process", SERVICES)
def test_keda_reads_the_lag_with_the_processs_own_login_from_its_deployment(process: str) -> None:
    deployment = resources("Deployment", KUBERNETES / "base" / f"{process}.yaml")[
        f"privacyhub-{process}"
    ]
    containers = {c["name"]: c for c in deployment["spec"]["template"]["spec"]["containers"]}
    scaled = resources("ScaledObject", SCALING)[f"privacyhub-{process}"]["spec"]
    assert scaled["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    env = {
        v["name"]: v for v in containers[scaled["scaleTargetRef"]["envSourceContainerName"]]["env"]
    }
    (authentication,) = {t["authenticationRef"]["name"] for t in scaled["triggers"]}
    auth = resources("TriggerAuthentication", SCALING)[authentication]["spec"]
    (username,) = auth["env"]
    assert (username["parameter"], username["name"]) == ("username", "KAFKA_USERNAME")
    assert username["containerName"] in containers
    password = next(ref for ref in auth["secretTargetRef"] if ref["parameter"] == "password")
    assert password["name"] == env["KAFKA_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"]
    assert password["key"] == env["KAFKA_PASSWORD"]["valueFrom"]["secretKeyRef"]["key"]
    # The trigger connects as the process does: SCRAM-SHA-512 over TLS to the same brokers.
    for trigger in scaled["triggers"]:
        assert trigger["metadata"]["sasl"] == "scram_sha512"
        assert trigger["metadata"]["tls"] == "enable"
        assert trigger["metadata"]["bootstrapServersFromEnv"] == "KAFKA_BOOTSTRAP_SERVERS"
