"""Shared fixtures: where ../shared/ is (skipping when absent), the demo data and the demo
month published by `make test`; the browser marker."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEMO = ROOT / "data" / "demo"


def need_shared(*parts: str) -> Path:
    """Path under ../shared/, or skip the test with the reason when it is absent."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"needs {p} (the shared data pack beside the checkout), which is absent")
    return p


@pytest.fixture
def shared_data() -> Path:
    return need_shared("data")


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    """The demo council's data (written by `make demo`)."""
    if not (DEMO / ".complete").exists():
        pytest.skip("demo data absent: run `make demo` (make test does it first)")
    return DEMO


# ---- markers ----------------------------------------------------------------------------
# ``make test-fast`` deselects ``slow``, ``browser``, ``dask`` and ``demo`` (pyproject.toml
# registers them); ``make test`` runs everything. Every test under tests/browser/ drives
# Chromium, so it is marked here rather than module by module.
BROWSER_TESTS = ROOT / "tests" / "browser"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROWSER_TESTS in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


# ---- the demo month make test publishes -------------------------------------------------
DEMO_CONFIG = ROOT / "parameters" / "config.yaml"
DEMO_MONTH = "2026-10"
PUBLISHED = ROOT / "outputs" / DEMO_MONTH


def published_month_staleness(config, month_dir: Path, month: str) -> str | None:
    """Why ``month_dir`` is not the current publication of ``month``, or None when it is.

    Current means ``pmf run`` would run nothing: its ``run.json`` names every report as
    published, and the fingerprint of what every report depends on (library, month,
    config, the content of every input file), each notebook and each report's own inputs
    (commentary) are what they are in the checkout now.
    """
    import json

    from pmf_lib.publish.fingerprint import (
        base_fingerprint,
        config_snapshot,
        input_records,
        sha256_file,
    )

    try:
        run = json.loads((month_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"{month_dir / 'run.json'} is absent or unreadable"
    if not run.get("reports") or any(r.get("status") != "ok" for r in run["reports"]):
        return "a report of its last run failed"
    inputs = input_records(config)  # as the batch records them (each file hashed)
    if run.get("base_fingerprint") != base_fingerprint(
        month, config_snapshot(config), inputs, None
    ):
        return "the library, config or input files changed since it was published"
    for nb in run.get("notebooks", []):
        if not Path(nb["path"]).is_file() or sha256_file(nb["path"]) != nb["sha256"]:
            return f"{nb['path']} changed since it was published"
    for report in run["reports"]:
        if not (month_dir / f"{report['id']}.html").is_file():
            return f"{report['id']}.html is missing"
        for i in report.get("inputs") or []:
            now = sha256_file(i["path"]) if Path(i["path"]).is_file() else None
            if now != i["sha256"]:
                return f"{i['path']} changed since it was published"
    return None


@pytest.fixture(scope="session")
def published_demo_month(demo_dir) -> Path:
    """``outputs/2026-10``: the demo month as ``make test`` publishes it before the suite.

    Reused when current (:func:`published_month_staleness`); otherwise published once
    here with ``pmf run`` (its reports that are current are skipped), waiting for a run
    already in progress to finish.
    """
    import subprocess
    import sys
    import time

    from pmf_lib.config import load_config

    config = load_config(DEMO_CONFIG)
    if published_month_staleness(config, PUBLISHED, DEMO_MONTH) is None:
        return PUBLISHED
    pmf = Path(sys.executable).with_name("pmf")
    argv = [str(pmf), "run", "--month", DEMO_MONTH, "--config", str(DEMO_CONFIG), "--quiet"]
    for _ in range(20):
        done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
        if "in progress" not in done.stderr:  # a concurrent run holds the month's lock
            break
        time.sleep(30)
    assert done.returncode == 0, f"pmf run --month {DEMO_MONTH} failed: {done.stderr}"
    return PUBLISHED
