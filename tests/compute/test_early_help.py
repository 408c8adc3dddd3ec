"""Early help KPIs on tiny hand-built ``early_help`` frames."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pmf_lib.compute.kpis import early_help as eh
from pmf_lib.compute.registry import Figure
from pmf_lib.dates import Window
from tests.compute.local_kpi_props import check_absent, check_properties, day, inputs_for

MAR = Window.of("month", "2025-03-31")
END = Window.of("snapshot", "2025-03-31")


def episodes(**columns):
    return inputs_for("early_help", columns)


def test_absent_dataset_is_missing_not_zero():
    check_absent(eh)


def test_started_and_closed_counts_at_month_edges():
    inputs = episodes(
        start_date=["2025-03-01", "2025-03-31", "2025-02-28", "2025-04-01"],
        end_date=["2025-03-31", None, "2025-03-01", None],
    )
    # started in March: rows 1, 2 -> 2; closed in March: rows 1 (last day), 3 (first day) -> 2
    assert eh.eh_episodes_started_count(inputs, MAR) == Figure(2)
    assert eh.eh_episodes_closed_count(inputs, MAR) == Figure(2)


def test_open_at_period_end_excludes_closed_on_the_last_day():
    inputs = episodes(
        start_date=["2025-01-01", "2025-01-01", "2025-01-01", "2025-03-31", "2025-04-01"],
        end_date=[None, "2025-03-31", "2025-04-01", None, None],
    )
    # open: row 1 (no end), row 3 (ends after), row 4 (started on period_end) -> 3;
    # row 2 closed on period_end is not open; row 5 starts after
    assert eh.eh_episodes_open_count(inputs, END) == Figure(3)


def test_closure_reason_percentages():
    inputs = episodes(
        end_date=["2025-03-01", "2025-03-15", "2025-03-31", "2025-03-20", "2025-04-01"],
        closure_reason=["needs_met", "needs_met", "stepped_up", None, "stepped_up"],
    )
    # closed in March: rows 1-4 (4); needs met 2; stepped up 1 (row 5 closed in April);
    # row 4 has no reason: in the denominator only
    assert eh.eh_closed_needs_met_pct(inputs, MAR) == Figure(2, 4)
    assert eh.eh_step_up_pct(inputs, MAR) == Figure(1, 4)
    assert eh.eh_step_up_pct(inputs, Window.of("month", "2025-04-30")) == Figure(1, 1)


def test_mean_duration_of_closed_episodes():
    inputs = episodes(
        start_date=["2025-03-31", "2024-12-31", None, "2025-04-02"],
        end_date=["2025-03-31", "2025-03-31", "2025-03-10", "2025-03-30"],
    )
    # same day: 0 days; 31 Dec -> 31 Mar: 90 days; no start and end-before-start are left out
    fig = eh.eh_closed_mean_days(inputs, MAR)
    assert fig == Figure(90, 2)
    assert eh.eh_closed_mean_days.meta.value(fig) == 45.0


@st.composite
def eh_columns(draw):
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(0, 500),
                st.one_of(st.none(), st.integers(0, 200)),
                st.sampled_from(["needs_met", "stepped_up", "disengaged", None]),
            ),
            max_size=25,
        )
    )
    return {
        "start_date": [day(r[0]) for r in rows],
        "end_date": [None if r[1] is None else day(r[0] + r[1]) for r in rows],
        "closure_reason": [r[2] for r in rows],
    }


@settings(max_examples=15, deadline=None)
@given(columns=eh_columns(), seed=st.integers(0, 2**16))
def test_early_help_kpi_properties(columns, seed):
    future = {"start_date": "2026-01-05", "end_date": "2026-02-01", "closure_reason": "needs_met"}
    check_properties(eh, "early_help", columns, future, seed)
