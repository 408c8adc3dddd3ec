"""Social-work workforce (monthly workforce return ``workforce_monthly``).

One row per team per month as at the month end. The KPIs follow the DfE
children's social work workforce (CSWW) indicators, which LAIT publishes as at
30 September (``csww_indicators_*.csv``):

* vacancy rate = vacancies FTE / (vacancies FTE + FTE in post);
* agency rate = agency FTE / (agency FTE + FTE in post);
* turnover rate = leavers in the year / FTE in post at the year end;
* sickness absence rate = days lost / (FTE in post x working days);
* average caseload = cases held / FTE of case-holding social workers.

Figures are correct or nothing: a KPI is missing (numerator NaN) when the
dataset is absent, when a month it needs has no rows, or when a value it needs
is missing in any row of those months (an unreadable cell the validation stage
reports), rather than summed over the teams that happen to be complete.
"""

from __future__ import annotations

import pandas as pd

from pmf_lib.compute.kpis._inputs import R12, WORKFORCE_MONTH, local
from pmf_lib.compute.kpis._local import (
    MISSING_COUNT,
    MISSING_RATIO,
    dataset,
    local_frame,  # noqa: F401 (docstring examples)
    local_inputs,  # noqa: F401 (docstring examples)
)
from pmf_lib.compute.registry import Figure, KpiInputs, kpi
from pmf_lib.dates import Window, month_end, month_ends, working_days_between

_SOURCE = "Monthly workforce return (workforce_monthly)"
_ABSENT = (
    " Missing (not 0) when the council does not supply the monthly workforce data, when a "
    "month needed has no rows, or when a value needed is missing in any of its rows."
)


def _rows(inputs: KpiInputs, months: pd.DatetimeIndex, columns: list[str]) -> pd.DataFrame | None:
    """The rows of ``months`` with ``columns``, or None unless every month is complete."""
    df = dataset(inputs, "workforce_monthly")
    if df is None:
        return None
    mend = (pd.to_datetime(df["month"]) + pd.offsets.MonthEnd(0)).dt.normalize()
    rows = df.loc[mend.isin(months), columns].assign(_month=mend[mend.isin(months)])
    if set(rows["_month"]) != set(months) or rows[columns].isna().any().any():
        return None
    return rows


def _snapshot(inputs: KpiInputs, window: Window, columns: list[str]) -> pd.DataFrame | None:
    return _rows(inputs, pd.DatetimeIndex([month_end(window.end)]), columns)


def _working_days_in(months: pd.Series) -> pd.Series:
    """Working days in each month (month ends given)."""
    first = months - pd.offsets.MonthBegin(1)
    after = months + pd.Timedelta(days=1)
    return pd.Series(working_days_between(first, after), index=months.index)


@kpi(
    id="sw_vacancy_rate_pct",
    title="Social worker vacancy rate",
    area="workforce",
    unit="percent",
    polarity="lower_is_better",
    windows=("snapshot",),
    cadence="monthly",
    source=_SOURCE,
    definition=(
        "Vacant social worker posts (FTE) as a % of vacancies plus social workers in post "
        "(FTE), all teams, as at the month of period_end (CSWW vacancy rate)." + _ABSENT
    ),
    numerator="vacancies_fte summed over teams",
    denominator="vacancies_fte + fte_in_post summed over teams",
    comparator="Work_Force_Vac_Rate",
    breakdowns=("team",),
    inputs=(WORKFORCE_MONTH.reading("fte_in_post", "vacancies_fte"),),
)
def sw_vacancy_rate_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Vacancy rate at the month end.

    Examples
    --------
    >>> w = local_frame("workforce_monthly", month=["2025-03-31"] * 2, team=["A", "B"],
    ...                 fte_in_post=[8.0, 7.0], vacancies_fte=[2.0, 3.0])
    >>> sw_vacancy_rate_pct(local_inputs(workforce_monthly=w),
    ...                     Window.of("snapshot", "2025-03-31"))
    Figure(numerator=5.0, denominator=20.0)
    """
    rows = _snapshot(inputs, window, ["vacancies_fte", "fte_in_post"])
    if rows is None:
        return MISSING_RATIO
    vac, fte = float(rows["vacancies_fte"].sum()), float(rows["fte_in_post"].sum())
    return Figure(vac, vac + fte)


@kpi(
    id="sw_agency_rate_pct",
    title="Agency social worker rate",
    area="workforce",
    unit="percent",
    polarity="lower_is_better",
    windows=("snapshot",),
    cadence="monthly",
    source=_SOURCE,
    definition=(
        "Agency social workers (FTE) as a % of agency plus social workers in post (FTE), all "
        "teams, as at the month of period_end (CSWW agency rate)." + _ABSENT
    ),
    numerator="agency_fte summed over teams",
    denominator="agency_fte + fte_in_post summed over teams",
    comparator="Work_Force_Agecy_Rate",
    breakdowns=("team",),
    inputs=(WORKFORCE_MONTH.reading("fte_in_post", "agency_fte"),),
)
def sw_agency_rate_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Agency rate at the month end.

    Examples
    --------
    >>> w = local_frame("workforce_monthly", month=["2025-03-31"], team=["A"],
    ...                 fte_in_post=[9.0], agency_fte=[1.0])
    >>> sw_agency_rate_pct(local_inputs(workforce_monthly=w), Window.of("snapshot", "2025-03-31"))
    Figure(numerator=1.0, denominator=10.0)
    """
    rows = _snapshot(inputs, window, ["agency_fte", "fte_in_post"])
    if rows is None:
        return MISSING_RATIO
    agency, fte = float(rows["agency_fte"].sum()), float(rows["fte_in_post"].sum())
    return Figure(agency, agency + fte)


@kpi(
    id="sw_turnover_rate_pct",
    title="Social worker turnover rate (12 months)",
    area="workforce",
    unit="percent",
    polarity="lower_is_better",
    windows=("rolling_12m",),
    cadence="rolling",
    source=_SOURCE,
    definition=(
        "Social workers who left in the 12 months ending period_end (leavers, summed over "
        "the 12 months and all teams) as a % of social workers in post (FTE) at the month of "
        "period_end (CSWW turnover rate). Deviation: the monthly return counts leavers by "
        "headcount and staff in post by FTE, where DfE divides FTE by FTE; the two agree "
        "when leavers worked full time. All 12 months must be supplied." + _ABSENT
    ),
    numerator="leavers summed over the 12 months and teams",
    denominator="fte_in_post summed over teams at the month of period_end",
    comparator="Work_Force_TO_Rate",
    breakdowns=("team",),
    inputs=(local("workforce_monthly", "month", R12).reading("fte_in_post", "leavers"),),
)
def sw_turnover_rate_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Leavers in the 12 months as a % of FTE in post at the end.

    Examples
    --------
    >>> months = [str(d.date()) for d in month_ends("2024-04", "2025-03")]
    >>> w = local_frame("workforce_monthly", month=months, team=["A"] * 12,
    ...                 fte_in_post=[20.0] * 12, leavers=[1] * 3 + [0] * 9)
    >>> sw_turnover_rate_pct(local_inputs(workforce_monthly=w),
    ...                      Window.of("rolling_12m", "2025-03-31"))
    Figure(numerator=3.0, denominator=20.0)
    """
    months = month_ends(Window.of("rolling_12m", window.end).start, window.end)
    leavers = _rows(inputs, months, ["leavers"])
    in_post = _snapshot(inputs, window, ["fte_in_post"])
    if leavers is None or in_post is None:
        return MISSING_RATIO
    return Figure(float(leavers["leavers"].sum()), float(in_post["fte_in_post"].sum()))


@kpi(
    id="sw_absence_rate_pct",
    title="Social worker sickness absence rate",
    area="workforce",
    unit="percent",
    polarity="lower_is_better",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source=_SOURCE,
    definition=(
        "Working days lost to sickness in the window as a % of the working days available: "
        "the sum over the window's months and teams of fte_in_post times the working days in "
        "the month (Monday-Friday less England & Wales bank holidays). DfE's rate divides "
        "the year's days lost by FTE in post at 30 September times 253 (254 in a leap year); "
        "the two agree when staffing is steady. Every month of the window must be supplied; "
        "more days lost than days available (inconsistent data) gives a missing value." + _ABSENT
    ),
    numerator="sickness_days summed over the window's months and teams",
    denominator="fte_in_post x working days in the month, summed over months and teams",
    comparator="Work_Force_SWAbsence",
    breakdowns=("team",),
    inputs=(local("workforce_monthly", "month").reading("fte_in_post", "sickness_days"),),
)
def sw_absence_rate_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Sickness days lost as a % of FTE working days available.

    Examples
    --------
    >>> # March 2025 has 21 working days: 10 FTE x 21 = 210 days available.
    >>> w = local_frame("workforce_monthly", month=["2025-03-31"], team=["A"],
    ...                 fte_in_post=[10.0], sickness_days=[21.0])
    >>> sw_absence_rate_pct(local_inputs(workforce_monthly=w), Window.of("month", "2025-03-31"))
    Figure(numerator=21.0, denominator=210.0)
    >>> # Sickness recorded against a team with no FTE in post: missing, not a rate.
    >>> w0 = local_frame("workforce_monthly", month=["2025-03-31"], team=["A"],
    ...                  fte_in_post=[0.0], sickness_days=[1.0])
    >>> sw_absence_rate_pct(local_inputs(workforce_monthly=w0), Window.of("month", "2025-03-31"))
    Figure(numerator=nan, denominator=0.0)
    """
    rows = _rows(inputs, month_ends(window.start, window.end), ["sickness_days", "fte_in_post"])
    if rows is None:
        return MISSING_RATIO
    available = float((rows["fte_in_post"].astype(float) * _working_days_in(rows["_month"])).sum())
    lost = float(rows["sickness_days"].sum())
    if lost > available:
        # More days lost than FTE days available (e.g. sickness recorded for a team
        # with no FTE in post): the data are inconsistent, so the rate is missing.
        return Figure(float("nan"), available)
    return Figure(lost, available)


@kpi(
    id="sw_caseload_avg",
    title="Average caseload per case-holding social worker (FTE)",
    area="workforce",
    unit="mean",
    polarity="lower_is_better",
    windows=("snapshot",),
    cadence="monthly",
    source=_SOURCE,
    definition=(
        "Cases held at the month of period_end divided by the FTE (in post plus agency) of "
        "the teams holding at least one case (CSWW average caseload). Deviation: DfE divides "
        "by the FTE of the individual social workers holding cases; the monthly return is by "
        "team, so every social worker in a case-holding team counts." + _ABSENT
    ),
    numerator="cases_held summed over teams",
    denominator="fte_in_post + agency_fte of teams with cases_held > 0",
    comparator="Work_Force_AvgNumCase_SW",
    breakdowns=("team",),
    inputs=(WORKFORCE_MONTH.reading("fte_in_post", "agency_fte", "cases_held"),),
)
def sw_caseload_avg(inputs: KpiInputs, window: Window) -> Figure:
    """Cases per FTE of the case-holding teams at the month end.

    Examples
    --------
    >>> w = local_frame("workforce_monthly", month=["2025-03-31"] * 2, team=["A", "QA"],
    ...                 fte_in_post=[8.0, 3.0], agency_fte=[2.0, 0.0], cases_held=[150, 0])
    >>> sw_caseload_avg(local_inputs(workforce_monthly=w), Window.of("snapshot", "2025-03-31"))
    Figure(numerator=150.0, denominator=10.0)
    """
    rows = _snapshot(inputs, window, ["cases_held", "fte_in_post", "agency_fte"])
    if rows is None:
        return MISSING_RATIO
    holding = rows["cases_held"] > 0
    fte = rows["fte_in_post"].astype(float) + rows["agency_fte"].astype(float)
    return Figure(float(rows["cases_held"].sum()), float(fte[holding].sum()))


@kpi(
    id="sw_fte_in_post",
    title="Social workers in post (FTE)",
    area="workforce",
    unit="fte",
    polarity="neutral",
    windows=("snapshot",),
    cadence="monthly",
    source=_SOURCE,
    definition=(
        "Social workers employed by the council in post (FTE, agency staff excluded), all "
        "teams, as at the month of period_end (CSWW FTE in post)." + _ABSENT
    ),
    numerator="fte_in_post summed over teams",
    comparator="Work_Force_NoSW",
    breakdowns=("team",),
    inputs=(WORKFORCE_MONTH.reading("fte_in_post"),),
)
def sw_fte_in_post(inputs: KpiInputs, window: Window) -> Figure:
    """FTE in post at the month end.

    Examples
    --------
    >>> w = local_frame("workforce_monthly", month=["2025-03-15"] * 2, team=["A", "B"],
    ...                 fte_in_post=[8.5, 7.0])
    >>> sw_fte_in_post(local_inputs(workforce_monthly=w), Window.of("snapshot", "2025-03-31"))
    Figure(numerator=15.5, denominator=None)
    """
    rows = _snapshot(inputs, window, ["fte_in_post"])
    if rows is None:
        return MISSING_COUNT
    return Figure(float(rows["fte_in_post"].sum()))


@kpi(
    id="sw_cases_held_count",
    title="Cases held by social workers",
    area="workforce",
    unit="count",
    polarity="neutral",
    windows=("snapshot",),
    cadence="monthly",
    source=_SOURCE,
    definition="Cases held by the teams' social workers at the month of period_end." + _ABSENT,
    numerator="cases_held summed over teams",
    comparator="Work_Force_Num_CaseHeld",
    breakdowns=("team",),
    inputs=(WORKFORCE_MONTH.reading("cases_held"),),
)
def sw_cases_held_count(inputs: KpiInputs, window: Window) -> Figure:
    """Cases held at the month end.

    Examples
    --------
    >>> w = local_frame("workforce_monthly", month=["2025-03-31"] * 2, team=["A", "B"],
    ...                 cases_held=[120, 95])
    >>> sw_cases_held_count(local_inputs(workforce_monthly=w),
    ...                     Window.of("snapshot", "2025-03-31"))
    Figure(numerator=215.0, denominator=None)
    """
    rows = _snapshot(inputs, window, ["cases_held"])
    if rows is None:
        return MISSING_COUNT
    return Figure(float(rows["cases_held"].sum()))
