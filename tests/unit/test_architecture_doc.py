"""docs/architecture.md names only what exists: every file and definition it points at, and its
tables of topics, processes and collections are the message catalogue's and the register's.

`uv run python tests/unit/test_architecture_doc.py` prints the generated tables, to paste
between their markers after the catalogue or the register changed.
"""

import ast
import functools
import re
from pathlib import Path

import pytest
from privacyhub.shared import topics
from privacyhub.shared.catalogue import CATALOGUE, Process, published_by, read_by, topics_of
from privacyhub.shared.register import load_register
from privacyhub.shared.topics import TopicSpec

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs" / "architecture.md"
SHARED = ROOT / "shared" / "src" / "privacyhub" / "shared"
SOURCE_ROOTS = ("gateway", "services", "shared", "deploy", "docs", "tests", "bench")
# Where the services' Python packages live: every class a CamelCase name may refer to.
PACKAGES = ("gateway/src", "services", "shared/src", "deploy/partner/src")

BACKTICKED = re.compile(r"`([^`\s]+)`")
REPO_PATH = re.compile(rf"^(?:{'|'.join(SOURCE_ROOTS)})/[\w./-]*$")
CONSTANT = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
CAMEL_CASE = re.compile(r"^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+$")
# Kinds of file every service or gateway domain has (its rooms), named without a folder.
ROOMS = frozenset(
    {"app.py", "handlers.py", "queries.py", "commands.py", "expiry.py", "controllers.py"}
    | {"schemas.py", "staff.py"}
)
GENERATED = re.compile(r"<!-- generated: (\w+) -->\n(.*?)<!-- end of generated -->", re.DOTALL)


@functools.cache
def document() -> str:
    return DOCUMENT.read_text(encoding="utf-8")


def backticked() -> list[str]:
    return sorted(set(BACKTICKED.findall(document())))


@functools.cache
def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def defines(path: Path, name: str) -> bool:
    """Whether the module defines `name`: a class or function at any depth (handlers are often
    nested in a register function), a module-level assignment, or `Outer.inner`."""
    outer, _, inner = name.partition(".")
    for node in ast.walk(parsed(path)):
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            if node.name == outer and (not inner or defines_within(node, inner)):
                return True
    if inner:
        return False
    for node in parsed(path).body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        if any(isinstance(target, ast.Name) and target.id == name for target in targets):
            return True
    return False


def defines_within(scope: ast.AST, name: str) -> bool:
    return any(
        isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name == name
        for node in ast.walk(scope)
        if node is not scope
    )


@functools.cache
def shared_module_names() -> frozenset[str]:
    """Every module-level name of the shared package: topics, message types, query names."""
    names: set[str] = set()
    for path in SHARED.rglob("*.py"):
        for node in parsed(path).body:
            if isinstance(node, ast.Assign):
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.add(node.target.id)
    return frozenset(names)


@functools.cache
def defined_names() -> frozenset[str]:
    """Every class, and every module-level name (type aliases), of the packages."""
    names: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            module = parsed(path)
            names |= {n.name for n in ast.walk(module) if isinstance(n, ast.ClassDef)}
            names |= {
                target.id
                for node in module.body
                if isinstance(node, ast.Assign)
                for target in node.targets
                if isinstance(target, ast.Name)
            }
    return frozenset(names)


def test_every_path_it_names_exists_and_defines_what_it_names() -> None:
    problems = []
    for text in backticked():
        path_text, _, name = text.partition("::")
        if not REPO_PATH.match(path_text):
            if (path_text.endswith(".py") and path_text not in ROOMS) or name:
                problems.append(f"`{text}`: not a path from the repository root")
            continue
        path = ROOT / path_text
        if not path.exists():
            problems.append(f"`{text}`: no such file or folder")
        elif name and not (path.suffix == ".py" and defines(path, name)):
            problems.append(f"`{text}`: {path_text} defines no {name}")
    assert not problems, "docs/architecture.md:\n" + "\n".join(problems)


def test_every_constant_it_names_is_declared_in_shared() -> None:
    unknown = [
        text for text in backticked() if CONSTANT.match(text) and text not in shared_module_names()
    ]
    assert not unknown, f"docs/architecture.md names constants shared does not declare: {unknown}"


def test_every_message_type_or_class_it_names_exists() -> None:
    known = {message.type for message in CATALOGUE} | defined_names()
    unknown = [text for text in backticked() if CAMEL_CASE.match(text) and text not in known]
    assert not unknown, f"docs/architecture.md names no such message type or class: {unknown}"


# The generated tables.


@functools.cache
def topic_constants() -> dict[str, str]:
    """Topic name -> its constant in topics.py."""
    return {
        value.name: name
        for name, value in vars(topics).items()
        if isinstance(value, TopicSpec) and name.isupper()
    }


def listed(names: list[str]) -> str:
    return ", ".join(f"`{name}`" for name in names) or "none"


def constants(specs: tuple[TopicSpec, ...]) -> list[str]:
    return [topic_constants()[topic.name] for topic in specs]


def processes_table() -> str:
    rows = ["| process | reads | publishes |", "|---|---|---|"]
    for process in Process:
        reads = constants(topics_of(read_by(process)))
        writes = constants(topics_of(published_by(process)))
        rows.append(f"| {process.value} | {listed(reads)} | {listed(writes)} |")
    return "\n".join(rows) + "\n"


def topics_table() -> str:
    """One row per catalogue declaration: a topic's messages with one key, publishers, readers."""
    rows = ["| topic | message types | key | published by | read by |", "|---|---|---|---|---|"]
    groups: dict[tuple, list[str]] = {}
    for message in CATALOGUE:
        group = (message.topic.name, message.key.name, message.publishers, message.readers)
        groups.setdefault(group, []).append(message.type)
    for (topic, key, publishers, readers), types in groups.items():
        rows.append(
            f"| `{topic_constants()[topic]}` | {listed(types)} | {key.lower()} "
            f"| {', '.join(p.value for p in publishers)} "
            f"| {', '.join(r.value for r in readers) or 'no process of the platform'} |"
        )
    return "\n".join(rows) + "\n"


def collections_table() -> str:
    """Each service's collections, as the processing register declares them (`stored_in`)."""
    stored: dict[str, set[str]] = {}
    for category in load_register().categories:
        for store in category.stored_in:
            stored.setdefault(store.service, set()).add(store.collection)
    rows = ["| service | collections |", "|---|---|"]
    for service in sorted(stored):
        rows.append(f"| {service} | {listed(sorted(stored[service]))} |")
    return "\n".join(rows) + "\n"


TABLES = {"processes": processes_table, "topics": topics_table, "collections": collections_table}


@pytest.mark.parametrize("table", sorted(TABLES))
def test_each_generated_table_is_what_the_code_declares(table: str) -> None:
    found = dict(GENERATED.findall(document()))
    assert table in found, f"docs/architecture.md has no generated table {table!r}"
    expected = TABLES[table]()
    assert found[table] == expected, (
        f"docs/architecture.md: the {table} table is stale; replace it with:\n{expected}"
    )


if __name__ == "__main__":
    for name, make in TABLES.items():
        print(f"<!-- generated: {name} -->\n{make()}<!-- end of generated -->\n")
