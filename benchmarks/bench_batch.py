"""The whole monthly batch for the demo council, three ways, side by side in one run.

* **pmf** — ``run_batch`` as ``pmf run --force`` does it: the assessed table once,
  reports in parallel on warm kernels (``--jobs``, default the cores), HTML
  exported in the worker, every file written atomically, index and manifest;
* **(a) naive** — each report through the ``papermill`` command line and then
  ``jupyter nbconvert --to html``, one after another;
* **(b) work floor** — the same notebooks' cells, with the same parameters,
  executed one after another in one kernel that is already started and has
  pandas, matplotlib and pmf_lib imported (no export, no files).

All three use the same KPI history (computing it from the demo's returns is the
same work for every approach, so it is done once, untimed, before the three
runs — or read from ``--kpi-table``). Prints the seconds of each and the ratios
pmf/(a) and pmf/(b).

Usage: ``python benchmarks/bench_batch.py [--month 2026-10] [--jobs N] [--kpi-table PATH]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def kpi_history(config, month: str, path: str | None) -> pd.DataFrame:
    if path:
        return pd.read_parquet(path)
    from pmf_lib.assess.build import build_month

    t0 = time.monotonic()
    table = build_month(config, month, through="kpis").kpi_table
    print(f"(KPI history computed once for all three, untimed: {time.monotonic() - t0:.1f} s)")
    return table


def run_pmf(config, month, table, jobs) -> tuple[float, object]:
    from pmf_lib.publish.batch import run_batch

    t0 = time.monotonic()
    result = run_batch(config, month, jobs=jobs, quiet=True, kpi_table=table, force=True)
    return time.monotonic() - t0, result


def executed_parameters(result) -> list[tuple[str, Path, dict]]:
    """(id, notebook, parameters) of each report, as pmf ran it."""
    out = []
    for r in result.reports:
        nb = nbformat.read(result.out_dir / f"{r.id}.ipynb", as_version=4)
        src = Path(nb.metadata.papermill.get("input_path") or "")
        out.append((r.id, src, dict(nb.metadata.papermill.parameters)))
    return out


def run_naive(runs, work: Path) -> float:
    t0 = time.monotonic()
    for rid, notebook, params in runs:
        out = work / f"{rid}.ipynb"
        subprocess.run(
            [str(BIN / "papermill"), str(notebook), str(out), "-y", yaml.safe_dump(params)],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out)],
            check=True,
            capture_output=True,
        )
    return time.monotonic() - t0


def run_floor(runs) -> float:
    from papermill.iorw import load_notebook_node

    from pmf_lib.publish.warm import WarmKernel

    kernel = WarmKernel()
    try:
        kernel._start()  # started and warmed before the clock starts
        t0 = time.monotonic()
        for _rid, notebook, params in runs:
            kernel.execute(load_notebook_node(str(notebook)), params, time.monotonic() + 600)
        return time.monotonic() - t0
    finally:
        kernel.shutdown()


def main(argv=None) -> int:
    from pmf_lib.config import load_config

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--month", default="2026-10")
    p.add_argument("--jobs", type=int, default=None)
    p.add_argument("--config", default=str(ROOT / "parameters" / "config.yaml"))
    p.add_argument("--kpi-table", default=None, help="a precomputed kpi_history.parquet")
    args = p.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="pmf-bench-"))
    try:
        config = load_config(args.config)
        config = config.model_copy(update={"outputs": str(work / "outputs")})
        table = kpi_history(config, args.month, args.kpi_table)
        pmf_s, result = run_pmf(config, args.month, table, args.jobs)
        if result.failed:
            for r in result.reports:
                if r.status != "ok":
                    print(f"pmf: {r.id} failed: {r.error}", file=sys.stderr)
            return 1
        runs = executed_parameters(result)
        (work / "naive").mkdir()
        naive_s = run_naive(runs, work / "naive")
        floor_s = run_floor(runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"reports: {len(runs)}   jobs: {args.jobs or os.cpu_count()}   cores: {os.cpu_count()}")
    print(f"pmf run (warm kernels, parallel)       {pmf_s:7.1f} s")
    print(f"(a) papermill + nbconvert CLIs, serial  {naive_s:7.1f} s")
    print(f"(b) cells in one warm kernel (floor)    {floor_s:7.1f} s")
    print(f"pmf/(a) = {pmf_s / naive_s:.2f}   pmf/(b) = {pmf_s / floor_s:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
