# pmf — two commands do all the set-up:  `make report`  and  `make test`.
# Needs only Python 3.11 and pip; everything else goes into .venv, at the versions pinned in
# requirements.lock (the versions the tests passed on; `make lock` regenerates it, see
# docs/environment.md). Without make (e.g. Windows with conda): README, "Set-up without make".
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock
DEMO := data/demo
DEMO_STAMP := $(DEMO)/.complete
CONFIG ?= parameters/config.yaml
MONTH ?= latest

.PHONY: setup lock demo report test test-fast lint format lab docs bench clean

setup: $(STAMP)

# Install exactly the locked versions (uv when it can be installed, else pip), then pmf itself
# without re-resolving its dependencies. Compiled to bytecode at install, as pip does (uv does
# not by default): with PYTHONDONTWRITEBYTECODE set, every pmf command and report kernel would
# otherwise compile pandas, matplotlib, Jupyter and pmf_lib again (2-3 CPU s per process).
$(STAMP): $(LOCK) pyproject.toml setup.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@if $(BIN)/python -m pip install -q --disable-pip-version-check uv; then \
	  $(BIN)/uv pip install -q --python $(BIN)/python --compile-bytecode -r $(LOCK) \
	  && $(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .; \
	else \
	  $(BIN)/python -m pip install -q --disable-pip-version-check -r $(LOCK) \
	  && $(BIN)/python -m pip install -q --disable-pip-version-check --no-deps -e .; \
	fi
	@$(BIN)/python -m compileall -q pmf_lib >/dev/null
	@$(BIN)/python -m ipykernel install --sys-prefix --name pmf --display-name "pmf (Python 3.11)" >/dev/null
	@touch $(STAMP)

# Re-pin requirements.lock from pyproject.toml (the test and dask extras, every platform),
# keeping each package at the version installed in .venv, where the tests passed. After adding
# a dependency to pyproject.toml and environment.yml: install it into .venv, run the tests,
# then `make lock` and commit the lock with the change.
lock:
	@$(BIN)/uv pip freeze --python $(BIN)/python --exclude-editable > $(VENV)/constraints.txt
	@$(BIN)/uv pip compile -q pyproject.toml --extra test --extra dask --universal \
	  --python-version 3.11.5 -c $(VENV)/constraints.txt \
	  --custom-compile-command "make lock" -o $(LOCK)

demo: $(DEMO_STAMP)

$(DEMO_STAMP): $(STAMP)
	@$(BIN)/pmf synth --out $(DEMO)

# One pmf run: each source read once, the data quality report (what pmf validate writes)
# and every report of the month.
report: $(DEMO_STAMP)
	@$(BIN)/pmf run --month $(MONTH) --config $(CONFIG)

# The suite first publishes the demo's latest month with one pmf run (it validates the data
# too: data_quality.html, then the reports; reports unchanged since the last run are
# skipped). The tests that read that month reuse it (tests/conftest.py), and the notebooks'
# default parameters read its published tables under nbval. One pytest session runs every
# test, doctest and notebook (nbval) on TEST_JOBS pytest-xdist workers (auto: one a core),
# each file whole on one worker (--dist loadfile: a notebook's cells in order, a module's
# fixtures built once), the longest files first (tests/conftest.py: LONGEST_FILES; hence
# --no-loadscope-reorder). TEST_JOBS=0 runs it in this one process.
TEST_JOBS ?= auto
XDIST = -n $(TEST_JOBS) --dist loadfile --no-loadscope-reorder
test: $(DEMO_STAMP)
	@$(BIN)/ruff check -q pmf_lib tests benchmarks && $(BIN)/ruff format -q --check pmf_lib tests benchmarks
	@$(BIN)/pmf run --month $(MONTH) --config $(CONFIG) --quiet >/dev/null
	@$(BIN)/python -m pytest -q $(XDIST) --durations=15 --doctest-modules --nbval-lax --nbval-current-env pmf_lib tests notebooks

# The edit-test loop (<= 90 s on 2 cores): every test and doctest except those marked slow,
# browser, dask or demo (pyproject.toml registers the markers), on the same workers; no batch
# run first, no notebooks. Left out, and run by make test: every test under tests/browser/
# (Chromium); the dask cluster; the tests that read the published demo month (demo); and the
# slow ones: a batch run or a kernel, a timeout, property tests over every KPI, the whole demo
# read or synthesised, each over about 2 s (@pytest.mark.slow in the test, or listed in
# tests/conftest.py: SLOW_FILES, SLOW_TESTS, SLOW_FIXTURES); a test using the
# published_demo_month fixture is marked demo there.
test-fast: $(DEMO_STAMP)
	@$(BIN)/python -m pytest -q $(XDIST) --durations=10 -m "not slow and not browser and not dask and not demo" --doctest-modules pmf_lib tests

# ruff, then vulture for dead code (settings: pyproject.toml [tool.vulture]; what it cannot
# see being used: vulture_whitelist.py).
lint: $(STAMP)
	@$(BIN)/ruff check pmf_lib tests benchmarks
	@$(BIN)/ruff format --check pmf_lib tests benchmarks
	@$(BIN)/vulture

format: $(STAMP)
	@$(BIN)/ruff format pmf_lib tests benchmarks
	@$(BIN)/ruff check --fix pmf_lib tests benchmarks

docs: $(STAMP)
	@$(BIN)/pmf docs

# JupyterLab is an analyst's extra, kept out of the batch and test set-up and out of the lock
# (it slows every nbformat import by ~2 s; see docs/environment.md). The locked versions stay.
lab: $(DEMO_STAMP)
	@$(BIN)/uv pip install -q --python $(BIN)/python -c $(LOCK) -e '.[lab]' || $(BIN)/python -m pip install -q -c $(LOCK) -e '.[lab]'
	@$(BIN)/jupyter lab notebooks

bench: $(DEMO_STAMP)
	@$(BIN)/python benchmarks/bench_kpis.py
	@$(BIN)/python benchmarks/bench_batch.py

clean:
	rm -rf $(VENV) $(DEMO) outputs/20*
