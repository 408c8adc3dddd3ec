"""Assessment KPIs on tiny hand-built CIN census tables."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from pmf_lib.compute.kpis import assessment as am
from pmf_lib.compute.registry import Figure
from pmf_lib.dates import Window

MAY = Window.of("month", "2025-05-31")


def asmt(child, start, auth):
    return {
        "LAchildID": child,
        "AssessmentActualStartDate": start,
        "AssessmentAuthorisationDate": auth,
    }


def test_completed_count_by_authorisation_date(build):
    inputs = build.cin(
        assessments=[
            asmt("a", "2025-04-01", "2025-05-01"),  # authorised on the first day: in
            asmt("b", "2025-04-01", "2025-05-31"),  # authorised on the last day: in
            asmt("c", "2025-05-10", None),  # started in May, not authorised: out
            asmt("d", "2025-04-01", "2025-04-30"),  # authorised the day before: out
        ]
    )
    assert am.assessments_completed_count(inputs, MAY) == Figure(2)


def test_45_working_days_across_easter_and_may_bank_holidays(build):
    # From Mon 3 Mar 2025 the working days run: 3-28 Mar (20), 31 Mar-11 Apr (30),
    # 14-17 Apr (34; Good Friday 18 Apr is a bank holiday), 22-25 Apr (38; Easter Monday
    # 21 Apr), 28 Apr-2 May (43), 6 May (44; 5 May early May bank holiday), 7 May (45).
    # Working days d with start <= d < authorisation:
    inputs = build.cin(
        assessments=[
            asmt("a", "2025-03-03", "2025-05-08"),  # 45 -> on time (48 without bank holidays)
            asmt("b", "2025-03-03", "2025-05-09"),  # 46 -> late
            asmt("c", "2025-05-02", "2025-05-02"),  # same day: 0 -> on time
            asmt("d", None, "2025-05-20"),  # no start date: in the denominator, not on time
        ]
    )
    assert am.assessments_45wd_pct(inputs, MAY) == Figure(2, 4)
    assert am.assessments_45wd_pct.meta.value(Figure(2, 4)) == 50.0


def test_45wd_empty_denominator_is_missing(build):
    inputs = build.cin(assessments=[asmt("a", "2025-03-03", "2025-04-08")])
    fig = am.assessments_45wd_pct(inputs, MAY)
    assert fig == Figure(0, 0)
    assert math.isnan(am.assessments_45wd_pct.meta.value(fig))


BASE = pd.Timestamp("2024-01-01")


@st.composite
def assessment_rows(draw):
    rows = draw(
        st.lists(
            st.tuples(st.sampled_from("abc"), st.integers(0, 500), st.integers(0, 90)), max_size=20
        )
    )
    return [
        asmt(c, BASE + pd.Timedelta(days=s), BASE + pd.Timedelta(days=s + n)) for c, s, n in rows
    ]


@settings(max_examples=15, deadline=None)
@given(
    rows=assessment_rows(),
    end=st.sampled_from(["2024-03-31", "2024-12-31", "2025-02-28"]),
    kind=st.sampled_from(["month", "rolling_12m"]),
    seed=st.integers(0, 2**16),
)
def test_assessment_properties(build, rows, end, kind, seed):
    window = Window.of(kind, end)
    inputs = build.cin(assessments=rows)
    fig = am.assessments_45wd_pct(inputs, window)
    assert 0 <= fig.numerator <= fig.denominator
    assert fig.denominator == am.assessments_completed_count(inputs, window).numerator
    value = am.assessments_45wd_pct.meta.value(fig)
    assert math.isnan(value) if fig.denominator == 0 else 0 <= value <= 100
    shuffled = build.cin(assessments=rows)
    shuffled.cin.tables["assessments"] = shuffled.cin.assessments.sample(frac=1, random_state=seed)
    assert am.assessments_45wd_pct(shuffled, window) == fig
    # assessments authorised before or after the window change nothing
    outside = [
        asmt("a", "2020-01-01", window.start - pd.Timedelta(days=1)),
        asmt("b", window.end, window.end + pd.Timedelta(days=1)),
    ]
    more = build.cin(assessments=rows + outside)
    assert am.assessments_45wd_pct(more, window) == fig
    assert am.assessments_completed_count(more, window) == am.assessments_completed_count(
        inputs, window
    )
