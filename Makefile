# dockwright: the two commands a newcomer runs are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: setup engine lint typecheck test test-unit test-integration test-slow demo demo-full rules-doc bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

engine: setup
	scripts/ensure-docker
	$(BIN)/dockwright base build --python 3.11

lint: setup
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

test-unit: setup
	$(BIN)/pytest -q tests/unit tests/rules

test-integration: engine
	$(BIN)/pytest -q tests/integration -m "not slow"

test: lint engine
	$(BIN)/pytest -q -m "not slow" -n 2 --dist loadfile

test-slow: engine
	$(BIN)/pytest -q -m slow

demo: setup
	@mkdir -p out
	$(BIN)/dockwright analyze examples --exit-zero
	$(BIN)/dockwright analyze examples --exit-zero --format json --output out/analyze.json
	$(BIN)/dockwright analyze examples --exit-zero --format sarif --output out/analyze.sarif
	$(BIN)/dockwright analyze examples --exit-zero --format markdown --output out/analyze.md
	@echo "reports: out/analyze.json out/analyze.sarif out/analyze.md"

rules-doc: setup
	$(BIN)/python scripts/gen-rules-doc.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
