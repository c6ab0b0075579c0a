# Two commands run everything on a fresh clone: `make extract` and `make test`.
# Both create .venv and install the project from pyproject.toml when needed.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
RAW ?= raw
OUT ?= normalized

.PHONY: extract test setup clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

extract: $(STAMP)
	$(PY) -m pipeline extract $(RAW) --out $(OUT)

test: $(STAMP)
	$(PY) -m pytest

clean:
	rm -rf $(VENV) .cache .pytest_cache
