# Relance: the commands of the README. Everything runs from .venv, created on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_ENV := RELANCE_TESTING=1 DJANGO_ALLOW_ASYNC_UNSAFE=true
PYTEST_ARGS ?=

.PHONY: run test lint types worker bench bench-quick bench-data bench-tools chromium clean

# Debian ships venv separately (python3-venv): install it when missing and we may (root).
$(BIN)/relance: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Relance needs Python 3.11 or newer ($(PYTHON) is $$($(PYTHON) -V 2>&1))." >&2; exit 1; }
	@test -x $(BIN)/pip || $(PYTHON) -m venv $(VENV) || { \
	  rm -rf $(VENV); \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null && \
	    $(PYTHON) -m venv $(VENV); \
	  else \
	    echo "Python's venv module is missing: sudo apt-get install python3-venv" >&2; exit 1; \
	  fi; \
	}
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(BIN)/relance

# Serves on 127.0.0.1:$(PORT) with the background worker; Ctrl-C stops both. The database
# and uploads live in $RELANCE_VAR_DIR (default var/) unless DATABASE_URL says otherwise.
# Both processes run in the background so that the trap fires as soon as a signal arrives,
# and it stops exactly these two (never the whole process group, which may hold our caller).
run: $(BIN)/relance
	@mkdir -p "$${RELANCE_VAR_DIR:-var}"
	$(BIN)/relance migrate --noinput
	$(BIN)/relance demo --if-empty
	@echo
	@echo "  Relance : http://127.0.0.1:$(PORT)/"
	@echo "  Compte de démonstration : demo@relance.test / relance-demo"
	@echo "  Ctrl-C arrête le serveur et le worker."
	@echo
	@export SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}"; \
	trap 'trap - INT TERM EXIT; kill $$server $$worker 2>/dev/null; wait; exit 0' INT TERM; \
	trap 'kill $$server $$worker 2>/dev/null; wait' EXIT; \
	$(BIN)/relance worker & worker=$$!; \
	$(BIN)/relance runserver 127.0.0.1:$(PORT) & server=$$!; \
	wait $$server

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
	$(BIN)/lint-imports --no-cache

types: $(BIN)/relance
	$(BIN)/mypy .

# The whole suite: unit, views, API, browser. On PostgreSQL when DATABASE_URL points to one.
test: $(BIN)/relance chromium
	$(MAKE) --no-print-directory lint
	$(BIN)/mypy .
	$(TEST_ENV) $(BIN)/pytest -n 2 $(PYTEST_ARGS)

# The bench's own tools: WeasyPrint (the engine the letters are compared with, pinned in
# bench/requirements.txt, outside the product's lock), wrk and Pango from Debian, installed
# when missing and we may (root). Without them the bench still runs and says what it missed.
bench-tools: $(BIN)/relance
	$(BIN)/python -m pip install --quiet -r bench/requirements.txt -c requirements.lock
	@missing=""; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	ldconfig -p | grep -q libpangoft2-1.0.so.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "The bench misses:$$missing (sudo apt-get install$$missing)" >&2; \
	  fi; \
	fi

# Measures against bare baselines; results in bench/out/results.json (see bench/README.md).
bench: bench-tools
	$(BIN)/python -m bench.run --full

bench-quick: bench-tools
	$(BIN)/python -m bench.run --quick

# The bench's synthetic books in the product's database, e.g.
# make bench-data BENCH_DATA_ARGS="--businesses 10 --invoices-per-business 2000 --reset"
BENCH_DATA_ARGS ?=
bench-data: $(BIN)/relance
	$(BIN)/python -m bench.data $(BENCH_DATA_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
