# The two commands: `make run` (set up and serve with demo data) and `make test`.
# Without DATABASE_URL both use an embedded PostgreSQL kept in .pgdata/.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint install messages manage stop-db clean

run: $(STAMP)
	$(PY) -m redplypp.launcher run

test: $(STAMP)
	$(PY) -m redplypp.launcher test $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	DATABASE_URL=$${DATABASE_URL:-postgres://localhost/lint} DJANGO_ALLOW_INSECURE_KEYS=true $(VENV)/bin/mypy

install: $(STAMP)

# xstatic packages are published only as source archives whose setup.py needs
# pkg_resources, which recent setuptools dropped: build them with a setuptools
# that still has it, then install the project (which finds them installed).
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip "setuptools>=69,<81" wheel
	$(PY) -m pip install --quiet --no-build-isolation "xstatic-bootstrap>=5.3.3,<5.4" "xstatic-leaflet>=1.9,<2"
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Refresh the translation catalogues after changing user-visible strings.
messages: $(STAMP)
	$(PY) -m redplypp.launcher manage makemessages -l es -l en --ignore=.venv --ignore=var --ignore=tests --no-obsolete
	$(PY) -m redplypp.launcher manage compilemessages --ignore=.venv

# Any manage.py command on the same database: make manage ARGS="createsuperuser"
manage: $(STAMP)
	$(PY) -m redplypp.launcher manage $(ARGS)

stop-db:
	$(PY) -m redplypp.launcher stop-db

clean: stop-db
	rm -rf .pgdata var
