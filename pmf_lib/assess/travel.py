"""Direction of travel: is a KPI's latest value better, worse or no different?

Each KPI's latest value is compared with the previous month and with the same
month a year earlier, in the KPI's headline window (see :func:`headline_window`).
A change smaller than a threshold counts as "No change": by default 1 percentage
point for percentages and 2 % of the earlier value for everything else (counts,
rates per 10,000, days, ...).

Labels follow the KPI's polarity: "Improving" / "Worsening" when higher (or
lower) is better, "Up" / "Down" for neutral KPIs, "No change" within the
threshold and "Not available" when either value is missing. The symbol always
shows the direction of the number itself (↑, ↓, → or –).

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
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from pmf_lib.compute.registry import KpiMeta

#: Window kinds in the order a report prefers them for a KPI's headline figure.
HEADLINE_PREFERENCE = ("snapshot", "rolling_12m", "month", "quarter", "fytd")

UP, DOWN, FLAT, NONE = "↑", "↓", "→", "–"
NOT_AVAILABLE = "Not available"
NO_CHANGE = "No change"

#: Decimal places reports show for each unit. Travel compares values rounded to
#: these, so the label always agrees with the figures a reader sees.
DISPLAY_DECIMALS = {
    "count": 0,
    "percent": 1,
    "rate_10k": 1,
    "days": 1,
    "fte": 1,
    "mean": 1,
    "ratio": 2,
}

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


def round_half_up(value: float, places: int) -> float:
    """``value`` rounded to ``places`` decimals, halves away from zero (as people round).

    Python's ``round`` rounds halves to even and works on the binary value, so
    ``round(0.15, 1) == 0.1``; this gives 0.2, like the figure printed as "0.15".

    Examples
    --------
    >>> round_half_up(0.15, 1), round_half_up(2.5, 0), round_half_up(-2.5, 0)
    (0.2, 3.0, -3.0)
    """
    q = Decimal(1).scaleb(-places)
    return float(Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP))


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
    """The window a report headlines for a KPI.

    A stock KPI's ``snapshot``; otherwise ``rolling_12m`` (steadier than a single
    month and the basis of DfE's annual figures), then ``month``.

    Examples
    --------
    >>> from pmf_lib.compute.registry import KpiMeta
    >>> m = KpiMeta(id="x", title="X", area="a", unit="count", polarity="neutral",
    ...             windows=("month", "rolling_12m"), source="s", definition="d",
    ...             numerator="n")
    >>> headline_window(m)
    'rolling_12m'
    """
    for kind in HEADLINE_PREFERENCE:
        if kind in meta.windows:
            return kind
    return meta.windows[0]


def previous_month_end(period_end) -> pd.Timestamp:
    """The month end before ``period_end``'s month.

    Examples
    --------
    >>> previous_month_end("2026-03-31").date()
    datetime.date(2026, 2, 28)
    """
    ts = pd.Timestamp(period_end).normalize()
    return ts.replace(day=1) - pd.Timedelta(days=1)


def year_earlier_month_end(period_end) -> pd.Timestamp:
    """The end of the same month a year before ``period_end``.

    Examples
    --------
    >>> year_earlier_month_end("2024-02-29").date()
    datetime.date(2023, 2, 28)
    """
    ts = pd.Timestamp(period_end).normalize().replace(day=1) - pd.DateOffset(years=1)
    return (ts + pd.offsets.MonthEnd(0)).normalize()


TRAVEL_COLUMNS = [
    "kpi_id",
    "window",
    "period_end",
    "value",
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
]


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
        One row per KPI with columns ``TRAVEL_COLUMNS``; a value missing from the
        table (or NaN in it) is NaN and its comparisons are "Not available".

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
    prev, year = previous_month_end(end), year_earlier_month_end(end)
    ends = pd.to_datetime(table["period_end"]).dt.normalize()
    lookup: dict[tuple[str, str, pd.Timestamp], float] = {}
    wanted = table["kpi_id"].isin(list(metas_by_id)) & ends.isin([end, prev, year])
    for kid, kind, pe, v in zip(
        table.loc[wanted, "kpi_id"],
        table.loc[wanted, "window"],
        ends[wanted],
        table.loc[wanted, "value"],
        strict=True,
    ):
        lookup[(kid, kind, pe)] = float(v) if not _missing(v) else float("nan")
    rows = []
    for kid, meta in metas_by_id.items():
        kind = windows.get(kid) or headline_window(meta)
        nan = float("nan")
        value = lookup.get((kid, kind, end), nan)
        row = {"kpi_id": kid, "window": kind, "period_end": end, "value": value}
        for prefix, when in (("previous", prev), ("year_earlier", year)):
            earlier = lookup.get((kid, kind, when), nan)
            t = direction(
                value,
                earlier,
                unit=meta.unit,
                polarity=meta.polarity,
                thresholds=thresholds,
                decimals=DISPLAY_DECIMALS.get(meta.unit) if rounded else None,
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
        rows.append(row)
    return pd.DataFrame(rows, columns=TRAVEL_COLUMNS)
