# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python

# Find a Python 3.12+ (override with `make run PYTHON=/path/to/python3.12`).
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell for c in python3.14 python3.13 python3.12 python3; do \
	  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then echo $$c; exit 0; fi; \
	done; \
	if command -v pyenv >/dev/null 2>&1; then \
	  v=$$(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9])(\.|$$)' | sort -V | head -n1); \
	  if [ -n "$$v" ]; then echo "$$(pyenv root)/versions/$$v/bin/python3"; exit 0; fi; \
	fi; \
	for p in $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9]; do \
	  if [ -x "$$p" ]; then echo "$$p"; exit 0; fi; \
	done)
endif

.PHONY: help run test bench bench-web backup restore lock lint format install check-python messages migrate seed worker beat clean totp

help:
	@echo "make run    - install, migrate, load demo data, serve on http://127.0.0.1:$(PORT) with a worker and beat"
	@echo "make test   - run the whole test suite, on every CPU (benchmarks left out)"
	@echo "make bench-web - the customer pages against a minimal Django page (gunicorn + wrk)"
	@echo "make bench  - the benchmarks: the outbox and a maintenance notice to 1,000 customers"
	@echo "make backup - the database and the private files, with a manifest (PostgreSQL)"
	@echo "make restore BACKUP=var/backups/<stamp> - into an empty database, checked"
	@echo "make lock   - refresh requirements/*.lock (hashed) from pyproject.toml"
	@echo "make lint   - ruff, the layers (import-linter), mypy, makemigrations --check"
	@echo "make messages - extract and compile translations (needs gettext)"
	@echo "make totp   - the current two-factor code of the demo staff logins (tsc@, root@provider.example)"

check-python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "No Python 3.12 or newer found. Install one, or point the PYTHON variable at it:" >&2; \
	  echo "    make run PYTHON=/path/to/python3.12" >&2; exit 1; fi

# Every package from the lock file, each checked against its hash; then the project itself
# (editable, no dependencies of its own to fetch), and pip's check that nothing is missing.
$(VENV)/.installed: pyproject.toml requirements/dev.lock | check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.lock
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m pip check
	@touch $@

# The lock files from pyproject.toml's ranges, for every platform, with hashes: dev.lock for
# `make install` (runtime and dev), runtime.lock for the image. Commit both.
lock: install
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.12 \
	  --generate-hashes --no-header --quiet -o requirements/dev.lock
	$(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.12 \
	  --generate-hashes --no-header --quiet -o requirements/runtime.lock

install: $(VENV)/.installed

migrate: install
	DEBUG=1 $(PY) manage.py migrate --noinput

seed: migrate
	DEBUG=1 $(PY) manage.py seed_demo

run: seed
	DEBUG=1 PORT=$(PORT) $(PY) manage.py serve

totp: install
	@DEBUG=1 $(PY) manage.py demo_totp

worker: install
	$(PY) -m celery -A portal worker --loglevel INFO

beat: install
	$(PY) -m celery -A portal beat --loglevel INFO

# The suite on every CPU (pytest-xdist; TEST_WORKERS=0 runs it in this one process). Each
# worker has its own test database; the integration tests (real worker, Redis, SMTP) all run in
# one worker, one after another (--dist loadgroup, tests/conftest.py). Benchmarks are left out.
TEST_WORKERS ?= auto
# pytest keeps its rewritten test modules in __pycache__ (half of collecting the suite); a shell
# that sets PYTHONDONTWRITEBYTECODE would make every run rewrite them again.
test: install
	env -u PYTHONDONTWRITEBYTECODE SECRET_KEY=$${SECRET_KEY:-test-only-secret-key} \
	  $(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# Every benchmark (-m benchmark), one at a time in this process, figures printed: the outbox (1,000
# e-mails) and a maintenance notice to 1,000 customers, through 2 worker processes to a local SMTP
# server. Needs a Redis (REDIS_URL) and redis-server on the PATH; DATABASE_URL as for `make test`.
bench: install
	SECRET_KEY=$${SECRET_KEY:-test-only-secret-key} REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} \
	  $(PY) -m pytest -p no:cacheprovider -m benchmark -s $(PYTEST_ARGS)

# The customer pages against a minimal Django page under load: gunicorn sync -w 2 driven by wrk
# (apt-get install wrk), on a PostgreSQL database of its own that it creates and fills once
# (200,000 tickets; about a minute). Prints the table; fails when a page misses its ratio.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal_bench
bench-web: install
	$(PY) scripts/createdb.py $(BENCH_DATABASE_URL)
	DATABASE_URL=$(BENCH_DATABASE_URL) SECRET_KEY=$${SECRET_KEY:-bench-only-secret-key-0123456789abcdefghijklmnop} \
	  $(PY) manage.py bench_web $(BENCH_ARGS)

# docker compose's secrets, generated once (scripts/compose_env.py); never in the YAML.
.env:
	$(PYTHON) scripts/compose_env.py .env

# Backups (core/backup.py): the database (pg_dump, one snapshot) and the private files, with a
# manifest; `make restore BACKUP=var/backups/<stamp>` into an empty database, checked row by row.
backup: install
	$(PY) manage.py backup

restore: install
	@test -n "$(BACKUP)" || (echo "make restore BACKUP=var/backups/<stamp>" >&2; exit 2)
	$(PY) manage.py restore $(BACKUP)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DEBUG=1 SECRET_KEY=lint-only $(VENV)/bin/mypy
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: install
	DEBUG=1 $(PY) manage.py makemessages -l es -l pt_BR -l en --no-obsolete --ignore='.venv/*' --ignore='var/*' --ignore='staticfiles/*' --ignore='tests/*'
	DEBUG=1 $(PY) manage.py compilemessages --ignore='.venv/*'

clean:
	rm -rf var/ staticfiles/

which-python:
	@echo $(PYTHON)
