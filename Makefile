# pmf — two commands do all the set-up:  `make report`  and  `make test`.
# Needs only Python 3.11 and pip; everything else goes into .venv.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := data/demo
DEMO_STAMP := $(DEMO)/.complete
CONFIG ?= parameters/config.yaml
MONTH ?= latest

.PHONY: setup demo report test lint format lab docs bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv \
	  && $(BIN)/uv pip install -q --python $(BIN)/python -e '.[test,dask]' \
	  || $(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test,dask]'
	@$(BIN)/python -m ipykernel install --sys-prefix --name pmf --display-name "pmf (Python 3.11)" >/dev/null
	@touch $(STAMP)

demo: $(DEMO_STAMP)

$(DEMO_STAMP): $(STAMP)
	@$(BIN)/pmf synth --out $(DEMO)

report: $(DEMO_STAMP)
	@$(BIN)/pmf validate --month $(MONTH) --config $(CONFIG) >/dev/null
	@$(BIN)/pmf run --month $(MONTH) --config $(CONFIG)

# The suite first publishes the demo's latest month (skipped when nothing changed):
# the notebooks' default parameters read that month's published tables under nbval.
test: $(DEMO_STAMP)
	@$(BIN)/ruff check -q pmf_lib tests benchmarks && $(BIN)/ruff format -q --check pmf_lib tests benchmarks
	@$(BIN)/pmf run --month $(MONTH) --config $(CONFIG) --quiet >/dev/null
	@$(BIN)/python -m pytest -q --durations=15 --doctest-modules pmf_lib tests
	@$(BIN)/python -m pytest -q --nbval-lax --nbval-current-env notebooks

lint: $(STAMP)
	@$(BIN)/ruff check pmf_lib tests benchmarks
	@$(BIN)/ruff format --check pmf_lib tests benchmarks

format: $(STAMP)
	@$(BIN)/ruff format pmf_lib tests benchmarks
	@$(BIN)/ruff check --fix pmf_lib tests benchmarks

docs: $(STAMP)
	@$(BIN)/pmf docs

# JupyterLab is an analyst's extra, kept out of the batch and test set-up
# (it slows every nbformat import by ~2 s; see docs/environment.md).
lab: $(DEMO_STAMP)
	@$(BIN)/uv pip install -q --python $(BIN)/python -e '.[test,dask,lab]' || $(BIN)/python -m pip install -q -e '.[test,dask,lab]'
	@$(BIN)/jupyter lab notebooks

bench: $(DEMO_STAMP)
	@$(BIN)/python benchmarks/bench_kpis.py
	@$(BIN)/python benchmarks/bench_batch.py

clean:
	rm -rf $(VENV) $(DEMO) outputs/20*
