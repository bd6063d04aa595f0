"""The Dockerfile keeps the rules of the image, read with a Dockerfile parser (dockerfile-parse).

Multi-stage; the final stage runs as a non-root user and installs no build tools; the base image
is a build argument pinned by digest; dependencies come from uv.lock as locked; OCI labels; each
process `make run` starts has a command in the image that runs a module of this repository; the
build context (.dockerignore) holds what the Dockerfile copies and no more. deploy/images/build-local
builds the image and runs every command.
"""

import importlib.util
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser
from privacyhub.localinfra.system import PROCESSES as LOCAL_PROCESSES

ROOT = Path(__file__).resolve().parents[2]
PINNED_BY_DIGEST = re.compile(r"^[\w.\-/:]+@sha256:[0-9a-f]{64}$")
# Compilers, build systems, package managers and header packages: none has a place at run time.
BUILD_TOOLS = re.compile(
    r"\b(apt-get|apt|apk|dnf|yum|microdnf|pip3?|uv|gcc|g\+\+|cc|c\+\+|clang|make|cmake|"
    r"build-essential|binutils|[\w.+-]+-dev(el)?)\b"
)
OCI_LABELS = ("title", "description", "version", "revision", "created", "base.name")


@dataclass
class Stage:
    image: str
    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def values(self, instruction: str) -> list[str]:
        return [value for kind, value in self.instructions if kind == instruction]


@dataclass
class Dockerfile:
    global_args: dict[str, str]
    stages: list[Stage]
    parser: DockerfileParser

    @property
    def final(self) -> Stage:
        return self.stages[-1]

    def stage(self, name: str) -> Stage:
        [stage] = [stage for stage in self.stages if stage.name == name]
        return stage


def read_dockerfile(path: Path = ROOT / "Dockerfile") -> Dockerfile:
    parser = DockerfileParser(str(path), env_replace=False)
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for instruction in parser.structure:
        kind, value = instruction["instruction"], instruction["value"]
        if kind == "FROM":
            image, _, name = value.partition(" AS ")
            stages.append(Stage(image.strip(), name.strip()))
        elif kind == "COMMENT":
            continue
        elif stages:
            stages[-1].instructions.append((kind, value))
        elif kind == "ARG":
            name, _, default = value.partition("=")
            global_args[name] = default.strip('"')
    return Dockerfile(global_args, stages, parser)


def stage_arg(stage: Stage, name: str) -> str:
    [value] = [
        value.partition("=")[2].strip('"')
        for value in stage.values("ARG")
        if value.startswith(f"{name}=")
    ]
    return value


@pytest.fixture(scope="module")
def dockerfile() -> Dockerfile:
    return read_dockerfile()


def test_the_image_is_built_in_stages(dockerfile: Dockerfile) -> None:
    assert dockerfile.parser.is_multistage
    assert [stage.name for stage in dockerfile.stages] == ["uv", "build", "runtime"]
    copies_from_build = [v for v in dockerfile.final.values("COPY") if v.startswith("--from=")]
    assert copies_from_build == ["--from=build /app/.venv /app/.venv"], (
        "the final stage takes the built environment and nothing else from the other stages"
    )


def test_the_base_image_is_a_build_argument_pinned_by_digest(dockerfile: Dockerfile) -> None:
    default = dockerfile.global_args.get("BASE_IMAGE", "")
    assert PINNED_BY_DIGEST.match(default), f"BASE_IMAGE's default is not pinned: {default!r}"
    assert dockerfile.stage("build").image == dockerfile.final.image == "${BASE_IMAGE}"
    uv_image = dockerfile.global_args.get("UV_IMAGE", "")
    assert re.fullmatch(r"ghcr\.io/astral-sh/uv:\d+\.\d+\.\d+(@sha256:[0-9a-f]{64})?", uv_image)
    assert dockerfile.stage("uv").image == "${UV_IMAGE}"


def test_the_final_stage_runs_as_a_non_root_user(dockerfile: Dockerfile) -> None:
    users = dockerfile.final.values("USER")
    assert users, "the final stage has no USER: it would run as root"
    user, _, group = users[-1].partition(":")
    assert user not in ("", "root", "0") and group not in ("root", "0"), users[-1]


def test_the_final_stage_installs_no_build_tools(dockerfile: Dockerfile) -> None:
    for command in dockerfile.final.values("RUN"):
        found = BUILD_TOOLS.search(command)
        assert found is None, f"the final stage runs {found.group()!r}: {command}"
    assert not any("--from=uv" in value for value in dockerfile.final.values("COPY"))


def test_dependencies_are_installed_from_the_lock_as_locked(dockerfile: Dockerfile) -> None:
    build = dockerfile.stage("build")
    assert "uv.lock pyproject.toml ./" in build.values("COPY")
    syncs = [command for command in build.values("RUN") if "uv sync" in command]
    assert syncs, "the build stage installs nothing with uv sync"
    for command in syncs:
        words = shlex.split(command)
        assert "--locked" in words or "--frozen" in words, f"not from the lock: {command}"
        assert "--no-dev" in words, f"the test tools would be in the image: {command}"
    for stage in dockerfile.stages:
        for command in stage.values("RUN"):
            assert not re.search(r"\bpip3? install\b|\buv pip\b|\buv add\b|\buv lock\b", command), (
                f"installs past the lock: {command}"
            )


def test_the_image_carries_the_oci_labels(dockerfile: Dockerfile) -> None:
    labels = dockerfile.parser.labels
    for label in OCI_LABELS:
        assert labels.get(f"org.opencontainers.image.{label}"), f"no {label} label"


def test_each_process_make_run_starts_has_a_command_in_the_image(dockerfile: Dockerfile) -> None:
    build = dockerfile.stage("build")
    processes = stage_arg(build, "PROCESSES").split()
    modules = {f"privacyhub.{process}" for process in processes}
    assert modules == {process.module for process in LOCAL_PROCESSES}
    assert {"gateway", "consent", "contact", "requests", "retention", "partner"} <= set(processes)
    [commands] = [command for command in build.values("RUN") if "$PROCESSES" in command]
    # Each command is a script that hands its arguments to `python -m privacyhub.NAME`.
    assert re.search(r'python -m privacyhub\.%s "\$@"\\n\' "\$process"', commands), commands
    assert '> ".venv/bin/$process"' in commands
    [cmd] = dockerfile.final.values("CMD")
    assert cmd == '["gateway"]'


@pytest.mark.parametrize("module", sorted(process.module for process in LOCAL_PROCESSES))
def test_each_command_runs_a_module_of_this_repository(dockerfile: Dockerfile, module: str) -> None:
    spec = importlib.util.find_spec(f"{module}.__main__")
    assert spec is not None and spec.origin is not None, f"{module} cannot run with python -m"
    main = Path(spec.origin).resolve()
    assert main.is_relative_to(ROOT) and ".venv" not in main.parts, main
    source = main.relative_to(ROOT)
    copied = [
        value.split()[0]
        for value in dockerfile.stage("build").values("COPY")
        if not value.startswith("--")
    ]
    assert any(source.is_relative_to(path) for path in copied), (
        f"{source} is not copied into the build stage"
    )
    assert in_build_context(source), f"{source} is left out of the build context"


def in_build_context(path: Path) -> bool:
    """Whether .dockerignore lets `path` into the build context (the last matching line decides)."""
    included = True
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = line.removeprefix("!").rstrip("/")
        if any(ignore_pattern_matches(pattern, part) for part in ancestors_and_self(path)):
            included = negated
    return included


def ancestors_and_self(path: Path) -> list[str]:
    return [part.as_posix() for part in (*reversed(path.parents[:-1]), path)]


def ignore_pattern_matches(pattern: str, path: str) -> bool:
    expression = ""
    for token in re.split(r"(\*\*/|\*\*|\*|\?|\[[^\]]+\])", pattern):
        if token.startswith("[") and token.endswith("]"):
            expression += token
            continue
        expression += {"**/": "(.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(
            token, re.escape(token)
        )
    return re.fullmatch(expression, path) is not None


@pytest.mark.parametrize(
    "path",
    [
        ".git/HEAD",
        ".venv/bin/python",
        ".local/data/kafka",
        "tests/unit/test_dockerfile.py",
        "bench/pipeline.py",
        "docs/asyncapi.json",
        "deploy/local/src/privacyhub/localinfra/kafka.py",
        "shared/src/privacyhub/shared/__pycache__",
        "shared/src/privacyhub/shared/__pycache__/topics.cpython-311.pyc",
        "gateway/.pytest_cache/README.md",
    ],
)
def test_the_build_context_leaves_out_what_the_image_does_not_need(path: str) -> None:
    assert not in_build_context(Path(path))


def test_the_build_context_holds_everything_the_dockerfile_copies(dockerfile: Dockerfile) -> None:
    for stage in dockerfile.stages:
        for value in stage.values("COPY"):
            if value.startswith("--from="):
                continue
            *sources, _ = value.split()
            for source in sources:
                path = ROOT / source
                assert path.exists(), f"COPY {source}: no such path"
                files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
                for file in files:
                    relative = file.relative_to(ROOT)
                    if "__pycache__" not in relative.parts:
                        assert in_build_context(relative), f"{relative} is left out"
