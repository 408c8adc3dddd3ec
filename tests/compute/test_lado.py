"""LADO KPIs on tiny hand-built ``lado`` frames."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pmf_lib.compute.kpis import lado
from pmf_lib.compute.registry import Figure
from pmf_lib.dates import Window
from tests.compute.local_kpi_props import check_absent, check_properties, day, inputs_for

Q1 = Window.of("quarter", "2025-03-31")
END = Window.of("snapshot", "2025-03-31")


def referrals(**columns):
    return inputs_for("lado", columns)


def test_absent_dataset_is_missing_not_zero():
    check_absent(lado)


def test_referrals_received_in_the_quarter():
    inputs = referrals(received_date=["2025-01-01", "2025-03-31", "2024-12-31", "2025-04-01"])
    assert lado.lado_referrals_count(inputs, Q1) == Figure(2)  # the first and last days


def test_resolved_within_one_calendar_month():
    inputs = referrals(
        received_date=["2025-01-31", "2025-01-31", "2025-02-15", "2025-02-15", None, "2025-03-10"],
        closed_date=[
            "2025-02-28",  # 31 Jan + 1 month = 28 Feb: within
            "2025-03-01",  # a day later: not within
            "2025-03-15",  # exactly a month: within
            "2025-03-16",  # a month and a day: not within
            "2025-03-01",  # no received date: not within
            "2025-03-09",  # closed before received: not within
        ],
    )
    # all six closed in Q1: 2 within one month
    assert lado.lado_resolved_1m_pct(inputs, Q1) == Figure(2, 6)
    # within three months: all with a valid received date on or before closure -> 4
    assert lado.lado_resolved_3m_pct(inputs, Q1) == Figure(4, 6)


def test_substantiated_share_of_closed():
    inputs = referrals(
        closed_date=["2025-01-05", "2025-02-05", "2025-03-31", "2025-03-01", "2025-04-01"],
        outcome=["substantiated", "unfounded", "substantiated", "ongoing", "substantiated"],
    )
    # closed in Q1 with an outcome other than ongoing: rows 1-3; substantiated: rows 1, 3
    assert lado.lado_substantiated_pct(inputs, Q1) == Figure(2, 3)


def test_open_at_period_end_and_open_over_three_months():
    inputs = referrals(
        received_date=["2024-12-30", "2024-12-31", "2025-03-31", "2025-01-01", "2025-04-01"],
        closed_date=[None, None, None, "2025-03-31", None],
    )
    # open at 31 Mar: rows 1, 2, 3 (row 4 closed on period_end, row 5 received after) -> 3
    assert lado.lado_open_count(inputs, END) == Figure(3)
    # received before 31 Mar - 3 months = 31 Dec 2024: row 1 only
    assert lado.lado_open_over_3m_count(inputs, END) == Figure(1)


@st.composite
def lado_columns(draw):
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(0, 500),
                st.one_of(st.none(), st.integers(-1, 120)),
                st.sampled_from(["substantiated", "unfounded", "ongoing", None]),
            ),
            max_size=25,
        )
    )
    return {
        "received_date": [day(r[0]) for r in rows],
        "closed_date": [None if r[1] is None else day(r[0] + r[1]) for r in rows],
        "outcome": [r[2] for r in rows],
    }


@settings(max_examples=15, deadline=None)
@given(columns=lado_columns(), seed=st.integers(0, 2**16))
def test_lado_kpi_properties(columns, seed):
    future = {
        "received_date": "2026-01-05",
        "closed_date": "2026-01-20",
        "outcome": "substantiated",
    }
    check_properties(lado, "lado", columns, future, seed)
