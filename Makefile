# stream-monitor: one Makefile for install, lint, type, test and the local services.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: all install lint type test test-fast demo services-up services-down bench bench-quick schemas lock clean

all: lint type test

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[test]"
	@touch $(STAMP)

install: $(STAMP)

lint: install
	$(BIN)/ruff check stream_monitor schemas tests benchmarks

type: install
	$(BIN)/mypy --strict

## The whole suite (unit, property, calibration, integration) with a real Kafka and Redis.
test: install
	bash deploy/local/with-services.sh $(BIN)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

## Pure tests only: no services, no slow calibration.
test-fast: install
	$(BIN)/python -m pytest -m "not integration and not slow" $(PYTEST_ARGS)

## The main job on the embedded default: no Kafka, no Redis.
demo: install
	$(BIN)/stream-monitor demo

services-up:
	bash deploy/local/services.sh up

services-down:
	bash deploy/local/services.sh down

bench: install
	$(BIN)/python -m benchmarks run --profile full

bench-quick: install
	$(BIN)/python -m benchmarks run --profile quick

schemas: install
	$(BIN)/python -m schemas.export

lock: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^stream-monitor' > requirements.lock.new
	{ head -1 requirements.lock; cat requirements.lock.new; } > requirements.lock && rm requirements.lock.new

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
