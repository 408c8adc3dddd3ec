"""Compute every KPI for every month end into one tidy table.

The table has one row per KPI, period end and window::

    kpi_id, period_end, window, value, numerator, denominator

Notebooks and reports read this table; they never recompute from raw data.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from pmf_lib.compute.registry import Kpi, KpiInputs, all_kpis
from pmf_lib.dates import Window

KPI_TABLE_COLUMNS = ["kpi_id", "period_end", "window", "value", "numerator", "denominator"]


def compute_kpi_table(
    inputs: KpiInputs,
    period_ends: Iterable,
    kpi_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Every requested KPI for every period end, in its windows.

    Parameters
    ----------
    inputs : KpiInputs
        Canonical tables.
    period_ends : iterable of dates
        Month ends to compute.
    kpi_ids : iterable of str, optional
        Restrict to these KPIs (default: all registered).

    Returns
    -------
    pandas.DataFrame
        Columns ``KPI_TABLE_COLUMNS``, sorted by KPI, period end and window.

    Examples
    --------
    >>> from pmf_lib.compute.registry import KpiInputs
    >>> t = compute_kpi_table(KpiInputs(), ["2025-03-31"], ["referrals_count"])
    >>> t[["kpi_id", "window", "value"]].to_dict("records")
    [{'kpi_id': 'referrals_count', 'window': 'month', 'value': 0.0}, \
{'kpi_id': 'referrals_count', 'window': 'rolling_12m', 'value': 0.0}]
    """
    registry = all_kpis()
    wanted: list[Kpi]
    if kpi_ids is None:
        wanted = list(registry.values())
    else:
        unknown = [k for k in kpi_ids if k not in registry]
        if unknown:
            raise KeyError(f"unknown KPI id(s): {', '.join(unknown)}")
        wanted = [registry[k] for k in kpi_ids]
    ends = [pd.Timestamp(p).normalize() for p in period_ends]
    rows = []
    for k in wanted:
        for end in ends:
            for kind in k.meta.windows:
                fig = k(inputs, Window.of(kind, end))
                rows.append(
                    (
                        k.meta.id,
                        end,
                        kind,
                        k.meta.value(fig),
                        float(fig.numerator) if fig.numerator is not None else np.nan,
                        float(fig.denominator) if fig.denominator is not None else np.nan,
                    )
                )
    table = pd.DataFrame(rows, columns=KPI_TABLE_COLUMNS)
    table["period_end"] = pd.to_datetime(table["period_end"])
    return table.sort_values(["kpi_id", "period_end", "window"], ignore_index=True)
