# Relance: the commands of the README. Everything runs from .venv, created on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_ENV := RELANCE_TESTING=1 DJANGO_ALLOW_ASYNC_UNSAFE=true
PYTEST_ARGS ?=

.PHONY: run test lint types worker bench bench-quick chromium clean

$(BIN)/relance: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(BIN)/relance

var:
	mkdir -p var

# Serves on 127.0.0.1:$(PORT) with the background worker; Ctrl-C stops both.
run: $(BIN)/relance var
	$(BIN)/relance migrate --noinput
	$(BIN)/relance demo --if-empty
	@echo
	@echo "  Relance : http://127.0.0.1:$(PORT)/"
	@echo "  Compte de démonstration : demo@relance.test / relance-demo"
	@echo
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/relance worker & \
	$(BIN)/relance runserver 127.0.0.1:$(PORT)

worker: $(BIN)/relance
	$(BIN)/relance worker

# Browser tests drive Debian's Chromium; install it when missing and we may (root).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium is missing: sudo apt-get install chromium" >&2; exit 1; \
	  fi; \
	fi

lint: $(BIN)/relance
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(BIN)/relance
	$(BIN)/mypy .

# The whole suite: unit, views, API, browser. On PostgreSQL when DATABASE_URL points to one.
test: $(BIN)/relance chromium
	$(BIN)/ruff check .
	$(BIN)/mypy .
	$(TEST_ENV) $(BIN)/pytest -n 2 $(PYTEST_ARGS)

bench: $(BIN)/relance
	$(BIN)/python -m bench.run --full

bench-quick: $(BIN)/relance
	$(BIN)/python -m bench.run --quick

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
