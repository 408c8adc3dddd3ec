"""Improvement actions log (local dataset ``improvement_actions``).

The log holds each action's due date and its *current* status; it has no
creation or completion dates. So:

* ``actions_open_count`` and ``actions_overdue_pct`` describe the log as
  supplied (status as recorded now), judged against ``period_end``;
* "completed on time" cannot be told from the log (no completion date), so
  ``actions_due_complete_pct`` gives the share of the actions due in the window
  that are recorded as complete.

Every KPI here returns a missing value (numerator NaN) when the council does not
supply the dataset.
"""

from __future__ import annotations

import pandas as pd

from pmf_lib.compute.kpis._local import (
    MISSING_COUNT,
    MISSING_RATIO,
    coded,
    count,
    dataset,
    in_window,
    local_frame,  # noqa: F401 (docstring examples)
    local_inputs,  # noqa: F401 (docstring examples)
    ratio,
)
from pmf_lib.compute.registry import Figure, KpiInputs, kpi
from pmf_lib.dates import Window

_SOURCE = "Local dataset: improvement_actions"
_ABSENT = " Missing (not 0) when the council does not supply the improvement_actions dataset."
#: Statuses of an action still to be done.
OPEN_STATUSES = ("not_started", "in_progress", "overdue")


def _open(df: pd.DataFrame) -> pd.Series:
    return coded(df["status"], *OPEN_STATUSES)


@kpi(
    id="actions_open_count",
    title="Improvement actions open",
    area="improvement_actions",
    unit="count",
    polarity="neutral",
    windows=("snapshot",),
    cadence="monthly",
    source=_SOURCE,
    definition=(
        "Improvement actions whose recorded status is 'not_started', 'in_progress' or "
        "'overdue'. The log holds current status only, so this is the log as supplied "
        "whatever the period_end." + _ABSENT
    ),
    numerator="Actions with an open status",
    breakdowns=("area", "owner"),
)
def actions_open_count(inputs: KpiInputs, window: Window) -> Figure:
    """Improvement actions open in the log.

    Examples
    --------
    >>> a = local_frame("improvement_actions",
    ...                 status=["not_started", "in_progress", "complete", "cancelled"])
    >>> actions_open_count(local_inputs(improvement_actions=a),
    ...                    Window.of("snapshot", "2025-03-31"))
    Figure(numerator=2, denominator=None)
    """
    df = dataset(inputs, "improvement_actions")
    if df is None:
        return MISSING_COUNT
    return Figure(count(_open(df)))


@kpi(
    id="actions_overdue_pct",
    title="Improvement actions overdue",
    area="improvement_actions",
    unit="percent",
    polarity="lower_is_better",
    windows=("snapshot",),
    cadence="monthly",
    source=_SOURCE,
    definition=(
        "Of the open improvement actions (actions_open_count), the % overdue at period_end: "
        "status 'overdue', or due_date before period_end (an action due on period_end is "
        "not yet overdue)." + _ABSENT
    ),
    numerator="Open actions with status 'overdue' or due_date before period_end",
    denominator="Actions with an open status",
    breakdowns=("area", "owner"),
)
def actions_overdue_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Open improvement actions that are overdue at period_end, %.

    Examples
    --------
    >>> a = local_frame("improvement_actions",
    ...                 status=["in_progress", "in_progress", "overdue", "complete"],
    ...                 due_date=["2025-03-30", "2025-03-31", "2025-06-30", "2025-01-01"])
    >>> actions_overdue_pct(local_inputs(improvement_actions=a),
    ...                     Window.of("snapshot", "2025-03-31"))
    Figure(numerator=2, denominator=3)
    """
    df = dataset(inputs, "improvement_actions")
    if df is None:
        return MISSING_RATIO
    late = coded(df["status"], "overdue") | (df["due_date"] < window.end).fillna(False)
    return ratio(late, _open(df))


@kpi(
    id="actions_due_complete_pct",
    title="Improvement actions due in the period that are complete",
    area="improvement_actions",
    unit="percent",
    polarity="higher_is_better",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source=_SOURCE,
    definition=(
        "Of the improvement actions with due_date in the window and not cancelled, the % "
        "whose recorded status is 'complete'. The log has no completion date, so whether "
        "an action was completed by its due date cannot be told." + _ABSENT
    ),
    numerator="Actions due in the window recorded as complete",
    denominator="Actions with due_date in the window, not cancelled",
    breakdowns=("area", "owner"),
)
def actions_due_complete_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Actions due in the window that are recorded complete, %.

    Examples
    --------
    >>> a = local_frame("improvement_actions",
    ...                 status=["complete", "in_progress", "cancelled", "complete"],
    ...                 due_date=["2025-03-01", "2025-03-31", "2025-03-15", "2025-04-01"])
    >>> actions_due_complete_pct(local_inputs(improvement_actions=a),
    ...                          Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    df = dataset(inputs, "improvement_actions")
    if df is None:
        return MISSING_RATIO
    due = in_window(df["due_date"], window) & ~coded(df["status"], "cancelled")
    return ratio(coded(df["status"], "complete"), due)
