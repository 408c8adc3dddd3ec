"""Finance (issue 16): budget monitoring and placement costs (local datasets).

Two local datasets feed these KPIs:

* ``budget_monitoring`` -- one row per service line per month: the year's
  budget, the actual spend to date and the forecast outturn (pounds). The
  forecast variance is the forecast outturn less the budget, summed over the
  service lines reported for the month: positive is a forecast overspend.
* ``placement_costs`` -- one row per placement of a child looked after, with its
  SSDA903 placement type, start and end dates and weekly cost (pounds). A
  placement costs ``weekly_cost / 7`` for each day from its start date up to the
  day before its end date (no cost on the end day, as SSDA903 counts a day of
  care); "open at the period end" means ``start_date <= period_end`` and
  ``end_date`` empty or after it.

A row whose money figure (budget, forecast outturn, weekly cost) cannot be read
is left out of numerator and denominator alike: validation lists it against its
row and field, and the KPI's data quality confidence counts it.

Average weekly costs are one KPI per placement-type group (not a breakdown), so
each can carry its S251 comparator: all placements (LAIT ``LACFinance``),
fostering ``U1``-``U6`` (``FosteringFinance``), children's homes and secure
children's homes ``K1``/``K2`` (``RescareFinance``) and semi-independent and
supported living ``H5``/``P2`` (no S251 unit cost). The S251 outturn unit cost
is a year's gross spend per day of care times 7, overheads included; pmf's is
the mean weekly cost of the placements open at the period end -- near, not the
same (the comparator is shown beside it as context).

The high-cost threshold (``finance.high_cost_weekly_threshold`` in the config)
comes in ``inputs.settings["finance"]``; without one, the share above it is
missing. Which placements are high cost for the bi-monthly review list is
decided once, by the same rule, in :mod:`pmf_lib.assess.finance`.

Every KPI here is missing (numerator NaN, never 0) when the council does not
supply its dataset.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmf_lib.compute.kpis._common import open_at
from pmf_lib.compute.kpis._inputs import Feed, local
from pmf_lib.compute.kpis._local import (
    MISSING_COUNT,
    MISSING_RATIO,
    dataset,
    in_window,
    local_frame,  # noqa: F401 (docstring examples)
    local_inputs,  # noqa: F401 (docstring examples)
)
from pmf_lib.compute.registry import Figure, KpiInputs, kpi
from pmf_lib.dates import Window

NAN = float("nan")
_BUDGET = "Local dataset: budget_monitoring"
_PLACEMENTS = "Local dataset: placement_costs"
_ABSENT_B = " Missing (not 0) when the council does not supply the budget_monitoring dataset."
_ABSENT_P = " Missing (not 0) when the council does not supply the placement_costs dataset."
_SPEND_WINDOWS = ("month", "fytd", "rolling_12m")

#: Placement-type groups with their own average weekly cost KPI: id suffix -> codes.
TYPE_GROUPS = {
    "fostering": ("U1", "U2", "U3", "U4", "U5", "U6"),
    "residential": ("K1", "K2"),
    "supported": ("H5", "P2"),
}

BUDGET_MONTH = local("budget_monitoring", "month", ("month",)).reading("budget", "forecast_outturn")
PLACEMENTS_OPEN = Feed(
    "local", "placement_costs", "start_date", "stock", "end_date", fields=("weekly_cost",)
)
PLACEMENTS_OVERLAP = Feed(
    "local", "placement_costs", "start_date", "overlap", "end_date", fields=("weekly_cost",)
)


def high_cost_threshold(inputs: KpiInputs) -> float | None:
    """The configured weekly cost over which a placement is high cost (None: not set).

    Examples
    --------
    >>> from pmf_lib.config import FinanceSettings
    >>> high_cost_threshold(KpiInputs(settings={"finance": FinanceSettings(
    ...     high_cost_weekly_threshold=5000)}))
    5000.0
    >>> high_cost_threshold(KpiInputs()) is None
    True
    """
    value = getattr(inputs.settings.get("finance"), "high_cost_weekly_threshold", None)
    return None if value is None else float(value)


def above_threshold(weekly_cost: pd.Series, threshold: float) -> pd.Series:
    """True where a weekly cost is more than the threshold (equal is not; missing is not).

    The one rule for "high cost": the KPI ``fin_high_cost_pct`` counts these, and
    :func:`pmf_lib.assess.finance.high_cost_placements` lists them.

    Examples
    --------
    >>> above_threshold(pd.Series([5000.0, 5000.5, None]), 5000).tolist()
    [False, True, False]
    """
    cost = pd.to_numeric(weekly_cost, errors="coerce").astype(float)
    return pd.Series(cost > float(threshold), index=weekly_cost.index).fillna(False)


def _month_lines(inputs: KpiInputs, window: Window) -> pd.DataFrame | None:
    """The month's budget lines with a budget and a forecast (None: no dataset)."""
    df = dataset(inputs, "budget_monitoring")
    if df is None:
        return None
    rows = df[in_window(df["month"], window)]
    return rows[rows["budget"].notna() & rows["forecast_outturn"].notna()]


def _variance(rows: pd.DataFrame) -> tuple[float, float]:
    """(forecast outturn less budget, budget), summed; NaN for no rows."""
    if rows.empty:
        return NAN, NAN
    budget = float(rows["budget"].astype(float).sum())
    return float(rows["forecast_outturn"].astype(float).sum()) - budget, budget


@kpi(
    id="fin_forecast_variance_gbp",
    title="Forecast variance against budget (£)",
    area="finance",
    unit="gbp",
    polarity="lower_is_better",
    windows=("month",),
    cadence="monthly",
    source=_BUDGET,
    definition=(
        "Forecast outturn less budget, summed over the service lines reported for the "
        "month (budget_monitoring rows whose month is in the window); positive is a "
        "forecast overspend. A line without a readable budget or forecast is left out; a "
        "month with no lines is missing." + _ABSENT_B
    ),
    numerator="Sum of forecast_outturn less sum of budget, the month's service lines",
    inputs=(BUDGET_MONTH,),
)
def fin_forecast_variance_gbp(inputs: KpiInputs, window: Window) -> Figure:
    """The forecast over- (or under-) spend against budget, in pounds.

    Examples
    --------
    >>> # (105,000 + 48,000) - (100,000 + 50,000) = 3,000; September's row is another month
    >>> d = local_frame("budget_monitoring", month=["2026-10-31", "2026-10-31", "2026-09-30"],
    ...                 service_line=["a", "b", "a"], budget=[100_000.0, 50_000.0, 1.0],
    ...                 forecast_outturn=[105_000.0, 48_000.0, 9.0])
    >>> fin_forecast_variance_gbp(local_inputs(budget_monitoring=d),
    ...                           Window.of("month", "2026-10-31"))
    Figure(numerator=3000.0, denominator=None)
    """
    rows = _month_lines(inputs, window)
    if rows is None:
        return MISSING_COUNT
    return Figure(_variance(rows)[0])


@kpi(
    id="fin_forecast_variance_pct",
    title="Forecast variance against budget (% of budget)",
    area="finance",
    unit="percent",
    polarity="lower_is_better",
    windows=("month",),
    cadence="monthly",
    source=_BUDGET,
    definition=(
        "Forecast outturn less budget as a % of budget, each summed over the service "
        "lines reported for the month (as fin_forecast_variance_gbp); positive is a "
        "forecast overspend." + _ABSENT_B
    ),
    numerator="Sum of forecast_outturn less sum of budget (pounds)",
    denominator="Sum of budget (pounds), the month's service lines",
    inputs=(BUDGET_MONTH,),
)
def fin_forecast_variance_pct(inputs: KpiInputs, window: Window) -> Figure:
    """The forecast variance as a percentage of the budget.

    Examples
    --------
    >>> # 3,000 over a budget of 150,000 is 2%
    >>> d = local_frame("budget_monitoring", month=["2026-10-31", "2026-10-31"],
    ...                 service_line=["a", "b"], budget=[100_000.0, 50_000.0],
    ...                 forecast_outturn=[105_000.0, 48_000.0])
    >>> k = fin_forecast_variance_pct
    >>> f = k(local_inputs(budget_monitoring=d), Window.of("month", "2026-10-31"))
    >>> f, k.meta.value(f)
    (Figure(numerator=3000.0, denominator=150000.0), 2.0)
    """
    rows = _month_lines(inputs, window)
    if rows is None:
        return MISSING_RATIO
    return Figure(*_variance(rows))


def _costed(inputs: KpiInputs) -> pd.DataFrame | None:
    """The placements with a readable weekly cost and start date (None: no dataset)."""
    df = dataset(inputs, "placement_costs")
    if df is None:
        return None
    return df[df["weekly_cost"].notna() & df["start_date"].notna()]


def placement_days(df: pd.DataFrame, window: Window) -> pd.Series:
    """Each placement's days of cost in the window (its start day up to the day before its end).

    Examples
    --------
    >>> d = local_frame("placement_costs", start_date=["2026-09-20", "2026-10-10", "2026-11-01"],
    ...                 end_date=["2026-10-05", None, None])
    >>> placement_days(d, Window.of("month", "2026-10-31")).tolist()
    [4, 22, 0]
    """
    first = df["start_date"].where(df["start_date"] > window.start, window.start)
    stop = window.end + pd.Timedelta(days=1)
    end = df["end_date"].where(df["end_date"].notna() & (df["end_date"] < stop), stop)
    days = (end - first).dt.days
    return days.clip(lower=0).fillna(0).astype(int)


def _spend(df: pd.DataFrame, window: Window) -> tuple[float, pd.Series]:
    """(pounds spent in the window, mask of the placements costing in it)."""
    days = placement_days(df, window)
    spend = float(np.sum(days.to_numpy() * df["weekly_cost"].astype(float).to_numpy() / 7.0))
    return spend, days > 0


@kpi(
    id="fin_placement_spend_gbp",
    title="Placement spend (£)",
    area="finance",
    unit="gbp",
    polarity="neutral",
    windows=_SPEND_WINDOWS,
    cadence="monthly",
    source=_PLACEMENTS,
    definition=(
        "The cost of the placements' days in the window: for each placement, weekly_cost / 7 "
        "times its days from start_date (or the window's start) to the day before end_date "
        "(or the window's end). Withheld in members' and public reports when fewer than 5 "
        "placements cost in the window (their costs would identify them)." + _ABSENT_P
    ),
    numerator="Pounds: weekly_cost / 7 times each placement's days in the window",
    denominator="Placements with at least one day of cost in the window (for disclosure)",
    inputs=(PLACEMENTS_OVERLAP,),
)
def fin_placement_spend_gbp(inputs: KpiInputs, window: Window) -> Figure:
    """Placement spend in the window, in pounds.

    Examples
    --------
    >>> # 700/7 x 4 days (20 Sep to 5 Oct: 1-4 Oct) + 1,400/7 x 22 days (10-31 Oct) = 4,800
    >>> d = local_frame("placement_costs", start_date=["2026-09-20", "2026-10-10"],
    ...                 end_date=["2026-10-05", None], weekly_cost=[700.0, 1400.0])
    >>> k = fin_placement_spend_gbp
    >>> f = k(local_inputs(placement_costs=d), Window.of("month", "2026-10-31"))
    >>> f, k.meta.value(f)
    (Figure(numerator=4800.0, denominator=2), 4800.0)
    """
    df = _costed(inputs)
    if df is None:
        return MISSING_RATIO
    spend, costing = _spend(df, window)
    return Figure(spend, int(costing.sum()))


@kpi(
    id="fin_spend_per_cla_gbp",
    title="Placement spend per child looked after (£)",
    area="finance",
    unit="gbp_mean",
    polarity="neutral",
    windows=_SPEND_WINDOWS,
    cadence="monthly",
    source=_PLACEMENTS,
    definition=(
        "Placement spend in the window (as fin_placement_spend_gbp) divided by the number of "
        "children (distinct child_id) with at least one day of placement cost in it." + _ABSENT_P
    ),
    numerator="Placement spend in the window (pounds)",
    denominator="Children with a costed placement day in the window",
    inputs=(PLACEMENTS_OVERLAP.reading("weekly_cost", "child_id"),),
)
def fin_spend_per_cla_gbp(inputs: KpiInputs, window: Window) -> Figure:
    """Placement spend per child looked after in the window.

    Examples
    --------
    >>> # child A: 700/7 x 31 days = 3,100; child B: 1,400/7 x 22 = 4,400 -> 7,500 / 2 children
    >>> d = local_frame("placement_costs", child_id=["A", "B", "C"],
    ...                 start_date=["2026-01-01", "2026-10-10", "2026-11-01"],
    ...                 weekly_cost=[700.0, 1400.0, 900.0])
    >>> k = fin_spend_per_cla_gbp
    >>> f = k(local_inputs(placement_costs=d), Window.of("month", "2026-10-31"))
    >>> f, k.meta.value(f)
    (Figure(numerator=7500.0, denominator=2), 3750.0)
    """
    df = _costed(inputs)
    if df is None:
        return MISSING_RATIO
    spend, costing = _spend(df, window)
    return Figure(spend, int(df.loc[costing, "child_id"].dropna().nunique()))


def _open_costed(inputs: KpiInputs, window: Window) -> pd.DataFrame | None:
    df = _costed(inputs)
    if df is None:
        return None
    return df[open_at(df["start_date"], df["end_date"], window.end)]


def _mean_weekly(inputs: KpiInputs, window: Window, codes: tuple[str, ...] | None) -> Figure:
    df = _open_costed(inputs, window)
    if df is None:
        return MISSING_RATIO
    if codes is not None:
        df = df[df["placement_type"].isin(codes).fillna(False).astype(bool)]
    return Figure(float(df["weekly_cost"].astype(float).sum()), len(df))


def _weekly_meta(suffix: str, what: str, codes, comparator: str | None) -> dict:
    """The ``@kpi`` keywords of an average weekly cost KPI (one per type group)."""
    which = (
        "every placement"
        if codes is None
        else "placements of type " + ", ".join(codes) + " (SSDA903 PLACE)"
    )
    against = (
        f" Shown beside LAIT's S251 outturn weekly unit cost ({comparator}), a year's gross "
        "spend per day of care times 7, overheads included: context, not the same measure."
        if comparator
        else ""
    )
    feed = (
        PLACEMENTS_OPEN
        if codes is None
        else PLACEMENTS_OPEN.reading("weekly_cost", "placement_type")
    )
    return {
        "id": f"fin_weekly_cost_{suffix}_gbp",
        "title": f"Average weekly cost: {what}",
        "area": "finance",
        "unit": "gbp_mean",
        "polarity": "neutral",
        "windows": ("snapshot",),
        "cadence": "monthly",
        "source": _PLACEMENTS,
        "definition": (
            f"The mean weekly_cost of {which} open at the period end (start_date on or "
            "before it, end_date empty or after it); a placement without a readable weekly "
            "cost is left out." + against + _ABSENT_P
        ),
        "numerator": f"Sum of weekly_cost, {which} open at the period end (pounds)",
        "denominator": f"{which[0].upper()}{which[1:]} open at the period end",
        "comparator": comparator,
        "inputs": (feed,),
    }


@kpi(**_weekly_meta("all", "all placements", None, "LACFinance"))
def fin_weekly_cost_all_gbp(inputs: KpiInputs, window: Window) -> Figure:
    """The average weekly cost of the placements open at the period end.

    Examples
    --------
    >>> # open on 31 Oct: 600 and 6,000 -> 6,600 / 2 = 3,300 (the third ended on 31 Oct)
    >>> d = local_frame("placement_costs", placement_type=["U4", "K2", "U4"],
    ...                 start_date=["2026-01-01"] * 3, end_date=[None, None, "2026-10-31"],
    ...                 weekly_cost=[600.0, 6000.0, 900.0])
    >>> k = fin_weekly_cost_all_gbp
    >>> f = k(local_inputs(placement_costs=d), Window.of("snapshot", "2026-10-31"))
    >>> f, k.meta.value(f)
    (Figure(numerator=6600.0, denominator=2), 3300.0)
    """
    return _mean_weekly(inputs, window, None)


@kpi(**_weekly_meta("fostering", "fostering", TYPE_GROUPS["fostering"], "FosteringFinance"))
def fin_weekly_cost_fostering_gbp(inputs: KpiInputs, window: Window) -> Figure:
    """The average weekly cost of the foster placements (U1-U6) open at the period end.

    Examples
    --------
    >>> # U1 300 and U6 900 -> 1,200 / 2 = 600; the K2 is another group
    >>> d = local_frame("placement_costs", placement_type=["U1", "U6", "K2"],
    ...                 start_date=["2026-01-01"] * 3, weekly_cost=[300.0, 900.0, 6000.0])
    >>> fin_weekly_cost_fostering_gbp(local_inputs(placement_costs=d),
    ...                               Window.of("snapshot", "2026-10-31"))
    Figure(numerator=1200.0, denominator=2)
    """
    return _mean_weekly(inputs, window, TYPE_GROUPS["fostering"])


@kpi(
    **_weekly_meta("residential", "children's homes", TYPE_GROUPS["residential"], "RescareFinance")
)
def fin_weekly_cost_residential_gbp(inputs: KpiInputs, window: Window) -> Figure:
    """The average weekly cost of the children's home placements (K1, K2) open at the period end.

    Examples
    --------
    >>> # K1 9,000 and K2 6,000 -> 15,000 / 2 = 7,500; the K2 starting 1 Nov is not yet open
    >>> d = local_frame("placement_costs", placement_type=["K1", "K2", "K2"],
    ...                 start_date=["2026-01-01", "2026-01-01", "2026-11-01"],
    ...                 weekly_cost=[9000.0, 6000.0, 5000.0])
    >>> fin_weekly_cost_residential_gbp(local_inputs(placement_costs=d),
    ...                                 Window.of("snapshot", "2026-10-31"))
    Figure(numerator=15000.0, denominator=2)
    """
    return _mean_weekly(inputs, window, TYPE_GROUPS["residential"])


@kpi(
    **_weekly_meta(
        "supported",
        "semi-independent and supported living",
        TYPE_GROUPS["supported"],
        None,
    )
)
def fin_weekly_cost_supported_gbp(inputs: KpiInputs, window: Window) -> Figure:
    """The average weekly cost of the H5 and P2 placements open at the period end.

    Examples
    --------
    >>> # one H5 at 1,500 a week; a P2 with no readable cost is left out
    >>> d = local_frame("placement_costs", placement_type=["H5", "P2"],
    ...                 start_date=["2026-01-01"] * 2, weekly_cost=[1500.0, None])
    >>> fin_weekly_cost_supported_gbp(local_inputs(placement_costs=d),
    ...                               Window.of("snapshot", "2026-10-31"))
    Figure(numerator=1500.0, denominator=1)
    """
    return _mean_weekly(inputs, window, TYPE_GROUPS["supported"])


@kpi(
    id="fin_high_cost_pct",
    title="Placements above the high-cost threshold",
    area="finance",
    unit="percent",
    polarity="lower_is_better",
    windows=("snapshot",),
    cadence="monthly",
    source=_PLACEMENTS,
    definition=(
        "Of the placements open at the period end with a weekly cost, the % whose weekly_cost "
        "is more than the council's high-cost threshold (finance.high_cost_weekly_threshold; a "
        "cost equal to it is not above). Missing when no threshold is configured." + _ABSENT_P
    ),
    numerator="Placements open at the period end costing more than the threshold a week",
    denominator="Placements open at the period end with a weekly cost",
    inputs=(PLACEMENTS_OPEN,),
)
def fin_high_cost_pct(inputs: KpiInputs, window: Window) -> Figure:
    """The share of open placements costing more than the high-cost threshold a week.

    Examples
    --------
    >>> from pmf_lib.config import FinanceSettings
    >>> d = local_frame("placement_costs", start_date=["2026-01-01"] * 4,
    ...                 end_date=[None, None, None, "2026-10-01"],
    ...                 weekly_cost=[5000.0, 5000.01, 800.0, 9000.0])
    >>> i = local_inputs(placement_costs=d)
    >>> i.settings["finance"] = FinanceSettings(high_cost_weekly_threshold=5000)
    >>> # three open on 31 Oct (the fourth ended 1 Oct); one costs more than £5,000
    >>> fin_high_cost_pct(i, Window.of("snapshot", "2026-10-31"))
    Figure(numerator=1, denominator=3)
    """
    df = _open_costed(inputs, window)
    threshold = high_cost_threshold(inputs)
    if df is None or threshold is None:
        return MISSING_RATIO
    return Figure(int(above_threshold(df["weekly_cost"], threshold).sum()), len(df))
