"""National comparators for a council's KPIs, by the Local Authority Interactive Tool's method.

For one published measure and one council, :func:`comparators` gives the figures
a performance report sets beside the council's own:

* **England** and the council's **region** (London councils: Inner or Outer
  London as LAIT places them, or London when the measure has no Inner/Outer
  London figures at all -- LAIT's rule);
* the **statistical-neighbour mean** (as LAIT shows it) and **median** (as the
  DfE children's social care outcomes and enablers dashboard shows it): the
  mean or median of the neighbours' published figures for that year, leaving
  out neighbours with no figure;
* the **quartile band** A-D and the **rank** among all councils, as LAIT works
  them out:

  - the year is the latest year any council has a row for (LAIT's
    ``slice_max(Years)``), unless one is asked for;
  - the councils are every LA row (LA number below 970) for that year; those
    whose figure is missing are left out of the quartiles and get no rank;
  - the quartile points are R's default ``quantile()`` (type 7, linear
    interpolation) of the councils' figures;
  - for a ``Low`` polarity measure a figure from the minimum to the 25% point
    is band A, above that to the 50% point B, to the 75% point C and to the
    maximum D; for ``High`` polarity the bands run the other way (A above the
    75% point), so A is always best;
  - the rank is 1 for the best figure (highest for ``High``, lowest for
    ``Low``), and tied figures share the lowest rank (``ties.method = "min"``);
  - a measure with no polarity (``-``) has neither band nor rank; a measure
    LAIT flags ``No_Quartile`` has a rank but no band.

Examples
--------
>>> from pmf_lib.read.benchmarks import load_benchmarks
>>> store = load_benchmarks()
>>> c = comparators(store, 938, "ReReferral")
>>> c.year, c.polarity, c.quartile in ("A", "B", "C", "D"), 1 <= c.rank <= c.rank_of
('2025', 'Low', True, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import pandas as pd

from pmf_lib.errors import PmfError
from pmf_lib.read.benchmarks import ENGLAND, REGION_CODES, REGION_NAMES, BenchmarkStore

SnStat = Literal["mean", "median"]


@dataclass(frozen=True)
class Comparators:
    """One measure's comparators for one council and year."""

    la_code: int
    la_name: str
    measure: str
    title: str
    unit: str
    polarity: str
    year: str | None
    year_end: pd.Timestamp | None
    la_value: float
    la_suppression: str | None
    england: float
    england_year: str | None
    region_code: int | None
    region_name: str | None
    region: float
    region_year: str | None
    sn_model: str
    sn_mean: float
    sn_median: float
    sn_count: int
    sn_year: str | None
    quartile: str | None
    rank: int | None
    rank_of: int
    quartile_year: str | None
    q25: float
    q50: float
    q75: float

    def as_dict(self) -> dict:
        return asdict(self)


def quartile_points(values) -> tuple[float, float, float, float, float]:
    """Minimum, 25%, 50%, 75% points and maximum, as R's default ``quantile()``.

    Missing values are left out (``na.rm = TRUE``); with none left all are NaN.

    Examples
    --------
    >>> quartile_points([1, 2, 3, 4, float("nan")])
    (1.0, 1.75, 2.5, 3.25, 4.0)
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return (float("nan"),) * 5
    q = np.quantile(x, [0.0, 0.25, 0.5, 0.75, 1.0], method="linear")
    return tuple(float(v) for v in q)


def quartile_band(value: float, points, polarity: str) -> str | None:
    """LAIT's quartile band (A best) of a value against the quartile points.

    Examples
    --------
    >>> pts = (0, 10, 20, 30, 40)
    >>> [quartile_band(v, pts, "Low") for v in (0, 10, 10.5, 20, 30, 40)]
    ['A', 'A', 'B', 'B', 'C', 'D']
    >>> [quartile_band(v, pts, "High") for v in (0, 10, 10.5, 20, 30, 40)]
    ['D', 'D', 'C', 'C', 'B', 'A']
    >>> quartile_band(5, pts, "-") is None
    True
    """
    if polarity not in ("High", "Low") or value is None or np.isnan(value):
        return None
    q0, q25, q50, q75, q100 = points
    if np.isnan(q0):
        return None
    bands = "ABCD" if polarity == "Low" else "DCBA"
    if q0 <= value <= q25:
        return bands[0]
    if q25 < value <= q50:
        return bands[1]
    if q50 < value <= q75:
        return bands[2]
    if q75 < value <= q100:
        return bands[3]
    return None  # outside the councils' range: cannot happen for a council's own figure


def rank_min(values, polarity: str) -> np.ndarray:
    """Ranks 1..n, best first, ties sharing the lowest rank; NaN for missing values.

    Examples
    --------
    >>> rank_min([5, 3, 3, float("nan"), 1], "Low").tolist()
    [4.0, 2.0, 2.0, nan, 1.0]
    >>> rank_min([5, 3, 3, float("nan"), 1], "High").tolist()
    [1.0, 2.0, 2.0, nan, 4.0]
    """
    s = pd.Series(np.asarray(values, dtype=float))
    return s.rank(method="min", ascending=(polarity == "Low"), na_option="keep").to_numpy()


def _latest_year(rows: pd.DataFrame) -> tuple[str, pd.Timestamp] | None:
    la = rows[rows["level"] == "LA"]
    if la.empty:
        return None
    latest = la.sort_values(["year_end", "year"]).iloc[-1]
    return str(latest["year"]), latest["year_end"]


def _value_at(rows: pd.DataFrame, la_code: int, year: str) -> tuple[float, str | None]:
    hit = rows[(rows["la_code"] == la_code) & (rows["year"] == year)]
    if hit.empty:
        return float("nan"), None
    return float(hit["value"].iloc[0]), hit["suppression"].iloc[0]


def region_for(store: BenchmarkStore, la_code: int, measure: str) -> int | None:
    """The region number to compare a council with for a measure (LAIT's London rule)."""
    name = store.la_region(la_code)
    code = REGION_CODES.get(name.strip().lower())
    if code in (987, 988):
        v = store.values
        inner_outer = v[(v["measure"] == measure) & (v["la_code"] == code)]
        if inner_outer["value"].isna().all():
            return 986
    return code


def neighbours_of(store: BenchmarkStore, la_code: int, sn_model: str = "2025") -> list[int]:
    """A council's statistical neighbours in a model, closest first."""
    n = store.neighbours
    rows = n[(n["model"] == str(sn_model)) & (n["la_code"] == la_code)]
    if rows.empty:
        models = sorted(n["model"].unique())
        raise PmfError(
            f"LA {la_code} has no statistical neighbours in the {sn_model} model "
            f"(models: {', '.join(models)})",
            field="sn_model",
        )
    return rows.sort_values("sn_rank")["neighbour"].astype(int).tolist()


def comparators(
    store: BenchmarkStore,
    la_code: int,
    measure_code: str,
    year: str | None = None,
    sn_model: str = "2025",
    sn_stat: SnStat = "mean",
) -> Comparators:
    """England, region, neighbour mean and median, quartile band and rank for one measure.

    Parameters
    ----------
    store : BenchmarkStore
        From :func:`pmf_lib.read.benchmarks.load_benchmarks`.
    la_code : int
        The council's old LA number (e.g. 938 for West Sussex).
    measure_code : str
        The measure (LAIT's ``Measure_short``, or an ``EES_`` code).
    year : str, optional
        The year label (e.g. ``"2024"``); by default the latest published.
    sn_model : {"2025", "2021"}
        Which statistical neighbour model to use.
    sn_stat : {"mean", "median"}
        Accepted for symmetry with :func:`comparators_table` (both are returned).
    """
    if sn_stat not in ("mean", "median"):
        raise PmfError(f"sn_stat must be 'mean' or 'median', not {sn_stat!r}", field="sn_stat")
    meta = store.measure(measure_code)
    la_code = int(la_code)
    la_name = store.la_name(la_code)
    rows = store.values[store.values["measure"] == measure_code]
    if year is None:
        latest = _latest_year(rows)
        year, year_end = latest if latest else (None, None)
    else:
        year = str(year)
        at = rows[rows["year"] == year]
        if at.empty:
            years = ", ".join(sorted(rows["year"].unique()))
            raise PmfError(
                f"no {measure_code} figures for year {year!r} (years: {years})", field="year"
            )
        year_end = at["year_end"].iloc[0]
    nan = float("nan")
    if year is None:
        la_value, la_supp, england, region = nan, None, nan, nan
    else:
        la_value, la_supp = _value_at(rows, la_code, year)
        england, _ = _value_at(rows, ENGLAND, year)
    region_code = region_for(store, la_code, measure_code)
    region = _value_at(rows, region_code, year)[0] if (year and region_code) else nan
    sns = neighbours_of(store, la_code, sn_model)
    if year is not None:
        at = rows[rows["year"] == year]
        sn_vals = at.loc[at["la_code"].isin(sns), "value"].dropna().to_numpy()
        las = at[at["level"] == "LA"]
    else:
        sn_vals = np.array([])
        las = rows.iloc[0:0]
    sn_mean = float(np.mean(sn_vals)) if sn_vals.size else nan
    sn_median = float(np.median(sn_vals)) if sn_vals.size else nan
    polarity = meta["polarity"]
    points = quartile_points(las["value"])
    quartile = None
    rank = None
    rank_of = int(las["value"].notna().sum())
    if polarity in ("High", "Low") and not np.isnan(la_value):
        if not bool(meta["no_quartile"]):
            quartile = quartile_band(la_value, points, polarity)
        ranks = rank_min(las["value"], polarity)
        mine = ranks[(las["la_code"] == la_code).to_numpy()]
        rank = int(mine[0]) if mine.size and not np.isnan(mine[0]) else None
    return Comparators(
        la_code=la_code,
        la_name=la_name,
        measure=measure_code,
        title=meta["title"],
        unit=meta["unit"],
        polarity=polarity,
        year=year,
        year_end=year_end,
        la_value=la_value,
        la_suppression=la_supp,
        england=england,
        england_year=year,
        region_code=region_code,
        region_name=REGION_NAMES.get(region_code) if region_code else None,
        region=region,
        region_year=year,
        sn_model=str(sn_model),
        sn_mean=sn_mean,
        sn_median=sn_median,
        sn_count=int(sn_vals.size),
        sn_year=year,
        quartile=quartile,
        rank=rank,
        rank_of=rank_of,
        quartile_year=year,
        q25=points[1],
        q50=points[2],
        q75=points[3],
    )


TABLE_COLUMNS = [
    "kpi_id",
    "measure",
    "title",
    "unit",
    "polarity",
    "own_rolling_12m",
    "own_period",
    "year",
    "la_value",
    "england",
    "england_year",
    "region_name",
    "region",
    "region_year",
    "sn_model",
    "sn_stat",
    "sn",
    "sn_mean",
    "sn_median",
    "sn_count",
    "sn_year",
    "quartile",
    "rank",
    "rank_of",
    "quartile_year",
    "la_suppression",
]


def comparators_table(
    store: BenchmarkStore,
    la_code: int,
    kpi_comparator_codes: Mapping[str, str],
    year: str | None = None,
    sn_model: str = "2025",
    sn_stat: SnStat = "mean",
    own: Mapping[str, float] | None = None,
    own_period: str | None = None,
) -> pd.DataFrame:
    """One row per KPI with its national comparators, for the assessed table.

    Parameters
    ----------
    kpi_comparator_codes : mapping of KPI id to measure code
        Usually ``{k.meta.id: k.meta.comparator}`` for KPIs that have one.
    own : mapping of KPI id to value, optional
        The council's own rolling-12-month figures, set beside the comparators.
    own_period : str, optional
        The label of that period (e.g. ``"12 months to Mar 2025"``).
    sn_stat : {"mean", "median"}
        Which neighbour statistic fills the ``sn`` column (both are kept).

    Examples
    --------
    >>> from pmf_lib.read.benchmarks import load_benchmarks
    >>> t = comparators_table(load_benchmarks(), 938, {"rereferrals_12m_pct": "ReReferral"},
    ...                       own={"rereferrals_12m_pct": 20.0}, sn_stat="median")
    >>> r = t.iloc[0]
    >>> r["kpi_id"], r["measure"], float(r["own_rolling_12m"]), r["sn_stat"], r["year"]
    ('rereferrals_12m_pct', 'ReReferral', 20.0, 'median', '2025')
    """
    if sn_stat not in ("mean", "median"):
        raise PmfError(f"sn_stat must be 'mean' or 'median', not {sn_stat!r}", field="sn_stat")
    known = set(store.measures["code"])
    rows = []
    for kpi_id, code in kpi_comparator_codes.items():
        if code not in known:
            raise PmfError(
                f"KPI {kpi_id}: comparator {code!r} is not a benchmark measure", field="comparator"
            )
        c = comparators(store, la_code, code, year=year, sn_model=sn_model, sn_stat=sn_stat)
        d = c.as_dict()
        d.update(
            kpi_id=kpi_id,
            own_rolling_12m=float(own[kpi_id]) if own and kpi_id in own else float("nan"),
            own_period=own_period,
            sn_stat=sn_stat,
            sn=d["sn_mean"] if sn_stat == "mean" else d["sn_median"],
        )
        rows.append(d)
    t = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    t["rank"] = t["rank"].astype("Int64")
    return t


def own_position(
    store: BenchmarkStore, la_code: int, measure_code: str, value: float, year: str | None = None
) -> tuple[str | None, int | None, int]:
    """Where a council's own current figure would sit among all councils' published ones.

    LAIT bands and ranks each council's *published* figure. A monthly report also
    wants the council's latest rolling-12-month figure placed in that same
    distribution: the quartile points are LAIT's (R's default ``quantile()`` over
    every council's published figure for ``year``), a figure beyond the published
    range takes the end band, and the rank is among the other councils' published
    figures plus this one (ties take the lowest rank).

    Returns
    -------
    (quartile, rank, rank_of)
        ``quartile`` A–D (A best) or None for a measure without polarity, a
        "no quartile" measure or a missing value; ``rank`` 1..``rank_of`` or None.

    Examples
    --------
    >>> from pmf_lib.read.benchmarks import load_benchmarks
    >>> store = load_benchmarks()
    >>> best = own_position(store, 938, "ReReferral", 0.0)   # lower is better
    >>> best[0], best[1]
    ('A', 1)
    >>> own_position(store, 938, "ReReferral", 99.0)[0]
    'D'
    """
    meta = store.measure(measure_code)
    rows = store.values[store.values["measure"] == measure_code]
    if year is None:
        latest = _latest_year(rows)
        if latest is None:
            return None, None, 0
        year = latest[0]
    las = rows[(rows["year"] == str(year)) & (rows["level"] == "LA")]
    others = las.loc[las["la_code"] != int(la_code), "value"].to_numpy(dtype=float)
    polarity = meta["polarity"]
    if polarity not in ("High", "Low") or value is None or np.isnan(value):
        return None, None, int((~np.isnan(others)).sum())
    points = quartile_points(las["value"])
    quartile = None
    if not bool(meta["no_quartile"]) and not np.isnan(points[0]):
        quartile = quartile_band(min(max(float(value), points[0]), points[4]), points, polarity)
    ranks = rank_min(np.append(others, float(value)), polarity)
    return quartile, int(ranks[-1]), int((~np.isnan(others)).sum()) + 1
