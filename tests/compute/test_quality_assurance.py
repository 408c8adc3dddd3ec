"""QA case audit KPIs on tiny hand-built ``qa_audits`` frames."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from pmf_lib.compute.kpis import quality_assurance as qa
from pmf_lib.compute.registry import Figure
from pmf_lib.dates import Window
from tests.compute.local_kpi_props import check_absent, check_properties, day, inputs_for

Q1 = Window.of("quarter", "2025-03-31")

GRADES = ["outstanding", "good", "requires_improvement", "inadequate"]


def audits(**columns):
    return inputs_for("qa_audits", columns)


def test_absent_dataset_is_missing_not_zero():
    check_absent(qa)


def test_grades_of_audits_completed_in_the_quarter():
    inputs = audits(
        audit_date=[
            "2025-01-01",
            "2025-01-15",
            "2025-02-01",
            "2025-03-31",  # the quarter's last day: in
            "2025-03-01",
            "2025-03-02",
            "2024-12-31",  # the day before the quarter: out
        ],
        grade=[
            "outstanding",
            "good",
            "requires_improvement",
            "inadequate",
            "good",
            None,
            "inadequate",
        ],
    )
    # in Q1: 6 audits (one without a grade: denominator only)
    assert qa.qa_audits_completed_count(inputs, Q1) == Figure(6)
    assert qa.qa_audits_good_pct(inputs, Q1) == Figure(3, 6)  # outstanding + 2 good
    assert qa.qa_audits_requires_improvement_pct(inputs, Q1) == Figure(1, 6)
    assert qa.qa_audits_inadequate_pct(inputs, Q1) == Figure(1, 6)


def test_no_audits_gives_a_missing_percentage():
    inputs = audits(audit_date=["2024-06-01"], grade=["good"])
    fig = qa.qa_audits_good_pct(inputs, Q1)
    assert fig == Figure(0, 0) and math.isnan(qa.qa_audits_good_pct.meta.value(fig))


@st.composite
def audit_columns(draw):
    rows = draw(
        st.lists(
            st.tuples(st.integers(0, 500), st.sampled_from([*GRADES, None])),
            max_size=25,
        )
    )
    return {"audit_date": [day(r[0]) for r in rows], "grade": [r[1] for r in rows]}


@settings(max_examples=15, deadline=None)
@given(columns=audit_columns(), seed=st.integers(0, 2**16))
def test_qa_kpi_properties(columns, seed):
    check_properties(qa, "qa_audits", columns, {"audit_date": "2026-01-05", "grade": "good"}, seed)
    # the grade shares of one window add up to at most 100%
    inputs = inputs_for("qa_audits", columns)
    for end in ("2024-06-30", "2025-03-31"):
        w = Window.of("rolling_12m", end)
        figs = [
            k(inputs, w)
            for k in (
                qa.qa_audits_good_pct,
                qa.qa_audits_requires_improvement_pct,
                qa.qa_audits_inadequate_pct,
            )
        ]
        assert sum(f.numerator for f in figs) <= figs[0].denominator
