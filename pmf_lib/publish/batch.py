"""The monthly batch (``pmf run``): every report of one month, for one council.

Steps, in order:

1. check everything before any work: the options (:class:`~pmf_lib.publish.options.RunOptions`),
   the areas asked for, each area's KPI ids against the registry, the targets file,
   and every distinct notebook's declared parameters (papermill only logs a
   misspelt parameter and runs the default);
2. read each of the council's sources once (:func:`pmf_lib.assess.build.read_month`)
   and find the month;
3. take the month's run lock (a second run for the same month is refused) and
   decide what to run: reports whose inputs, parameters and notebook are unchanged
   since their last good run are skipped unless ``force``
   (:mod:`pmf_lib.publish.fingerprint`); ``retry_failed`` runs only what did not
   succeed last time;
4. build the month once (:func:`pmf_lib.assess.build.build_month`: validation and
   data quality confidence with one reference date, the KPI history, the
   assessment, the breakdowns) and write its tables and its data quality report
   (:mod:`pmf_lib.publish.tables`), shared by every report; skipped when the
   inputs are unchanged since the tables were written;
5. run the reports on an executor (:mod:`pmf_lib.publish.executors`: a local pool
   of warm kernels, or a dask cluster), each with its own time limit; a failed
   report publishes nothing (its earlier good version stays) and does not stop
   the others;
6. write the month's ``index.html``, ``run.json`` and ``outputs/index.html``
   (each to a temporary name, then renamed); the run's log is ``run-<start>.log``
   beside ``run.json``.

Several councils: :func:`pmf_lib.publish.councils.run_councils`.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import pandas as pd
import yaml

from pmf_lib.config import Config
from pmf_lib.errors import PmfError
from pmf_lib.publish.action_lists import lists_current, write_action_lists
from pmf_lib.publish.atomic import (
    check_folder_path,
    ensure_dir,
    publish_guard,
    remove_temporaries,
    write_json_atomic,
    write_text_atomic,
)
from pmf_lib.publish.checks import (
    NOTEBOOK,
    NOTEBOOK_PARAMETERS,
    REQUIRED_PARAMETERS,
    check_areas,
    check_notebook_parameters,
    check_specs,
    notebook_parameters,
)
from pmf_lib.publish.fingerprint import (
    base_fingerprint,
    config_snapshot,
    digest,
    input_files,
    input_records,
    library_digest,
    report_fingerprints,
    spec_inputs,
    table_digest,
)
from pmf_lib.publish.index import write_month_pages, write_root_index
from pmf_lib.publish.lock import RunLock
from pmf_lib.publish.manifest import build_manifest, sha256_file
from pmf_lib.publish.options import DEFAULT_TIMEOUT, RunOptions
from pmf_lib.publish.plan import ReportSpec, plan_reports
from pmf_lib.publish.runlog import Progress, start_log
from pmf_lib.publish.tables import ASSESSED, HISTORY, QUALITY_OUTPUTS, quality_dir

__all__ = [
    "DEFAULT_TIMEOUT",
    "NOTEBOOK",
    "NOTEBOOK_PARAMETERS",
    "REQUIRED_PARAMETERS",
    "BatchResult",
    "ReportResult",
    "base_fingerprint",
    "check_areas",
    "check_notebook_parameters",
    "check_specs",
    "config_snapshot",
    "input_files",
    "library_digest",
    "notebook_parameters",
    "report_fingerprints",
    "run_batch",
    "run_councils",
    "spec_inputs",
    "table_digest",
]

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


def _month_of_table(table: pd.DataFrame, month: str) -> str:
    ends = pd.to_datetime(table["period_end"])
    if ends.empty:
        raise PmfError("the KPI table has no rows", field="kpi_table")
    if month == "latest":
        return ends.max().strftime("%Y-%m")
    if not (ends.dt.strftime("%Y-%m") == month).any():
        raise PmfError(f"the KPI table has no figures for {month}", field="month")
    return month


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
    opts = RunOptions.check(
        month=month,
        areas=areas,
        jobs=jobs,
        quiet=quiet,
        notebook=notebook,
        timeout=timeout,
        executor=executor,
        scheduler=scheduler,
        engine=engine,
        force=force,
        retry_failed=retry_failed,
    )
    month = opts.month
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

    # ---- 2. the sources (read once), the month, the plan, the lock ----------------
    read = None
    if kpi_table is None:
        supplied_digest = None
        table_source = "computed from the inputs"
        # The month must lie within the data: checked before the lock creates its folder
        # (a month already published passed this check with the same inputs).
        if month == "latest" or not (config.outputs_dir / month / "run.json").is_file():
            from pmf_lib.assess.build import read_month, resolve_month

            plan(datetime.now().strftime("%Y-%m"))  # check the notebooks before reading data
            read = read_month(config)
            read.raise_unreadable()  # a file pmf validate would list: its line, nothing run
            month = resolve_month(month, read)
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
        handler = start_log(out_dir, started)
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
    read,
    supplied_digest,
    table_source,
    out_dir,
    handler,
    run_id,
    **_ignored,
) -> BatchResult:
    snapshot = config_snapshot(config)
    if read is None and kpi_table is None:  # a month published before: its sources, read once
        from pmf_lib.assess.build import read_month

        read = read_month(config)
    # each source file's hash is the read's, of the very bytes parsed (never opened again)
    inputs = input_records(config, read.hashes if read is not None else None)
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
    fingerprints = {k: digest([v, navs[k]]) for k, v in report_fingerprints(base, specs).items()}
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

    # ---- 3. the month's build, once (reused when the inputs have not changed) -------
    history, assessed_path = out_dir / HISTORY, out_dir / ASSESSED
    dq_dir = quality_dir(config, month)
    prev_tables_current = (
        previous.get("base_fingerprint") == base
        and history.is_file()
        and assessed_path.is_file()
        and (out_dir / "spc.parquet").is_file()
        and sha256_file(history) == (previous.get("kpi_table") or {}).get("sha256")
        and sha256_file(assessed_path) == (previous.get("assessed_table") or {}).get("sha256")
        and (kpi_table is not None or all((dq_dir / n).is_file() for n in QUALITY_OUTPUTS))
        and (kpi_table is not None or lists_current(config, out_dir))
    )
    if prev_tables_current and not force:
        table_record, assessed_record = previous["kpi_table"], previous["assessed_table"]
        log.info("KPI tables unchanged since the last run: reused")
    else:
        from pmf_lib.assess.build import build_from_table, build_month
        from pmf_lib.publish.tables import write_month_tables, write_quality_outputs

        t0 = time.monotonic()
        if kpi_table is None:
            build = build_month(config, month, read=read)
            read = build.read  # the store records the data's extract date (issue 17)
            for step, seconds in build.timings.items():
                log.info("Month build: %s in %.1f s", step, seconds)
            log.info(
                "KPI table computed in %.1f s (%d rows)",
                time.monotonic() - t0,
                len(build.kpi_table),
            )
        else:
            build = build_from_table(config, kpi_table, month)
        # Members'/public outputs get only the suppressed view (one decision,
        # pmf_lib.assess.disclosure): the reports read it, and no count of 1-4
        # reaches the folder.
        table_record, assessed_record = write_month_tables(
            build.published(config), out_dir, run_id=run_id, table_source=table_source
        )
        if build.quality is not None:  # after spc_rebase_proposals.csv, which it lists
            write_quality_outputs(config, build)
        # The team managers' action lists (child-level: internal audiences only).
        write_action_lists(config, build, out_dir, run_id=run_id)
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
        with Progress(len(tasks), quiet, desc=f"{config.council.name} {month}") as progress:
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
    # The month published: its tables appended to the store of every published figure.
    from pmf_lib.publish.store import record_month

    record_month(config, out_dir, read)
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


def _previous_run(out_dir: Path) -> dict:
    """The month's last manifest (empty when there is none or it cannot be read)."""
    try:
        run = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return run if isinstance(run, dict) else {}


# Several councils' batches (the councils module calls back into this one).
from pmf_lib.publish.councils import run_councils  # noqa: E402
