"""The monthly batch (``pmf run``): every service area's report for one month.

Steps, in order:

1. check everything before any work: the month, the areas asked for, each area's
   KPI ids against the registry, and the notebook's parameter names (papermill
   only logs a misspelt parameter and runs the default);
2. read the council's sources once and compute the KPI table once; write it as
   ``outputs/YYYY-MM/kpis.parquet`` and ``kpis.csv``;
3. run the report notebook for each area in a pool of processes (papermill's
   Python API; kernels on IPC sockets, one BLAS thread each; a time limit per
   report) and export each to HTML in the same process;
4. publish ``<area>.html`` and the executed ``<area>.ipynb`` (each written to a
   temporary name, then renamed). A failed area publishes nothing (its earlier
   good report stays) and does not stop the others;
5. write the month's ``index.html``, ``run.json`` and ``outputs/index.html``.
"""

from __future__ import annotations

import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path

import pandas as pd
import yaml

from pmf_lib.config import Config
from pmf_lib.errors import PmfError
from pmf_lib.publish.atomic import (
    write_csv_atomic,
    write_json_atomic,
    write_parquet_atomic,
    write_text_atomic,
)
from pmf_lib.publish.index import month_index_html, write_root_index
from pmf_lib.publish.manifest import build_manifest, sha256_file

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "service_area_report.ipynb"
#: The parameters ``run_batch`` passes to the notebook (each must be declared there).
NOTEBOOK_PARAMETERS = ("area", "month", "config_path", "kpi_table")
DEFAULT_TIMEOUT = 600.0
_MONTH_RE = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


@dataclass
class ReportResult:
    """One area's outcome."""

    area: str
    title: str
    status: str  # "ok" or "failed"
    seconds: float
    error: str | None = None
    html: Path | None = None
    notebook: Path | None = None


@dataclass
class BatchResult:
    """What ``run_batch`` did."""

    month: str
    out_dir: Path
    index_path: Path
    manifest_path: Path
    kpi_table_path: Path
    reports: list[ReportResult] = field(default_factory=list)

    @property
    def failed(self) -> list[str]:
        """Area ids whose report failed."""
        return [r.area for r in self.reports if r.status != "ok"]

    @property
    def succeeded(self) -> list[str]:
        """Area ids whose report was published."""
        return [r.area for r in self.reports if r.status == "ok"]


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def check_areas(config: Config, areas: list[str] | None) -> list[str]:
    """The areas to run (all by default), each checked against the config and the registry.

    Raises
    ------
    PmfError
        Naming an unknown area, or an area's KPI id that is not in the registry.

    Examples
    --------
    >>> from pmf_lib.config import Area, Config, Council, DataSources
    >>> c = Config(council=Council(code=938, name="D"),
    ...            data=DataSources(ssda903="a", cin_census="b", population="p.csv"),
    ...            areas={"front_door": Area(title="F", kpis=["referrals_count"])})
    >>> check_areas(c, None)
    ['front_door']
    >>> try:
    ...     check_areas(c, ["front_dor"])
    ... except PmfError as e:
    ...     print(e)
    field areas: unknown service area(s) front_dor; the config has front_door
    """
    from pmf_lib.compute.registry import all_kpis

    if areas is None:
        chosen = list(config.areas)
    else:
        chosen = list(dict.fromkeys(a.strip() for a in areas if a and a.strip()))
        if not chosen:
            raise PmfError("no service areas given", field="areas")
        unknown = [a for a in chosen if a not in config.areas]
        if unknown:
            raise PmfError(
                f"unknown service area(s) {', '.join(unknown)}; the config has "
                f"{', '.join(config.areas)}",
                field="areas",
            )
    registry = all_kpis()
    for a in chosen:
        bad = [k for k in config.areas[a].kpis if k not in registry]
        if bad:
            raise PmfError(
                f"unknown KPI id(s) {', '.join(bad)} (not in the KPI registry; `pmf docs` "
                "lists them)",
                field=f"areas.{a}.kpis",
            )
    return chosen


def check_notebook_parameters(notebook: Path, names=NOTEBOOK_PARAMETERS) -> None:
    """Check the notebook declares every parameter the batch passes.

    Raises
    ------
    PmfError
        When the notebook is missing, has no ``parameters`` cell or lacks a name.

    Examples
    --------
    >>> check_notebook_parameters(NOTEBOOK)  # the report notebook declares them all
    >>> try:
    ...     check_notebook_parameters(NOTEBOOK, names=("area", "colour"))
    ... except PmfError as e:
    ...     print(e.field)
    colour
    """
    import papermill

    if not notebook.is_file():
        raise PmfError("report notebook not found", file=notebook)
    try:
        declared = papermill.inspect_notebook(str(notebook))
    except Exception as e:  # papermill raises several types for a broken notebook
        raise PmfError(f"cannot read the notebook's parameters ({e})", file=notebook) from None
    if not declared:
        raise PmfError("no cell tagged 'parameters'", file=notebook)
    missing = [n for n in names if n not in declared]
    if missing:
        raise PmfError(
            f"the parameters cell does not declare {', '.join(missing)} (it declares "
            f"{', '.join(declared)}); papermill would silently ignore "
            f"{'it' if len(missing) == 1 else 'them'}",
            file=notebook,
            field=missing[0],
        )


def _absolute(config: Config, value):
    if isinstance(value, str):
        return str(config.resolve(value))
    if isinstance(value, list):
        return [_absolute(config, v) for v in value]
    if isinstance(value, dict):
        return {k: _absolute(config, v) for k, v in value.items()}
    return value


def config_snapshot(config: Config) -> dict:
    """The config as plain data with every path made absolute (for the notebook and run.json).

    Every entry under ``data`` is a path (or a list, or a mapping of lists, of
    paths), as are ``outputs``, ``targets``, ``council.logo`` and
    ``benchmarks.store``.

    Examples
    --------
    >>> from pmf_lib.config import Area, Config, Council, DataSources
    >>> from pathlib import Path
    >>> c = Config(council=Council(code=938, name="D"), base_dir=Path("/cfg"),
    ...            data=DataSources(ssda903="a", cin_census=["b/*.xml"], population="p.csv"),
    ...            areas={"x": Area(title="X", kpis=["referrals_count"])})
    >>> s = config_snapshot(c)
    >>> s["data"]["ssda903"], s["data"]["cin_census"], s["data"]["population"], s["outputs"]
    (['/cfg/a'], ['/cfg/b/*.xml'], '/cfg/p.csv', '/cfg/outputs')
    """
    snap = config.model_dump(mode="json")
    snap["data"] = _absolute(config, snap["data"])
    for holder, key in (
        (snap, "outputs"),
        (snap, "targets"),
        (snap.get("council"), "logo"),
        (snap.get("benchmarks"), "store"),
    ):
        if isinstance(holder, dict) and holder.get(key):
            holder[key] = _absolute(config, holder[key])
    return snap


def input_files(config: Config) -> list[Path]:
    """Every existing input file the config names (data sources, targets, logo), sorted."""
    files: set[Path] = set()
    sources = ["ssda903", "cin_census"]
    optional = getattr(config, "optional_sources", None)
    if callable(optional):
        sources += optional()
    for source in sources:
        files.update(config.files(source))
    singles = [config.population_file, getattr(config, "targets_file", None)]
    if config.council.logo:
        singles.append(config.resolve(config.council.logo))
    files.update(p for p in singles if p is not None and p.is_file())
    return sorted(files)


def _month_of_table(table: pd.DataFrame, month: str) -> str:
    ends = pd.to_datetime(table["period_end"])
    if ends.empty:
        raise PmfError("the KPI table has no rows", field="kpi_table")
    if month == "latest":
        return ends.max().strftime("%Y-%m")
    if not (ends.dt.strftime("%Y-%m") == month).any():
        raise PmfError(f"the KPI table has no figures for {month}", field="month")
    return month


def run_batch(
    config: Config,
    month: str = "latest",
    areas: list[str] | None = None,
    jobs: int | None = None,
    quiet: bool = False,
    kpi_table: pd.DataFrame | None = None,
    *,
    notebook: str | Path = NOTEBOOK,
    timeout: float = DEFAULT_TIMEOUT,
) -> BatchResult:
    """Run every (or the given) service area's report for one month.

    Parameters
    ----------
    config : Config
        The validated config (``pmf_lib.config.load_config``).
    month : str
        ``YYYY-MM`` or ``latest`` (the latest complete month of the data, or the
        latest month of ``kpi_table`` when one is given).
    areas : list of str, optional
        Area ids to run (default: every area in the config).
    jobs : int, optional
        Reports run in parallel (default: the number of CPU cores).
    quiet : bool
        No progress output.
    kpi_table : pandas.DataFrame, optional
        A precomputed tidy KPI table; default: read the sources and compute it.
    notebook : str or Path
        The report notebook (default: ``notebooks/service_area_report.ipynb``).
    timeout : float
        Seconds allowed for each report (execution and export).

    Returns
    -------
    BatchResult
        ``index_path`` (the month's index page) and ``failed`` (area ids).

    Raises
    ------
    PmfError
        For bad parameters, found before any work is done, or unreadable inputs.

    Notes
    -----
    Reports run in worker processes started with ``spawn``, which re-imports the
    caller's main module: a script that calls ``run_batch`` needs the usual
    ``if __name__ == "__main__":`` guard (``pmf run`` and pytest have it).
    """
    started_clock, started = time.monotonic(), _now()
    # ---- 1. check everything first -----------------------------------------
    if month != "latest" and not _MONTH_RE.fullmatch(str(month)):
        raise PmfError(f"expected YYYY-MM or 'latest', got {month!r}", field="month")
    if jobs is not None and (not isinstance(jobs, int) or jobs < 1):
        raise PmfError(f"jobs must be a whole number of at least 1, got {jobs!r}", field="jobs")
    if not timeout or timeout <= 0:
        raise PmfError(
            f"timeout must be a positive number of seconds, got {timeout!r}", field="timeout"
        )
    chosen = check_areas(config, areas)
    notebook = Path(notebook).resolve()
    check_notebook_parameters(notebook)
    if config.targets_file:  # every report reads it: a bad file fails here, once
        from pmf_lib.assess import load_targets
        from pmf_lib.compute.registry import all_kpis

        load_targets(config.targets_file, {k: v.meta for k, v in all_kpis().items()})

    # ---- 2. the KPI table, once ----------------------------------------------
    if kpi_table is None:
        from pmf_lib.compute import build_kpi_table, resolve_month
        from pmf_lib.read import load_sources

        data = load_sources(config)
        month = resolve_month(month, data)
        table = build_kpi_table(config, month, data)
        table_source = "computed from the inputs"
    else:
        table = kpi_table
        month = _month_of_table(table, month)
        table_source = "supplied by the caller"
    out_dir = config.outputs_dir / month
    out_dir.mkdir(parents=True, exist_ok=True)
    parquet = write_parquet_atomic(table, out_dir / "kpis.parquet")
    write_csv_atomic(table, out_dir / "kpis.csv")
    snapshot = config_snapshot(config)
    config_copy = write_text_atomic(
        "# The config this month's reports were run with (paths made absolute).\n"
        + yaml.safe_dump(snapshot, sort_keys=False, allow_unicode=True),
        out_dir / "config.yaml",
    )

    # ---- 3-4. the reports, in parallel ------------------------------------------
    logo = snapshot["council"].get("logo")
    month_text = (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).strftime("%B %Y")
    tasks = [
        {
            "area": a,
            "notebook": str(notebook),
            "out_dir": str(out_dir),
            "parameters": {
                "area": a,
                "month": month,
                "config_path": str(config_copy),
                "kpi_table": str(parquet),
            },
            "timeout": float(timeout),
            "council": config.council.name,
            "title": f"{config.areas[a].title} – {month_text}",
            "logo": logo,
        }
        for a in chosen
    ]
    raw = _run_pool(tasks, jobs or os.cpu_count() or 1, quiet)

    # ---- 5. index pages and manifest -------------------------------------------
    finished = _now()
    reports = []
    rows = []
    for a in chosen:
        r = raw[a]
        r["title"] = config.areas[a].title
        reports.append(r)
        html = out_dir / f"{a}.html"
        href, previous = None, ""
        if html.is_file():
            href = html.name
            if r["status"] != "ok":
                previous = datetime.fromtimestamp(html.stat().st_mtime).strftime("%d %B %Y")
        rows.append({**r, "href": href, "previous_date": previous})
    index_path = write_text_atomic(
        month_index_html(
            council=config.council.name,
            month=month,
            reports=rows,
            started=started,
            finished=finished,
            show_table=config.audience == "internal",
        ),
        out_dir / "index.html",
    )
    manifest = build_manifest(
        parameters={
            "month": month,
            "areas": chosen,
            "jobs": jobs,
            "timeout": timeout,
            "config": snapshot,
        },
        inputs=input_files(config),
        notebook=notebook,
        kpi_table={
            "source": table_source,
            "rows": len(table),
            "parquet": parquet.name,
            "csv": "kpis.csv",
            "sha256": sha256_file(parquet),
        },
        reports=reports,
        started=started,
        finished=finished,
    )
    manifest["seconds"] = round(time.monotonic() - started_clock, 2)
    manifest_path = write_json_atomic(manifest, out_dir / "run.json")
    write_root_index(council=config.council.name, outputs_dir=config.outputs_dir)
    return BatchResult(
        month=month,
        out_dir=out_dir,
        index_path=index_path,
        manifest_path=manifest_path,
        kpi_table_path=parquet,
        reports=[
            ReportResult(
                area=r["area"],
                title=r["title"],
                status=r["status"],
                seconds=r["seconds"],
                error=r["error"],
                html=out_dir / r["html"] if r.get("html") else None,
                notebook=out_dir / r["notebook"] if r.get("notebook") else None,
            )
            for r in reports
        ],
    )


def _run_pool(tasks: list[dict], jobs: int, quiet: bool) -> dict[str, dict]:
    """Run the tasks in a process pool; every task gets a result, even if its worker died."""
    from tqdm import tqdm

    from pmf_lib.publish.execute import render_report

    results: dict[str, dict] = {}
    if not tasks:
        return results
    # "spawn": a fresh interpreter per worker, so no thread pools or locks are
    # inherited from this process (pyarrow has just written the KPI table).
    ctx = get_context("spawn")
    with (
        tqdm(
            total=len(tasks), unit="report", desc="reports", disable=quiet, file=sys.stderr
        ) as bar,
        ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=ctx) as pool,
    ):
        futures = {pool.submit(render_report, t): t for t in tasks}
        try:
            for fut in as_completed(futures):
                area = futures[fut]["area"]
                try:
                    r = fut.result()
                except BrokenProcessPool as e:
                    r = _failed(area, f"the worker process died ({e})")
                except Exception as e:  # pickling or other pool errors
                    r = _failed(area, f"{type(e).__name__}: {e}")
                results[area] = r
                bar.update(1)
                line = f"{area}: {'published' if r['status'] == 'ok' else 'FAILED'}"
                line += f" in {r['seconds']:.1f} s"
                if r["error"]:
                    line += f" — {r['error']}"
                if not quiet:
                    bar.write(line, file=sys.stderr)
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return results


def _failed(area: str, error: str) -> dict:
    return {
        "area": area,
        "status": "failed",
        "seconds": 0.0,
        "error": error,
        "html": None,
        "notebook": None,
        "started": None,
        "finished": _now(),
    }
