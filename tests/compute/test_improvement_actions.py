"""Improvement action KPIs on tiny hand-built ``improvement_actions`` frames."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pmf_lib.compute.kpis import improvement_actions as ia
from pmf_lib.compute.registry import Figure
from pmf_lib.dates import Window
from tests.compute.local_kpi_props import check_absent, check_properties, day, inputs_for

END = Window.of("snapshot", "2025-03-31")
MAR = Window.of("month", "2025-03-31")
STATUSES = ["not_started", "in_progress", "complete", "overdue", "cancelled"]


def actions(**columns):
    return inputs_for("improvement_actions", columns)


def test_absent_dataset_is_missing_not_zero():
    check_absent(ia)


def test_open_and_overdue_at_period_end():
    inputs = actions(
        status=[
            "not_started",
            "in_progress",
            "in_progress",
            "overdue",
            "complete",
            "cancelled",
            None,
        ],
        due_date=[
            "2025-03-30",  # open, due the day before period_end: overdue
            "2025-03-31",  # open, due on period_end: not yet overdue
            "2025-06-30",  # open, due later: not overdue
            "2025-09-30",  # status overdue: overdue whatever the date
            "2025-01-01",  # complete: not open
            "2025-01-01",  # cancelled: not open
            "2025-01-01",  # no recognised status: not open
        ],
    )
    assert ia.actions_open_count(inputs, END) == Figure(4)
    assert ia.actions_overdue_pct(inputs, END) == Figure(2, 4)


def test_due_in_the_month_and_complete():
    inputs = actions(
        status=["complete", "in_progress", "complete", "cancelled", "complete", "overdue"],
        due_date=[
            "2025-03-01",
            "2025-03-31",
            "2025-03-31",
            "2025-03-15",
            "2025-04-01",
            "2025-03-20",
        ],
    )
    # due in March and not cancelled: rows 1, 2, 3, 6 (4); complete: rows 1, 3 (2)
    assert ia.actions_due_complete_pct(inputs, MAR) == Figure(2, 4)


@st.composite
def action_columns(draw):
    rows = draw(
        st.lists(st.tuples(st.integers(0, 500), st.sampled_from([*STATUSES, None])), max_size=25)
    )
    return {"due_date": [day(r[0]) for r in rows], "status": [r[1] for r in rows]}


@settings(max_examples=15, deadline=None)
@given(columns=action_columns(), seed=st.integers(0, 2**16))
def test_action_kpi_properties(columns, seed):
    # A completed action due after every period end changes nothing; an open one would
    # count as open (the log has no creation date), so the future row is a complete one.
    check_properties(
        ia, "improvement_actions", columns, {"due_date": "2026-01-05", "status": "complete"}, seed
    )
