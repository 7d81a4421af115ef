# Relance: the commands of the README. Everything runs from .venv, created on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_ENV := RELANCE_TESTING=1 DJANGO_ALLOW_ASYNC_UNSAFE=true
PYTEST_ARGS ?=

.PHONY: run dev demo test lint types worker bench bench-faults bench-quick bench-data bench-tools chromium clean

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

# Where make run and make dev keep the database, uploads, static files and the secret key.
VAR_DIR = $(or $(RELANCE_VAR_DIR),var)
WEB_WORKERS ?= 3
# make run: Relance as production runs it, on this machine only. It answers plain HTTP on
# 127.0.0.1, so the HTTPS-only settings are turned off here, and only here: production keeps
# its strict defaults (README, Configuration). The secret key is generated once into
# $(VAR_DIR)/secret_key (mode 0600) and read back at every start, so sessions survive restarts.
LOCAL_PRODUCTION = DEBUG=false SECRET_KEY_FILE="$(VAR_DIR)/secret_key" ALLOWED_HOSTS=127.0.0.1,localhost \
  SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0 \
  DB_CONN_MAX_AGE=$${DB_CONN_MAX_AGE:-60} SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}"

define BANNER
	@echo
	@echo "  Relance : http://127.0.0.1:$(PORT)/"
	@echo "  Compte de démonstration : demo@relance.test / relance-demo"
	@echo "  Ctrl-C arrête le serveur et les processus de fond."
	@echo
endef

# Every process runs in the background so that the trap fires as soon as a signal arrives,
# and it stops exactly these (never the whole process group, which may hold our caller):
# the web server, the worker, and the scheduler of automatic reminders.
define SERVE_WITH_WORKER
	trap 'trap - INT TERM EXIT; kill $$server $$worker $$scheduler 2>/dev/null; wait; exit 0' INT TERM; \
	trap 'kill $$server $$worker $$scheduler 2>/dev/null; wait' EXIT; \
	$(BIN)/relance worker & worker=$$!; \
	$(BIN)/relance scheduler & scheduler=$$!; \
	$(1) & server=$$!; \
	wait $$server
endef

# Serves on 127.0.0.1:$(PORT): gunicorn with $(WEB_WORKERS) processes, DEBUG off, static files
# collected and served by WhiteNoise, and the background worker; Ctrl-C stops them all. The
# database and uploads live in $RELANCE_VAR_DIR (default var/) unless DATABASE_URL says otherwise.
# No gunicorn control socket: its default path is one per user, which a second server (another
# port, the tests) would take over.
run: $(BIN)/relance
	@mkdir -p "$(VAR_DIR)"
	@test -s "$(VAR_DIR)/secret_key" || { umask 077; \
	  $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > "$(VAR_DIR)/secret_key.tmp" && \
	  mv "$(VAR_DIR)/secret_key.tmp" "$(VAR_DIR)/secret_key"; }
	@$(LOCAL_PRODUCTION) $(BIN)/relance migrate --noinput
	@$(LOCAL_PRODUCTION) $(BIN)/relance collectstatic --noinput --verbosity 0
	@$(LOCAL_PRODUCTION) $(BIN)/relance demo --if-empty
	$(BANNER)
	@export $(LOCAL_PRODUCTION); \
	$(call SERVE_WITH_WORKER,$(BIN)/gunicorn --workers $(WEB_WORKERS) --bind 127.0.0.1:$(PORT) --no-control-socket relance.wsgi)

# The same with Django's development server: DEBUG on, reloads on code changes (the worker too).
dev: $(BIN)/relance
	@mkdir -p "$(VAR_DIR)"
	$(BIN)/relance migrate --noinput
	$(BIN)/relance demo --if-empty
	$(BANNER)
	@export SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}"; \
	$(call SERVE_WITH_WORKER,$(BIN)/relance runserver 127.0.0.1:$(PORT))

# The demo business (README, The demo): DEMO_ARGS=--reset loads it again from scratch.
demo: $(BIN)/relance
	@mkdir -p "$(VAR_DIR)"
	$(BIN)/relance migrate --noinput
	$(BIN)/relance demo $(DEMO_ARGS)

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
	$(MAKE) --no-print-directory bench-faults

# A worker killed (SIGKILL) while sending 1,000 reminder e-mails, then started again, with each
# task backend (the RQ one needs Redis on 127.0.0.1:6379, database 15): each e-mail is delivered
# once or shown uncertain; prints the pace. The suite runs the same test with fewer e-mails.
bench-faults: $(BIN)/relance
	$(TEST_ENV) RELANCE_FAULT_EMAILS=1000 $(BIN)/pytest -p no:xdist -p no:logging -q -s \
	  tests/faults/test_sending_faults.py -k killed_mid_run

bench-quick: bench-tools
	$(BIN)/python -m bench.run --quick

# The bench's synthetic books in the product's database, e.g.
# make bench-data BENCH_DATA_ARGS="--businesses 10 --invoices-per-business 2000 --reset"
BENCH_DATA_ARGS ?=
bench-data: $(BIN)/relance
	$(BIN)/relance bench-data $(BENCH_DATA_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
