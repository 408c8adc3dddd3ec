"""Child protection: section 47 enquiries, conferences and plans (CIN census)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmf_lib.compute.kpis._common import memo_on_frame, open_at, rolling_12m
from pmf_lib.compute.kpis._inputs import CP_PLANS_OPEN, R12, flow
from pmf_lib.compute.registry import Figure, KpiInputs, kpi
from pmf_lib.dates import Window, working_days_between


@kpi(
    id="s47_count",
    title="Section 47 enquiries started",
    area="protection",
    unit="count",
    polarity="neutral",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source="CIN census",
    definition="Section 47 enquiries (CIN census Section47) with S47ActualStartDate in the window.",
    numerator="Section 47 enquiries with S47ActualStartDate in the window",
    comparator=None,
    breakdowns=("age_band", "sex", "ethnicity"),
    inputs=(flow("cin_census", "section47", "S47ActualStartDate"),),
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
    cadence="monthly",
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
    inputs=(flow("cin_census", "section47", "DateOfInitialCPC").reading("S47ActualStartDate"),),
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
    cadence="monthly",
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
    inputs=(CP_PLANS_OPEN.reading("LAchildID"),),
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
    cadence="monthly",
    source="CIN census",
    definition=(
        "Of the child protection plans starting in the window (CPPstartDate), the % where the "
        "child had an earlier plan: an earlier CPPstartDate for the same child anywhere in the "
        "data, or NumberOfPreviousCPP of 1 or more where the return carries it."
    ),
    numerator="CP plans starting in the window that are the child's second or later plan",
    denominator="CP plans with CPPstartDate in the window",
    comparator="PrevRegCPR",
    inputs=(
        flow("cin_census", "cp_plans", "CPPstartDate").reading("LAchildID", "NumberOfPreviousCPP"),
    ),
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


# ---- wider catalogue --------------------------------------------------------------
def _cin_example(table: str, **columns) -> KpiInputs:
    """Tiny inputs for the docstring examples below."""
    from pmf_lib.read.tables import CIN_COLUMNS, CinCensus, Population, conform

    cin = CinCensus()
    cin.tables[table] = conform(pd.DataFrame(columns), CIN_COLUMNS[table])
    return KpiInputs(cin=cin, population=Population(pd.Series({2024: 10_000.0})))


@kpi(
    id="s47_rate_10k",
    title="Section 47 enquiries per 10,000 children",
    area="protection",
    unit="rate_10k",
    polarity="neutral",
    windows=("rolling_12m",),
    cadence="rolling",
    source="CIN census; ONS mid-year estimates",
    definition=(
        "s47_count in the rolling 12 months ending period_end divided by the ONS mid-year "
        "estimate of children aged 0-17 for the calendar year of period_end (or the latest "
        "earlier year), times 10,000."
    ),
    numerator="Section 47 enquiries with S47ActualStartDate in the rolling 12 months",
    denominator="Population aged 0-17",
    comparator="Section_47",
    inputs=(flow("cin_census", "section47", "S47ActualStartDate", R12),),
)
def s47_rate_10k(inputs: KpiInputs, window: Window) -> Figure:
    """Section 47 enquiries started in the rolling 12 months per 10,000 children.

    Examples
    --------
    >>> inp = _cin_example("section47", LAchildID=["a"],
    ...     S47ActualStartDate=pd.to_datetime(["2024-12-01"]))
    >>> s47_rate_10k(inp, Window.of("rolling_12m", "2025-03-31"))
    Figure(numerator=1, denominator=10000.0)
    """
    n = s47_count(inputs, rolling_12m(window)).numerator
    return Figure(n, inputs.population.for_date(window.end))


@kpi(
    id="icpc_rate_10k",
    title="Initial child protection conferences per 10,000 children",
    area="protection",
    unit="rate_10k",
    polarity="neutral",
    windows=("rolling_12m",),
    cadence="rolling",
    source="CIN census; ONS mid-year estimates",
    definition=(
        "Initial child protection conferences (Section47/DateOfInitialCPC) held in the rolling "
        "12 months ending period_end divided by the population aged 0-17 (as for "
        "s47_rate_10k), times 10,000."
    ),
    numerator="Initial conferences held in the rolling 12 months",
    denominator="Population aged 0-17",
    comparator="ISCP_Conf",
    inputs=(flow("cin_census", "section47", "DateOfInitialCPC", R12),),
)
def icpc_rate_10k(inputs: KpiInputs, window: Window) -> Figure:
    """Initial conferences in the rolling 12 months per 10,000 children.

    Examples
    --------
    >>> inp = _cin_example("section47", LAchildID=["a", "b"],
    ...     DateOfInitialCPC=pd.to_datetime(["2024-12-01", None]))
    >>> icpc_rate_10k(inp, Window.of("rolling_12m", "2025-03-31"))
    Figure(numerator=1, denominator=10000.0)
    """
    s = inputs.cin.section47
    n = int(rolling_12m(window).contains(s["DateOfInitialCPC"]).fillna(False).sum())
    return Figure(n, inputs.population.for_date(window.end))


@kpi(
    id="cp_plans_count",
    title="Children on a child protection plan",
    area="protection",
    unit="count",
    polarity="neutral",
    windows=("snapshot",),
    cadence="monthly",
    source="CIN census",
    definition="Distinct children with a child protection plan open at period_end (CPPstartDate "
    "on or before period_end and CPPendDate empty or after period_end).",
    numerator="Distinct children with a CP plan open at period_end",
    comparator="CPP_Num",
    breakdowns=("age_band", "sex", "ethnicity"),
    inputs=(CP_PLANS_OPEN.reading("LAchildID"),),
)
def cp_plans_count(inputs: KpiInputs, window: Window) -> Figure:
    """Children on a CP plan at period end.

    Examples
    --------
    >>> inp = _cin_example("cp_plans", LAchildID=["a", "a"],
    ...     CPPstartDate=pd.to_datetime(["2024-01-01", "2025-01-01"]))
    >>> cp_plans_count(inp, Window.of("snapshot", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    return Figure(len(cp_children_open_at(inputs.cin.cp_plans, window.end)))


@kpi(
    id="cp_plans_started_count",
    title="Child protection plans started",
    area="protection",
    unit="count",
    polarity="neutral",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source="CIN census",
    definition="Child protection plans with CPPstartDate in the window.",
    numerator="CP plans with CPPstartDate in the window",
    comparator="CPP_Abuse",
    breakdowns=("age_band", "sex", "ethnicity"),
    inputs=(flow("cin_census", "cp_plans", "CPPstartDate"),),
)
def cp_plans_started_count(inputs: KpiInputs, window: Window) -> Figure:
    """CP plans starting in the window.

    Examples
    --------
    >>> inp = _cin_example("cp_plans", LAchildID=["a", "b"],
    ...     CPPstartDate=pd.to_datetime(["2025-03-01", "2025-02-01"]))
    >>> cp_plans_started_count(inp, Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    p = inputs.cin.cp_plans
    return Figure(int(window.contains(p["CPPstartDate"]).fillna(False).sum()))


@kpi(
    id="cp_plans_started_rate_10k",
    title="Child protection plans started per 10,000 children",
    area="protection",
    unit="rate_10k",
    polarity="lower_is_better",
    windows=("rolling_12m",),
    cadence="rolling",
    source="CIN census; ONS mid-year estimates",
    definition="cp_plans_started_count in the rolling 12 months ending period_end divided by "
    "the population aged 0-17 (calendar year of period_end or the latest earlier), times 10,000.",
    numerator="CP plans started in the rolling 12 months",
    denominator="Population aged 0-17",
    comparator="CPP_Abuse_Rate",
    inputs=(flow("cin_census", "cp_plans", "CPPstartDate", R12),),
)
def cp_plans_started_rate_10k(inputs: KpiInputs, window: Window) -> Figure:
    """CP plans started in the rolling 12 months per 10,000 children.

    Examples
    --------
    >>> inp = _cin_example("cp_plans", LAchildID=["a"],
    ...     CPPstartDate=pd.to_datetime(["2024-04-01"]))
    >>> cp_plans_started_rate_10k(inp, Window.of("rolling_12m", "2025-03-31"))
    Figure(numerator=1, denominator=10000.0)
    """
    n = cp_plans_started_count(inputs, rolling_12m(window)).numerator
    return Figure(n, inputs.population.for_date(window.end))


@kpi(
    id="cp_plans_ceased_rate_10k",
    title="Child protection plans ended per 10,000 children",
    area="protection",
    unit="rate_10k",
    polarity="neutral",
    windows=("rolling_12m",),
    cadence="rolling",
    source="CIN census; ONS mid-year estimates",
    definition="Child protection plans with CPPendDate in the rolling 12 months ending "
    "period_end divided by the population aged 0-17, times 10,000.",
    numerator="CP plans ended in the rolling 12 months",
    denominator="Population aged 0-17",
    comparator="DeRegCPR",
    inputs=(flow("cin_census", "cp_plans", "CPPendDate", R12),),
)
def cp_plans_ceased_rate_10k(inputs: KpiInputs, window: Window) -> Figure:
    """CP plans ended in the rolling 12 months per 10,000 children.

    Examples
    --------
    >>> inp = _cin_example("cp_plans", LAchildID=["a"],
    ...     CPPstartDate=pd.to_datetime(["2024-01-01"]), CPPendDate=pd.to_datetime(["2025-03-31"]))
    >>> cp_plans_ceased_rate_10k(inp, Window.of("rolling_12m", "2025-03-31"))
    Figure(numerator=1, denominator=10000.0)
    """
    p = inputs.cin.cp_plans
    n = int(rolling_12m(window).contains(p["CPPendDate"]).fillna(False).sum())
    return Figure(n, inputs.population.for_date(window.end))


@kpi(
    id="cp_plans_ceased_2y_pct",
    title="Child protection plans ending that lasted 2 years or more",
    area="protection",
    unit="percent",
    polarity="lower_is_better",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source="CIN census",
    definition=(
        "Of the child protection plans ending in the window (CPPendDate), the % that lasted 2 "
        "years or more: CPPendDate on or after CPPstartDate plus 2 calendar years."
    ),
    numerator="CP plans ending in the window that lasted 2 years or more",
    denominator="CP plans with CPPendDate in the window",
    comparator="CPPlans2yrs",
    inputs=(flow("cin_census", "cp_plans", "CPPendDate").reading("CPPstartDate"),),
)
def cp_plans_ceased_2y_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of CP plans ending in the window that had lasted 2 years or more.

    Examples
    --------
    >>> inp = _cin_example("cp_plans", LAchildID=["a", "b"],
    ...     CPPstartDate=pd.to_datetime(["2023-03-31", "2023-04-01"]),
    ...     CPPendDate=pd.to_datetime(["2025-03-31", "2025-03-31"]))
    >>> cp_plans_ceased_2y_pct(inp, Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    p = inputs.cin.cp_plans
    ended = p[window.contains(p["CPPendDate"]).fillna(False).astype(bool)]
    long = (ended["CPPendDate"] >= ended["CPPstartDate"] + pd.DateOffset(years=2)).fillna(False)
    return Figure(int(long.sum()), len(ended))


@kpi(
    id="cp_plans_open_2y_pct",
    title="Children on a child protection plan for 2 years or more",
    area="protection",
    unit="percent",
    polarity="lower_is_better",
    windows=("snapshot",),
    cadence="monthly",
    source="CIN census",
    definition=(
        "Of the children with a child protection plan open at period_end, the % whose open plan "
        "(the earliest-starting, if more than one is open) started on or before period_end minus "
        "24 calendar months."
    ),
    numerator="Children on a plan at period_end that started at least 2 years before",
    denominator="Distinct children with a CP plan open at period_end",
    comparator="CPPlans2yrsActive",
    inputs=(CP_PLANS_OPEN.reading("LAchildID"),),
)
def cp_plans_open_2y_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of children on a CP plan at period end whose plan has lasted 2 years or more.

    Examples
    --------
    >>> inp = _cin_example("cp_plans", LAchildID=["a", "b"],
    ...     CPPstartDate=pd.to_datetime(["2023-03-31", "2023-04-01"]))
    >>> cp_plans_open_2y_pct(inp, Window.of("snapshot", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    p = inputs.cin.cp_plans
    open_ = p[open_at(p["CPPstartDate"], p["CPPendDate"], window.end)]
    open_ = open_[open_["LAchildID"].notna()]
    first = open_["CPPstartDate"].groupby(open_["LAchildID"]).min()
    cutoff = window.end - pd.DateOffset(months=24)
    return Figure(int((first <= cutoff).sum()), len(first))


@kpi(
    id="cp_reviews_on_time_pct",
    title="Children on a child protection plan reviewed on time",
    area="protection",
    unit="percent",
    polarity="higher_is_better",
    windows=("snapshot",),
    cadence="monthly",
    source="CIN census",
    definition=(
        "Of the distinct children with a child protection plan open at period_end that started "
        "on or before period_end minus 3 calendar months, the % all of whose such plans have "
        "been reviewed on time up to period_end: the first review (CPPreviewDate of that plan, "
        "joined on LAchildID and CPPstartDate) on or before the start plus 3 calendar months, "
        "each later review on or before the previous review plus 6 calendar months, and the "
        "next review not yet overdue at period_end (its deadline on or after period_end)."
    ),
    numerator="Children on a plan for 3 months or more whose reviews were all on time",
    denominator="Children on a plan at period_end that started at least 3 months before",
    comparator="RevCP",
    inputs=(
        CP_PLANS_OPEN.reading("LAchildID"),
        flow("cin_census", "cp_reviews", "CPPreviewDate", R12).reading("LAchildID", "CPPstartDate"),
    ),
)
def cp_reviews_on_time_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of children on a CP plan for 3+ months whose plan reviews were all on time.

    Examples
    --------
    >>> from pmf_lib.read.tables import CIN_COLUMNS, CinCensus, conform
    >>> cin = CinCensus()
    >>> cin.tables["cp_plans"] = conform(pd.DataFrame({"LAchildID": ["a", "b"],
    ...     "CPPstartDate": pd.to_datetime(["2024-10-01", "2024-10-01"])}),
    ...     CIN_COLUMNS["cp_plans"])
    >>> cin.tables["cp_reviews"] = conform(pd.DataFrame({"LAchildID": ["a", "b"],
    ...     "CPPstartDate": pd.to_datetime(["2024-10-01", "2024-10-01"]),
    ...     "CPPreviewDate": pd.to_datetime(["2024-12-20", "2025-01-02"])}),
    ...     CIN_COLUMNS["cp_reviews"])
    >>> cp_reviews_on_time_pct(KpiInputs(cin=cin), Window.of("snapshot", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    plans = cp_review_status(inputs.cin.cp_plans, inputs.cin.cp_reviews, window.end)
    if plans.empty:
        return Figure(0, 0)
    by_child = plans["on_time"].groupby(plans["LAchildID"]).all()
    return Figure(int(by_child.sum()), len(by_child))


def cp_review_status(cp_plans: pd.DataFrame, cp_reviews: pd.DataFrame, end) -> pd.DataFrame:
    """Each CP plan of ``cp_reviews_on_time_pct``'s denominator at ``end``, with its reviews' state.

    One row per open plan (``LAchildID``, ``CPPstartDate``) started on or before
    ``end`` minus 3 months: ``any_late`` (a review later than its deadline),
    ``last_review`` (NaT if none), ``next_due`` (the next review's deadline) and
    ``on_time`` (no late review and ``next_due`` on or after ``end``). The KPI
    and the CP review action list (:mod:`pmf_lib.assess.action_lists`) read it.

    Examples
    --------
    >>> from pmf_lib.read.tables import CIN_COLUMNS, conform
    >>> p = conform(pd.DataFrame({"LAchildID": ["a"],
    ...     "CPPstartDate": pd.to_datetime(["2024-10-01"])}), CIN_COLUMNS["cp_plans"])
    >>> r = conform(pd.DataFrame(columns=["LAchildID", "CPPstartDate", "CPPreviewDate"]),
    ...     CIN_COLUMNS["cp_reviews"])
    >>> s = cp_review_status(p, r, pd.Timestamp("2025-03-31"))  # first review due 1 Jan
    >>> str(s["next_due"].iloc[0].date()), bool(s["on_time"].iloc[0])
    ('2025-01-01', False)
    """
    end = pd.Timestamp(end)
    p = cp_plans
    keys = ["LAchildID", "CPPstartDate"]
    open_ = p[open_at(p["CPPstartDate"], p["CPPendDate"], end) & p["LAchildID"].notna()]
    plans = open_.loc[open_["CPPstartDate"] <= end - pd.DateOffset(months=3), keys]
    plans = plans.drop_duplicates()
    if plans.empty:
        return plans.assign(any_late=False, last_review=pd.NaT, next_due=pd.NaT, on_time=False)
    r = cp_reviews[[*keys, "CPPreviewDate"]].dropna().drop_duplicates()
    r = r.merge(plans, on=keys, how="inner")
    r = r[(r["CPPreviewDate"] >= r["CPPstartDate"]) & (r["CPPreviewDate"] <= end)]
    r = r.sort_values([*keys, "CPPreviewDate"], kind="mergesort")
    prev = r.groupby(keys, sort=False)["CPPreviewDate"].shift(1)
    deadline = (prev + pd.DateOffset(months=6)).fillna(r["CPPstartDate"] + pd.DateOffset(months=3))
    r = r.assign(late=(r["CPPreviewDate"] > deadline).to_numpy())
    per_plan = r.groupby(keys, sort=False).agg(
        any_late=("late", "any"), last_review=("CPPreviewDate", "max")
    )
    plans = plans.merge(per_plan, left_on=keys, right_index=True, how="left")
    next_due = (plans["last_review"] + pd.DateOffset(months=6)).fillna(
        plans["CPPstartDate"] + pd.DateOffset(months=3)
    )
    any_late = plans["any_late"].fillna(False).astype(bool)
    return plans.assign(any_late=any_late, next_due=next_due, on_time=~any_late & (next_due >= end))
