# Two commands for a new user: `make run` and `make test`. Both create .venv and install what is
# missing, so they work on a fresh machine with only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5000
export CASEMGR_INSTANCE_PATH ?= $(CURDIR)/instance

.PHONY: run test test-sqlite test-postgres lint translations install clean bench bench-graph

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP)
	@$(BIN)/pybabel compile --use-fuzzy -d casemgr/translations -D messages

# The jobs run inside the web workers (one of them leads): no separate scheduler to start.
run: export CASEMGR_SCHEDULER_IN_PROCESS ?= true
run: install
	$(BIN)/casemgr setup
	@echo ""
	@echo "  Guizhou environmental enforcement and credit: http://127.0.0.1:$(PORT)/"
	@echo "  API documentation:                          http://127.0.0.1:$(PORT)/api/docs"
	@echo "  Demo logins (password for all: guizhou-demo-2026):"
	@echo "    admin, officer.renhuai, officer.nanming, officer.guian, head.zunyi,"
	@echo "    reviewer.zunyi, prosecutor.zunyi, judge.guiyang, compensation.province,"
	@echo "    credit.province, planner.province"
	@echo ""
	$(BIN)/gunicorn -c python:casemgr.gunicorn_conf --bind 127.0.0.1:$(PORT) --workers 2 --access-logfile - 'casemgr.app:create_app()'

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check casemgr credit linkage tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# The suite runs on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set or a local server
# answers at 127.0.0.1:5432 (each run creates and drops its own database).
test: lint
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest -q -p no:cacheprovider
	@if [ -n "$$TEST_DATABASE_URL" ] || $(BIN)/python tests/pg_available.py; then \
		TEST_DATABASE_URL="$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}" \
		$(BIN)/python -m pytest -q -p no:cacheprovider -m "not sqlite_only" \
		&& echo "PostgreSQL run: passed"; \
	else echo "PostgreSQL run: skipped (no server)"; fi

bench: install
	$(BIN)/python bench/enterprise_search.py

# Related parties within 2 hops over 1,000,000 enterprises and about 5,000,000 graph edges.
bench-graph: install
	$(BIN)/python bench/graph.py

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
