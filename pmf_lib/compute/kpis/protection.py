"""Child protection: section 47 enquiries, conferences and plans (CIN census)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmf_lib.compute.kpis._common import memo_on_frame, open_at
from pmf_lib.compute.registry import Figure, KpiInputs, kpi
from pmf_lib.dates import Window, working_days_between


@kpi(
    id="s47_count",
    title="Section 47 enquiries started",
    area="protection",
    unit="count",
    polarity="neutral",
    windows=("month", "rolling_12m"),
    source="CIN census",
    definition="Section 47 enquiries (CIN census Section47) with S47ActualStartDate in the window.",
    numerator="Section 47 enquiries with S47ActualStartDate in the window",
    comparator=None,
)
def s47_count(inputs: KpiInputs, window: Window) -> Figure:
    """Section 47 enquiries started in the window.

    Examples
    --------
    >>> from pmf_lib.read.tables import CIN_COLUMNS, CinCensus, conform
    >>> s = conform(pd.DataFrame({"LAchildID": ["a", "b"],
    ...     "S47ActualStartDate": pd.to_datetime(["2025-03-01", "2025-04-01"])}),
    ...     CIN_COLUMNS["section47"])
    >>> cin = CinCensus(); cin.tables["section47"] = s
    >>> s47_count(KpiInputs(cin=cin), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    s = inputs.cin.section47
    return Figure(int(window.contains(s["S47ActualStartDate"]).fillna(False).sum()))


@kpi(
    id="icpc_15wd_pct",
    title="Initial child protection conferences within 15 working days",
    area="protection",
    unit="percent",
    polarity="higher_is_better",
    windows=("month", "rolling_12m"),
    source="CIN census",
    definition=(
        "Of the initial child protection conferences held in the window "
        "(Section47/DateOfInitialCPC), the % whose working days from that enquiry's "
        "S47ActualStartDate to the conference (working days d with start <= d < conference) "
        "are 15 or fewer. A conference whose enquiry has no start date stays in the "
        "denominator and is not counted as on time."
    ),
    numerator="Initial conferences in the window held within 15 working days of the S47 start",
    denominator="Initial conferences (Section47/DateOfInitialCPC) in the window",
    comparator="CP_conf_15days",
)
def icpc_15wd_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of initial conferences in the window held within 15 working days of the S47 start.

    Examples
    --------
    >>> from pmf_lib.read.tables import CIN_COLUMNS, CinCensus, conform
    >>> s = conform(pd.DataFrame({"LAchildID": ["a"],
    ...     "S47ActualStartDate": pd.to_datetime(["2025-03-03"]),
    ...     "DateOfInitialCPC": pd.to_datetime(["2025-03-25"])}), CIN_COLUMNS["section47"])
    >>> cin = CinCensus(); cin.tables["section47"] = s
    >>> icpc_15wd_pct(KpiInputs(cin=cin), Window.of("month", "2025-03-31"))
    Figure(numerator=0, denominator=1)
    """
    s = inputs.cin.section47
    held = s[window.contains(s["DateOfInitialCPC"]).fillna(False).astype(bool)]
    wd = working_days_between(held["S47ActualStartDate"], held["DateOfInitialCPC"])
    on_time = np.nan_to_num(wd, nan=np.inf) <= 15
    return Figure(int(on_time.sum()), len(held))


def cp_children_open_at(cp_plans: pd.DataFrame, date) -> pd.Index:
    """Distinct children with a CP plan open at the end of ``date``."""
    mask = open_at(cp_plans["CPPstartDate"], cp_plans["CPPendDate"], date)
    return pd.Index(cp_plans.loc[mask, "LAchildID"].dropna().unique())


@kpi(
    id="cp_plans_rate_10k",
    title="Children on a child protection plan per 10,000 children",
    area="protection",
    unit="rate_10k",
    polarity="neutral",
    windows=("snapshot",),
    source="CIN census; ONS mid-year estimates",
    definition=(
        "Distinct children with a child protection plan open at period_end (CPPstartDate on or "
        "before period_end and CPPendDate empty or after period_end) divided by the ONS "
        "mid-year estimate of children aged 0-17 for the calendar year of period_end, "
        "times 10,000."
    ),
    numerator="Distinct children with a CP plan open at period_end",
    denominator="Population aged 0-17",
    comparator="CPP_rate",
)
def cp_plans_rate_10k(inputs: KpiInputs, window: Window) -> Figure:
    """Children on a CP plan at period end per 10,000 children.

    Examples
    --------
    >>> from pmf_lib.read.tables import CIN_COLUMNS, CinCensus, Population, conform
    >>> p = conform(pd.DataFrame({"LAchildID": ["a", "a", "b"],
    ...     "CPPstartDate": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-01-01"]),
    ...     "CPPendDate": pd.to_datetime([None, None, "2025-03-31"])}), CIN_COLUMNS["cp_plans"])
    >>> cin = CinCensus(); cin.tables["cp_plans"] = p
    >>> inp = KpiInputs(cin=cin, population=Population(pd.Series({2025: 1000})))
    >>> cp_plans_rate_10k(inp, Window.of("snapshot", "2025-03-31"))
    Figure(numerator=1, denominator=1000.0)
    """
    n = len(cp_children_open_at(inputs.cin.cp_plans, window.end))
    return Figure(n, inputs.population.for_date(window.end))


def _second_subsequent_flags(cp_plans: pd.DataFrame) -> np.ndarray:
    """Per CP plan row: an earlier plan (earlier start, or NumberOfPreviousCPP >= 1)?"""
    start = cp_plans["CPPstartDate"]
    first = start.groupby(cp_plans["LAchildID"]).transform("min")
    earlier = (first.notna() & start.notna() & (first < start)).fillna(False)
    previous = (cp_plans["NumberOfPreviousCPP"] >= 1).fillna(False)
    return (earlier | previous).to_numpy(dtype=bool)


@kpi(
    id="cp_second_subsequent_pct",
    title="Child protection plans starting that are a second or subsequent plan",
    area="protection",
    unit="percent",
    polarity="lower_is_better",
    windows=("month", "rolling_12m"),
    source="CIN census",
    definition=(
        "Of the child protection plans starting in the window (CPPstartDate), the % where the "
        "child had an earlier plan: an earlier CPPstartDate for the same child anywhere in the "
        "data, or NumberOfPreviousCPP of 1 or more where the return carries it."
    ),
    numerator="CP plans starting in the window that are the child's second or later plan",
    denominator="CP plans with CPPstartDate in the window",
    comparator="PrevRegCPR",
)
def cp_second_subsequent_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of CP plans starting in the window that are a second or subsequent plan.

    Examples
    --------
    >>> from pmf_lib.read.tables import CIN_COLUMNS, CinCensus, conform
    >>> p = conform(pd.DataFrame({"LAchildID": ["a", "a", "b"],
    ...     "CPPstartDate": pd.to_datetime(["2020-01-01", "2025-03-01", "2025-03-02"])}),
    ...     CIN_COLUMNS["cp_plans"])
    >>> cin = CinCensus(); cin.tables["cp_plans"] = p
    >>> cp_second_subsequent_pct(KpiInputs(cin=cin), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    p = inputs.cin.cp_plans
    flags = memo_on_frame("cp_second_subsequent", p, _second_subsequent_flags)
    starting = window.contains(p["CPPstartDate"]).fillna(False).to_numpy(dtype=bool)
    return Figure(int((starting & flags).sum()), int(starting.sum()))
