"""Stage 3 — compute: the KPI registry, the KPI functions and the engine."""

from __future__ import annotations

import pandas as pd

from pmf_lib.compute.engine import KPI_TABLE_COLUMNS, compute_kpi_table
from pmf_lib.compute.registry import REGISTRY, Figure, KpiInputs, KpiMeta, all_kpis, kpi
from pmf_lib.config import Config
from pmf_lib.dates import month_end, month_ends
from pmf_lib.read import SourceData, latest_complete_month, load_sources

__all__ = [
    "KPI_TABLE_COLUMNS",
    "REGISTRY",
    "Figure",
    "KpiInputs",
    "KpiMeta",
    "all_kpis",
    "build_kpi_table",
    "compute_kpi_table",
    "inputs_from_sources",
    "kpi",
    "resolve_month",
]

HISTORY_MONTHS = 36


def inputs_from_sources(data: SourceData) -> KpiInputs:
    """Wrap read sources as KPI inputs."""
    return KpiInputs(cin=data.cin, cla=data.cla, population=data.population, local=data.local)


def resolve_month(month: str, data: SourceData) -> str:
    """``latest`` becomes the latest complete month of the data; any month is checked.

    A month outside the data (before its earliest collection year, or after its
    latest reference date) is a PmfError (:func:`pmf_lib.dates.check_month_covered`).
    """
    from pmf_lib.dates import check_month_covered, data_extent

    if month == "latest":
        return latest_complete_month(data)
    first, last = data_extent([data.cin.returns, data.cla.returns])
    return check_month_covered(month, first, last)


def data_quality(config: Config, data: SourceData, period_ends) -> pd.DataFrame:
    """Data quality confidence per KPI and period end: the one computation ``pmf validate`` makes.

    :func:`pmf_lib.validate.quality.assess_quality` on the national returns the
    KPIs read and the configured local datasets and monthly workforce files
    (re-read as tables against their schema, so a value that could not be
    parsed counts as an error on its record), with the local issues placed on
    the records of ``data.local`` and dates "in the future" judged against the
    returns' latest reference date. ``pmf validate`` calls the same function on
    the same files, so its ``data_quality_confidence.csv`` equals the
    confidence attached here.
    """
    from pmf_lib.validate import Sources, read_other_sources
    from pmf_lib.validate.quality import assess_quality

    configured = config.optional_sources()
    local_files = {
        s.removeprefix("local."): config.files(s) for s in configured if s.startswith("local.")
    }
    wf = config.files("workforce_monthly") if "workforce_monthly" in configured else []
    other = read_other_sources(local=local_files, workforce_monthly=wf)
    sources = Sources(cin=data.cin, cla=data.cla, files=other.files, unreadable=other.unreadable)
    return assess_quality(
        sources,
        period_ends,
        frames=data.local,
        high=config.data_quality.high,
        medium=config.data_quality.medium,
    ).confidence


def build_kpi_table(
    config: Config,
    month: str,
    data: SourceData | None = None,
    history_months: int = HISTORY_MONTHS,
    with_confidence: bool = True,
) -> pd.DataFrame:
    """Read a council's sources and compute every KPI for the months up to ``month``.

    The table covers ``history_months`` month ends ending with ``month``; with
    ``with_confidence`` each row also carries ``dq_error_share`` and
    ``dq_confidence`` (High/Medium/Low; missing for KPIs whose feeding records
    are not mapped).
    """
    from pmf_lib.validate.confidence import attach

    data = data or load_sources(config)
    month = resolve_month(month, data)
    last = month_end(month)
    first = last - pd.DateOffset(months=history_months - 1)
    ends = month_ends(first, last)
    table = compute_kpi_table(inputs_from_sources(data), ends)
    if with_confidence:
        table = attach(table, data_quality(config, data, ends))
    return table
