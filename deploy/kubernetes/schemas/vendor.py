"""Write the openAPIV3Schema of each served version of the given CustomResourceDefinitions here.

    uv run python deploy/kubernetes/schemas/vendor.py CRD.yaml...

Each schema lands in `<group>_<kind>_<version>.json`, without its descriptions (they do not
validate anything and make up most of a CRD). Record where each CRD came from in SOURCES.md.
"""

import json
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


def strip_descriptions(node: object) -> object:
    if isinstance(node, dict):
        # A property named "description" is a field to keep; only the keyword goes.
        return {
            key: (
                {name: strip_descriptions(sub) for name, sub in value.items()}
                if key == "properties"
                else strip_descriptions(value)
            )
            for key, value in node.items()
            if key != "description"
        }
    if isinstance(node, list):
        return [strip_descriptions(item) for item in node]
    return node


def vendor(crd_file: Path) -> list[Path]:
    written = []
    for crd in yaml.safe_load_all(crd_file.read_text(encoding="utf-8")):
        if not crd or crd.get("kind") != "CustomResourceDefinition":
            continue
        spec = crd["spec"]
        for version in spec["versions"]:
            if not version.get("served"):
                continue
            schema = strip_descriptions(version["schema"]["openAPIV3Schema"])
            target = HERE / f"{spec['group']}_{spec['names']['kind']}_{version['name']}.json"
            target.write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            written.append(target)
    return written


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        for path in vendor(Path(argument)):
            print(path.name)
