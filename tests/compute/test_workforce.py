"""Workforce KPIs on tiny hand-built ``workforce_monthly`` frames."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmf_lib.compute.kpis import workforce as wf
from pmf_lib.compute.kpis._local import local_frame, local_inputs
from pmf_lib.compute.registry import Figure, all_kpis
from pmf_lib.config import load_config
from pmf_lib.dates import Window, month_ends
from pmf_lib.errors import PmfError
from tests.compute.local_kpi_props import (
    check_absent,
    check_properties,
    inputs_for,
    kpis_of,
    same,
    windows_of,
)

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


# ---- workforce development (one row per social worker per month) ---------------------------

MARCH = Window.of("snapshot", "2025-03-31")
R12_MARCH = Window.of("rolling_12m", "2025-03-31")


def development(settings=None, **columns):
    n = len(next(iter(columns.values())))
    columns.setdefault("month", ["2025-03-31"] * n)
    columns.setdefault("team", ["A"] * n)
    columns.setdefault("worker_id", [f"E{i}" for i in range(n)])
    inputs = local_inputs(workforce_development=local_frame("workforce_development", **columns))
    if settings is not None:
        inputs.settings = {"workforce_standards": settings}
    return inputs


def test_in_post_is_the_months_rows_less_leavers_each_worker_once():
    inputs = development(
        month=["2025-03-01", "2025-03-31", "2025-03-15", "2025-02-28", "2025-03-31"],
        worker_id=["E1", "E2", "E3", "E4", "E1"],
        leaving_date=[None, "2025-03-31", "2025-04-02", None, None],
        cases_held=[5, 9, 12, 30, 5],
    )
    # E1 listed twice in March (counted once), E2 left on 31 March (not in post at its end),
    # E3 leaves in April (in post), E4 is February's -> E1 and E3 hold cases: 2
    assert wf.in_post(inputs, MARCH)["worker_id"].tolist() == ["E3", "E1"]
    assert wf.wf_case_holders_count(inputs, MARCH) == Figure(2)


def test_asye_in_programme_and_completion_over_twelve_months():
    inputs = development(
        month=["2025-03-31"] * 4 + ["2025-01-31", "2024-06-30"],
        worker_id=["E1", "E2", "E3", "E4", "E5", "E6"],
        asye_status=[
            "in_programme",
            "completed",
            "in_programme",
            None,
            "not_completed",  # left in January before completing: its last row
            "completed",
        ],
        asye_end_date=[None, "2025-02-10", None, None, "2025-01-20", "2024-03-31"],
        leaving_date=[None, None, "2025-03-20", None, "2025-01-20", None],
    )
    # in programme at 31 March: E1 (E3 left on 20 March) -> 1
    assert wf.wf_asye_in_programme_count(inputs, MARCH) == Figure(1)
    # ended in Apr 2024 - Mar 2025: E2 completed, E5 not completed; E6 ended 31 March 2024,
    # the day before the window -> 1 of 2
    assert wf.wf_asye_completed_pct(inputs, R12_MARCH) == Figure(1, 2)


def test_asye_completion_counts_each_worker_once_from_their_latest_row():
    inputs = development(
        month=["2025-01-31", "2025-02-28", "2025-03-31"],
        worker_id=["E1", "E1", "E1"],
        asye_status=["not_completed", "completed", "completed"],  # corrected in February
        asye_end_date=["2025-01-15"] * 3,
    )
    assert wf.wf_asye_completed_pct(inputs, R12_MARCH) == Figure(1, 1)


def test_asye_figures_missing_when_the_export_has_no_asye_columns():
    inputs = development(cases_held=[3])
    inputs.local["workforce_development"].attrs["absent_columns"] = [
        "asye_status",
        "asye_start_date",
        "asye_end_date",
    ]
    assert math.isnan(wf.wf_asye_in_programme_count(inputs, MARCH).numerator)
    assert math.isnan(wf.wf_asye_completed_pct(inputs, R12_MARCH).numerator)
    assert wf.wf_case_holders_count(inputs, MARCH) == Figure(1)  # the rest still computed


def test_mandatory_training_complete_share_of_workers_in_post():
    inputs = development(
        training_due=[6, 6, 0, None, 7],
        training_completed=[6, 5, 0, 6, 8],
        leaving_date=[None, None, None, None, "2025-03-03"],
    )
    # in post: the first four; complete: 6 of 6 and 0 of 0; 5 of 6 is not, a blank due is
    # not -> 2 of 4
    assert wf.wf_training_complete_pct(inputs, MARCH) == Figure(2, 4)


def test_supervision_within_the_councils_timescale():
    columns = dict(
        start_date=["2020-01-01", None, "2024-06-01", "2025-03-10", "2020-01-01", "2025-02-20"],
        last_supervision_date=[
            "2025-03-03",  # 28 days before 31 March: in time
            "2025-03-02",  # 29 days: late
            None,  # never: late
            None,  # started 10 March: not yet due one, left out
            "2025-04-02",  # after the month end: not a supervision held by then
            "2025-02-20",  # started 20 Feb (39 days before): due; 39 days: late
        ],
    )
    # 28 days: due E0, E1, E2, E4, E5; in time E0 -> 1 of 5
    assert wf.wf_supervision_timely_pct(development(**columns), MARCH) == Figure(1, 5)
    # the council's own timescale, 42 days: E3 (21 days in post) and E5 (39) are not yet due
    # one; due E0, E1, E2, E4; in time E0 (28 days) and E1 (29) -> 2 of 4
    own = wf.WorkforceStandards(supervision_days=42)
    assert wf.wf_supervision_timely_pct(development(own, **columns), MARCH) == Figure(2, 4)


def test_caseload_distribution_bands_threshold_and_median():
    cases = [0, 3, 10, 11, 15, 16, 20, 21, 25, 26, None]
    inputs = development(cases_held=cases)
    # case holders: the 9 with 1 or more (0 and blank are not)
    assert wf.wf_case_holders_count(inputs, MARCH) == Figure(9)
    # more than 10: 11, 15, 16, 20, 21, 25, 26 = 7; > 15: 5; > 20: 3; > 25: 1
    got = [getattr(wf, f"wf_caseload_over_{e}_count")(inputs, MARCH) for e in wf.CASELOAD_BANDS]
    assert got == [Figure(7), Figure(5), Figure(3), Figure(1)]
    # over the default threshold (20): 21, 25, 26 -> 3 of 9; over 15: 5 of 9
    assert wf.wf_caseload_over_threshold_pct(inputs, MARCH) == Figure(3, 9)
    own = development(wf.WorkforceStandards(caseload_threshold=15), cases_held=cases)
    assert wf.wf_caseload_over_threshold_pct(own, MARCH) == Figure(5, 9)
    # median of 3, 10, 11, 15, 16, 20, 21, 25, 26 is 16: stored as 16 x 9 over 9
    fig = wf.wf_caseload_median(inputs, MARCH)
    assert fig == Figure(144.0, 9) and wf.wf_caseload_median.meta.value(fig) == 16.0


def test_caseload_bands_nest_for_disclosure():
    # each band's count is within the one below it, so disclosure's nesting rule applies
    chain = [all_kpis()[f"wf_caseload_over_{e}_count"].meta for e in wf.CASELOAD_BANDS]
    assert [m.subset_of for m in chain] == [
        "wf_case_holders_count",
        "wf_caseload_over_10_count",
        "wf_caseload_over_15_count",
        "wf_caseload_over_20_count",
    ]


def test_team_breakdowns_follow_the_councils_threshold():
    from pmf_lib.compute.breakdowns import compute_breakdowns

    inputs = development(
        wf.WorkforceStandards(caseload_threshold=15),
        team=["A", "A", "B", "B", "B"],
        cases_held=[16, 12, 20, 30, 2],
    )
    t = compute_breakdowns(inputs, "2025-03-31", ["wf_caseload_over_threshold_pct"])
    t = t[t["dimension"] == "team"].set_index("group")
    # over 15: team A 1 of 2, team B 2 of 3 (the threshold reaches each team's figure)
    assert (t.loc["A", "numerator"], t.loc["A", "denominator"]) == (1.0, 2.0)
    assert (t.loc["B", "numerator"], t.loc["B", "denominator"]) == (2.0, 3.0)


def test_workforce_development_row_order_changes_nothing():
    columns = dict(
        month=["2025-03-31"] * 4 + ["2025-02-28"],
        worker_id=["E1", "E2", "E3", "E1", "E1"],
        team=["A", "B", "A", "A", "A"],
        cases_held=[12, 22, 5, 13, 40],
        training_due=[6] * 5,
        training_completed=[6, 4, 6, 6, 6],
        last_supervision_date=["2025-03-10"] * 5,
        asye_status=["completed", None, "in_programme", "completed", "completed"],
        asye_end_date=["2025-01-02", None, None, "2025-01-02", "2025-01-02"],
    )
    forward = development(**columns)
    backward = development(**{k: v[::-1] for k, v in columns.items()})
    for k in kpis_of(wf):
        if k.meta.datasets == ("workforce_development",):
            for w in windows_of(k, "2025-03-31"):
                assert same(k(forward, w), k(backward, w)), k.meta.id


def test_workforce_standards_are_checked_in_the_config(tmp_path):
    base = (
        "council: {code: 938, name: Demo}\n"
        "data: {ssda903: a, cin_census: b, population: p.csv}\n"
        "areas: {workforce: {title: Workforce, kpis: [wf_supervision_timely_pct]}}\n"
    )
    p = tmp_path / "config.yaml"
    p.write_text(base)
    # not given: the defaults (28 days, 20 cases)
    c = load_config(p, check_files=False)
    assert (c.workforce_standards.supervision_days, c.workforce_standards.caseload_threshold) == (
        28,
        20,
    )
    p.write_text(base + "workforce_standards: {supervision_days: 42, caseload_treshold: 18}\n")
    with pytest.raises(PmfError) as e:  # a misspelt key is an error naming it
        load_config(p, check_files=False)
    assert e.value.field == "workforce_standards.caseload_treshold"
    p.write_text(base + "workforce_standards: {supervision_days: 0}\n")
    with pytest.raises(PmfError) as e:
        load_config(p, check_files=False)
    assert e.value.field == "workforce_standards.supervision_days"
