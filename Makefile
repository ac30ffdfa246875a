# The two quick-start commands bootstrap .venv by themselves on a fresh machine:
#   make sync   runs the lab's pipeline (genbib sync) on bib/genmodels.bib
#   make test   runs ruff, mypy and the whole test suite
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: sync test lint bench fuzz soak clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

sync: $(STAMP)
	$(VENV)/bin/genbib sync

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy

test: lint
	$(VENV)/bin/pytest

bench: $(STAMP)
	$(PY) bench/run_all.py

fuzz: $(STAMP)
	GENBIB_FUZZ_SECONDS=600 $(VENV)/bin/pytest tests/fuzz -q

soak: $(STAMP)
	GENBIB_SOAK_ROUNDS=200 $(VENV)/bin/pytest tests/sync/test_soak.py -q

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
