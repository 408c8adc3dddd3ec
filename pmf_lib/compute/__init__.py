"""Stage 3 — compute: the KPI registry, the KPI functions and the engine."""

from __future__ import annotations

import pandas as pd

from pmf_lib.compute.engine import KPI_TABLE_COLUMNS, compute_kpi_table
from pmf_lib.compute.registry import (
    REGISTRY,
    Figure,
    KpiInputs,
    KpiMeta,
    all_kpis,
    kpi,
    kpi_feeds,
)
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
    "kpi_history",
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
    from pmf_lib.validate.quality import assess_quality, strict_columns

    configured = config.optional_sources()
    local_files = {
        s.removeprefix("local."): config.files(s) for s in configured if s.startswith("local.")
    }
    wf = config.files("workforce_monthly") if "workforce_monthly" in configured else []
    other = read_other_sources(
        local=local_files, workforce_monthly=wf, strict_columns=strict_columns(config)
    )
    sources = Sources(cin=data.cin, cla=data.cla, files=other.files, unreadable=other.unreadable)
    return assess_quality(
        sources,
        period_ends,
        feeds=kpi_feeds(),
        frames=data.local,
        high=config.data_quality.high,
        medium=config.data_quality.medium,
    ).confidence


def blank_unsupplied(table: pd.DataFrame, local: dict) -> pd.DataFrame:
    """The KPI table with every KPI over a dataset lacking a required column made missing.

    A council may run without a required column (``data_quality.missing_columns:
    run_anyway``); the reader then lists it in the frame's
    ``attrs["missing_columns"]``. Every KPI reading that dataset (its
    declared ``inputs``, :func:`~pmf_lib.compute.registry.kpi_feeds`) gets value, numerator and
    denominator missing: a count over a column never supplied is not 0.

    Examples
    --------
    >>> import pandas as pd
    >>> contacts = pd.DataFrame({"contact_date": pd.Series([], dtype="datetime64[ns]")})
    >>> contacts.attrs["missing_columns"] = ["contact_date"]
    >>> t = pd.DataFrame({"kpi_id": ["contacts_count", "referrals_count"], "value": [0.0, 9.0],
    ...                   "numerator": [0.0, 9.0], "denominator": [float("nan")] * 2})
    >>> blank_unsupplied(t, {"contacts": contacts})["value"].tolist()
    [nan, 9.0]
    """
    lacking = {name for name, df in local.items() if df.attrs.get("missing_columns")}
    if not lacking:
        return table
    hit = [
        k
        for k, feeds in kpi_feeds().items()
        if any(f.source == "local" and f.table in lacking for f in feeds)
    ]
    out = table.copy()
    rows = out["kpi_id"].isin(hit)
    for col in ("value", "numerator", "denominator"):
        if col in out:
            out[col] = out[col].astype("float64")
            out.loc[rows, col] = float("nan")
    return out


def kpi_history(data: SourceData, period_ends) -> pd.DataFrame:
    """Every KPI at every period end, from sources already read.

    :func:`~pmf_lib.compute.engine.compute_kpi_table` over ``data``, with every
    KPI over a dataset read without a required column made missing
    (:func:`blank_unsupplied`). The month's one build
    (:func:`pmf_lib.assess.build.build_month`) calls it once and attaches the
    data quality confidence.
    """
    return blank_unsupplied(compute_kpi_table(inputs_from_sources(data), period_ends), data.local)


def build_kpi_table(
    config: Config,
    month: str,
    data: SourceData | None = None,
    history_months: int = HISTORY_MONTHS,
    with_confidence: bool = True,
) -> pd.DataFrame:
    """The KPI history for the months up to ``month`` (a library call for scripts and tests).

    The table covers ``history_months`` month ends ending with ``month``; with
    ``with_confidence`` each row also carries ``dq_error_share`` and
    ``dq_confidence`` (High/Medium/Low; missing for KPIs whose feeding records
    are not mapped). KPIs over a dataset read without a required column (the
    council runs anyway) are missing and rated Low (:func:`blank_unsupplied`).
    The commands build the month with :func:`pmf_lib.assess.build.build_month`,
    which reads each source once; this reads ``data`` (default: the sources)
    and, for the confidence, the local files again.
    """
    from pmf_lib.validate.confidence import attach

    data = data or load_sources(config)
    month = resolve_month(month, data)
    last = month_end(month)
    first = last - pd.DateOffset(months=history_months - 1)
    ends = month_ends(first, last)
    table = kpi_history(data, ends)
    if with_confidence:
        table = attach(table, data_quality(config, data, ends))
    return table
