"""Complaints and compliments KPIs on tiny hand-built ``complaints`` frames."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from pmf_lib.compute.kpis import complaints as cm
from pmf_lib.compute.registry import Figure
from pmf_lib.dates import Window
from tests.compute.local_kpi_props import check_absent, check_properties, day, inputs_for

Q1 = Window.of("quarter", "2025-03-31")  # 1 Jan - 31 Mar 2025
Q2 = Window.of("quarter", "2025-06-30")  # 1 Apr - 30 Jun 2025


def complaints(**columns):
    return inputs_for("complaints", columns)


def test_metadata_is_quarterly_with_a_quarter_window():
    for k in (cm.complaints_received_count, cm.complaints_stage1_10wd_pct, cm.compliments_count):
        assert k.meta.cadence == "quarterly" and "quarter" in k.meta.windows


def test_absent_dataset_is_missing_not_zero():
    check_absent(cm)


def test_received_by_stage_and_compliments():
    inputs = complaints(
        kind=["complaint", "complaint", "complaint", "complaint", "compliment", "compliment"],
        stage=["1", "1", "2", "3", None, None],
        received_date=[
            "2025-01-01",  # first day of the quarter
            "2024-12-31",  # the day before: out
            "2025-03-31",  # last day of the quarter
            "2025-02-10",
            "2025-02-11",
            "2025-04-01",  # compliment after the quarter
        ],
    )
    assert cm.complaints_received_count(inputs, Q1) == Figure(3)  # rows 1, 3, 4
    assert cm.complaints_stage1_count(inputs, Q1) == Figure(1)
    assert cm.complaints_stage2_count(inputs, Q1) == Figure(1)
    assert cm.complaints_stage3_count(inputs, Q1) == Figure(1)
    assert cm.compliments_count(inputs, Q1) == Figure(1)


def test_stage1_10_and_20_working_days_across_easter():
    # Received Tue 8 Apr 2025. Working days from 8 Apr: 8-11 (4), 14-17 (8; Good Friday 18
    # and Easter Monday 21 Apr are bank holidays), 22 (9), 23 (10), 24 (11) ...
    # so a response on Thu 24 Apr is exactly 10 working days, Fri 25 Apr is 11.
    # 20 working days: 24-25 Apr (12), 28 Apr-2 May (17), 6-8 May (20; 5 May bank holiday),
    # so Fri 9 May is exactly 20, Mon 12 May is 21.
    inputs = complaints(
        kind=["complaint"] * 6,
        stage=["1", "1", "1", "1", "2", "1"],
        received_date=["2025-04-08"] * 5 + ["2025-04-10"],
        responded_date=[
            "2025-04-24",  # 10 -> within 10 and 20
            "2025-04-25",  # 11 -> within 20 only
            "2025-05-09",  # 20 -> within 20 only
            "2025-05-12",  # 21 -> neither
            "2025-04-24",  # stage 2: not in the stage 1 KPIs
            "2025-04-09",  # responded before receipt: in the denominator, not within
        ],
    )
    assert cm.complaints_stage1_10wd_pct(inputs, Q2) == Figure(1, 5)
    assert cm.complaints_stage1_20wd_pct(inputs, Q2) == Figure(3, 5)


def test_response_timeliness_counts_responses_in_the_window():
    inputs = complaints(
        kind=["complaint"] * 3,
        stage=["1"] * 3,
        received_date=["2025-03-24", "2025-03-31", "2025-03-03"],
        responded_date=["2025-03-31", "2025-04-01", None],
    )
    # Q1 responses: only row 1 (responded on the last day of the quarter, 5 working days)
    assert cm.complaints_stage1_10wd_pct(inputs, Q1) == Figure(1, 1)
    # Q2: row 2 responded 1 Apr; the unanswered row 3 is in no quarter's denominator
    assert cm.complaints_stage1_10wd_pct(inputs, Q2) == Figure(1, 1)
    fig = cm.complaints_stage2_25wd_pct(inputs, Q1)
    assert fig == Figure(0, 0) and math.isnan(cm.complaints_stage2_25wd_pct.meta.value(fig))


def test_stage2_exactly_25_working_days():
    # Mon 6 Jan 2025 + 25 working days (no bank holidays): Mon 10 Feb; Tue 11 Feb is 26.
    inputs = complaints(
        kind=["complaint"] * 2,
        stage=["2"] * 2,
        received_date=["2025-01-06"] * 2,
        responded_date=["2025-02-10", "2025-02-11"],
    )
    assert cm.complaints_stage2_25wd_pct(inputs, Q1) == Figure(1, 2)


def test_upheld_share_of_findings():
    inputs = complaints(
        kind=["complaint"] * 6 + ["compliment"],
        responded_date=["2025-02-01"] * 6 + ["2025-02-01"],
        outcome=[
            "upheld",
            "partly_upheld",
            "not_upheld",
            "not_upheld",
            "withdrawn",
            None,
            "upheld",
        ],
    )
    # findings: rows 1-4 (withdrawn and blank have none; a compliment is not a complaint)
    assert cm.complaints_upheld_pct(inputs, Q1) == Figure(2, 4)


@st.composite
def complaint_columns(draw):
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["complaint", "compliment"]),
                st.sampled_from(["1", "2", "3", None]),
                st.integers(0, 500),
                st.one_of(st.none(), st.integers(-2, 40)),
                st.sampled_from(["upheld", "partly_upheld", "not_upheld", "withdrawn", None]),
            ),
            max_size=25,
        )
    )
    return {
        "kind": [r[0] for r in rows],
        "stage": [r[1] for r in rows],
        "received_date": [day(r[2]) for r in rows],
        "responded_date": [None if r[3] is None else day(r[2] + r[3]) for r in rows],
        "outcome": [r[4] for r in rows],
    }


@settings(max_examples=15, deadline=None)
@given(columns=complaint_columns(), seed=st.integers(0, 2**16))
def test_complaint_kpi_properties(columns, seed):
    future = {
        "kind": "complaint",
        "stage": "1",
        "received_date": "2026-01-05",
        "responded_date": "2026-01-06",
        "outcome": "upheld",
    }
    check_properties(cm, "complaints", columns, future, seed)
