"""Finance judgements (issue 16): the month's budget lines and its high-cost placements.

Decided once here, published by the month build, read by
:mod:`pmf_lib.render.finance`:

* :func:`budget_lines` -- the month's budget monitoring by service line (budget,
  actual to date, forecast outturn, forecast variance in pounds and as a % of
  budget), with a ``Total`` row. Positive variance is a forecast overspend.
  Council budgets, not counts of children: published for every audience.
* :func:`high_cost_placements` -- each placement open at the month end whose
  weekly cost is more than ``finance.high_cost_weekly_threshold`` (the rule of
  the KPI ``fin_high_cost_pct``, :func:`is_high_cost`), with its weekly cost,
  start date, next review, type and provider, costliest first; a next review
  missing or before the month end is flagged ``review_overdue``. Child- and
  placement-level: INTERNAL ONLY (:meth:`FinanceTables.for_audience` drops it
  for members and the public, so it never reaches their folder).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from pmf_lib.compute.kpis._common import open_at
from pmf_lib.compute.kpis.finance import above_threshold
from pmf_lib.read.local import load_schema

#: The columns of the published budget lines table.
BUDGET_COLUMNS = [
    "month",
    "service_line",
    "budget",
    "actual_to_date",
    "forecast_outturn",
    "variance",
    "variance_pct",
]
#: The columns of the published high-cost placements list.
HIGH_COST_COLUMNS = [
    "placement_id",
    "child_id",
    "placement_type",
    "placement_type_label",
    "provider",
    "start_date",
    "weekly_cost",
    "next_review_date",
    "review_overdue",
]
TOTAL = "Total"


def is_high_cost(weekly_cost: pd.Series, threshold: float) -> pd.Series:
    """True where the weekly cost is more than the threshold (equal is not; missing is not).

    The rule of :func:`pmf_lib.compute.kpis.finance.above_threshold`, so the list
    and the KPI ``fin_high_cost_pct`` always agree.

    Examples
    --------
    >>> is_high_cost(pd.Series([5000.0, 5000.5, None]), 5000).tolist()
    [False, True, False]
    """
    return above_threshold(weekly_cost, threshold)


def budget_lines(budget: pd.DataFrame | None, period_end) -> pd.DataFrame | None:
    """The month's service lines with their forecast variance, and a ``Total`` row.

    A line without a readable budget or forecast is listed with its variance
    missing and left out of the total (as the variance KPIs leave it out). None
    without the dataset.

    Examples
    --------
    >>> from pmf_lib.compute.kpis._local import local_frame
    >>> d = local_frame("budget_monitoring", month=["2026-10-31", "2026-10-31", "2026-09-30"],
    ...                 service_line=["Placements", "Staffing", "Placements"],
    ...                 budget=[100_000.0, 50_000.0, 1.0], actual_to_date=[60_000.0, 30_000.0, 1.0],
    ...                 forecast_outturn=[110_000.0, 49_000.0, 1.0])
    >>> t = budget_lines(d, "2026-10-31")
    >>> # 110,000 - 100,000 = 10,000 (10%); 49,000 - 50,000 = -1,000 (-2%); 9,000 of 150,000: 6%
    >>> for r in t[["service_line", "variance", "variance_pct"]].itertuples(index=False):
    ...     print(*r)
    Placements 10000.0 10.0
    Staffing -1000.0 -2.0
    Total 9000.0 6.0
    """
    if budget is None:
        return None
    end = pd.Timestamp(period_end).normalize()
    month = budget["month"].dt.to_period("M") == end.to_period("M")
    rows = budget[month.fillna(False).astype(bool)]
    out = pd.DataFrame(
        {
            "month": end,
            "service_line": rows["service_line"].astype("string").to_numpy(),
            "budget": rows["budget"].astype("Float64").to_numpy(dtype=float, na_value=float("nan")),
            "actual_to_date": rows["actual_to_date"]
            .astype("Float64")
            .to_numpy(dtype=float, na_value=float("nan")),
            "forecast_outturn": rows["forecast_outturn"]
            .astype("Float64")
            .to_numpy(dtype=float, na_value=float("nan")),
        }
    )
    if out.empty:
        return pd.DataFrame(columns=BUDGET_COLUMNS)
    out["variance"] = out["forecast_outturn"] - out["budget"]
    ok = out["variance"].notna()
    total = {
        "month": end,
        "service_line": TOTAL,
        "budget": out.loc[ok, "budget"].sum(),
        "actual_to_date": out.loc[ok, "actual_to_date"].sum(min_count=1),
        "forecast_outturn": out.loc[ok, "forecast_outturn"].sum(),
    }
    total["variance"] = total["forecast_outturn"] - total["budget"]
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    out["variance_pct"] = (100.0 * out["variance"] / out["budget"]).where(out["budget"] != 0)
    return out[BUDGET_COLUMNS]


def high_cost_placements(
    placements: pd.DataFrame | None, period_end, threshold: float | None
) -> pd.DataFrame | None:
    """Each placement open at ``period_end`` costing more than ``threshold`` a week.

    None without the dataset or a threshold. Costliest first (then by start
    date and id); ``review_overdue`` is True when the next review date is
    missing or before the period end.

    Examples
    --------
    >>> from pmf_lib.compute.kpis._local import local_frame
    >>> d = local_frame("placement_costs", placement_id=["P1", "P2", "P3", "P4"],
    ...                 child_id=["A", "B", "C", "D"], placement_type=["K2", "K2", "U4", "K1"],
    ...                 start_date=["2026-01-01", "2026-02-01", "2026-01-01", "2026-01-01"],
    ...                 end_date=[None, None, None, "2026-10-31"],
    ...                 weekly_cost=[6000.0, 7000.0, 5000.0, 9000.0],
    ...                 next_review_date=["2026-11-20", "2026-10-01", None, None])
    >>> t = high_cost_placements(d, "2026-10-31", 5000)
    >>> # P3 costs the threshold (not above), P4 ended on 31 Oct; P2 costs most
    >>> for r in t[["placement_id", "weekly_cost", "review_overdue"]].itertuples(index=False):
    ...     print(*r)
    P2 7000.0 True
    P1 6000.0 False
    """
    if placements is None or threshold is None:
        return None
    end = pd.Timestamp(period_end).normalize()
    df = placements
    open_ = open_at(df["start_date"], df["end_date"], end)
    hit = df[open_ & is_high_cost(df["weekly_cost"], threshold)]
    labels = {
        c.code: c.label for c in load_schema("placement_costs").column("placement_type").codes
    }
    review = hit["next_review_date"]
    out = pd.DataFrame(
        {
            "placement_id": hit["placement_id"].astype("string").to_numpy(),
            "child_id": hit["child_id"].astype("string").to_numpy(),
            "placement_type": hit["placement_type"].astype("string").to_numpy(),
            "placement_type_label": [labels.get(str(c), "") for c in hit["placement_type"]],
            "provider": hit["provider"].astype("string").to_numpy(),
            "start_date": hit["start_date"].to_numpy(),
            "weekly_cost": hit["weekly_cost"].astype(float).to_numpy(),
            "next_review_date": review.to_numpy(),
            "review_overdue": (review.isna() | (review < end)).to_numpy(dtype=bool),
        }
    )
    out = out.sort_values(
        ["weekly_cost", "start_date", "placement_id"], ascending=[False, True, True], kind="stable"
    )
    return out.reset_index(drop=True)[HIGH_COST_COLUMNS]


@dataclass(frozen=True)
class FinanceTables:
    """The month's finance tables: budget lines (every audience), high-cost list (internal)."""

    budget: pd.DataFrame | None = None
    high_cost: pd.DataFrame | None = None
    threshold: float | None = None

    def for_audience(self, suppressing: bool) -> FinanceTables:
        """What an audience may see: no high-cost list for members or the public.

        Examples
        --------
        >>> t = FinanceTables(pd.DataFrame(), pd.DataFrame({"child_id": ["A"]}), 5000.0)
        >>> t.for_audience(True).high_cost is None, t.for_audience(False).high_cost is None
        (True, False)
        """
        return replace(self, high_cost=None) if suppressing else self


def finance_tables(local: dict, period_end, threshold: float | None) -> FinanceTables | None:
    """The month's :class:`FinanceTables` from the local datasets (None: neither supplied).

    A dataset read without a required column (``attrs["missing_columns"]``) gives
    no table, as its KPIs are missing.

    Examples
    --------
    >>> finance_tables({}, "2026-10-31", 5000) is None
    True
    """

    def usable(name):
        df = local.get(name)
        return None if df is None or df.attrs.get("missing_columns") else df

    budget, placements = usable("budget_monitoring"), usable("placement_costs")
    if budget is None and placements is None:
        return None
    return FinanceTables(
        budget=budget_lines(budget, period_end),
        high_cost=high_cost_placements(placements, period_end, threshold),
        threshold=threshold,
    )
