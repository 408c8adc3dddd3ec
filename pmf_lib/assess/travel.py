"""Direction of travel: is a KPI's latest value better, worse or no different?

Each KPI's latest value is compared, in its headline window (see
:func:`headline_window`), with the **previous period at its cadence** and with
the same period **a year earlier**:

* ``monthly`` and ``rolling`` KPIs: the previous month end;
* ``quarterly`` KPIs: the quarter window ending three months earlier (the
  previous quarter, which shares no month with this one; not the overlapping
  window ending a month earlier);
* ``annual`` KPIs (figures from an annual return, repeated between returns):
  the year earlier only, so "previous" is the year earlier too.

Both values are first rounded as every report shows them
(:func:`pmf_lib.formatting.display_value`), so two figures that print the same
are "No change". A change smaller than a threshold also counts as "No change":
by default 1 percentage point for percentages and 2 % of the earlier value for
everything else (counts, rates per 10,000, days, ...).

Labels follow the KPI's polarity: "Improving" / "Worsening" when higher (or
lower) is better, "Up" / "Down" for neutral KPIs, "No change" within the
threshold and "Not available" when either value is missing. The symbol always
shows the direction of the number itself (↑, ↓, → or –).

This is the only place travel is judged: assess's flags and sentences and every
report read the verdicts it gives.

Examples
--------
>>> direction(71.2, 84.0, unit="percent", polarity="higher_is_better").text
'↓ Worsening'
>>> direction(1_020, 1_000, unit="count", polarity="neutral").text  # +2.0 %: a change
'↑ Up'
>>> direction(1_019, 1_000, unit="count", polarity="neutral").text  # +1.9 %: none
'→ No change'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from pmf_lib.compute.registry import KpiMeta
from pmf_lib.formatting import DISPLAY_DECIMALS, round_half_up

__all__ = ["DISPLAY_DECIMALS", "round_half_up"]  # re-exported: the one formatter's rounding

#: Window kinds in the order a KPI's headline figure is taken from: the stock at
#: the month end, else the single month (the points SPC needs), else the KPI's
#: first window (``quarter`` for a quarterly KPI, ``rolling_12m`` for a rolling one).
HEADLINE_PREFERENCE = ("snapshot", "month")

#: Months back to the previous period, by cadence.
PREVIOUS_MONTHS = {"monthly": 1, "rolling": 1, "quarterly": 3, "annual": 12}
#: What "previous" means, by cadence (a column of the travel table).
PREVIOUS_BASIS = {
    "monthly": "previous month",
    "rolling": "previous month",
    "quarterly": "previous quarter",
    "annual": "year earlier",
}

UP, DOWN, FLAT, NONE = "↑", "↓", "→", "–"
NOT_AVAILABLE = "Not available"
NO_CHANGE = "No change"

# Float noise allowance when comparing a change with its threshold, so that
# 51.0 % against 50.0 % is a change of exactly 1 percentage point.
_EPS = 1e-9


@dataclass(frozen=True)
class Thresholds:
    """Changes smaller than these count as "No change".

    Parameters
    ----------
    percent_points : float
        For KPIs whose unit is ``percent``: the absolute change, in percentage
        points, below which there is no change (default 1).
    relative : float
        For every other unit: the change as a fraction of the earlier value
        below which there is no change (default 0.02, i.e. 2 %).

    Examples
    --------
    >>> Thresholds().is_change("percent", 50.5, 50.0)
    False
    >>> Thresholds(percent_points=0.5).is_change("percent", 50.5, 50.0)
    True
    """

    percent_points: float = 1.0
    relative: float = 0.02

    def __post_init__(self) -> None:
        for name in ("percent_points", "relative"):
            v = getattr(self, name)
            if not isinstance(v, int | float) or math.isnan(v) or v < 0:
                raise ValueError(f"Thresholds.{name} must be a number >= 0, got {v!r}")

    def is_change(self, unit: str, latest: float, earlier: float) -> bool:
        """Whether ``latest`` differs from ``earlier`` by at least the threshold."""
        diff = latest - earlier
        if unit == "percent":
            return abs(diff) >= self.percent_points - _EPS
        if earlier == 0:
            return latest != 0
        return abs(diff) / abs(earlier) >= self.relative - _EPS


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class Travel:
    """One comparison's result.

    Attributes
    ----------
    label : str
        "Improving", "Worsening", "Up", "Down", "No change" or "Not available".
    symbol : str
        ↑, ↓ (direction of the number), → (no change) or – (not available).
    change : float
        ``latest - earlier`` (NaN when either is missing).
    """

    label: str
    symbol: str
    change: float

    @property
    def text(self) -> str:
        """Symbol and label, e.g. ``'↑ Improving'``."""
        return f"{self.symbol} {self.label}"


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x)


def direction(
    latest: float,
    earlier: float,
    *,
    unit: str,
    polarity: str,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    decimals: int | None = None,
) -> Travel:
    """The direction of travel from ``earlier`` to ``latest``.

    Parameters
    ----------
    latest, earlier : float
        The two values (NaN or None when there is no figure).
    unit : str
        The KPI's unit (``percent`` uses percentage points; others a relative change).
    polarity : str
        ``higher_is_better``, ``lower_is_better`` or ``neutral``.
    thresholds : Thresholds
        The smallest changes that count.
    decimals : int, optional
        Round both values to this many places first (the places a report shows),
        so that 23.7 % against 22.7 % as printed is a 1-point change even when the
        unrounded values differ by 0.96.

    Returns
    -------
    Travel

    Examples
    --------
    >>> direction(12.0, 14.0, unit="percent", polarity="lower_is_better").text
    '↓ Improving'
    >>> direction(float("nan"), 14.0, unit="percent", polarity="lower_is_better").text
    '– Not available'
    >>> direction(22.74, 23.70, unit="percent", polarity="lower_is_better").label
    'No change'
    >>> direction(22.74, 23.70, unit="percent", polarity="lower_is_better", decimals=1).label
    'Improving'
    """
    if polarity not in ("higher_is_better", "lower_is_better", "neutral"):
        raise ValueError(f"unknown polarity {polarity!r}")
    if _missing(latest) or _missing(earlier):
        return Travel(NOT_AVAILABLE, NONE, float("nan"))
    latest, earlier = float(latest), float(earlier)
    if decimals is not None:
        latest, earlier = round_half_up(latest, decimals), round_half_up(earlier, decimals)
    change = latest - earlier
    if not thresholds.is_change(unit, latest, earlier):
        return Travel(NO_CHANGE, FLAT, change)
    up = change > 0
    symbol = UP if up else DOWN
    if polarity == "neutral":
        label = "Up" if up else "Down"
    elif up == (polarity == "higher_is_better"):
        label = "Improving"
    else:
        label = "Worsening"
    return Travel(label, symbol, change)


def headline_window(meta: KpiMeta) -> str:
    """The window a KPI is headlined and assessed in (the one definition every stage uses).

    ``snapshot`` for a stock KPI, otherwise ``month``, otherwise the KPI's first
    window (``quarter`` for a quarterly KPI, ``rolling_12m`` for one published only
    as a rolling year).

    Examples
    --------
    >>> from pmf_lib.compute.registry import KpiMeta
    >>> m = KpiMeta(id="x", title="X", area="a", unit="count", polarity="neutral",
    ...             windows=("month", "rolling_12m"), source="s", definition="d",
    ...             numerator="n")
    >>> headline_window(m)
    'month'
    """
    for kind in HEADLINE_PREFERENCE:
        if kind in meta.windows:
            return kind
    return meta.windows[0]


def cadence_of(meta: KpiMeta) -> str:
    """A KPI's cadence: ``monthly``, ``quarterly``, ``annual`` or ``rolling``.

    Read from ``meta.cadence``; metadata without one falls back to its
    ``frequency`` (``quarterly`` or ``monthly``).

    Examples
    --------
    >>> from pmf_lib.compute.registry import KpiMeta
    >>> m = KpiMeta(id="x", title="X", area="a", unit="count", polarity="neutral",
    ...             windows=("quarter",), source="s", definition="d", numerator="n",
    ...             cadence="quarterly")
    >>> cadence_of(m)
    'quarterly'
    """
    cadence = getattr(meta, "cadence", None)
    if cadence is None:
        cadence = "quarterly" if getattr(meta, "frequency", "monthly") == "quarterly" else "monthly"
    if cadence not in PREVIOUS_MONTHS:
        raise ValueError(f"{meta.id}: unknown cadence {cadence!r}")
    return cadence


def months_earlier(period_end, months: int) -> pd.Timestamp:
    """The month end ``months`` months before ``period_end``'s month.

    Examples
    --------
    >>> months_earlier("2026-10-31", 3).date(), months_earlier("2024-02-29", 12).date()
    (datetime.date(2026, 7, 31), datetime.date(2023, 2, 28))
    """
    ts = pd.Timestamp(period_end).normalize().replace(day=1) - pd.DateOffset(months=months)
    return (ts + pd.offsets.MonthEnd(0)).normalize()


def previous_period_end(period_end, cadence: str) -> pd.Timestamp:
    """The end of the period a KPI of this cadence is compared with first.

    Examples
    --------
    >>> [str(previous_period_end("2026-10-31", c).date())
    ...  for c in ("monthly", "quarterly", "annual")]
    ['2026-09-30', '2026-07-31', '2025-10-31']
    """
    if cadence not in PREVIOUS_MONTHS:
        raise ValueError(f"unknown cadence {cadence!r}")
    return months_earlier(period_end, PREVIOUS_MONTHS[cadence])


def previous_month_end(period_end) -> pd.Timestamp:
    """The month end before ``period_end``'s month.

    Examples
    --------
    >>> previous_month_end("2026-03-31").date()
    datetime.date(2026, 2, 28)
    """
    return months_earlier(period_end, 1)


def year_earlier_month_end(period_end) -> pd.Timestamp:
    """The end of the same month a year before ``period_end``.

    Examples
    --------
    >>> year_earlier_month_end("2024-02-29").date()
    datetime.date(2023, 2, 28)
    """
    return months_earlier(period_end, 12)


TRAVEL_COLUMNS = [
    "kpi_id",
    "window",
    "cadence",
    "period_end",
    "value",
    "previous_basis",
    "previous_end",
    "previous_value",
    "previous_label",
    "previous_symbol",
    "previous_change",
    "year_earlier_end",
    "year_earlier_value",
    "year_earlier_label",
    "year_earlier_symbol",
    "year_earlier_change",
    "periods_worse",
]
"""The travel table's columns. ``previous_*`` compare with the previous period at the
KPI's cadence (``previous_basis`` says which); ``periods_worse`` is the number of
consecutive such periods, ending now, each "Worsening" against the one before."""


def _at(series: pd.Series, when: pd.Timestamp) -> float:
    v = series.get(when, float("nan"))
    return float("nan") if _missing(v) else float(v)


def periods_worse(
    series: pd.Series,
    meta: KpiMeta,
    period_end,
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    rounded: bool = True,
) -> int:
    """Consecutive periods, ending at ``period_end``, each "Worsening" against the one before.

    Periods step back at the KPI's cadence (a month, a quarter, a year), and each
    step is judged by :func:`direction`, so a move the table calls "No change",
    a missing value or a neutral KPI breaks the run.

    Examples
    --------
    >>> import pandas as pd
    >>> from pmf_lib.compute.registry import KpiMeta
    >>> m = KpiMeta(id="p", title="P", area="a", unit="percent", polarity="higher_is_better",
    ...             windows=("month",), source="s", definition="d", numerator="n",
    ...             denominator="d")
    >>> s = pd.Series([90.0, 85.0, 84.5, 80.0, 75.0],
    ...               index=pd.date_range("2026-06-30", periods=5, freq="ME"))
    >>> periods_worse(s, m, "2026-10-31")  # 84.5 -> 80 -> 75; 85 -> 84.5 is "No change"
    2
    """
    step = PREVIOUS_MONTHS[cadence_of(meta)]
    decimals = DISPLAY_DECIMALS.get(meta.unit) if rounded else None
    when = pd.Timestamp(period_end).normalize()
    run = 0
    while True:
        before = months_earlier(when, step)
        t = direction(
            _at(series, when),
            _at(series, before),
            unit=meta.unit,
            polarity=meta.polarity,
            thresholds=thresholds,
            decimals=decimals,
        )
        if t.label != "Worsening":
            return run
        run += 1
        when = before


def kpi_travel(
    series: pd.Series,
    meta: KpiMeta,
    period_end,
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    rounded: bool = True,
) -> dict:
    """One KPI's travel row (the :data:`TRAVEL_COLUMNS` except ``kpi_id`` and ``window``).

    Parameters
    ----------
    series : pandas.Series
        The KPI's values in its headline window, indexed by period end.
    meta : KpiMeta
    period_end : date-like
    thresholds : Thresholds
    rounded : bool
        Compare the values as reports show them (:func:`~pmf_lib.formatting.display_value`).

    Examples
    --------
    >>> import pandas as pd
    >>> from pmf_lib.compute.registry import KpiMeta
    >>> m = KpiMeta(id="q", title="Q", area="a", unit="count", polarity="neutral",
    ...             windows=("quarter",), source="s", definition="d", numerator="n",
    ...             cadence="quarterly")
    >>> s = pd.Series([79.0, 75.0, 66.0, 64.0, 72.0],
    ...               index=pd.to_datetime(["2025-10-31", "2026-07-31", "2026-08-31",
    ...                                     "2026-09-30", "2026-10-31"]))
    >>> r = kpi_travel(s, m, "2026-10-31")  # against the quarter to July, not September
    >>> r["previous_basis"], r["previous_value"], r["previous_label"], r["previous_change"]
    ('previous quarter', 75.0, 'Down', -3.0)
    """
    cadence = cadence_of(meta)
    end = pd.Timestamp(period_end).normalize()
    series = pd.Series(series.to_numpy(), index=pd.DatetimeIndex(series.index).normalize())
    value = _at(series, end)
    decimals = DISPLAY_DECIMALS.get(meta.unit) if rounded else None
    row = {
        "cadence": cadence,
        "period_end": end,
        "value": value,
        "previous_basis": PREVIOUS_BASIS[cadence],
    }
    for prefix, when in (
        ("previous", previous_period_end(end, cadence)),
        ("year_earlier", year_earlier_month_end(end)),
    ):
        earlier = _at(series, when)
        t = direction(
            value,
            earlier,
            unit=meta.unit,
            polarity=meta.polarity,
            thresholds=thresholds,
            decimals=decimals,
        )
        row.update(
            {
                f"{prefix}_end": when,
                f"{prefix}_value": earlier,
                f"{prefix}_label": t.label,
                f"{prefix}_symbol": t.symbol,
                f"{prefix}_change": t.change,
            }
        )
    row["periods_worse"] = periods_worse(series, meta, end, thresholds=thresholds, rounded=rounded)
    return row


def travel_table(
    table: pd.DataFrame,
    metas: Mapping[str, KpiMeta] | Iterable[KpiMeta],
    period_end,
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    windows: Mapping[str, str] | None = None,
    rounded: bool = True,
) -> pd.DataFrame:
    """Direction of travel for each KPI at ``period_end``, in the order of ``metas``.

    Parameters
    ----------
    table : pandas.DataFrame
        The tidy KPI table (``kpi_id, period_end, window, value, ...``).
    metas : mapping of id to KpiMeta, or iterable of KpiMeta
        The KPIs to assess.
    period_end : date-like
        The latest period end.
    thresholds : Thresholds
        The smallest changes that count.
    windows : mapping of KPI id to window kind, optional
        Override :func:`headline_window` for some KPIs.
    rounded : bool
        Compare values rounded as reports show them (:data:`DISPLAY_DECIMALS`);
        the changes returned are then differences of the rounded values.

    Returns
    -------
    pandas.DataFrame
        One row per KPI with columns ``TRAVEL_COLUMNS`` (see :func:`kpi_travel`); a
        value missing from the table (or NaN in it) is NaN and its comparisons are
        "Not available".

    Examples
    --------
    >>> import pandas as pd
    >>> from pmf_lib.compute.registry import KpiMeta
    >>> m = KpiMeta(id="p", title="P", area="a", unit="percent",
    ...             polarity="higher_is_better", windows=("snapshot",), source="s",
    ...             definition="d", numerator="n", denominator="d")
    >>> t = pd.DataFrame({"kpi_id": "p", "window": "snapshot",
    ...                   "period_end": pd.to_datetime(["2025-10-31", "2026-09-30",
    ...                                                 "2026-10-31"]),
    ...                   "value": [84.0, 71.5, 71.2]})
    >>> r = travel_table(t, [m], "2026-10-31").iloc[0]
    >>> r["previous_label"], r["year_earlier_label"]
    ('No change', 'Worsening')
    """
    metas_by_id = dict(metas) if isinstance(metas, Mapping) else {m.id: m for m in metas}
    windows = dict(windows or {})
    end = pd.Timestamp(period_end).normalize()
    ends = pd.to_datetime(table["period_end"]).dt.normalize()
    values = pd.to_numeric(table["value"], errors="coerce").astype("float64")
    frame = pd.DataFrame(
        {"kpi_id": table["kpi_id"], "window": table["window"], "period_end": ends, "v": values}
    )
    frame = frame[frame["kpi_id"].isin(list(metas_by_id)) & (frame["period_end"] <= end)]
    groups = {k: g for k, g in frame.groupby(["kpi_id", "window"], sort=False)}
    rows = []
    for kid, meta in metas_by_id.items():
        kind = windows.get(kid) or headline_window(meta)
        g = groups.get((kid, kind))
        series = (
            pd.Series(dtype="float64")
            if g is None
            else pd.Series(g["v"].to_numpy(), index=pd.DatetimeIndex(g["period_end"]))
        )
        row = {"kpi_id": kid, "window": kind}
        row.update(kpi_travel(series, meta, end, thresholds=thresholds, rounded=rounded))
        rows.append(row)
    return pd.DataFrame(rows, columns=TRAVEL_COLUMNS)
