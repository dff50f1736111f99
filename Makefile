# Two commands matter: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP_PY := $(VENV)/.installed
STAMP_JS := node_modules/.installed
export BUZON_DATA_DIR ?= $(CURDIR)/data
BUZON_HOST ?= 127.0.0.1
BUZON_PORT ?= 8000

.PHONY: run test setup lint typecheck unit bench clean

setup: $(STAMP_PY) $(STAMP_JS)

$(STAMP_PY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

$(STAMP_JS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo
	$(PY) manage.py sello_demo
	@echo "Sirviendo en http://$(BUZON_HOST):$(BUZON_PORT)/"
	$(PY) manage.py runserver --noreload $(BUZON_HOST):$(BUZON_PORT)

lint: setup
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

typecheck: setup
	$(VENV)/bin/mypy .

# Random order (pytest-randomly), a new seed each run, printed at the end: replay an
# order with `make unit PYTEST_ARGS=--randomly-seed=N`.
unit: setup
	$(VENV)/bin/pytest -q -p no:cacheprovider -p randomly $(PYTEST_ARGS)

test: lint typecheck unit

bench: setup
	$(PY) -m bench

clean:
	rm -rf $(VENV) node_modules
