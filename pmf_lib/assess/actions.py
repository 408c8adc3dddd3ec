"""The month's improvement actions, each with its state at the month end.

The reports list the open and overdue improvement actions beneath the action
KPIs. So that a list never shows other actions than its figures count, each
action's state comes from the KPIs' own computation,
:func:`pmf_lib.compute.kpis.improvement_actions.action_states`, and the batch
publishes the result once, as ``actions.parquet`` (and ``.csv``) beside the
month's other tables; the reports read it and decide nothing.

One row per action of the log (:data:`COLUMNS`), with ``state``:

* ``overdue``: open at the month end and due before it;
* ``open``: open at the month end, not overdue;
* ``complete`` / ``cancelled``: closed so by the month end;
* ``not_open``: none of these (created after the month end);
* ``unknown``: the log cannot tell this month (it lacks the actions' history
  and this is not the month its current status describes, or a file of it
  lacks a required column), as the action KPIs are missing for it.

``closed_since`` marks an action open at the month end whose status in the log
is now closed (complete or cancelled since), so a page can say it was open then.

For members or the public the table keeps only the rows the reports list (open,
overdue, or the month unknown), as the reports have always shown them to every
audience; the other actions' rows stay out of their folder.

Which month the log's current status describes is the one for which its
published figure is not missing: ``actions_open_count`` at the month end
(a figure withheld for members or the public was not missing). For a log with
the history every month can be told.

Examples
--------
>>> from pmf_lib.compute.kpis._local import local_frame
>>> log = local_frame("improvement_actions", action_id=["A1", "A2"],
...     status=["in_progress", "complete"], created_date=["2026-01-05", "2026-01-05"],
...     due_date=["2026-02-01", "2026-06-30"], completed_date=[None, "2026-05-02"])
>>> t = action_table(log, "2026-03-31", current=False)
>>> # A1 due 1 February and still open: overdue; A2 open in March, completed in May
>>> t[["action_id", "state", "closed_since"]].values.tolist()
[['A1', 'overdue', False], ['A2', 'open', True]]
"""

from __future__ import annotations

import pandas as pd

from pmf_lib.assess.disclosure import suppresses
from pmf_lib.compute.kpis.improvement_actions import OPEN_STATUSES, action_states
from pmf_lib.config import Config
from pmf_lib.dates import month_end

#: The published table's columns, in order.
COLUMNS = (
    "period_end",
    "action_id",
    "kpi_id",
    "area",
    "action",
    "owner",
    "created_date",
    "due_date",
    "completed_date",
    "status",
    "state",
    "closed_since",
)
#: The states an action can be in at the month end (module docstring).
STATES = ("overdue", "open", "complete", "cancelled", "not_open", "unknown")
#: The states of the rows a report lists (or says cannot be told): all a members' or
#: public table keeps.
LISTED = ("overdue", "open", "unknown")
#: The KPI whose published figure says whether the log can tell the month.
OPEN_KPI = "actions_open_count"
_LOG_COLUMNS = COLUMNS[1:10]


def action_table(log: pd.DataFrame, end, *, current: bool) -> pd.DataFrame:
    """Each action of ``log`` with its state at month end ``end`` (:data:`COLUMNS`).

    Parameters
    ----------
    log : pandas.DataFrame
        The improvement actions log as read (``pmf_lib.read.local``).
    end : date-like
        The month end.
    current : bool
        Whether ``end`` is the month the log's current status describes (see
        :func:`~pmf_lib.compute.kpis.improvement_actions.action_states`).

    Returns
    -------
    pandas.DataFrame
        One row per action, sorted by due date then action id.

    Examples
    --------
    >>> from pmf_lib.compute.kpis._local import local_frame
    >>> old = local_frame("improvement_actions", action_id=["A1", "A2"],
    ...     status=["overdue", "complete"], due_date=["2026-03-01", "2026-02-01"])
    >>> # no created or completed dates: March can be told only if it is the log's month
    >>> action_table(old, "2026-03-31", current=False)["state"].tolist()
    ['unknown', 'unknown']
    >>> action_table(old, "2026-03-31", current=True)["state"].tolist()  # by due date
    ['complete', 'overdue']
    """
    end = pd.Timestamp(end).normalize()
    out = log.reindex(columns=list(_LOG_COLUMNS)).copy()
    states = None if log.attrs.get("missing_columns") else action_states(log, end, current=current)
    if states is None:
        state = pd.Series("unknown", index=log.index, dtype=object)
        closed_since = pd.Series(False, index=log.index)
    else:
        state = pd.Series("not_open", index=log.index, dtype=object)
        for name in ("cancelled", "complete", "open", "overdue"):  # the last one set wins
            state = state.mask(states[name].astype(bool), name)
        still_open = log["status"].astype("string").isin(OPEN_STATUSES).fillna(False)
        closed_since = states["open"].astype(bool) & ~still_open.astype(bool)
    out.insert(0, "period_end", pd.Series(end, index=out.index, dtype="datetime64[ns]"))
    out["state"] = state.astype("string")
    out["closed_since"] = closed_since.astype(bool)
    out = out.sort_values(["due_date", "action_id"], kind="stable", na_position="last")
    return out.reset_index(drop=True)[list(COLUMNS)]


def log_told(history: pd.DataFrame, end) -> bool:
    """Whether the published figures tell month ``end`` from the log (:data:`OPEN_KPI`).

    True when ``actions_open_count`` at ``end`` has a value, or was withheld
    (members' and the public's tables blank a withheld figure).

    Examples
    --------
    >>> h = pd.DataFrame({"kpi_id": ["actions_open_count"] * 2,
    ...     "period_end": pd.to_datetime(["2026-09-30", "2026-10-31"]),
    ...     "value": [float("nan"), 3.0]})
    >>> log_told(h, "2026-10-31"), log_told(h, "2026-09-30"), log_told(h, "2026-08-31")
    (True, False, False)
    """
    end = pd.Timestamp(end).normalize()
    at = history[
        (history["kpi_id"] == OPEN_KPI)
        & (pd.to_datetime(history["period_end"]).dt.normalize() == end)
    ]
    if at.empty:
        return False
    if pd.notna(at["value"].iloc[0]):
        return True
    return "suppressed" in at and bool(at["suppressed"].fillna(False).iloc[0])


def actions_for_config(
    config: Config, history: pd.DataFrame, month: str, log: pd.DataFrame | None = None
) -> pd.DataFrame | None:
    """The month's action table (:func:`action_table`), or None with no log configured.

    Parameters
    ----------
    config : Config
        The council's config (``data.local.improvement_actions``).
    history : pandas.DataFrame
        The month's KPI history (its ``actions_open_count`` says whether the log
        tells the month: :func:`log_told`).
    month : str
        ``YYYY-MM``.
    log : pandas.DataFrame, optional
        The log as already read (``SourceData.local["improvement_actions"]``);
        default: read the config's files.

    Returns
    -------
    pandas.DataFrame or None
        For members or the public only the rows the reports list
        (:data:`LISTED`: open, overdue, or the month unknown), so their folder
        holds no count of the other actions (completed, cancelled, not yet
        created) that their withheld figures might let be worked out.
    """
    files = config.data.local.improvement_actions
    if not files:
        return None
    if log is None:
        from pmf_lib.read.local import concat_tables, read_local

        log = concat_tables(
            read_local("improvement_actions", config.files("local.improvement_actions"))
        )
    end = month_end(month)
    table = action_table(log, end, current=log_told(history, end))
    if suppresses(config.audience):
        table = table[table["state"].isin(LISTED)].reset_index(drop=True)
    return table
