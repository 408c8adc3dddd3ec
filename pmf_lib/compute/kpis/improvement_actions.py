"""Improvement actions log (local dataset ``improvement_actions``).

Each action has a ``created_date`` (agreed), a ``due_date`` and, once done or
dropped, a ``completed_date`` (completed or cancelled), besides its current
``status``. Every month's figures come from the dates (:func:`action_states`):

* open at a month end E: ``created_date <= E`` and no ``completed_date`` on or
  before E (``completed_date`` blank or after E);
* overdue at E: open at E and ``due_date`` before E (an action due on E is not
  yet overdue);
* complete by E: status ``complete`` and ``completed_date`` on or before E;
  cancelled by E: status ``cancelled`` and ``completed_date`` on or before E.

A log that lacks the history (no ``created_date`` or ``completed_date``
column, a blank creation date, or a completed or cancelled action without its
completion date) cannot say what was open in a past month. Its figures are
then given only for the month the log describes (the latest complete month
of the national returns' extract, from the current status: open is status
``not_started``, ``in_progress`` or ``overdue``; overdue is status ``overdue``
or due before E); every earlier month is missing (NaN), never today's status
copied back. ``pmf validate`` reports why (rule S08, a warning naming the file
and the column or row).

Every KPI here returns a missing value (numerator NaN) when the council does not
supply the dataset.
"""

from __future__ import annotations

import pandas as pd

from pmf_lib.compute.kpis._inputs import ACTIONS, local
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
from pmf_lib.dates import Window, latest_complete_month, month_end

_SOURCE = "Local dataset: improvement_actions"
_ABSENT = " Missing (not 0) when the council does not supply the improvement_actions dataset."
_HISTORY = (
    " Worked out from created_date and completed_date for every month; a log without "
    "them gives this month's figure from the current status and missing (not today's "
    "status copied back) for earlier months."
)
#: Statuses of an action still to be done.
OPEN_STATUSES = ("not_started", "in_progress", "overdue")
#: Statuses of an action closed (its completed_date is when).
CLOSED_STATUSES = ("complete", "cancelled")


def history_gaps(df: pd.DataFrame) -> pd.Series:
    """True for each action whose history cannot be told from the log.

    An action lacks its history when its ``created_date`` is blank, or it is
    closed (status ``complete`` or ``cancelled``) with a blank
    ``completed_date``. A column absent from the file reads as blank.

    Examples
    --------
    >>> a = local_frame("improvement_actions", status=["complete", "in_progress", "complete"],
    ...     created_date=["2025-01-01", "2025-01-01", None],
    ...     completed_date=[None, None, "2025-02-01"])
    >>> history_gaps(a).tolist()  # closed without a date; open (fine); no creation date
    [True, False, True]
    """
    closed = coded(df["status"], *CLOSED_STATUSES)
    return (df["created_date"].isna() | (closed & df["completed_date"].isna())).astype(bool)


def log_month_end(inputs: KpiInputs) -> pd.Timestamp | None:
    """The month end the log's current status describes: the data's latest complete month.

    The national returns' latest reference date (their extract date) gives it;
    None when there are no national returns.

    Examples
    --------
    >>> import pandas as pd
    >>> from pmf_lib.read.tables import CinCensus
    >>> cin = CinCensus()
    >>> cin.returns = pd.DataFrame({"reference_date": [pd.Timestamp("2026-11-03")]})
    >>> log_month_end(KpiInputs(cin=cin)).date()
    datetime.date(2026, 10, 31)
    >>> log_month_end(KpiInputs()) is None
    True
    """
    refs = []
    for data in (inputs.cin, inputs.cla):
        r = getattr(data, "returns", None)
        if r is not None and "reference_date" in r and len(r):
            refs.append(pd.to_datetime(r["reference_date"]))
    if not refs:
        return None
    last = pd.concat(refs).max()
    return None if pd.isna(last) else month_end(latest_complete_month(last))


def action_states(df: pd.DataFrame, end, *, current: bool) -> pd.DataFrame | None:
    """Each action's state at month end ``end``, or None when the log cannot tell.

    The one computation of open, overdue, complete and cancelled that the KPIs
    and the reports' action lists share (module docstring). ``current`` says
    that ``end`` is the month the log's current status describes; without the
    history only that month can be told.

    Returns
    -------
    pandas.DataFrame or None
        Boolean columns ``open``, ``overdue``, ``complete``, ``cancelled`` on
        ``df``'s index; None for a past month of a log without history.

    Examples
    --------
    >>> a = local_frame("improvement_actions",
    ...     status=["complete", "in_progress", "in_progress", "cancelled"],
    ...     created_date=["2025-01-10", "2025-02-01", "2025-04-02", "2025-01-05"],
    ...     due_date=["2025-03-01", "2025-03-30", "2025-06-30", "2025-05-01"],
    ...     completed_date=["2025-04-15", None, None, "2025-03-10"])
    >>> s = action_states(a, "2025-03-31", current=False)
    >>> # row 0: done 15 April, so open and overdue at 31 March; row 2 not yet created;
    >>> # row 3 cancelled on 10 March
    >>> s["open"].tolist(), s["overdue"].tolist(), s["cancelled"].tolist()
    ([True, True, False, False], [True, True, False, False], [False, False, False, True])
    >>> b = local_frame("improvement_actions", status=["overdue"], due_date=["2025-06-01"])
    >>> action_states(b, "2025-03-31", current=False) is None  # no history, a past month
    True
    >>> action_states(b, "2025-03-31", current=True)["overdue"].tolist()  # status as now
    [True]
    """
    end = pd.Timestamp(end).normalize()
    due_before = (df["due_date"] < end).fillna(False).astype(bool)
    if not history_gaps(df).any():
        created = (df["created_date"] <= end).fillna(False).astype(bool)
        closed_by = (df["completed_date"] <= end).fillna(False).astype(bool)
        is_open = created & ~closed_by
        return pd.DataFrame(
            {
                "open": is_open,
                "overdue": is_open & due_before,
                "complete": closed_by & coded(df["status"], "complete"),
                "cancelled": closed_by & coded(df["status"], "cancelled"),
            },
            index=df.index,
        )
    if not current:
        return None
    is_open = coded(df["status"], *OPEN_STATUSES)
    return pd.DataFrame(
        {
            "open": is_open,
            "overdue": is_open & (coded(df["status"], "overdue") | due_before),
            "complete": coded(df["status"], "complete"),
            "cancelled": coded(df["status"], "cancelled"),
        },
        index=df.index,
    )


def _states(inputs: KpiInputs, end) -> pd.DataFrame | None:
    df = dataset(inputs, "improvement_actions")
    log_end = log_month_end(inputs)
    current = log_end is not None and pd.Timestamp(end).normalize() >= log_end
    return action_states(df, end, current=current)


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
        "Improvement actions open at period_end: created on or before it and not completed "
        "or cancelled by then." + _HISTORY + _ABSENT
    ),
    numerator="Actions open at period_end",
    breakdowns=("area", "owner"),
    inputs=(ACTIONS.reading("created_date", "due_date", "completed_date", "status"),),
)
def actions_open_count(inputs: KpiInputs, window: Window) -> Figure:
    """Improvement actions open at period_end.

    Examples
    --------
    >>> a = local_frame("improvement_actions",
    ...     status=["not_started", "in_progress", "complete", "cancelled"],
    ...     created_date=["2025-03-01", "2025-01-01", "2025-01-01", "2025-01-01"],
    ...     completed_date=[None, None, "2025-04-01", "2025-02-01"])
    >>> # open at 31 March: rows 0, 1 and 2 (completed in April); row 3 cancelled in February
    >>> actions_open_count(local_inputs(improvement_actions=a),
    ...                    Window.of("snapshot", "2025-03-31"))
    Figure(numerator=3, denominator=None)
    """
    if dataset(inputs, "improvement_actions") is None:
        return MISSING_COUNT
    s = _states(inputs, window.end)
    return MISSING_COUNT if s is None else Figure(count(s["open"]))


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
        "Of the improvement actions open at period_end (actions_open_count), the % with "
        "due_date before period_end (an action due on period_end is not yet overdue)."
        + _HISTORY
        + _ABSENT
    ),
    numerator="Open actions with due_date before period_end",
    denominator="Actions open at period_end",
    breakdowns=("area", "owner"),
    inputs=(ACTIONS.reading("created_date", "due_date", "completed_date", "status"),),
)
def actions_overdue_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Open improvement actions that are overdue at period_end, %.

    Examples
    --------
    >>> a = local_frame("improvement_actions",
    ...     status=["in_progress", "in_progress", "in_progress", "complete"],
    ...     created_date=["2025-01-01"] * 4,
    ...     due_date=["2025-03-30", "2025-03-31", "2025-06-30", "2025-01-01"],
    ...     completed_date=[None, None, None, "2025-01-02"])
    >>> # open: rows 0-2; due before 31 March: row 0
    >>> actions_overdue_pct(local_inputs(improvement_actions=a),
    ...                     Window.of("snapshot", "2025-03-31"))
    Figure(numerator=1, denominator=3)
    """
    if dataset(inputs, "improvement_actions") is None:
        return MISSING_RATIO
    s = _states(inputs, window.end)
    return MISSING_RATIO if s is None else ratio(s["overdue"], s["open"])


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
        "Of the improvement actions with due_date in the window and not cancelled by its "
        "end, the % completed by the window's end." + _HISTORY + _ABSENT
    ),
    numerator="Actions due in the window completed by its end",
    denominator="Actions with due_date in the window, not cancelled by its end",
    breakdowns=("area", "owner"),
    inputs=(
        local("improvement_actions", "due_date").reading(
            "created_date", "completed_date", "status"
        ),
    ),
)
def actions_due_complete_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Actions due in the window that are complete by its end, %.

    Examples
    --------
    >>> a = local_frame("improvement_actions",
    ...     status=["complete", "in_progress", "cancelled", "complete", "complete"],
    ...     created_date=["2025-01-01"] * 5,
    ...     due_date=["2025-03-01", "2025-03-31", "2025-03-15", "2025-04-01", "2025-03-20"],
    ...     completed_date=["2025-02-20", None, "2025-03-02", "2025-03-30", "2025-04-10"])
    >>> # due in March, not cancelled: rows 0, 1, 4; complete by 31 March: row 0
    >>> actions_due_complete_pct(local_inputs(improvement_actions=a),
    ...                          Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=3)
    """
    df = dataset(inputs, "improvement_actions")
    if df is None:
        return MISSING_RATIO
    s = _states(inputs, window.end)
    if s is None:
        return MISSING_RATIO
    due = in_window(df["due_date"], window) & ~s["cancelled"]
    return ratio(s["complete"], due)
