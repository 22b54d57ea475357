# Two commands do everything on a fresh machine: `make run` and `make test` (see README).
SHELL := /bin/bash
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin

# The first Python 3.12+ we can find: PATH names, then pyenv's own installs (pyenv shims
# refuse versions that are not selected, so we ask each candidate to run).
PYTHON ?= $(shell for p in python3.13 python3.12 python3 \
	$$HOME/.pyenv/versions/3.13*/bin/python3 $$HOME/.pyenv/versions/3.12*/bin/python3 \
	/usr/local/bin/python3.13 /usr/local/bin/python3.12 /usr/bin/python3.13 /usr/bin/python3.12; do \
	if "$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	command -v "$$p"; break; fi; done)

# The suite runs in one pytest process per core (pytest-xdist; config/settings_test.py keeps the
# processes apart); `make test TEST_PROCESSES=0` runs it in this process only.
TEST_PROCESSES ?= auto

.PHONY: run test test-fast bench lint format install demo messages clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed; none was found." >&2; exit 1; }
	"$(PYTHON)" -m venv $(VENV)

# Reinstall only when the pinned requirements change.
$(VENV)/.installed: requirements/base.txt requirements/dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements/base.txt -r requirements/dev.txt
	touch $@

install: $(VENV)/.installed

# Local runs are development runs unless the caller says otherwise (SECRET_KEY needs DEBUG).
run demo: export DEBUG ?= true

# migrate loads the reference data (data migrations), as in a Docker install; seed_demo re-applies
# it before the demo data.
demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo

run: demo
	@$(BIN)/python manage.py demo_logins
	@bin/serve $(PORT)

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=config.settings_test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) --maxprocesses 8

# The quick subset while working: the same checks, without the tests marked slow (browser,
# PDF and ZIP builds, subprocesses and servers, schema fuzzing, scale data; see tests/conftest.py).
test-fast: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=config.settings_test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) --maxprocesses 8 -m "not slow"

bench: install
	$(BIN)/python -m benchmarks

lint: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install
	DEBUG=true $(BIN)/python manage.py makemessages --all --ignore=.venv --ignore=benchmarks --ignore=tests
	DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles
