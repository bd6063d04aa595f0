"""The Strimzi KafkaTopic and KafkaUser resources are what the project declares, and the
committed files are exactly what deploy/kubernetes/strimzi.py writes from the declarations."""

import importlib.util
from pathlib import Path
from types import ModuleType

import yaml
from privacyhub.shared.kafka_access import LOGINS, acl_bindings
from privacyhub.shared.topics import ALL_TOPICS

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
