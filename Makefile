# dockwright: the two commands a newcomer runs are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

TS_VENV ?= .venv-transcription
VOICE_VENV ?= .venv-voice

.PHONY: setup engine services lint test test-unit test-examples test-integration test-slow demo demo-full rules-doc clean

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

# Host services the tests start themselves (Debian's redis-server for the transcription stack).
services:
	@command -v redis-server >/dev/null || scripts/apt-install redis-server
	@scripts/ensure-chromium >/dev/null
	@scripts/ensure-registry >/dev/null

# Each example stack's own tests run in a virtualenv made from its requirements-test.txt.
$(TS_VENV)/.ok: examples/transcription-system/requirements-test.txt
	$(PYTHON) -m venv $(TS_VENV)
	$(TS_VENV)/bin/pip install --quiet -r $<
	touch $@

$(VOICE_VENV)/.ok: examples/voice-connector-llm/requirements-test.txt
	$(PYTHON) -m venv $(VOICE_VENV)
	$(VOICE_VENV)/bin/pip install --quiet -r $<
	touch $@

test-examples: services $(TS_VENV)/.ok $(VOICE_VENV)/.ok
	$(TS_VENV)/bin/pytest -q examples/transcription-system/tests
	$(VOICE_VENV)/bin/pytest -q examples/voice-connector-llm/tests

lint: setup
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

test-unit: setup
	$(BIN)/pytest -q tests/unit tests/rules

test-integration: engine services
	$(BIN)/pytest -q tests/integration -m "not slow"

test: lint engine services test-examples
	$(BIN)/pytest -q -m "not slow" -n 2 --dist loadfile tests

test-slow: engine services
	$(BIN)/pytest -q -m slow

demo: engine
	scripts/demo quick

demo-full: engine
	scripts/demo full

bench: engine
	$(BIN)/python benchmarks/builds.py

rules-doc: setup
	$(BIN)/python scripts/gen-rules-doc.py

clean:
	rm -rf $(VENV) $(TS_VENV) $(VOICE_VENV) .pytest_cache .mypy_cache .ruff_cache
