"""The suite's own layout: test modules share helpers only through tests/support.

A test module that imports another test module (or a conftest) ties tests together that should
fail alone, and pytest may load the same file twice under two names. What two test modules both
need lives in tests/support; fixtures live in conftest files, which pytest finds without an import.
"""

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).parents[1]
SUPPORT = "tests.support"


def module_name(path: Path) -> str:
    parts = path.relative_to(TESTS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, *, is_package: bool = False) -> list[str]:
    """Every module the source of `module` imports, relative imports resolved; `from a import b`
    counts as importing a and a.b, since b may be a module."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.append(base)
            found.extend(f"{base}.{alias.name}" for alias in node.names)
    return found


def suite_modules_imported(source: str, module: str, *, is_package: bool = False) -> list[str]:
    """The modules of the suite other than tests/support that `module` imports."""
    return [
        name
        for name in imported_modules(source, module, is_package=is_package)
        if (name == "tests" or name.startswith("tests."))
        and name != SUPPORT
        and not name.startswith(f"{SUPPORT}.")
    ]


def test_no_module_of_the_suite_imports_a_test_module_or_a_conftest() -> None:
    offences = [
        f"{path.relative_to(TESTS.parent)} imports {name}"
        for path in sorted(TESTS.rglob("*.py"))
        for name in suite_modules_imported(
            path.read_text(encoding="utf-8"),
            module_name(path),
            is_package=path.name == "__init__.py",
        )
    ]
    assert offences == [], "move what they share to tests/support:\n" + "\n".join(offences)


@pytest.mark.parametrize(
    "line",
    [
        "from tests.integration.test_rights_execution import Person",
        "import tests.integration.test_contact_path",
        "from tests.integration import test_rights_execution as rights",
        "from tests.integration.conftest import staff_headers",
        "from tests.conftest import Endpoints",
        "from tests.e2e.test_system import CONTACT_FORM",
        "from . import test_retention",
        "from .test_retention import place_hold",
        "from .. import conftest",
    ],
)
def test_every_way_of_importing_a_test_module_is_seen(line: str) -> None:
    assert suite_modules_imported(line, "tests.integration.test_example")


@pytest.mark.parametrize(
    "line",
    [
        "from tests.support.people import Person",
        "from tests.support import naming",
        "import tests.support.kafka",
        "from ..support.waiting import eventually",
        "from privacyhub.shared.envelope import Envelope",
    ],
)
def test_importing_support_modules_and_the_code_under_test_is_fine(line: str) -> None:
    assert suite_modules_imported(line, "tests.integration.test_example") == []
