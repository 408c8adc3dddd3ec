"""Stage 3 — compute: the KPI registry, the KPI functions and the engine.

The month's KPI history is computed once per build, by
:func:`pmf_lib.assess.build.build_month` (through :func:`kpi_history`).
"""

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
from pmf_lib.read import SourceData

__all__ = [
    "KPI_TABLE_COLUMNS",
    "REGISTRY",
    "Figure",
    "KpiInputs",
    "KpiMeta",
    "all_kpis",
    "blank_unsupplied",
    "compute_kpi_table",
    "inputs_from_sources",
    "kpi",
    "kpi_feeds",
    "kpi_history",
]


def inputs_from_sources(data: SourceData, settings: dict | None = None) -> KpiInputs:
    """Wrap read sources as KPI inputs, with the config's settings (``dict(config)``)."""
    return KpiInputs(
        cin=data.cin,
        cla=data.cla,
        population=data.population,
        local=data.local,
        settings=dict(settings or {}),
    )


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


def kpi_history(data: SourceData, period_ends, settings: dict | None = None) -> pd.DataFrame:
    """Every KPI at every period end, from sources already read.

    :func:`~pmf_lib.compute.engine.compute_kpi_table` over ``data``, with every
    KPI over a dataset read without a required column made missing
    (:func:`blank_unsupplied`). The month's one build
    (:func:`pmf_lib.assess.build.build_month`) calls it once and attaches the
    data quality confidence.
    """
    inputs = inputs_from_sources(data, settings)
    return blank_unsupplied(compute_kpi_table(inputs, period_ends), data.local)
