# One task runner. `make demo` and `make test` work on a fresh machine with nothing installed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
TORCH_VERSION ?= 2.13.0
# The extras a developer's and CI's environment get (ray: the Ray engine and its equality test).
EXTRAS ?= dev,ray
export HF_HUB_OFFLINE ?= 1

.PHONY: setup demo test pytest pytest-fast eval lint format typecheck docs docs-check bench bench-scale clean

# Idempotent: re-runs pip only when pyproject.toml changed since the last install.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# The CPU build of torch first: an unpinned torch would pull a multi-GB CUDA build.
	$(BIN)/python -m pip install -q torch==$(TORCH_VERSION)
	$(BIN)/python -m pip install -q -e '.[$(EXTRAS)]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/jobmap find ml-ai

test: setup lint typecheck docs-check pytest

pytest: setup
	$(BIN)/python -m pytest -q

pytest-fast: setup
	$(BIN)/python -m pytest -q -m "not slow"

lint: setup
	$(BIN)/ruff check src tests benchmarks tools conftest.py
	$(BIN)/ruff format --check src tests benchmarks tools conftest.py

format: setup
	$(BIN)/ruff format src tests benchmarks tools conftest.py
	$(BIN)/ruff check --fix src tests benchmarks tools conftest.py

typecheck: setup
	$(BIN)/mypy

docs: setup
	$(BIN)/python -m jobmap._clidocs docs/cli.md

docs-check: setup
	$(BIN)/python -m pytest -q tests/test_docs.py

# find at 100k, 300k and 1M postings, local and Ray engines (about 20 minutes on 2 cores)
bench-scale: setup
	$(BIN)/python benchmarks/bench_scale.py

bench: setup
	$(BIN)/python benchmarks/run.py

eval: setup
	$(BIN)/python benchmarks/eval_dev.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
