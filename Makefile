# The front door. `make run` and `make test` work on a fresh clone with Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PACKAGES := -e shared -e services/config-service -e services/rebalance-service
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev
PYPROJECTS := shared/pyproject.toml services/config-service/pyproject.toml services/rebalance-service/pyproject.toml

.PHONY: run test lint typecheck unit bench profile up down clean backup restore fuzz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): $(BIN)/python $(PYPROJECTS)
	$(BIN)/pip install --quiet $(PACKAGES)
	touch $@

$(STAMP_DEV): $(STAMP_RUN) requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

## run: install if needed, migrate, start both services (Ctrl-C stops them)
run: $(STAMP_RUN)
	$(BIN)/python scripts/stack.py

## test: install test needs, then lint, type-check and run the whole suite
test: $(STAMP_DEV) lint typecheck
	$(BIN)/pytest

lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP_DEV)
	$(BIN)/mypy

unit: $(STAMP_DEV)
	$(BIN)/pytest tests/unit

## fuzz: schemathesis against both services at length (FUZZ_EXAMPLES per operation)
fuzz: $(STAMP_DEV)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-1000} $(BIN)/pytest tests/fuzz -p no:cacheprovider

## bench: print latency, throughput, solve and parse figures, and memory through a burst of uploads
bench: $(STAMP_DEV)
	$(BIN)/python bench/engine_bench.py
	$(BIN)/python bench/parse_bench.py
	$(BIN)/python bench/stack_bench.py
	$(BIN)/python bench/load_bench.py
	$(BIN)/python bench/upload_burst_bench.py

## profile: a rebalance's CPU per stage, from py-spy on the real workers (needs ptrace: root)
profile: $(STAMP_DEV)
	$(BIN)/python bench/profile_stages.py

## backup / restore: a consistent archive of the data directory, even while it runs
DATA_DIR ?= ./data
BACKUP ?= backups/rebalancer-$(shell date +%Y%m%d-%H%M%S).tar.gz
backup:
	$(PYTHON) scripts/backup.py backup $(DATA_DIR) $(BACKUP)

restore:
	@test -n "$(ARCHIVE)" || { echo "usage: make restore ARCHIVE=backups/<file>.tar.gz [FORCE=--force]"; exit 2; }
	$(PYTHON) scripts/backup.py restore $(ARCHIVE) $(DATA_DIR) $(FORCE)

## up / down: the containers (docker compose)
up:
	docker compose up -d --build || docker-compose up -d --build

down:
	docker compose down || docker-compose down

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
