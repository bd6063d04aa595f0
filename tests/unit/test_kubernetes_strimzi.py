"""The Strimzi KafkaTopic and KafkaUser resources are what the project declares, and the
committed files are exactly what deploy/kubernetes/strimzi.py writes from the declarations."""

import importlib.util
from pathlib import Path
from types import ModuleType

import yaml
from privacyhub.shared.catalogue import ALL_TOPICS
from privacyhub.shared.kafka_access import LOGINS, acl_bindings

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "deploy" / "kubernetes" / "strimzi.py"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kubernetes_strimzi", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def committed(name: str) -> list[dict]:
    path = ROOT / "deploy" / "kubernetes" / "base" / "kafka" / name
    return list(yaml.safe_load_all(path.read_text(encoding="utf-8")))


def test_the_committed_resources_are_what_the_declarations_generate() -> None:
    for path, text in load_generator().rendered().items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.name} drifted from the declarations: run "
            "`uv run python deploy/kubernetes/strimzi.py` and commit the result"
        )


def test_each_declared_topic_is_a_kafka_topic_with_its_partitions_and_retention() -> None:
    topics = {t["spec"]["topicName"]: t["spec"] for t in committed("topics.yaml")}
    assert set(topics) == {topic.name for topic in ALL_TOPICS}
    for topic in ALL_TOPICS:
        assert topics[topic.name]["partitions"] == topic.partitions, topic.name
        assert topics[topic.name]["config"] == topic.config, topic.name


def test_each_login_is_a_kafka_user_with_exactly_its_declared_acls() -> None:
    users = {u["metadata"]["name"]: u["spec"] for u in committed("users.yaml")}
    assert set(users) == set(LOGINS)
    granted = {
        (
            f"User:{name}",
            acl["resource"]["type"],
            acl["resource"]["name"],
            acl["resource"]["patternType"],
            operation.upper(),
        )
        for name, spec in users.items()
        for acl in spec["authorization"]["acls"]
        for operation in acl["operations"]
        if acl["type"] == "allow"
    }
    declared = {
        (
            binding.principal,
            binding.resource_type.name.lower(),
            binding.resource_name,
            {"LITERAL": "literal", "PREFIXED": "prefix"}[binding.pattern_type.name],
            binding.operation.name,
        )
        for binding in acl_bindings()
    }
    assert granted == declared
    assert all(spec["authentication"]["type"] == "scram-sha-512" for spec in users.values())


def test_the_processes_reach_the_cluster_the_way_its_listener_admits_them() -> None:
    kafka, *_ = (r for r in committed("cluster.yaml") if r["kind"] == "Kafka")
    cluster = kafka["metadata"]["name"]
    (listener,) = kafka["spec"]["kafka"]["listeners"]
    assert listener["tls"] is True
    assert listener["authentication"]["type"] == "scram-sha-512"
    assert kafka["spec"]["kafka"]["authorization"]["type"] == "simple"
    assert kafka["spec"]["kafka"]["config"]["auto.create.topics.enable"] is False
    kustomization = yaml.safe_load(
        (ROOT / "deploy" / "kubernetes" / "base" / "kustomization.yaml").read_text(encoding="utf-8")
    )
    (settings,) = kustomization["configMapGenerator"]
    given = dict(literal.split("=", 1) for literal in settings["literals"])
    # Strimzi names the bootstrap Service `<cluster>-kafka-bootstrap`.
    assert given["KAFKA_BOOTSTRAP_SERVERS"] == f"{cluster}-kafka-bootstrap:{listener['port']}"
    assert given["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert given["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
    generator = load_generator()
    assert generator.CLUSTER == cluster
    for resource in committed("topics.yaml") + committed("users.yaml"):
        assert resource["metadata"]["labels"]["strimzi.io/cluster"] == cluster


def test_the_processes_trust_the_clusters_ca() -> None:
    kafka, *_ = (r for r in committed("cluster.yaml") if r["kind"] == "Kafka")
    # Strimzi publishes the cluster CA's certificate in `<cluster>-cluster-ca-cert`.
    ca = f"{kafka['metadata']['name']}-cluster-ca-cert"
    base = ROOT / "deploy" / "kubernetes" / "base"
    for process in ("gateway", "consent", "contact", "requests", "retention", "partner"):
        (deployment,) = [
            r
            for r in yaml.safe_load_all((base / f"{process}.yaml").read_text(encoding="utf-8"))
            if r["kind"] == "Deployment"
        ]
        volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
        assert volumes["kafka-ca"]["secret"]["secretName"] == ca, process
    for resource in yaml.safe_load_all(
        (base / "keda" / "scaling.yaml").read_text(encoding="utf-8")
    ):
        if resource["kind"] == "TriggerAuthentication":
            refs = {r["parameter"]: r["name"] for r in resource["spec"]["secretTargetRef"]}
            assert refs["ca"] == ca
