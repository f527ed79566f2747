# Two commands on a fresh machine: `make run` and `make test`. Both start with `make install`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test bench clean

install: $(STAMP)
	@bash scripts/install-system.sh

$(STAMP): pyproject.toml tests/plugin_pkg/pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	$(PY) -m pip install -q -e tests/plugin_pkg
	@touch $(STAMP)

run: install
	bash scripts/run.sh

test: install
	$(VENV)/bin/pytest -q $(PYTEST_ARGS)

bench: install
	for b in bench/*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) instance/grantflow.sqlite* instance/huey.sqlite*
