# Two commands matter: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP_PY := $(VENV)/.installed
STAMP_JS := node_modules/.installed
export BUZON_DATA_DIR ?= $(CURDIR)/data
# Exported: the settings build the public base URL (acuses' QR codes and links) from
# them when BUZON_PUBLIC_BASE_URL is not set.
export BUZON_HOST ?= 127.0.0.1
export BUZON_PORT ?= 8000

.PHONY: run direccion test setup lint typecheck unit bench clean

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
	@$(MAKE) -s --no-print-directory direccion
	$(PY) manage.py runserver --noreload $(BUZON_HOST):$(BUZON_PORT)

# Where `make run` serves and the public address acuses and notices point to, as the
# settings read it (an invalid BUZON_PUBLIC_BASE_URL fails here, before serving).
direccion:
	@echo "Sirviendo en http://$(BUZON_HOST):$(BUZON_PORT)/"
	@DJANGO_SETTINGS_MODULE=buzon.settings $(PY) -c "from django.conf import settings as s; print('Los acuses (código QR y enlace) y los avisos apuntan a', s.PUBLIC_BASE_URL + '/')"

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

# Every figure next to its target; exits 1 when one is missed (bench/README.md). A short
# smoke run: `make bench BENCH_ARGS=--rapido`; one bench: `make bench BENCH_ARGS=detalle`.
bench: setup
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules
