# Two commands run everything on a fresh clone: `make extract` and `make test`.
# Both create .venv and install the project from pyproject.toml when needed.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
RAW ?= raw
OUT ?= normalized
CACHE ?= .cache
JOBS ?= auto

.PHONY: extract test setup clean chromium train ablation bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# Bytecode for the project's own modules (pip compiles site-packages, not an editable install's
# sources), so `make extract` does not recompile them on every run where PYTHONDONTWRITEBYTECODE is set.
PYC := $(VENV)/.compiled
$(PYC): $(STAMP) $(wildcard pipeline/*.py)
	$(PY) -m compileall -q pipeline && touch $@

# Per-note results are kept in $(CACHE) (git-ignored), so a rerun only extracts the notes that changed;
# the notes to extract are shared among the CPU cores (JOBS=1 for one process).
extract: $(STAMP) $(PYC)
	$(PY) -m pipeline extract $(RAW) --out $(OUT) --cache $(CACHE) --jobs $(JOBS)

test: $(STAMP) chromium
	REQUIRE_BROWSER=1 $(PY) -m pytest

# The report's browser test drives Debian's chromium (plus a small CJK font so screenshots are
# readable). Installed only when missing: a no-op where chromium is already present.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-wqy-microhei; }

# The optional trained NER (pipeline/train.py): `make train` regenerates models/ner from the seed
# notes and their gold with a fixed seed (same bytes on every run); `make ablation` scores the
# pipeline with and without it on held-out notes into bench/ablation.md.
train: $(STAMP)
	$(PY) -m pipeline.train train --raw raw --gold ../shared/gold --out models/ner

ablation: $(STAMP)
	$(PY) -m pipeline.train ablate --model models/ner --report bench/ablation.md

# Speed and scale (bench/run.py): raw/, 20x and 200x synthetic corpora, --jobs 1/2, the naive
# segment-everything reference, in turns, twice each; writes bench/results.md. About 8 minutes on 2 cores; not a test.
bench: $(STAMP)
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .cache .pytest_cache
