# `make run` and `make test` are the only two commands a new machine needs.
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin

export UV_PROJECT_ENVIRONMENT := $(VENV)
# This machine sets PYTHONDONTWRITEBYTECODE: without compiled dependencies every process (a
# test worker, a served worker, a rebuild's folding process) compiles them again as it starts.
export UV_COMPILE_BYTECODE := 1

.PHONY: setup run test lint typecheck compose-tool browser postgres bench clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --quiet
	touch $@

setup: $(VENV)/.synced

run: setup
	$(BIN)/kerjasama serve

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

# docker-compose (Debian's, no engine needed) validates docker-compose.yml in the suite.
compose-tool:
	@command -v docker-compose >/dev/null 2>&1 || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose) \
		>/dev/null 2>&1 || echo "could not install docker-compose; its test skips outside CI"

# The console's browser tests drive Debian's Chromium (no browser download at test time).
browser:
	@command -v chromium >/dev/null 2>&1 || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
		>/dev/null 2>&1 || echo "could not install chromium; the browser tests skip outside CI"

# The suite runs every store, projection and API test on PostgreSQL too: start it if it is down.
postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start 2>/dev/null || \
		echo "PostgreSQL is not running on 127.0.0.1:5432: its tests skip outside CI, fail in CI"

test: lint typecheck compose-tool browser postgres
	$(BIN)/pytest -n 4

bench: setup
	$(BIN)/python -m bench.append
	$(BIN)/python -m bench.read

clean:
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache .pytest_cache
