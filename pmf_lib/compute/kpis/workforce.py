"""Social-work workforce: the monthly team return ``workforce_monthly`` and the monthly
snapshot of each social worker ``workforce_development``.

One row per team per month as at the month end. The KPIs follow the DfE
children's social work workforce (CSWW) indicators, which LAIT publishes as at
30 September (``csww_indicators_*.csv``):

* vacancy rate = vacancies FTE / (vacancies FTE + FTE in post);
* agency rate = agency FTE / (agency FTE + FTE in post);
* turnover rate = leavers in the year / FTE in post at the year end;
* sickness absence rate = days lost / (FTE in post x working days);
* average caseload = cases held / FTE of case-holding social workers.

The workforce development snapshot (one row per social worker per month: team, role,
ASYE, mandatory training, last supervision, cases held) gives the ASYEs in programme and
their completion rate, mandatory training completion, supervision within the council's
timescale (``workforce_standards.supervision_days``) and the caseload distribution: the
case holders, those over each band edge (:data:`CASELOAD_BANDS`), those over the council's
threshold (``workforce_standards.caseload_threshold``) and the median; each by team.

Figures over the monthly return are correct or nothing: a KPI is missing (numerator NaN) when the
dataset is absent, when a month it needs has no rows, or when a value it needs
is missing in any row of those months (an unreadable cell the validation stage
reports), rather than summed over the teams that happen to be complete.
"""

from __future__ import annotations

import pandas as pd

from pmf_lib.compute.kpis._common import memo_on_frame
from pmf_lib.compute.kpis._inputs import R12, WORKFORCE_MONTH, local
from pmf_lib.compute.kpis._local import (
    MISSING_COUNT,
    MISSING_RATIO,
    coded,
    count,
    dataset,
    in_window,
    local_frame,  # noqa: F401 (docstring examples)
    local_inputs,  # noqa: F401 (docstring examples)
)
from pmf_lib.compute.registry import Figure, KpiInputs, kpi
from pmf_lib.config import WorkforceStandards
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


# ---- workforce development (one row per social worker per month) --------------------------

_DEV = "workforce_development"
_DEV_SOURCE = "Workforce development snapshot (workforce_development)"
_DEV_ABSENT = (
    " Missing (not 0) when the council does not supply the workforce development data, or "
    "a column the figure needs."
)
_IN_POST = (
    "Social workers in post at the month end of period_end: the rows of that month "
    "(workforce_development, one per worker; a worker listed twice counts once) without a "
    "leaving_date on or before the month end."
)
#: The month's rows of the workforce development snapshot (its feed for snapshot KPIs).
DEV_MONTH = local(_DEV, "month", ("snapshot",))
#: The ASYE programmes ended in the 12 months.
DEV_ASYE_ENDED = local(_DEV, "asye_end_date", R12)
#: The caseload band edges: a KPI counts the case-holding social workers holding more cases.
CASELOAD_BANDS = (10, 15, 20, 25)


def standards(inputs: KpiInputs) -> WorkforceStandards:
    """The council's ``workforce_standards`` from the config (its defaults when not given).

    Examples
    --------
    >>> standards(KpiInputs()).supervision_days
    28
    >>> own = WorkforceStandards(supervision_days=42)
    >>> standards(KpiInputs(settings={"workforce_standards": own})).supervision_days
    42
    """
    found = inputs.settings.get("workforce_standards")
    return found if isinstance(found, WorkforceStandards) else WorkforceStandards()


def _development(inputs: KpiInputs, columns: tuple[str, ...]) -> pd.DataFrame | None:
    """The snapshot, or None when it is not supplied or lacks one of ``columns``."""
    df = dataset(inputs, _DEV)
    if df is None or set(columns) & set(df.attrs.get("absent_columns", ())):
        return None
    return df


def in_post(
    inputs: KpiInputs, window: Window, *columns: str, also: tuple[str, ...] = ()
) -> pd.DataFrame | None:
    """The month's rows of the social workers in post at its end (None: not supplied).

    The rows whose ``month`` falls in the month of ``window.end``, less those with a
    ``leaving_date`` on or before the month end; a worker listed twice in the month
    counts once (:func:`once`, by ``columns`` and ``also``: what the KPI reads). None
    when the dataset, or one of ``columns``, is not supplied (an optional column the KPI
    can do without goes in ``also``).

    Examples
    --------
    >>> df = local_frame("workforce_development", month=["2025-03-01"] * 3 + ["2025-02-28"],
    ...                  worker_id=["E1", "E2", "E1", "E3"], team=["A"] * 4,
    ...                  leaving_date=[None, "2025-03-14", None, None])
    >>> in_post(local_inputs(workforce_development=df), Window.of("snapshot", "2025-03-31"))[
    ...     "worker_id"].tolist()
    ['E1']
    """
    df = _development(inputs, columns)
    if df is None:
        return None
    end = pd.Timestamp(month_end(window.end))
    rows = df.iloc[memo_on_frame("workforce_development months", df, _month_rows).get(end, [])]
    left = (rows["leaving_date"] <= end).fillna(False).astype(bool)
    return once(rows[~left.to_numpy()], ("leaving_date", *columns, *also))


def _month_rows(df: pd.DataFrame) -> dict:
    """Month end -> the positions of its rows (made once per frame: every KPI and month)."""
    mend = (pd.to_datetime(df["month"]) + pd.offsets.MonthEnd(0)).dt.normalize()
    return {pd.Timestamp(k): v for k, v in mend.groupby(mend).indices.items()}


def once(rows: pd.DataFrame, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Each worker's one row: of rows listing a worker twice, the later month's (then the
    last in the order of the values of ``by``, the columns the KPI reads, so the file's row
    order changes nothing).

    Examples
    --------
    >>> df = local_frame("workforce_development", month=["2025-03-31", "2025-02-28"] * 2,
    ...                  worker_id=["E1", "E1", "E2", None], cases_held=[4, 9, 1, 2])
    >>> once(df, ("cases_held",))[["worker_id", "cases_held"]].values.tolist()
    [[<NA>, 2], ['E1', 4], ['E2', 1]]
    """
    if not rows["worker_id"].duplicated().any():
        return rows  # nobody listed twice: nothing to choose
    keys = list(dict.fromkeys(("month", "worker_id", *by)))
    ordered = rows.sort_values(keys, kind="stable", na_position="first")
    ids = ordered["worker_id"]
    return ordered[~(ids.notna() & ids.duplicated(keep="last")).fillna(False).to_numpy()]


def _case_holders(inputs: KpiInputs, window: Window) -> pd.Series | None:
    """Cases held by each case-holding social worker in post (None: not supplied).

    Worked out once per frame and month end: the six caseload KPIs share it.
    """
    df = _development(inputs, ("cases_held",))
    if df is None:
        return None
    end = pd.Timestamp(month_end(window.end))
    by_end = memo_on_frame("workforce_development case holders", df, lambda _: {})
    if end not in by_end:
        rows = in_post(inputs, window, "cases_held")
        cases = rows["cases_held"].astype("Float64")
        by_end[end] = cases[(cases >= 1).fillna(False).astype(bool)].astype(float)
    return by_end[end]


@kpi(
    id="wf_asye_in_programme_count",
    title="Newly qualified social workers in their ASYE",
    area="workforce",
    unit="count",
    polarity="neutral",
    windows=("snapshot",),
    cadence="monthly",
    source=_DEV_SOURCE,
    definition=(
        _IN_POST + " Of them, those whose asye_status is 'in_programme' (in their Assessed "
        "and Supported Year in Employment at the month end)." + _DEV_ABSENT
    ),
    numerator="Social workers in post at the month end with asye_status in_programme",
    breakdowns=("team",),
    inputs=(DEV_MONTH.reading("worker_id", "leaving_date", "asye_status"),),
)
def wf_asye_in_programme_count(inputs: KpiInputs, window: Window) -> Figure:
    """ASYEs in programme at the month end.

    Examples
    --------
    >>> df = local_frame("workforce_development", month=["2025-03-31"] * 3,
    ...                  worker_id=["E1", "E2", "E3"], team=["A"] * 3,
    ...                  asye_status=["in_programme", "completed", None])
    >>> wf_asye_in_programme_count(local_inputs(workforce_development=df),
    ...                            Window.of("snapshot", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    rows = in_post(inputs, window, "asye_status")
    if rows is None:
        return MISSING_COUNT
    return Figure(count(coded(rows["asye_status"], "in_programme")))


@kpi(
    id="wf_asye_completed_pct",
    title="ASYE completion rate (12 months)",
    area="workforce",
    unit="percent",
    polarity="higher_is_better",
    windows=("rolling_12m",),
    cadence="rolling",
    source=_DEV_SOURCE,
    definition=(
        "Of the ASYE programmes that ended in the 12 months ending period_end (asye_end_date "
        "in the window and asye_status 'completed' or 'not_completed', failed or left before "
        "completing; each worker once, from their latest month's row), the % completed. A "
        "worker who leaves during the ASYE ends it not completed." + _DEV_ABSENT
    ),
    numerator="ASYEs ended in the 12 months with asye_status completed",
    denominator="ASYEs ended in the 12 months (completed or not_completed)",
    breakdowns=("team",),
    inputs=(DEV_ASYE_ENDED.reading("month", "worker_id", "asye_status"),),
)
def wf_asye_completed_pct(inputs: KpiInputs, window: Window) -> Figure:
    """ASYEs completed, of those ended in the 12 months.

    Examples
    --------
    >>> df = local_frame("workforce_development", month=["2025-01-31", "2025-02-28",
    ...     "2025-02-28", "2024-02-29"], worker_id=["E1", "E1", "E2", "E3"], team=["A"] * 4,
    ...     asye_status=["completed", "completed", "not_completed", "completed"],
    ...     asye_end_date=["2025-01-10", "2025-01-10", "2025-02-03", "2024-02-01"])
    >>> wf_asye_completed_pct(local_inputs(workforce_development=df),
    ...                       Window.of("rolling_12m", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    df = _development(inputs, ("asye_status", "asye_end_date"))
    if df is None:
        return MISSING_RATIO
    ended = in_window(df["asye_end_date"], window) & coded(
        df["asye_status"], "completed", "not_completed"
    )
    rows = once(df[ended.to_numpy()], ("asye_status",))
    return Figure(count(coded(rows["asye_status"], "completed")), len(rows))


@kpi(
    id="wf_training_complete_pct",
    title="Social workers with their mandatory training complete",
    area="workforce",
    unit="percent",
    polarity="higher_is_better",
    windows=("snapshot",),
    cadence="monthly",
    source=_DEV_SOURCE,
    definition=(
        _IN_POST + " Of them, the % whose training_completed is at least their training_due "
        "(every mandatory module due by the month end completed and in date; a worker with "
        "none due counts as complete, one with either figure blank as not)." + _DEV_ABSENT
    ),
    numerator="Social workers in post with training_completed >= training_due",
    denominator="Social workers in post at the month end",
    breakdowns=("team",),
    inputs=(DEV_MONTH.reading("worker_id", "leaving_date", "training_due", "training_completed"),),
)
def wf_training_complete_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Social workers whose mandatory training is complete, of those in post.

    Examples
    --------
    >>> df = local_frame("workforce_development", month=["2025-03-31"] * 4,
    ...                  worker_id=["E1", "E2", "E3", "E4"], team=["A"] * 4,
    ...                  training_due=[6, 6, 0, None], training_completed=[6, 5, 0, 6])
    >>> wf_training_complete_pct(local_inputs(workforce_development=df),
    ...                          Window.of("snapshot", "2025-03-31"))
    Figure(numerator=2, denominator=4)
    """
    rows = in_post(inputs, window, "training_due", "training_completed")
    if rows is None:
        return MISSING_RATIO
    done = rows["training_completed"] >= rows["training_due"]
    return Figure(count(done), len(rows))


@kpi(
    id="wf_supervision_timely_pct",
    title="Social workers supervised within the council's timescale",
    area="workforce",
    unit="percent",
    polarity="higher_is_better",
    windows=("snapshot",),
    cadence="monthly",
    source=_DEV_SOURCE,
    definition=(
        _IN_POST + " Of them, those who started at least the council's timescale "
        "(workforce_standards.supervision_days in the config, default 28 calendar days) before "
        "the month end (a blank start_date counts as started), the % whose "
        "last_supervision_date is on or before the month end and at most that many days "
        "before it (a blank date is not in time)." + _DEV_ABSENT
    ),
    numerator="Those social workers last supervised at most supervision_days before the month end",
    denominator="Social workers in post at the month end who started supervision_days or more "
    "before it",
    breakdowns=("team",),
    inputs=(DEV_MONTH.reading("worker_id", "leaving_date", "start_date", "last_supervision_date"),),
)
def wf_supervision_timely_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Supervision in time (``workforce_standards.supervision_days``), of those due one.

    Examples
    --------
    >>> # 31 March 2025, 28 days: E1 supervised 3 March (28 days before: in time), E2 on
    >>> # 2 March (29 days: late), E3 never; E4 started 10 March, not yet due one.
    >>> df = local_frame("workforce_development", month=["2025-03-31"] * 4,
    ...     worker_id=["E1", "E2", "E3", "E4"], team=["A"] * 4,
    ...     start_date=["2020-01-01", None, "2024-06-01", "2025-03-10"],
    ...     last_supervision_date=["2025-03-03", "2025-03-02", None, None])
    >>> wf_supervision_timely_pct(local_inputs(workforce_development=df),
    ...                           Window.of("snapshot", "2025-03-31"))
    Figure(numerator=1, denominator=3)
    """
    rows = in_post(inputs, window, "last_supervision_date", also=("start_date",))
    if rows is None:
        return MISSING_RATIO
    days = standards(inputs).supervision_days
    end = pd.Timestamp(month_end(window.end))
    start = rows["start_date"]
    due = (start.isna() | (start <= end - pd.Timedelta(days=days))).astype(bool)
    since = (end - rows["last_supervision_date"]).dt.days
    timely = ((since >= 0) & (since <= days)).fillna(False).astype(bool)
    return Figure(count(timely & due), count(due))


@kpi(
    id="wf_case_holders_count",
    title="Case-holding social workers",
    area="workforce",
    unit="count",
    polarity="neutral",
    windows=("snapshot",),
    cadence="monthly",
    source=_DEV_SOURCE,
    definition=(
        _IN_POST + " Of them, those holding at least one case (cases_held 1 or more; a "
        "blank is not counted)." + _DEV_ABSENT
    ),
    numerator="Social workers in post at the month end with cases_held >= 1",
    breakdowns=("team",),
    inputs=(DEV_MONTH.reading("worker_id", "leaving_date", "cases_held"),),
)
def wf_case_holders_count(inputs: KpiInputs, window: Window) -> Figure:
    """Case-holding social workers in post at the month end.

    Examples
    --------
    >>> df = local_frame("workforce_development", month=["2025-03-31"] * 3,
    ...                  worker_id=["E1", "E2", "E3"], team=["A"] * 3, cases_held=[12, 0, None])
    >>> wf_case_holders_count(local_inputs(workforce_development=df),
    ...                       Window.of("snapshot", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    cases = _case_holders(inputs, window)
    if cases is None:
        return MISSING_COUNT
    return Figure(len(cases))


def _caseload_over(edge: int, parent: str):
    """The KPI counting the case-holding social workers holding more than ``edge`` cases."""

    def over(inputs: KpiInputs, window: Window) -> Figure:
        cases = _case_holders(inputs, window)
        if cases is None:
            return MISSING_COUNT
        return Figure(int((cases > edge).sum()))

    over.__name__ = over.__qualname__ = f"wf_caseload_over_{edge}_count"
    over.__doc__ = f"""Case-holding social workers holding more than {edge} cases.

    Examples
    --------
    >>> df = local_frame("workforce_development", month=["2025-03-31"] * 3,
    ...                  worker_id=["E1", "E2", "E3"], team=["A"] * 3,
    ...                  cases_held=[{edge}, {edge + 1}, {edge + 9}])
    >>> wf_caseload_over_{edge}_count(local_inputs(workforce_development=df),
    ...     Window.of("snapshot", "2025-03-31"))
    Figure(numerator=2, denominator=None)
    """
    return kpi(
        id=f"wf_caseload_over_{edge}_count",
        title=f"Social workers holding more than {edge} cases",
        area="workforce",
        unit="count",
        polarity="lower_is_better",
        windows=("snapshot",),
        cadence="monthly",
        source=_DEV_SOURCE,
        definition=(
            f"Of the case-holding social workers in post at the month end "
            f"(wf_case_holders_count), those holding more than {edge} cases. With the other "
            f"bands ({', '.join(str(b) for b in CASELOAD_BANDS)}) it gives the caseload "
            f"distribution; each band's count is within the one below it, so members' and "
            f"public reports withhold one that differs from it by 1 to 4." + _DEV_ABSENT
        ),
        numerator=f"Case-holding social workers in post with cases_held > {edge}",
        subset_of=parent,
        breakdowns=("team",),
        inputs=(DEV_MONTH.reading("worker_id", "leaving_date", "cases_held"),),
    )(over)


wf_caseload_over_10_count = _caseload_over(10, "wf_case_holders_count")
wf_caseload_over_15_count = _caseload_over(15, "wf_caseload_over_10_count")
wf_caseload_over_20_count = _caseload_over(20, "wf_caseload_over_15_count")
wf_caseload_over_25_count = _caseload_over(25, "wf_caseload_over_20_count")


@kpi(
    id="wf_caseload_over_threshold_pct",
    title="Social workers over the council's caseload threshold",
    area="workforce",
    unit="percent",
    polarity="lower_is_better",
    windows=("snapshot",),
    cadence="monthly",
    source=_DEV_SOURCE,
    definition=(
        "Of the case-holding social workers in post at the month end (wf_case_holders_count), "
        "the % holding more cases than the council's threshold "
        "(workforce_standards.caseload_threshold in the config, default 20)." + _DEV_ABSENT
    ),
    numerator="Case-holding social workers in post with cases_held > caseload_threshold",
    denominator="Case-holding social workers in post at the month end",
    breakdowns=("team",),
    inputs=(DEV_MONTH.reading("worker_id", "leaving_date", "cases_held"),),
)
def wf_caseload_over_threshold_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Case holders over ``workforce_standards.caseload_threshold``, of all case holders.

    Examples
    --------
    >>> df = local_frame("workforce_development", month=["2025-03-31"] * 4,
    ...                  worker_id=["E1", "E2", "E3", "E4"], team=["A"] * 4,
    ...                  cases_held=[20, 21, 8, 0])
    >>> wf_caseload_over_threshold_pct(local_inputs(workforce_development=df),
    ...                                Window.of("snapshot", "2025-03-31"))
    Figure(numerator=1, denominator=3)
    """
    cases = _case_holders(inputs, window)
    if cases is None:
        return MISSING_RATIO
    return Figure(int((cases > standards(inputs).caseload_threshold).sum()), len(cases))


@kpi(
    id="wf_caseload_median",
    title="Median caseload of case-holding social workers",
    area="workforce",
    unit="mean",
    polarity="lower_is_better",
    windows=("snapshot",),
    cadence="monthly",
    source=_DEV_SOURCE,
    definition=(
        "The median cases held by the case-holding social workers in post at the month end "
        "(wf_case_holders_count): half hold this many or fewer. Unlike the average per FTE "
        "(sw_caseload_avg, by team from the monthly return) it counts each worker once, "
        "whatever their hours, and is not pulled up by a few very high caseloads. Stored as "
        "the median times the case holders over the case holders, so members' and public "
        "reports withhold it when 1 to 4 workers hold cases." + _DEV_ABSENT
    ),
    numerator="The median cases held times the number of case-holding social workers",
    denominator="Case-holding social workers in post at the month end",
    inputs=(DEV_MONTH.reading("worker_id", "leaving_date", "cases_held"),),
)
def wf_caseload_median(inputs: KpiInputs, window: Window) -> Figure:
    """The median caseload (value = numerator / denominator).

    Examples
    --------
    >>> df = local_frame("workforce_development", month=["2025-03-31"] * 5,
    ...                  worker_id=["E1", "E2", "E3", "E4", "E5"], team=["A"] * 5,
    ...                  cases_held=[5, 30, 17, 0, 19])
    >>> fig = wf_caseload_median(local_inputs(workforce_development=df),
    ...                          Window.of("snapshot", "2025-03-31"))
    >>> fig, wf_caseload_median.meta.value(fig)
    (Figure(numerator=72.0, denominator=4), 18.0)
    """
    cases = _case_holders(inputs, window)
    if cases is None:
        return MISSING_RATIO
    if cases.empty:
        return Figure(float("nan"), 0)
    return Figure(float(cases.median()) * len(cases), len(cases))
