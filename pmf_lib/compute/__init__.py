"""Stage 3 — compute: the KPI registry, the KPI functions and the engine."""

from __future__ import annotations

import pandas as pd

from pmf_lib.compute.engine import KPI_TABLE_COLUMNS, compute_kpi_table
from pmf_lib.compute.registry import REGISTRY, Figure, KpiInputs, KpiMeta, all_kpis, kpi
from pmf_lib.config import Config
from pmf_lib.dates import month_end, month_ends
from pmf_lib.read import SourceData, latest_complete_month, load_sources

__all__ = [
    "KPI_TABLE_COLUMNS", "REGISTRY", "Figure", "KpiInputs", "KpiMeta", "all_kpis",
    "build_kpi_table", "compute_kpi_table", "inputs_from_sources", "kpi", "resolve_month",
]

HISTORY_MONTHS = 36


def inputs_from_sources(data: SourceData) -> KpiInputs:
    """Wrap read sources as KPI inputs."""
    return KpiInputs(cin=data.cin, cla=data.cla, population=data.population, local=data.local)


def resolve_month(month: str, data: SourceData) -> str:
    """``latest`` becomes the latest complete month of the data; other months pass."""
    return latest_complete_month(data) if month == "latest" else month


def build_kpi_table(
    config: Config, month: str, data: SourceData | None = None, history_months: int = HISTORY_MONTHS
) -> pd.DataFrame:
    """Read a council's sources and compute every KPI for the months up to ``month``.

    The table covers ``history_months`` month ends ending with ``month``.
    """
    data = data or load_sources(config)
    month = resolve_month(month, data)
    last = month_end(month)
    first = last - pd.DateOffset(months=history_months - 1)
    return compute_kpi_table(inputs_from_sources(data), month_ends(first, last))
