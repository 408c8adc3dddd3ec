"""The month's published tables and data quality report, written from its one build.

:func:`write_month_tables` writes what every report reads (``kpi_history``,
``kpis``, ``spc``, ``actions``, ``breakdowns``, ``annual``, ``scorecard`` (when the config
names scorecards), ``finance_budget`` and (internal only) ``high_cost_placements``
(with finance data) and ``voice_quotes`` and ``voice_questions`` (with survey responses)
as parquet and CSV, and
``spc_rebase_proposals.csv``); :func:`write_quality_outputs` writes
``data_quality.html``, ``data_quality_issues.csv`` and
``data_quality_confidence.csv`` (INTERNAL: they list child ids, so for a
members' or public audience they go to
``outputs/internal/YYYY-MM/``, outside the folder a council publishes). Both
``pmf run`` and ``pmf validate`` write them from
:func:`pmf_lib.assess.build.build_month`; every write is atomic.
"""

from __future__ import annotations

from pathlib import Path

from pmf_lib.assess.build import MonthBuild
from pmf_lib.config import Config
from pmf_lib.publish.atomic import write_csv_atomic, write_parquet_atomic
from pmf_lib.publish.manifest import sha256_file

HISTORY = "kpi_history.parquet"
ASSESSED = "kpis.parquet"


def write_month_tables(
    build: MonthBuild, out_dir: Path, *, run_id: str, table_source: str
) -> tuple[dict, dict]:
    """Write the month's tables from ``build`` (as published: :meth:`MonthBuild.published`).

    Breakdowns are written when the build has them (it was made from the
    sources); otherwise any left by an earlier run are removed.

    Returns
    -------
    tuple of dict
        The manifest's records of the KPI history and of the assessed table
        (rows, file names, SHA-256 and the run id).
    """
    from pmf_lib.assess.spc_table import rebase_proposals

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    history, assessed_path = out_dir / HISTORY, out_dir / ASSESSED
    write_parquet_atomic(build.kpi_table, history)
    write_csv_atomic(build.kpi_table, out_dir / "kpi_history.csv")
    write_parquet_atomic(build.assessed, assessed_path)
    write_csv_atomic(build.assessed, out_dir / "kpis.csv")
    write_parquet_atomic(build.spc, out_dir / "spc.parquet")
    write_csv_atomic(build.spc, out_dir / "spc.csv")
    write_csv_atomic(rebase_proposals(build.spc), out_dir / "spc_rebase_proposals.csv")
    # Each improvement action's state at the month end; none without a log, and none
    # left from before.
    for name, write in (
        ("actions.parquet", write_parquet_atomic),
        ("actions.csv", write_csv_atomic),
    ):
        if build.actions is None:
            (out_dir / name).unlink(missing_ok=True)
        else:
            write(build.actions, out_dir / name)
    # Every configured scorecard's quarters (pmf_lib.assess.scorecard); none left from before.
    for name, write in (
        ("scorecard.parquet", write_parquet_atomic),
        ("scorecard.csv", write_csv_atomic),
    ):
        if build.scorecards is None:
            (out_dir / name).unlink(missing_ok=True)
        else:
            write(build.scorecards, out_dir / name)
    # Each KPI's years to 31 March (pmf_lib.assess.annual; the annual evidence packs).
    for name, write in (("annual.parquet", write_parquet_atomic), ("annual.csv", write_csv_atomic)):
        if build.annual is None:
            (out_dir / name).unlink(missing_ok=True)
        else:
            write(build.annual, out_dir / name)
    # Finance (issue 16; pmf_lib.assess.finance): the budget lines for every audience; the
    # high-cost placements list only in an internal build (published() drops it); none left.
    finance = getattr(build, "finance", None)
    for stem, table in (
        ("finance_budget", None if finance is None else finance.budget),
        ("high_cost_placements", None if finance is None else finance.high_cost),
    ):
        for name, write in (
            (f"{stem}.parquet", write_parquet_atomic),
            (f"{stem}.csv", write_csv_atomic),
        ):
            if table is None:
                (out_dir / name).unlink(missing_ok=True)
            else:
                write(table, out_dir / name)
    # The survey comments the council publishes (pmf_lib.assess.voice); none left from before.
    # ... and children in care's answers by question, quarter by quarter.
    for stem, table in (
        ("voice_quotes", getattr(build, "voice_quotes", None)),
        ("voice_questions", getattr(build, "voice_questions", None)),
    ):
        for name, write in (
            (f"{stem}.parquet", write_parquet_atomic),
            (f"{stem}.csv", write_csv_atomic),
        ):
            if table is None:
                (out_dir / name).unlink(missing_ok=True)
            else:
                write(table, out_dir / name)
    if build.breakdowns is not None:
        write_parquet_atomic(build.breakdowns, out_dir / "breakdowns.parquet")
        write_csv_atomic(build.breakdowns, out_dir / "breakdowns.csv")
    else:  # no source data: no breakdowns, and none left from an earlier run
        for stale in ("breakdowns.parquet", "breakdowns.csv"):
            (out_dir / stale).unlink(missing_ok=True)
    table_record = {
        "source": table_source,
        "rows": len(build.kpi_table),
        "parquet": history.name,
        "csv": "kpi_history.csv",
        "sha256": sha256_file(history),
        "run_id": run_id,
    }
    assessed_record = {
        "rows": len(build.assessed),
        "parquet": assessed_path.name,
        "csv": "kpis.csv",
        "sha256": sha256_file(assessed_path),
        "run_id": run_id,
    }
    return table_record, assessed_record


def quality_dir(config: Config, month: str) -> Path:
    """Where the month's data quality report goes: the month's folder, or for members or
    the public ``<outputs>/internal/YYYY-MM/`` (the report lists child ids).

    Examples
    --------
    >>> from pmf_lib.config import Area, Config, Council, DataSources
    >>> c = Config(council=Council(code=938, name="D"), base_dir=Path("/cfg"),
    ...            data=DataSources(ssda903="a", cin_census="b", population="p.csv"),
    ...            areas={"x": Area(title="X", kpis=["referrals_count"])})
    >>> quality_dir(c, "2026-10").as_posix()
    '/cfg/outputs/2026-10'
    >>> quality_dir(c.model_copy(update={"audience": "public"}), "2026-10").as_posix()
    '/cfg/outputs/internal/2026-10'
    """
    from pmf_lib.assess.disclosure import suppresses

    base = config.outputs_dir / "internal" if suppresses(config.audience) else config.outputs_dir
    return base / month


QUALITY_OUTPUTS = ("data_quality.html", "data_quality_issues.csv", "data_quality_confidence.csv")


def write_quality_outputs(config: Config, build: MonthBuild) -> Path:
    """Write the month's data quality report and its two tables; the report's path.

    ``data_quality.html`` (:func:`pmf_lib.publish.data_quality.write_data_quality`:
    the files that could not be read, rows read, accepted and reported, the
    issues by rule and the month's confidence of each KPI; the SPC rebase
    proposals when ``spc_rebase_proposals.csv`` is beside it), every issue in
    ``data_quality_issues.csv`` and the confidence of every KPI and month in
    ``data_quality_confidence.csv``; with Annex A configured, its reconciliation
    with the national returns in ``annex_a_reconciliation.csv``.
    """
    from pmf_lib.compute.registry import kpi_feeds
    from pmf_lib.publish.data_quality import write_data_quality

    q = build.quality
    out = write_data_quality(
        quality_dir(config, build.month).parent,
        build.month,
        q.issues,
        q.reconciliation,
        build.month_quality,
        council=config.council.name,
        feeds=kpi_feeds(),
        unreadable=build.read.unreadable,
        as_of=q.as_of,
        target_reviews=build.target_reviews,
        annex_a=build.annex_a_reconciliation,
    )
    write_csv_atomic(q.issues, out.with_name("data_quality_issues.csv"))
    write_csv_atomic(q.confidence, out.with_name("data_quality_confidence.csv"))
    if build.annex_a_reconciliation is not None:  # the config names Annex A (issue 15)
        write_csv_atomic(build.annex_a_reconciliation, out.with_name("annex_a_reconciliation.csv"))
    return out
