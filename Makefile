# Two commands on a fresh machine: `make run` and `make test`. Both start with `make install`,
# which installs only what is missing (a stamp file remembers the Python side), so it is quick
# the second time.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTHON ?= python3

.PHONY: install system run test bench clean messages catalogs

install: system $(STAMP) catalogs

# Compiled translation catalogs (.mo), built from the .po files kept in git: derived binaries that
# would not merge are not committed, and a catalog edited since is recompiled.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))
catalogs: $(CATALOGS)
translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(VENV)/bin/pybabel compile -D messages -l $* -i $< -o $@

# After marking strings: merge them into every catalog (grantflow/core/catalogs.py extracts them as
# babel.cfg says); a translator then completes each .po (new entries empty, changed ones fuzzy).
messages: $(STAMP)
	$(PY) -m grantflow.core.catalogs

# Debian packages (PostgreSQL for the tests, Chromium for browser tests, fonts and HarfBuzz for PDFs).
system:
	@bash scripts/install-system.sh

# The virtual environment with the app (editable), its test extras and the example plugin the
# tests discover through its entry point. Redone when a pyproject.toml changes.
$(STAMP): pyproject.toml tests/plugin_pkg/pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	$(PY) -m pip install -q -e tests/plugin_pkg
	@touch $(STAMP)

run: install
	bash scripts/run.sh

# The suite on every core (pytest-xdist): each worker starts its own PostgreSQL, Redis, S3 server
# and browser; tests marked `xdist_group` run on one worker (tests/README.md). TEST_WORKERS=0: one
# process, as `.venv/bin/pytest` runs.
TEST_WORKERS ?= logical
test: install
	$(VENV)/bin/pytest -q -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# Each benchmark prints its headline figures on its last line.
bench: install
	@for b in bench/*.py; do [ -e "$$b" ] || continue; echo "== $$b"; $(PY) "$$b" || exit 1; done

clean:
	rm -rf $(VENV) translations/*/LC_MESSAGES/*.mo instance/grantflow.sqlite* instance/huey.sqlite*
