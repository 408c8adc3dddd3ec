"""The monthly batch (``pmf run``): every report of one month, for one or several councils.

Steps, in order:

1. check everything before any work: the month, the areas asked for, each area's
   KPI ids against the registry, the targets file, and every distinct notebook's
   declared parameters (papermill only logs a misspelt parameter and runs the
   default);
2. read the council's sources once and compute the tidy KPI history once
   (``kpi_history.parquet``/``.csv``) and the month's assessed table
   (``kpis.parquet``/``.csv``), shared by every report;
3. take the month's run lock (a second run for the same month is refused) and
   decide what to run: reports whose inputs, parameters and notebook are unchanged
   since their last good run are skipped unless ``force``; ``retry_failed`` runs
   only what did not succeed last time;
4. run the reports on an executor (:mod:`pmf_lib.publish.executors`: a local pool
   of warm kernels, or a dask cluster), each with its own time limit; a failed
   report publishes nothing (its earlier good version stays) and does not stop
   the others;
5. write the month's ``index.html``, ``run.json`` and ``outputs/index.html``
   (each to a temporary name, then renamed); the run's log is ``run.log`` beside
   ``run.json``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from pmf_lib import __version__
from pmf_lib.config import Config
from pmf_lib.errors import PmfError
from pmf_lib.publish.atomic import (
    OutputError,
    check_folder_path,
    ensure_dir,
    publish_guard,
    remove_temporaries,
    write_csv_atomic,
    write_json_atomic,
    write_parquet_atomic,
    write_text_atomic,
)
from pmf_lib.publish.index import write_month_pages, write_root_index
from pmf_lib.publish.lock import RunLock
from pmf_lib.publish.manifest import build_manifest, file_record, sha256_file
from pmf_lib.publish.plan import COMMON_PARAMETERS, ReportSpec, plan_reports

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "service_area_report.ipynb"
#: The parameters of the service area notebook (checked by ``tests/test_notebooks.py``).
NOTEBOOK_PARAMETERS = ("area", "month", "config_path", "kpi_table")
#: Common parameters every report notebook must declare. The rest of
#: :data:`~pmf_lib.publish.plan.COMMON_PARAMETERS` (``assessed_table``) is passed
#: to the notebooks that declare it.
REQUIRED_PARAMETERS = ("month", "config_path", "kpi_table")
DEFAULT_TIMEOUT = 600.0
_MONTH_RE = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
log = logging.getLogger("pmf.run")


@dataclass
class ReportResult:
    """One report's outcome.

    ``status`` is ``ok`` (published) or ``failed``; ``skipped`` is True when the
    report was not run this time because its earlier good version is current.
    """

    id: str
    kind: str
    title: str
    status: str
    seconds: float
    error: str | None = None
    html: Path | None = None
    notebook: Path | None = None
    skipped: bool = False


@dataclass
class BatchResult:
    """What ``run_batch`` did."""

    month: str
    out_dir: Path
    index_path: Path
    manifest_path: Path
    kpi_table_path: Path
    assessed_table_path: Path | None = None
    council: str | None = None
    reports: list[ReportResult] = field(default_factory=list)

    @property
    def failed(self) -> list[str]:
        """Ids of the reports that failed."""
        return [r.id for r in self.reports if r.status != "ok"]

    @property
    def succeeded(self) -> list[str]:
        """Ids of the reports published (run now or current from an earlier run)."""
        return [r.id for r in self.reports if r.status == "ok"]

    @property
    def ran(self) -> list[str]:
        """Ids of the reports run this time (not skipped)."""
        return [r.id for r in self.reports if not r.skipped]


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
    for a in config.areas:  # every area: the assessed table covers them all
        bad = [k for k in config.areas[a].kpis if k not in registry]
        if bad:
            raise PmfError(
                f"unknown KPI id(s) {', '.join(bad)} (not in the KPI registry; `pmf docs` "
                "lists them)",
                field=f"areas.{a}.kpis",
            )
    return chosen


def notebook_parameters(notebook: Path) -> dict:
    """The parameters a notebook declares (``papermill.inspect_notebook``).

    Raises
    ------
    PmfError
        When the notebook is missing, unreadable or has no ``parameters`` cell.

    Examples
    --------
    >>> {"month", "config_path", "kpi_table"} <= set(notebook_parameters(NOTEBOOK))
    True
    """
    import papermill

    notebook = Path(notebook)
    if not notebook.is_file():
        raise PmfError("report notebook not found", file=notebook)
    try:
        declared = papermill.inspect_notebook(str(notebook))
    except Exception as e:  # papermill raises several types for a broken notebook
        raise PmfError(f"cannot read the notebook's parameters ({e})", file=notebook) from None
    if not declared:
        raise PmfError("no cell tagged 'parameters'", file=notebook)
    return declared


def check_notebook_parameters(notebook: Path, names=NOTEBOOK_PARAMETERS) -> None:
    """Check the notebook declares every name in ``names``.

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
    declared = notebook_parameters(notebook)
    missing = [n for n in names if n not in declared]
    if missing:
        raise PmfError(
            f"the parameters cell does not declare {', '.join(missing)} (it declares "
            f"{', '.join(declared)}); papermill would silently ignore "
            f"{'it' if len(missing) == 1 else 'them'}",
            file=notebook,
            field=missing[0],
        )


def check_specs(specs: list[ReportSpec]) -> dict[Path, tuple[str, ...]]:
    """Check every spec against its notebook before any work.

    Each distinct notebook is inspected once. It must declare
    :data:`REQUIRED_PARAMETERS` and every parameter of each spec that runs it;
    report ids must be unique.

    Returns
    -------
    dict
        Per notebook, the :data:`~pmf_lib.publish.plan.COMMON_PARAMETERS` it declares.

    Raises
    ------
    PmfError
        Naming the notebook and the parameter (or the duplicated report id).
    """
    seen: set[str] = set()
    for s in specs:
        if s.id in seen:
            raise PmfError(f"two reports have the id {s.id!r}", field="reports")
        seen.add(s.id)
    common: dict[Path, tuple[str, ...]] = {}
    for s in specs:
        nb = Path(s.notebook).resolve()
        if nb not in common:
            check_notebook_parameters(nb, REQUIRED_PARAMETERS)
            declared = notebook_parameters(nb)
            common[nb] = tuple(n for n in COMMON_PARAMETERS if n in declared)
            common_declared = declared
        else:
            common_declared = notebook_parameters(nb)
        extra = [p for p in s.parameters if p not in common_declared]
        if extra:
            raise PmfError(
                f"report {s.id!r} passes {', '.join(extra)}, which the notebook's parameters "
                f"cell does not declare (it declares {', '.join(common_declared)})",
                file=nb,
                field=extra[0],
            )
        clash = [p for p in s.parameters if p in COMMON_PARAMETERS]
        if clash:
            raise PmfError(
                f"report {s.id!r} sets {', '.join(clash)}, which the batch fills for every report",
                file=nb,
                field=clash[0],
            )
    return common


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
    paths), as are ``outputs``, ``targets``, ``kpi_catalogue``, ``council.logo``
    and ``benchmarks.store``.

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
    snap = config.model_dump(mode="json", exclude_none=False)
    snap.pop("councils", None)
    snap["data"] = _absolute(config, snap["data"])
    for holder, key in (
        (snap, "outputs"),
        (snap, "targets"),
        (snap, "kpi_catalogue"),
        (snap.get("council"), "logo"),
        (snap.get("benchmarks"), "store"),
    ):
        if isinstance(holder, dict) and holder.get(key):
            holder[key] = _absolute(config, holder[key])
    return snap


def input_files(config: Config) -> list[Path]:
    """Every existing input file every report reads, sorted.

    The data sources, the targets file, the KPI catalogue (``kpi_catalogue``), the
    logo and the files of a configured benchmark store. The files only some
    reports read (commentary, ``schedule.yaml``) are each spec's own ``inputs``
    (:func:`spec_inputs`).
    """
    files: set[Path] = set()
    sources = ["ssda903", "cin_census"]
    optional = getattr(config, "optional_sources", None)
    if callable(optional):
        sources += optional()
    for source in sources:
        files.update(config.files(source))
    singles = [config.population_file, getattr(config, "targets_file", None)]
    if config.kpi_catalogue:
        singles.append(config.resolve(config.kpi_catalogue))
    if config.council.logo:
        singles.append(config.resolve(config.council.logo))
    files.update(p for p in singles if p is not None and p.is_file())
    if config.benchmarks.store:
        store = config.resolve(config.benchmarks.store)
        if store.is_dir():
            files.update(p for p in store.rglob("*") if p.is_file())
    return sorted(files)


@lru_cache(maxsize=1)
def library_digest() -> str:
    """A SHA-256 of the library: its version and every file of ``pmf_lib`` (code,
    templates, shipped data), so that an edited library (an editable install keeps
    its version number) re-runs the reports. Taken once per process: the library
    this run was started with.

    Examples
    --------
    >>> len(library_digest()) == 64 and library_digest() == library_digest()
    True
    """
    h = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            h.update(path.relative_to(package).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def spec_inputs(spec: ReportSpec) -> list[list]:
    """``[path, sha256]`` of each of a report's own inputs; ``None`` for a file not written.

    Examples
    --------
    >>> s = ReportSpec("a", "A", "area", NOTEBOOK, inputs=(Path("/nowhere/a.md"),))
    >>> spec_inputs(s)
    [['/nowhere/a.md', None]]
    """
    return [[str(p), sha256_file(p) if Path(p).is_file() else None] for p in spec.inputs]


def base_fingerprint(
    month: str, snapshot: dict, inputs: list[dict], supplied_digest: str | None
) -> str:
    """What every report and the KPI tables depend on: the library, the month, the
    config, the content of every common input file (:func:`input_files`) and a
    supplied KPI table."""
    return _digest(
        {
            "pmf_version": __version__,
            "library": library_digest(),
            "month": month,
            "config": snapshot,
            "inputs": [[i["path"], i["sha256"]] for i in inputs],
            "kpi_table": supplied_digest,
        }
    )


def report_fingerprints(base: str, specs: list[ReportSpec]) -> dict[str, str]:
    """Each report's fingerprint: ``base``, its notebook's content, its id, kind,
    title and parameters, and the content of its own inputs (commentary files,
    the schedule). A report whose fingerprint equals its last good run's is skipped."""
    notebook_sha = {nb: sha256_file(nb) for nb in {Path(s.notebook).resolve() for s in specs}}
    return {
        s.id: _digest(
            [
                base,
                notebook_sha[Path(s.notebook).resolve()],
                s.id,
                s.kind,
                s.title,
                s.parameters,
                spec_inputs(s),
            ]
        )
        for s in specs
    }


def _month_of_table(table: pd.DataFrame, month: str) -> str:
    ends = pd.to_datetime(table["period_end"])
    if ends.empty:
        raise PmfError("the KPI table has no rows", field="kpi_table")
    if month == "latest":
        return ends.max().strftime("%Y-%m")
    if not (ends.dt.strftime("%Y-%m") == month).any():
        raise PmfError(f"the KPI table has no figures for {month}", field="month")
    return month


def table_digest(table: pd.DataFrame) -> str:
    """A SHA-256 of a table's contents (column names, dtypes and values).

    Examples
    --------
    >>> a = pd.DataFrame({"x": [1, 2]})
    >>> table_digest(a) == table_digest(a.copy()), table_digest(a) == table_digest(a + 1)
    (True, False)
    """
    h = hashlib.sha256()
    h.update(json.dumps([[str(c), str(t)] for c, t in table.dtypes.items()]).encode())
    h.update(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
    return h.hexdigest()


def _title(config: Config, spec: ReportSpec, month: str) -> str:
    month_text = (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).strftime("%B %Y")
    return f"{spec.title} – {month_text}"


def run_batch(
    config: Config,
    month: str = "latest",
    areas: list[str] | None = None,
    jobs: int | None = None,
    quiet: bool = False,
    kpi_table: pd.DataFrame | None = None,
    *,
    notebook: str | Path | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    executor="local",
    scheduler: str | None = None,
    engine: str = "warm",
    force: bool = False,
    retry_failed: bool = False,
) -> BatchResult:
    """Run every report of the month's plan (:func:`~pmf_lib.publish.plan.plan_reports`).

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
        A precomputed tidy KPI history; default: read the sources and compute it.
    notebook : str or Path, optional
        Run this notebook for every report instead of each spec's own (for tests).
    timeout : float
        Seconds allowed for each report (execution and export).
    executor : str or executor
        ``local`` (a process pool on this machine), ``dask`` (a dask cluster:
        ``scheduler``, or a local one), or an executor object from
        :func:`~pmf_lib.publish.executors.make_executor` (reused, not closed).
    scheduler : str, optional
        The dask scheduler's address.
    engine : str
        ``warm`` (reuse one warm kernel per worker) or ``papermill`` (a new
        kernel per report).
    force : bool
        Run every report even when its inputs, parameters and notebook are
        unchanged since its last good run (otherwise such reports are skipped).
    retry_failed : bool
        Run only the reports that did not succeed in the month's last run.

    Returns
    -------
    BatchResult
        ``index_path`` (the month's index page), ``failed`` (report ids) and
        ``ran`` (the reports run this time).

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
    if engine not in ("warm", "papermill"):
        raise PmfError(f"unknown engine {engine!r}; expected warm or papermill", field="engine")
    if force and retry_failed:
        raise PmfError("give --force or --retry-failed, not both", field="retry_failed")
    if not isinstance(timeout, int | float) or not 0 < timeout < float("inf"):  # nan too
        raise PmfError(
            f"timeout must be a positive number of seconds, got {timeout!r}", field="timeout"
        )
    chosen = check_areas(config, areas)
    check_folder_path(config.outputs_dir)  # an outputs path that is a file: before any work
    if config.targets_file:  # every report reads it: a bad file fails here, once
        from pmf_lib.assess import load_targets
        from pmf_lib.compute.registry import all_kpis

        load_targets(config.targets_file, {k: v.meta for k, v in all_kpis().items()})

    def plan(m: str) -> tuple[list[ReportSpec], dict]:
        planned = plan_reports(config, m, chosen)
        if notebook is not None:
            planned = [replace(s, notebook=Path(notebook)) for s in planned]
        return planned, check_specs(planned)

    # ---- 2. the month, the plan, the lock -------------------------------------------
    data = None
    if kpi_table is None:
        supplied_digest = None
        table_source = "computed from the inputs"
        # The month must lie within the data: checked before the lock creates its folder
        # (a month already published passed this check with the same inputs).
        if month == "latest" or not (config.outputs_dir / month / "run.json").is_file():
            from pmf_lib.compute import resolve_month
            from pmf_lib.read import load_sources

            plan(datetime.now().strftime("%Y-%m"))  # check the notebooks before reading data
            data = load_sources(config)
            month = resolve_month(month, data)
    else:
        kpi_table = kpi_table.copy()
        kpi_table["period_end"] = pd.to_datetime(kpi_table["period_end"])
        month = _month_of_table(kpi_table, month)
        supplied_digest = table_digest(kpi_table)
        table_source = "supplied by the caller"
    specs, common = plan(month)
    out_dir = config.outputs_dir / month
    ensure_dir(config.outputs_dir)  # an outputs path that is a file: one line, exit 2
    # Only this run publishes into out_dir while it holds the lock, and only then:
    # every rename (here and in the report workers) checks the lock still names it.
    lock = RunLock(out_dir, label=f"{config.council.name} {month}").acquire()
    run_id = lock.run_id
    try:
        remove_temporaries(out_dir)  # left by a run that was killed
        handler = _start_log(out_dir, started)
        try:
            with publish_guard(lock.check):
                return _run_locked(**locals())
        finally:
            logging.getLogger("pmf").removeHandler(handler)
            handler.close()
            remove_temporaries(out_dir)  # a stopped run's workers were killed mid-write
    finally:
        lock.release()


def _run_locked(
    *,
    config,
    month,
    chosen,
    specs,
    common,
    jobs,
    quiet,
    kpi_table,
    timeout,
    executor,
    scheduler,
    engine,
    force,
    retry_failed,
    started_clock,
    started,
    data,
    supplied_digest,
    table_source,
    out_dir,
    handler,
    run_id,
    **_ignored,
) -> BatchResult:
    from pmf_lib.assess.pipeline import assess_for_config

    snapshot = config_snapshot(config)
    inputs = [file_record(p) for p in input_files(config)]
    base = base_fingerprint(month, snapshot, inputs, supplied_digest)
    # Each report's navigation bar (its previous edition may have been published since)
    # is part of what it shows, so of its fingerprint.
    from pmf_lib.publish.index import nav_links

    navs = {
        s.id: nav_links(
            month, current=f"{s.id}.html", report_id=s.id, outputs_dir=config.outputs_dir
        )
        for s in specs
    }
    fingerprints = {k: _digest([v, navs[k]]) for k, v in report_fingerprints(base, specs).items()}
    own_inputs = {s.id: spec_inputs(s) for s in specs}  # recorded per report in run.json
    previous = _previous_run(out_dir)
    prev_reports = {r.get("id"): r for r in previous.get("reports", [])}
    to_run, carried = [], {}
    for s in specs:
        prev = prev_reports.get(s.id)
        good = bool(prev and prev.get("status") == "ok" and (out_dir / f"{s.id}.html").is_file())
        if force or not good:
            to_run.append(s)
        elif retry_failed or prev.get("fingerprint") == fingerprints[s.id]:
            carried[s.id] = {**prev, "skipped": True}
        else:
            to_run.append(s)
    log.info(
        "pmf run %s for %s: %d report(s) to run, %d current (skipped)",
        month,
        config.council.name,
        len(to_run),
        len(carried),
    )

    # ---- 3. the KPI tables, once (reused when the inputs have not changed) ---------
    history = out_dir / "kpi_history.parquet"
    assessed_path = out_dir / "kpis.parquet"
    prev_tables_current = (
        previous.get("base_fingerprint") == base
        and history.is_file()
        and assessed_path.is_file()
        and (out_dir / "spc.parquet").is_file()
        and sha256_file(history) == (previous.get("kpi_table") or {}).get("sha256")
        and sha256_file(assessed_path) == (previous.get("assessed_table") or {}).get("sha256")
    )
    if prev_tables_current and not force:
        table_record, assessed_record = previous["kpi_table"], previous["assessed_table"]
        log.info("KPI tables unchanged since the last run: reused")
    else:
        if kpi_table is None:
            from pmf_lib.compute import build_kpi_table
            from pmf_lib.read import load_sources

            data = data or load_sources(config)
            t0 = time.monotonic()
            table = build_kpi_table(config, month, data)
            log.info("KPI table computed in %.1f s (%d rows)", time.monotonic() - t0, len(table))
        else:
            table = kpi_table
        assessed = assess_for_config(config, table, month)
        # The SPC table (every chart's points, limits and verdicts; helper A, issue 10).
        from pmf_lib.assess.pipeline import spc_for_config
        from pmf_lib.assess.spc_table import rebase_proposals, suppress_spc_table

        spc_points = spc_for_config(config, table, month)
        # Members'/public outputs get only the suppressed view (one decision,
        # pmf_lib.assess.disclosure): the reports read it, and no count of 1-4
        # reaches the folder.
        from pmf_lib.assess.disclosure import Disclosure, published_tables
        from pmf_lib.assess.disclosure import suppress_breakdowns as _suppressed
        from pmf_lib.assess.pipeline import configured_kpis

        rules = Disclosure.from_config(config)
        if rules is not None:
            view = published_tables(table, assessed, None, configured_kpis(config), rules)
            table, assessed = view.history, view.assessed
            spc_points = suppress_spc_table(spc_points, table)
        out_dir.mkdir(parents=True, exist_ok=True)
        write_parquet_atomic(table, history)
        write_csv_atomic(table, out_dir / "kpi_history.csv")
        write_parquet_atomic(assessed, assessed_path)
        write_csv_atomic(assessed, out_dir / "kpis.csv")
        write_parquet_atomic(spc_points, out_dir / "spc.parquet")
        write_csv_atomic(spc_points, out_dir / "spc.csv")
        write_csv_atomic(rebase_proposals(spc_points), out_dir / "spc_rebase_proposals.csv")
        # Each improvement action's state at the month end, as the action KPIs count
        # them (pmf_lib.assess.actions); none without a log, and none left from before.
        from pmf_lib.assess.actions import actions_for_config

        read_log = data.local.get("improvement_actions") if data is not None else None
        actions = actions_for_config(config, table, month, read_log)
        for name, write in (
            ("actions.parquet", write_parquet_atomic),
            ("actions.csv", write_csv_atomic),
        ):
            if actions is None:
                (out_dir / name).unlink(missing_ok=True)
            else:
                write(actions, out_dir / name)
        if data is not None:  # breakdowns need the source data (not a precomputed table)
            from pmf_lib.compute import inputs_from_sources
            from pmf_lib.compute.breakdowns import compute_breakdowns
            from pmf_lib.dates import month_end

            t0 = time.monotonic()
            breakdowns = compute_breakdowns(inputs_from_sources(data), month_end(month))
            if rules is not None:
                breakdowns = _suppressed(
                    breakdowns, configured_kpis(config), table, rules.max_count
                )
            write_parquet_atomic(breakdowns, out_dir / "breakdowns.parquet")
            write_csv_atomic(breakdowns, out_dir / "breakdowns.csv")
            log.info(
                "Breakdowns computed in %.1f s (%d rows)", time.monotonic() - t0, len(breakdowns)
            )
        else:  # no source data: no breakdowns, and none left from an earlier run
            for stale in ("breakdowns.parquet", "breakdowns.csv"):
                (out_dir / stale).unlink(missing_ok=True)
        table_record = {
            "source": table_source,
            "rows": len(table),
            "parquet": history.name,
            "csv": "kpi_history.csv",
            "sha256": sha256_file(history),
            "run_id": run_id,
        }
        assessed_record = {
            "rows": len(assessed),
            "parquet": assessed_path.name,
            "csv": "kpis.csv",
            "sha256": sha256_file(assessed_path),
            "run_id": run_id,
        }
    config_copy = write_text_atomic(
        "# The config this month's reports were run with (paths made absolute).\n"
        + yaml.safe_dump(snapshot, sort_keys=False, allow_unicode=True),
        out_dir / "config.yaml",
    )

    # ---- 4. the reports, in parallel ------------------------------------------
    fills = {
        "month": month,
        "config_path": str(config_copy),
        "kpi_table": str(history),
        "assessed_table": str(assessed_path),
    }
    logo = snapshot["council"].get("logo")
    tasks = []
    for s in to_run:
        nb = Path(s.notebook).resolve()
        tasks.append(
            {
                "id": s.id,
                "notebook": str(nb),
                "out_dir": str(out_dir),
                "parameters": {**{n: fills[n] for n in common[nb]}, **s.parameters},
                "timeout": float(timeout),
                "council": config.council.name,
                "title": _title(config, s, month),
                "logo": logo,
                "generated": started,
                "run_id": run_id,
                # The bar of links at the top: the month's index, the dashboard, the
                # glossary and this report's previous edition (pmf_lib.publish.index).
                "nav": navs[s.id],
            }
        )
    from pmf_lib.publish.executors import make_executor

    own = isinstance(executor, str)
    runner = make_executor(executor, jobs, scheduler, engine) if own else executor
    try:
        with _Progress(len(tasks), quiet, desc=f"{config.council.name} {month}") as progress:
            raw = runner.run(tasks, on_result=progress)
    finally:
        if own:
            runner.close()
    for tid, r in raw.items():
        r["fingerprint"] = fingerprints[tid]
        r["inputs"] = [{"path": p, "sha256": h} for p, h in own_inputs[tid]]
        if r.get("traceback"):
            log.debug("%s traceback:\n%s", tid, re.sub(r"\x1b\[[0-9;]*m", "", r["traceback"]))
    raw.update(carried)

    # ---- 5. index pages and manifest -------------------------------------------
    finished = _now()
    reports, rows = [], []
    for s in specs:
        r = {**raw[s.id], "id": s.id, "area": s.id, "kind": s.kind, "title": s.title}
        reports.append(r)
        html = out_dir / f"{s.id}.html"
        href, previous = None, ""
        if html.is_file():
            href = html.name
            if r["status"] != "ok":
                previous = datetime.fromtimestamp(html.stat().st_mtime).strftime("%d %B %Y")
        rows.append({**r, "href": href, "previous_date": previous})
    # The month's index (the managers' landing page), run log and glossary.
    index_path = write_month_pages(
        config,
        out_dir,
        month=month,
        reports=rows,
        started=started,
        finished=finished,
        run_id=run_id,
        log_name=Path(handler.baseFilename).name,
    )
    manifest = build_manifest(
        parameters={
            "month": month,
            "areas": chosen,
            "jobs": jobs,
            "timeout": timeout,
            "executor": getattr(runner, "name", str(executor)),
            "engine": engine,
            "force": force,
            "retry_failed": retry_failed,
            "config": snapshot,
        },
        inputs=inputs,
        notebooks=sorted(common),
        kpi_table=table_record,
        assessed_table=assessed_record,
        reports=reports,
        started=started,
        finished=finished,
        run_id=run_id,
    )
    manifest["base_fingerprint"] = base
    manifest["log"] = Path(handler.baseFilename).name
    manifest["seconds"] = round(time.monotonic() - started_clock, 2)
    manifest_path = write_json_atomic(manifest, out_dir / "run.json")
    write_root_index(council=config.council.name, outputs_dir=config.outputs_dir)
    return BatchResult(
        month=month,
        out_dir=out_dir,
        index_path=index_path,
        manifest_path=manifest_path,
        kpi_table_path=history,
        assessed_table_path=assessed_path,
        council=config.council.name,
        reports=[
            ReportResult(
                id=r["id"],
                kind=r["kind"],
                title=r["title"],
                status=r["status"],
                seconds=r["seconds"],
                error=r["error"],
                html=out_dir / r["html"] if r.get("html") else None,
                notebook=out_dir / r["notebook"] if r.get("notebook") else None,
                skipped=bool(r.get("skipped")),
            )
            for r in reports
        ],
    )


class _Progress:
    """A tqdm bar on stderr with one line per finished report (silent when quiet)."""

    def __init__(self, total: int, quiet: bool, desc: str = "reports"):
        from tqdm import tqdm

        self.quiet = quiet
        self.bar = tqdm(total=total, unit="report", desc=desc, disable=quiet, file=sys.stderr)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.bar.close()

    def __call__(self, r: dict) -> None:
        line = f"{r['id']}: {'published' if r['status'] == 'ok' else 'FAILED'}"
        line += f" in {r['seconds']:.1f} s"
        if r["error"]:
            line += f" — {r['error']}"
        log.info(line)
        self.bar.update(1)
        if not self.quiet:
            self.bar.write(line, file=sys.stderr)


def _digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def _previous_run(out_dir: Path) -> dict:
    """The month's last manifest (empty when there is none or it cannot be read)."""
    try:
        run = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return run if isinstance(run, dict) else {}


class _RunLogHandler(logging.FileHandler):
    """The run's log file; a record that cannot be written (a full disk) is dropped quietly.

    logging's default prints a traceback on the console for each such record;
    the write that matters fails as one line (:class:`OutputError`).
    """

    def handleError(self, record) -> None:  # noqa: N802 (logging's name)
        pass

    def flush(self) -> None:
        try:
            super().flush()
        except OSError:
            pass

    def close(self) -> None:
        try:
            super().close()
        except OSError:  # the buffered tail of the log is lost with the disk full
            pass


def _start_log(out_dir: Path, started: str) -> logging.FileHandler:
    """Log this run to ``run-<start time>.log`` beside its manifest."""
    ensure_dir(out_dir)
    stamp = re.sub(r"[^0-9T]", "", started[:19])
    path = out_dir / f"run-{stamp}.log"
    try:
        handler = _RunLogHandler(path, encoding="utf-8")
    except OSError as e:
        raise OutputError(path, e, "cannot start the run's log") from None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger("pmf")
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    return handler


def run_councils(
    config: Config,
    month: str = "latest",
    councils: str | list[str] | None = "all",
    *,
    kpi_tables: dict[str, pd.DataFrame] | None = None,
    executor="local",
    jobs: int | None = None,
    scheduler: str | None = None,
    engine: str = "warm",
    **options,
) -> list[BatchResult]:
    """Run the month's batch for each council of a config (one, or ``councils:``).

    Parameters
    ----------
    config : Config
        A single-council config (then ``councils`` must be ``all`` or None), or a
        multi-council one whose councils' outputs go to ``outputs/<id>/YYYY-MM/``.
    councils : str or list of str
        ``all`` or council ids.
    kpi_tables : dict, optional
        Precomputed KPI histories by council id (default: computed per council).
    executor, jobs, scheduler, engine
        As :func:`run_batch`; one executor (one dask cluster) serves every council.
    **options
        Passed to :func:`run_batch` (``areas``, ``quiet``, ``timeout``, ``force``,
        ``retry_failed``).

    Raises
    ------
    PmfError
        For an unknown council id, checked before any work.
    """
    if not config.multi:
        if councils not in (None, "all", []):
            raise PmfError(
                "this config is for one council; --councils needs a councils: config",
                field="councils",
            )
        ids, configs = [None], [config]
    else:
        ids = config.council_ids() if councils in (None, "all") else list(councils)
        configs = [config.for_council(c) for c in ids]  # raises for an unknown id
    from pmf_lib.publish.executors import make_executor

    runner = (
        make_executor(executor, jobs, scheduler, engine) if isinstance(executor, str) else executor
    )
    results = []
    try:
        for cid, one in zip(ids, configs, strict=True):
            table = (kpi_tables or {}).get(cid) if cid else (kpi_tables or {}).get(None)
            results.append(
                run_batch(
                    one,
                    month,
                    jobs=jobs,
                    kpi_table=table,
                    executor=runner,
                    engine=engine,
                    **options,
                )
            )
    finally:
        if isinstance(executor, str):
            runner.close()
    return results
