# The two commands of the README: `make run` and `make test`.
export UV_PYTHON_DOWNLOADS := never
# Build FerretDB with the Go that is installed; never download a toolchain.
export GOTOOLCHAIN := local

UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)

.PHONY: run test lint setup asyncapi

setup:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --locked

run: setup
	$(UV) run python -m privacyhub.localinfra run

lint: setup
	$(UV) run ruff check .
	$(UV) run ruff format --check .

test: lint
	$(UV) run pytest

asyncapi: setup
	$(UV) run python docs/generate_asyncapi.py > docs/asyncapi.json
