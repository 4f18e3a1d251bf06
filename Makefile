# The two commands of the README: `make run` and `make test`. Both start with `make install`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SETTINGS ?= portal.settings.local
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: install run test lint format check migrate seed worker beat lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	DJANGO_SETTINGS_MODULE=$(SETTINGS) $(BIN)/python manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=$(SETTINGS) $(BIN)/python manage.py seed_demo
	DJANGO_SETTINGS_MODULE=$(SETTINGS) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The suite runs in parallel processes, a test file to each at a time: every process has its own test database
# (and Redis database, see portal/settings/test.py). PYTEST_WORKERS=0 runs it in this process.
test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: install
	DJANGO_SETTINGS_MODULE=portal.settings.test $(BIN)/python manage.py check
	DJANGO_SETTINGS_MODULE=portal.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

migrate: install
	DJANGO_SETTINGS_MODULE=$(SETTINGS) $(BIN)/python manage.py migrate --noinput

seed: install
	DJANGO_SETTINGS_MODULE=$(SETTINGS) $(BIN)/python manage.py seed_demo

worker: install
	$(BIN)/celery -A portal worker --loglevel=INFO

beat: install
	$(BIN)/celery -A portal beat --loglevel=INFO

# Re-resolve the pins from requirements.in / requirements-dev.in (needs the network to the package index).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -r requirements.in
	.lock-venv/bin/pip freeze | sed '1i # Runtime dependencies, pinned. Edit requirements.in, then `make lock`.' > requirements.txt
	.lock-venv/bin/pip install --quiet -r requirements-dev.in
	.lock-venv/bin/pip freeze | grep -v -i -F -x -f requirements.txt | sed '1i # Test and tooling dependencies, pinned. Edit requirements-dev.in, then `make lock`.\n-r requirements.txt' > requirements-dev.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) staticfiles test-output
