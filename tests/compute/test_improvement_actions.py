"""Improvement action KPIs on tiny hand-built ``improvement_actions`` frames.

Past months come from ``created_date`` and ``completed_date``; a log without
them is told only for the month its status describes (the national extract's
latest complete month), never with today's status copied back.
"""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from pmf_lib.compute.kpis import improvement_actions as ia
from pmf_lib.compute.registry import Figure
from pmf_lib.dates import Window
from pmf_lib.read.tables import CinCensus
from tests.compute.local_kpi_props import check_absent, check_properties, day, inputs_for

END = Window.of("snapshot", "2025-03-31")
FEB = Window.of("snapshot", "2025-02-28")
MAR = Window.of("month", "2025-03-31")
STATUSES = ["not_started", "in_progress", "complete", "overdue", "cancelled"]


def actions(extract: str | None = None, **columns):
    """The log; ``extract``: the national returns' latest reference date, if any."""
    extra = {}
    if extract:
        cin = CinCensus()
        cin.returns = pd.DataFrame({"reference_date": [pd.Timestamp(extract)]})
        extra["cin"] = cin
    return inputs_for("improvement_actions", columns, **extra)


def test_absent_dataset_is_missing_not_zero():
    check_absent(ia)


def test_open_and_overdue_worked_out_from_the_dates():
    inputs = actions(
        status=["complete", "in_progress", "in_progress", "cancelled", "overdue", "complete"],
        created_date=[
            "2025-01-10",  # created January, completed 15 April
            "2025-02-01",  # created February, still open
            "2025-04-02",  # created after March
            "2025-01-05",  # cancelled 10 March
            "2025-03-01",  # created March, still open
            "2024-11-01",  # completed 20 February
        ],
        due_date=[
            "2025-03-01",
            "2025-03-31",
            "2025-06-30",
            "2025-05-01",
            "2025-03-30",
            "2025-01-31",
        ],
        completed_date=["2025-04-15", None, None, "2025-03-10", None, "2025-02-20"],
    )
    # 31 March: open rows 0, 1, 4 (3). Overdue (due before 31 March): row 0 (due 1 March)
    # and row 4 (due 30 March); row 1 is due on the day -> 2 of 3.
    assert ia.actions_open_count(inputs, END) == Figure(3)
    assert ia.actions_overdue_pct(inputs, END) == Figure(2, 3)
    # 28 February: open rows 0, 1, 3 (row 5 completed 20 Feb, row 4 not yet created) -> 3;
    # overdue: none is due before 28 February -> 0 of 3. Not the same as March: a history.
    assert ia.actions_open_count(inputs, FEB) == Figure(3)
    assert ia.actions_overdue_pct(inputs, FEB) == Figure(0, 3)


def test_due_in_the_month_and_complete_by_its_end():
    inputs = actions(
        status=["complete", "in_progress", "complete", "cancelled", "complete", "complete"],
        created_date=["2025-01-01"] * 6,
        due_date=[
            "2025-03-01",
            "2025-03-31",
            "2025-03-31",
            "2025-03-15",
            "2025-04-01",
            "2025-03-20",
        ],
        completed_date=[
            "2025-02-27",  # due in March, complete by its end
            None,  # due in March, open
            "2025-03-31",  # due and complete on 31 March
            "2025-03-12",  # cancelled in March: left out
            "2025-03-01",  # due in April: left out
            "2025-04-03",  # due in March, completed only in April: not complete by 31 March
        ],
    )
    # due in March and not cancelled: rows 0, 1, 2, 5 (4); complete by 31 March: 0, 2 (2)
    assert ia.actions_due_complete_pct(inputs, MAR) == Figure(2, 4)


def test_a_log_without_history_gives_only_the_month_it_describes():
    columns = dict(
        status=["in_progress", "overdue", "complete"],
        due_date=["2025-03-30", "2025-06-30", "2025-01-01"],
    )
    # The extract of 3 April 2025 makes March 2025 the month the status describes.
    inputs = actions(extract="2025-04-03", **columns)
    # March: open by status rows 0 and 1; overdue: row 0 (due 30 March), row 1 (status)
    assert ia.actions_open_count(inputs, END) == Figure(2)
    assert ia.actions_overdue_pct(inputs, END) == Figure(2, 2)
    # February: the log cannot tell -> missing, never March's status copied back
    for k in (ia.actions_open_count, ia.actions_overdue_pct):
        assert math.isnan(k(inputs, FEB).numerator)
    assert math.isnan(
        ia.actions_due_complete_pct(inputs, Window.of("month", "2025-02-28")).numerator
    )
    # With no national extract to say which month the status describes: every month missing
    assert math.isnan(ia.actions_open_count(actions(**columns), END).numerator)


def test_one_action_without_its_dates_makes_the_history_unknown():
    # row 1 is complete but has no completed_date: when it closed cannot be told
    inputs = actions(
        status=["in_progress", "complete"],
        created_date=["2025-01-01", "2025-01-01"],
        due_date=["2025-05-01", "2025-02-01"],
        completed_date=[None, None],
    )
    assert math.isnan(ia.actions_open_count(inputs, FEB).numerator)


def test_states_shared_with_the_reports():
    a = inputs_for(
        "improvement_actions",
        {
            "status": ["in_progress", "complete"],
            "created_date": ["2025-01-01", "2025-01-01"],
            "due_date": ["2025-03-01", "2025-03-01"],
            "completed_date": [None, "2025-03-05"],
        },
    ).local["improvement_actions"]
    s = ia.action_states(a, "2025-03-31", current=False)
    # row 0 open and overdue; row 1 complete on 5 March
    assert s["open"].tolist() == [True, False] and s["overdue"].tolist() == [True, False]
    assert s["complete"].tolist() == [False, True]


@st.composite
def action_columns(draw):
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(0, 500),
                st.integers(0, 400),
                st.one_of(st.none(), st.integers(0, 300)),
                st.sampled_from(STATUSES),
            ),
            max_size=25,
        )
    )
    return {
        "created_date": [day(r[1]) for r in rows],
        "due_date": [day(r[1] + r[0] // 4) for r in rows],
        "completed_date": [None if r[2] is None else day(r[1] + r[2]) for r in rows],
        "status": [r[3] for r in rows],
    }


@settings(max_examples=15, deadline=None)
@given(columns=action_columns(), seed=st.integers(0, 2**16))
def test_action_kpi_properties(columns, seed):
    # An action created after every period end changes nothing at any period end.
    check_properties(
        ia,
        "improvement_actions",
        columns,
        {"created_date": "2026-01-05", "due_date": "2026-02-01", "status": "in_progress"},
        seed,
    )
