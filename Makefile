# Smart Region — the two commands of the README, and a few helpers.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1
# The demo's address: links in emails and in files built by the background worker (which has no
# request to take an address from) point where the demo serves (`PORT=8080 make demo`). Serving on
# HOST=0.0.0.0, set the address others reach it by: DEMO_BASE_URL=http://demo.example:8000.
DEMO_BASE_URL ?= http://$(HOST):$(PORT)
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
# Test processes (pytest-xdist): one per core, at most 2 (each PostgreSQL worker has its own database).
TEST_JOBS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ $$n -gt 2 ] && n=2; echo $$n)

.PHONY: demo test install messages lint test-sqlite test-postgres test-postgres-if-reachable bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Smart Region needs Python 3.11 or newer ($(PYTHON) is older)."; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "Could not create a virtual environment: on Debian, run 'apt-get install python3-venv' and retry."; exit 1; }

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

install: $(VENV)/.installed messages

# Compiled translations are build output: made from the .po files, never committed.
messages: $(VENV)/.installed
	@$(BIN)/pybabel compile --domain django --directory smartregion/locale --statistics

# The background worker (emails, PDFs, files) runs beside the web server; Ctrl-C stops both.
demo: export SMARTREGION_BASE_URL ?= $(DEMO_BASE_URL)
demo: install
	DEBUG=1 $(BIN)/smartregion demo --port $(PORT)
	@DEBUG=1 $(BIN)/smartregion db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(BIN)/smartregion runserver $(HOST):$(PORT)

# The SQLite and PostgreSQL passes run side by side (each with its own test processes and test
# databases); each pass's output is printed whole when it ends (--output-sync), and `make test`
# fails if either fails. TEST_SERIAL=1 runs them one after the other.
test: install
	@$(MAKE) --no-print-directory $(if $(TEST_SERIAL),,-j2 --output-sync=target) test-sqlite test-postgres-if-reachable

test-postgres-if-reachable: install
	@if $(BIN)/python -c "import psycopg, sys; psycopg.connect('$(PG_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== Test suite on PostgreSQL =="; \
		DATABASE_URL=$(PG_URL) $(BIN)/pytest -n $(TEST_JOBS); \
	else \
		echo "PostgreSQL is not reachable at $(PG_URL): the PostgreSQL run is skipped."; \
	fi

test-sqlite: install
	@echo "== Test suite on SQLite =="
	$(BIN)/pytest -n $(TEST_JOBS)

test-postgres: install
	@echo "== Test suite on PostgreSQL =="
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -n $(TEST_JOBS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	$(BIN)/python bench/bench_pages.py

clean:
	rm -rf $(VENV) var/static .pytest_cache .mypy_cache
