"""Validate rendered manifests (a YAML stream on stdin) without a cluster.

    kustomize build deploy/kubernetes/overlays/production | uv run --with kubernetes-validate==1.37.0 python deploy/kubernetes/validate.py

Kubernetes' own kinds are checked against the API schemas of KUBERNETES_VERSION (the
kubernetes-validate package bundles them), strictly: an unknown field is an error, as with
`kubectl apply --validate=strict`. Custom resources are checked against the CRD schemas vendored
in schemas/ (SOURCES.md), made as strict: an object that lists its properties may have no other.
"""

import json
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml
from jsonschema.protocols import Validator

KUBERNETES_VERSION = "1.34.0"
SCHEMAS = Path(__file__).resolve().parent / "schemas"


def strict(schema: Any) -> Any:
    """The schema with `additionalProperties: false` wherever it lists properties and does not
    keep unknown fields, as the API server's strict field validation does for a CRD."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    tightened = {key: strict(value) for key, value in schema.items()}
    if (
        "properties" in schema
        and "additionalProperties" not in schema
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        tightened["additionalProperties"] = False
    return tightened


@cache
def custom_resource_validator(api_version: str, kind: str) -> Validator | None:
    group, _, version = api_version.rpartition("/")
    path = SCHEMAS / f"{group}_{kind}_{version}.json"
    if not path.exists():
        return None
    schema = strict(json.loads(path.read_text(encoding="utf-8")))
    return jsonschema.Draft202012Validator(schema)


def problems(resource: dict[str, Any]) -> Iterable[str]:
    name = f"{resource.get('kind')} {resource.get('metadata', {}).get('name')}"
    validator = custom_resource_validator(resource["apiVersion"], resource["kind"])
    if validator is not None:
        for error in validator.iter_errors(resource):
            yield f"{name}: {'.'.join(map(str, error.absolute_path))}: {error.message}"
        return
    try:
        kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        # It carries the jsonschema error's fields; it stops at the first one.
        yield f"{name}: {'.'.join(map(str, error.absolute_path))}: {error.message}"
    except kubernetes_validate.SchemaNotFoundError:
        yield f"{name}: no schema for {resource['apiVersion']} {resource['kind']}"


def main() -> int:
    resources = [doc for doc in yaml.safe_load_all(sys.stdin) if doc]
    found = [problem for resource in resources for problem in problems(resource)]
    for problem in found:
        print(problem, file=sys.stderr)
    kinds = sorted({resource["kind"] for resource in resources})
    print(
        f"{len(resources)} resources ({', '.join(kinds)}) against Kubernetes "
        f"{KUBERNETES_VERSION} and the vendored CRD schemas: {len(found)} problems"
    )
    return 1 if found or not resources else 0


if __name__ == "__main__":
    sys.exit(main())
