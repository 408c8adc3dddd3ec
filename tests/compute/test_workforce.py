"""Workforce KPIs on tiny hand-built ``workforce_monthly`` frames."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from pmf_lib.compute.kpis import workforce as wf
from pmf_lib.compute.kpis._local import local_frame, local_inputs
from pmf_lib.compute.registry import Figure
from pmf_lib.dates import Window, month_ends
from tests.compute.local_kpi_props import check_absent, check_properties, inputs_for

END = Window.of("snapshot", "2025-03-31")


def workforce(**columns):
    return inputs_for("workforce_monthly", columns)


def year_to(period_end: str, **per_month) -> dict:
    """One team's rows for the 12 months ending ``period_end``."""
    months = [
        str(d.date())
        for d in month_ends(pd.Timestamp(period_end) - pd.DateOffset(months=11), period_end)
    ]
    cols = {"month": months, "team": ["A"] * 12}
    for name, value in per_month.items():
        cols[name] = value if isinstance(value, list) else [value] * 12
    return cols


def test_absent_dataset_is_missing_not_zero():
    check_absent(wf)


def test_vacancy_and_agency_rates_sum_over_teams_at_the_month():
    inputs = workforce(
        month=["2025-03-31", "2025-03-31", "2025-02-28"],
        team=["A", "B", "A"],
        fte_in_post=[10.0, 6.0, 99.0],  # February's row is not March's
        agency_fte=[2.0, 2.0, 99.0],
        vacancies_fte=[3.0, 1.0, 99.0],
    )
    # vacancy: 4 / (4 + 16) = 20%; agency: 4 / (4 + 16) = 20%
    assert wf.sw_vacancy_rate_pct(inputs, END) == Figure(4.0, 20.0)
    assert wf.sw_agency_rate_pct(inputs, END) == Figure(4.0, 20.0)
    assert wf.sw_fte_in_post(inputs, END) == Figure(16.0)


def test_a_month_without_rows_or_with_a_missing_value_is_missing():
    inputs = workforce(
        month=["2025-02-28", "2025-03-31", "2025-03-31"],
        team=["A", "A", "B"],
        fte_in_post=[10.0, 10.0, None],  # team B's March FTE could not be read
        vacancies_fte=[1.0, 1.0, 1.0],
    )
    assert math.isnan(wf.sw_vacancy_rate_pct(inputs, END).numerator)  # not 2 / 12
    assert math.isnan(wf.sw_fte_in_post(inputs, Window.of("snapshot", "2025-04-30")).numerator)
    assert wf.sw_vacancy_rate_pct(inputs, Window.of("snapshot", "2025-02-28")) == Figure(1.0, 11.0)


def test_turnover_needs_all_twelve_months():
    cols = year_to("2025-03-31", fte_in_post=[30.0] * 11 + [25.0], leavers=[1, 0, 2] * 4)
    # leavers over the 12 months: (1 + 0 + 2) x 4 = 12; FTE in post in March 2025: 25
    window = Window.of("rolling_12m", "2025-03-31")
    assert wf.sw_turnover_rate_pct(workforce(**cols), window) == Figure(12.0, 25.0)
    assert wf.sw_turnover_rate_pct.meta.value(Figure(12.0, 25.0)) == 48.0
    gap = {k: v[1:] for k, v in cols.items()}  # April 2024 missing
    assert math.isnan(wf.sw_turnover_rate_pct(workforce(**gap), window).numerator)


def test_absence_rate_uses_working_days_of_each_month():
    # March 2025: 21 working days. April 2025: 22 weekdays less Good Friday (18) and Easter
    # Monday (21) = 20 working days.
    inputs = workforce(
        month=["2025-03-31", "2025-04-30"],
        team=["A", "A"],
        fte_in_post=[10.0, 5.0],
        sickness_days=[21.0, 10.0],
    )
    assert wf.sw_absence_rate_pct(inputs, Window.of("month", "2025-04-30")) == Figure(10.0, 100.0)
    # 12 months to April 2025 are not all supplied: missing
    assert math.isnan(
        wf.sw_absence_rate_pct(inputs, Window.of("rolling_12m", "2025-04-30")).numerator
    )
    cols = year_to("2025-03-31", fte_in_post=2.0, sickness_days=1.0)
    # Apr 2024 - Mar 2025 has 254 working days: 261 weekdays less 7 bank holidays (Easter
    # Monday 1 Apr 2024, 6 and 27 May, 26 Aug, 25 and 26 Dec, 1 Jan 2025)
    fig = wf.sw_absence_rate_pct(workforce(**cols), Window.of("rolling_12m", "2025-03-31"))
    assert fig == Figure(12.0, 2.0 * 254)


def test_caseload_per_fte_of_case_holding_teams():
    inputs = workforce(
        month=["2025-03-31"] * 3,
        team=["A", "B", "Managers"],
        fte_in_post=[8.0, 5.0, 4.0],
        agency_fte=[2.0, 1.0, 0.0],
        cases_held=[170, 100, 0],
    )
    # cases 270 over FTE of teams holding cases: (8 + 2) + (5 + 1) = 16
    assert wf.sw_caseload_avg(inputs, END) == Figure(270.0, 16.0)
    assert wf.sw_cases_held_count(inputs, END) == Figure(270.0)


@st.composite
def workforce_columns(draw):
    keys = draw(st.sets(st.tuples(st.integers(0, 26), st.sampled_from(["A", "B"])), max_size=20))
    months = month_ends("2023-01", "2025-03")
    keys = sorted(keys)
    n = len(keys)
    fte = st.one_of(st.none(), st.floats(0, 30, allow_nan=False))
    ints = st.one_of(st.none(), st.integers(0, 200))
    return {
        "month": [str(months[m].date()) for m, _ in keys],
        "team": [t for _, t in keys],
        "fte_in_post": draw(st.lists(fte, min_size=n, max_size=n)),
        "agency_fte": draw(st.lists(fte, min_size=n, max_size=n)),
        "vacancies_fte": draw(st.lists(fte, min_size=n, max_size=n)),
        "leavers": draw(st.lists(ints, min_size=n, max_size=n)),
        "sickness_days": draw(st.lists(fte, min_size=n, max_size=n)),
        "cases_held": draw(st.lists(ints, min_size=n, max_size=n)),
    }


@settings(max_examples=15, deadline=None)
@given(columns=workforce_columns(), seed=st.integers(0, 2**16))
def test_workforce_kpi_properties(columns, seed):
    future = {
        "month": "2026-01-31",
        "team": "A",
        "fte_in_post": 5.0,
        "agency_fte": 1.0,
        "vacancies_fte": 1.0,
        "leavers": 1,
        "sickness_days": 2.0,
        "cases_held": 40,
    }
    check_properties(wf, "workforce_monthly", columns, future, seed)


def test_absence_rate_is_missing_when_days_lost_exceed_days_available():
    # Team A: 0 FTE in post in March 2025 but 1 sickness day recorded: 0 days available,
    # so no rate can be given (not 100%, not infinite): the figure is missing.
    march = Window.of("month", "2025-03-31")
    w = local_frame(
        "workforce_monthly",
        month=["2025-03-31"],
        team=["A"],
        fte_in_post=[0.0],
        sickness_days=[1.0],
    )
    fig = wf.sw_absence_rate_pct(local_inputs(workforce_monthly=w), march)
    assert math.isnan(fig.numerator) and fig.denominator == 0.0
    assert math.isnan(wf.sw_absence_rate_pct.meta.value(fig))
    # 1 FTE x 21 working days available in March 2025, 25 days recorded lost -> missing.
    w = local_frame(
        "workforce_monthly",
        month=["2025-03-31"],
        team=["A"],
        fte_in_post=[1.0],
        sickness_days=[25.0],
    )
    fig = wf.sw_absence_rate_pct(local_inputs(workforce_monthly=w), march)
    assert math.isnan(fig.numerator) and fig.denominator == 21.0
