"""Assess a council's KPI table for a month, as its config says.

One call joins the assess stage's parts for the monthly batch: direction of
travel (:mod:`~pmf_lib.assess.travel`), DfE/ONS comparators
(:mod:`~pmf_lib.assess.comparators`), targets and RAG
(:mod:`~pmf_lib.assess.targets`), SPC and exceptions
(:mod:`~pmf_lib.assess.assessed`), and the data quality confidence the KPI table
carries. The same headline window is used for every part: the KPI's snapshot,
else its single month, else its first window. :func:`spc_for_config` gives the
month's SPC table (every chart's points, limits and verdicts at the KPI's
cadence), from which the assessed table's SPC columns are taken.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from pmf_lib.assess.assessed import assess_month, headline_window
from pmf_lib.assess.comparators import comparators_table, own_position
from pmf_lib.assess.spc import SpcOptions
from pmf_lib.assess.spc_table import spc_table
from pmf_lib.assess.targets import load_targets
from pmf_lib.assess.travel import travel_table
from pmf_lib.compute.registry import KpiMeta, all_kpis
from pmf_lib.config import Config
from pmf_lib.dates import month_end
from pmf_lib.errors import PmfError
from pmf_lib.read.benchmarks import load_benchmarks


def configured_kpis(config: Config, areas: Iterable[str] | None = None) -> dict[str, KpiMeta]:
    """The KPIs the configured areas show, in area then report order, each once.

    Each KPI's metadata is the library's, with the overrides (title, local note)
    of the config's KPI catalogue when it names one
    (:func:`pmf_lib.compute.catalogue.load_catalogue`); a KPI the catalogue does
    not list keeps the library's title.

    Raises
    ------
    PmfError
        Naming any KPI id the config lists that the registry does not define.
    """
    if config.kpi_catalogue:
        from pmf_lib.compute.catalogue import load_catalogue

        metas = load_catalogue(config.resolve(config.kpi_catalogue))
    else:
        metas = {k: v.meta for k, v in all_kpis().items()}
    out: dict[str, KpiMeta] = {}
    for area_id in areas if areas is not None else config.areas:
        for kpi_id in config.areas[area_id].kpis:
            if kpi_id not in metas:
                raise PmfError(
                    f"KPI {kpi_id!r} is not defined in pmf_lib (see docs/kpis.md)",
                    file=config.base_dir / "config.yaml",
                    field=f"areas.{area_id}.kpis",
                )
            out.setdefault(kpi_id, metas[kpi_id])
    return out


def _own_figures(kpi_table: pd.DataFrame, end: pd.Timestamp, metas) -> dict[str, float]:
    """The council's own 12-month (or snapshot) figure at ``end`` per KPI."""
    at = kpi_table[kpi_table["period_end"] == end]
    own = {}
    for kpi_id, m in metas.items():
        kind = next((k for k in ("rolling_12m", "snapshot") if k in m.windows), None)
        v = at.loc[(at["kpi_id"] == kpi_id) & (at["window"] == kind), "value"]
        if kind and len(v):
            own[kpi_id] = float(v.iloc[0])
    return own


def comparators_for(config: Config, kpi_table: pd.DataFrame, metas, end) -> pd.DataFrame:
    """England, region and neighbour figures, quartile band and rank per comparable KPI.

    Only KPIs with a DfE measure and a unit that compares across councils (a
    percentage, rate, mean or number of days — not a raw count) are compared.
    ``published_quartile`` and ``published_rank`` are LAIT's, for the council's
    published figure in the latest year; ``quartile`` and ``rank`` place the
    council's own current rolling-12-month (or snapshot) figure in that same
    published distribution (:func:`~pmf_lib.assess.comparators.own_position`), and
    ``previous_quartile`` its figure twelve months earlier, so that a move between
    bands reflects the council's own data.
    """
    store_dir = config.resolve(config.benchmarks.store) if config.benchmarks.store else None
    store = load_benchmarks(store_dir)
    codes = {k: m.comparator for k, m in metas.items() if m.comparator and m.unit != "count"}
    if not codes:
        return pd.DataFrame({"kpi_id": pd.Series(dtype="string")})
    own = _own_figures(kpi_table, end, metas)
    year_before = _own_figures(kpi_table, month_end(end - pd.DateOffset(months=12)), metas)
    table = comparators_table(
        store,
        config.council.code,
        codes,
        own=own,
        own_period=f"12 months to {end:%b %Y}",
        sn_model=config.benchmarks.sn_model,
        sn_stat=config.benchmarks.sn_stat,
    )
    table = table.rename(
        columns={
            "quartile": "published_quartile",
            "rank": "published_rank",
            "rank_of": "published_rank_of",
        }
    )
    now = [
        own_position(store, config.council.code, codes[k], own.get(k, float("nan")), y)
        for k, y in zip(table["kpi_id"], table["year"], strict=True)
    ]
    before = [
        own_position(store, config.council.code, codes[k], year_before.get(k, float("nan")), y)[0]
        for k, y in zip(table["kpi_id"], table["year"], strict=True)
    ]
    table["quartile"] = [q for q, _, _ in now]
    table["rank"] = pd.array([r for _, r, _ in now], dtype="Int64")
    table["rank_of"] = [n for _, _, n in now]
    table["previous_quartile"] = before
    return table


def spc_options_for(config: Config) -> SpcOptions:
    """The config's SPC settings (``spc:``: baseline, screening, declared rebases)."""
    return SpcOptions(
        baseline_points=config.spc.baseline_points,
        screen_outliers=config.spc.screen_outliers,
        rebase={k: [pd.Timestamp(d) for d in v] for k, v in config.spc.rebase.items()},
    )


def spc_for_config(
    config: Config, kpi_table: pd.DataFrame, month: str, areas: Iterable[str] | None = None
) -> pd.DataFrame:
    """The month's SPC table for the configured areas (``outputs/YYYY-MM/spc.parquet``).

    Every KPI's chart points at its cadence, each rebased segment's mean and
    limits, signals and verdicts (:func:`pmf_lib.assess.spc_table.spc_table`),
    with the target in force at each point. The assessed table
    (:func:`assess_for_config`) takes its SPC columns from the same charts, so the
    two agree; every chart draws from this table.
    """
    metas = configured_kpis(config, areas)
    targets = load_targets(config.targets_file, metas) if config.targets_file else None
    return spc_table(kpi_table, metas, month_end(month), targets, spc_options_for(config))


def assess_for_config(
    config: Config, kpi_table: pd.DataFrame, month: str, areas: Iterable[str] | None = None
) -> pd.DataFrame:
    """The month's assessed KPI table for the configured areas (or ``areas``).

    Parameters
    ----------
    config : Config
    kpi_table : pandas.DataFrame
        The tidy KPI history (``MonthBuild.kpi_table``, :mod:`pmf_lib.assess.build`), with
        ``dq_confidence`` when it has been attached.
    month : str
        ``YYYY-MM``.

    Returns
    -------
    pandas.DataFrame
        One row per KPI (see :func:`pmf_lib.assess.assessed.assess_month`), plus
        ``dq_error_share`` and ``dq_confidence`` for the headline figure.
    """
    metas = configured_kpis(config, areas)
    end = month_end(month)
    windows = {k: headline_window(m) for k, m in metas.items()}
    travel = travel_table(kpi_table, metas, end, windows=windows)
    targets = load_targets(config.targets_file, metas) if config.targets_file else None
    spc_options = spc_options_for(config)
    comparators = comparators_for(config, kpi_table, metas, end)
    assessed = assess_month(kpi_table, metas, end, targets, comparators, travel, spc_options)
    if "dq_confidence" in kpi_table.columns:
        at = kpi_table[kpi_table["period_end"] == end]
        dq = at.merge(
            pd.DataFrame({"kpi_id": list(windows), "window": list(windows.values())}),
            on=["kpi_id", "window"],
        )[["kpi_id", "dq_error_share", "dq_confidence"]]
        assessed = assessed.merge(dq, on="kpi_id", how="left")
    return assessed
