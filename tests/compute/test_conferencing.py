"""Conferencing KPIs on tiny hand-built ``conferencing`` frames (and 903 episodes)."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from pmf_lib.compute.kpis import conferencing as cf
from pmf_lib.compute.registry import Figure
from pmf_lib.dates import Window
from pmf_lib.read.tables import S903_COLUMNS, Ssda903, conform
from tests.compute.local_kpi_props import check_absent, check_properties, day, inputs_for

Q1 = Window.of("quarter", "2025-03-31")
YEAR = Window.of("rolling_12m", "2025-12-31")


def episodes(*rows) -> Ssda903:
    """903 episodes from (CHILD, DECOM, RNE, LS) tuples."""
    cla = Ssda903()
    frame = pd.DataFrame(rows, columns=["CHILD", "DECOM", "RNE", "LS"])
    frame["DECOM"] = pd.to_datetime(frame["DECOM"])
    cla.tables["episodes"] = conform(frame, S903_COLUMNS["episodes"])
    return cla


def meetings(cla: Ssda903 | None = None, **columns):
    return inputs_for("conferencing", columns, **({"cla": cla} if cla is not None else {}))


def test_absent_dataset_is_missing_not_zero():
    check_absent(cf)


def test_meetings_held_by_type():
    inputs = meetings(
        meeting_type=["ICPC", "ICPC", "RCPC", "CLA_REVIEW", "CLA_REVIEW", None],
        meeting_date=[
            "2025-01-01",
            "2025-04-01",
            "2025-03-31",
            "2025-02-02",
            "2024-12-31",
            "2025-02-02",
        ],
    )
    assert cf.conf_icpc_held_count(inputs, Q1) == Figure(1)
    assert cf.conf_rcpc_held_count(inputs, Q1) == Figure(1)  # held on the quarter's last day
    assert cf.conf_cla_reviews_held_count(inputs, Q1) == Figure(1)


def test_rcpc_due_three_months_after_icpc_then_six_after_rcpc():
    inputs = meetings(
        child_id=["a", "a", "a", "b", "b", "c", "d"],
        meeting_type=["ICPC", "RCPC", "RCPC", "ICPC", "RCPC", "RCPC", "RCPC"],
        meeting_date=[
            "2024-11-30",
            "2025-02-28",  # a: ICPC 30 Nov + 3 months = 28 Feb 2025 -> in time (exactly)
            "2025-08-29",  # a: previous RCPC 28 Feb + 6 months = 28 Aug -> late by a day
            "2025-01-15",
            "2025-04-16",  # b: due 15 Apr -> late
            "2025-05-01",  # c: no earlier conference; recorded due date 30 Apr -> late
            "2025-05-01",  # d: no earlier conference, no due date -> not judged
        ],
        due_date=[None, None, None, None, None, "2025-04-30", None],
    )
    # 2025: RCPCs a2, a3, b2, c judged (4); in time: a2 only
    assert cf.conf_rcpc_timely_pct(inputs, YEAR) == Figure(1, 4)
    # Q1 2025: a2 only
    assert cf.conf_rcpc_timely_pct(inputs, Q1) == Figure(1, 1)


def test_rcpc_derived_due_date_wins_over_recorded():
    inputs = meetings(
        child_id=["a", "a"],
        meeting_type=["ICPC", "RCPC"],
        meeting_date=["2025-01-10", "2025-04-10"],  # due 10 Apr by the 3-month rule
        due_date=[None, "2025-03-01"],  # a recorded (wrong) earlier date is not used
    )
    assert cf.conf_rcpc_timely_pct(inputs, Window.of("quarter", "2025-06-30")) == Figure(1, 1)


def test_cla_review_stages_and_timescales():
    cla = episodes(
        ("a", "2025-03-03", "S", "C2"),  # a: care starts Mon 3 Mar 2025
        ("a", "2025-05-01", "P", "C2"),  # a change of placement: same period of care
        ("b", "2025-03-03", "S", "V3"),  # short break only: not a period of care
        ("c", "2024-01-08", "S", "C2"),  # c: care began before the data covers
    )
    inputs = meetings(
        cla,
        child_id=["z", "a", "a", "a", "a", "b", "c"],
        meeting_type=["ICPC"] + ["CLA_REVIEW"] * 6,
        meeting_date=[
            "2025-01-02",  # the earliest meeting: the data covers periods of care from here
            "2025-03-31",  # a 1st: 3 Mar -> 31 Mar is exactly 20 working days -> in time
            "2025-06-30",  # a 2nd: 31 Mar + 3 months = 30 Jun -> in time (exactly)
            "2026-01-01",  # a 3rd: 30 Jun + 6 months = 30 Dec -> late
            "2026-06-30",  # a 4th: 1 Jan + 6 months = 1 Jul -> in time
            "2025-03-31",  # b: no period of care -> stage unknown, no due date -> not judged
            "2025-03-10",  # c: period of care started before coverage -> stage unknown
        ],
        due_date=[None, None, None, None, None, None, "2025-03-31"],
    )
    window = Window.of("rolling_12m", "2026-06-30")  # Jul 2025 - Jun 2026
    whole = Window.of("rolling_12m", "2025-12-31")
    assert cf.conf_cla_review_first_20wd_pct(inputs, whole) == Figure(1, 1)
    assert cf.conf_cla_review_second_3m_pct(inputs, whole) == Figure(1, 1)
    assert cf.conf_cla_review_later_6m_pct(inputs, window) == Figure(1, 2)
    # all reviews in 2025: a1, a2 (stage), c (recorded due 31 Mar, held 10 Mar: in time);
    # b has neither a stage nor a due date -> 3 judged, 3 in time
    assert cf.conf_cla_reviews_timely_pct(inputs, whole) == Figure(3, 3)
    assert cf.conf_cla_reviews_timely_pct(inputs, window) == Figure(1, 2)


def test_first_review_21_working_days_is_late_and_bank_holidays_count():
    # Care starts Thu 10 Apr 2025. Working days: 10-11 (2), 14-17 (6; 18 and 21 Apr bank
    # holidays), 22-25 (10), 28 Apr-2 May (15), 6-9 May (19; 5 May bank holiday), 12 May (20).
    # So a review on Tue 13 May is exactly 20 working days; Wed 14 May is 21.
    cla = episodes(("a", "2025-04-10", "S", "C2"), ("b", "2025-04-10", "S", "C2"))
    inputs = meetings(
        cla,
        child_id=["z", "a", "b"],
        meeting_type=["ICPC", "CLA_REVIEW", "CLA_REVIEW"],
        meeting_date=["2025-01-02", "2025-05-13", "2025-05-14"],
    )
    q = Window.of("quarter", "2025-06-30")
    assert cf.conf_cla_review_first_20wd_pct(inputs, q) == Figure(1, 2)


def test_a_new_period_of_care_restarts_the_review_sequence():
    cla = episodes(("a", "2025-02-03", "S", "C2"), ("a", "2025-09-01", "S", "C2"))
    inputs = meetings(
        cla,
        child_id=["z", "a", "a"],
        meeting_type=["ICPC", "CLA_REVIEW", "CLA_REVIEW"],
        meeting_date=["2025-01-02", "2025-02-28", "2025-09-26"],
    )
    # both are first reviews: 3 Feb -> 28 Feb = 19 working days; 1 Sep -> 26 Sep = 19
    assert cf.conf_cla_review_first_20wd_pct(inputs, YEAR) == Figure(2, 2)
    assert cf.conf_cla_review_second_3m_pct(inputs, YEAR) == Figure(0, 0)


def test_stage_kpis_missing_without_903_episodes():
    inputs = meetings(child_id=["a"], meeting_type=["CLA_REVIEW"], meeting_date=["2025-03-01"])
    fig = cf.conf_cla_review_first_20wd_pct(inputs, Q1)
    assert math.isnan(fig.numerator)


@st.composite
def conf_columns(draw):
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["a", "b", "c"]),
                st.sampled_from(["ICPC", "RCPC", "CLA_REVIEW"]),
                st.integers(0, 500),
                st.one_of(st.none(), st.integers(-5, 200)),
            ),
            max_size=20,
        )
    )
    return {
        "child_id": [r[0] for r in rows],
        "meeting_type": [r[1] for r in rows],
        "meeting_date": [day(r[2]) for r in rows],
        "due_date": [None if r[3] is None else day(r[2] + r[3]) for r in rows],
    }


@settings(max_examples=15, deadline=None)
@given(
    columns=conf_columns(),
    starts=st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(-30, 500)), max_size=4),
    seed=st.integers(0, 2**16),
)
def test_conferencing_kpi_properties(columns, starts, seed):
    cla = episodes(*[(c, day(d), "S", "C2") for c, d in starts])
    future = {
        "child_id": "a",
        "meeting_type": "CLA_REVIEW",
        "meeting_date": "2026-01-05",
        "due_date": "2026-01-06",
    }
    check_properties(cf, "conferencing", columns, future, seed, cla=cla)
