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

For members or the public the table keeps only the rows the reports may list
(:func:`withhold_lists`): the other actions' rows (complete, cancelled, not yet
open) stay out of their folder, and so do the open and overdue actions of each
area whose list would let a count of 1 to ``max_count`` be read or worked out.
Such an area gets one row with ``state`` ``withheld`` and no action in it (the
reports show the configured wording there, never "no open actions"); no owner
is published (most owners have a handful of actions, which the owner breakdown
of the action KPIs withholds).

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

from pmf_lib.assess.disclosure import (
    DEFAULT_MAX_COUNT,
    Disclosure,
    is_small,
    row_is_suppressed,
)
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
#: The state of the one row standing for an area's withheld open and overdue actions
#: (members' and public tables only: :func:`withhold_lists`).
WITHHELD_STATE = "withheld"
#: The states an action can be in at the month end (module docstring), and the
#: withheld area's row.
STATES = ("overdue", "open", "complete", "cancelled", "not_open", "unknown", WITHHELD_STATE)
#: The states of the rows a report lists (or says cannot be told): all a members' or
#: public table keeps, besides its withheld areas' rows.
LISTED = ("overdue", "open", "unknown")
#: The KPI whose published figure says whether the log can tell the month.
OPEN_KPI = "actions_open_count"
#: The KPI of the open actions that are overdue (overdue of open, %).
OVERDUE_KPI = "actions_overdue_pct"
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


def withhold_lists(
    table: pd.DataFrame, max_count: int = DEFAULT_MAX_COUNT, *, figures_withheld: bool = False
) -> pd.DataFrame:
    """The action table as members or the public may see it: no list states a count of 1-4.

    The reports list the open and the overdue actions (a service area's page
    its own area's, the improvement actions page every area's, each row naming
    its measure and so its area). For an area *a* a page shows ``n_a`` open
    actions, ``o_a`` of them overdue and ``r_a = n_a - o_a`` not; the
    improvement actions page the sums over the areas it lists, beside the
    published ``actions_open_count`` (*N*) and ``actions_overdue_pct`` (*O* of
    *N*), whose breakdowns by area publish the ``n_a`` and ``o_a`` not withheld.
    The decision follows :mod:`pmf_lib.assess.disclosure` with the areas as the
    groups of a breakdown (``max_count`` is 4 unless the config says otherwise):

    * **primary** -- an area's lists are withheld when ``n_a``, ``o_a`` or
      ``r_a`` is 1 to ``max_count`` (the primary and complement rules of the
      overdue percentage by area), or when the open count's breakdown by area
      may withhold its group (the rule of
      :func:`~pmf_lib.assess.disclosure.suppress_counts` on the ``n_a``, with
      groups tied for the smallest withheld together: whichever of them the
      breakdown picks, no list is shown of an area whose published group is
      withheld, so no list and published groups together state a withheld one);
    * **derived** -- every area's lists are withheld when *N* or *O* of *N* is
      withheld (``figures_withheld``, or by the same rules on the table's own
      counts): a withheld figure withholds its breakdown;
    * **secondary** -- while the withheld areas' ``n``, ``o`` or ``r`` add up to
      1 to ``max_count`` (the published figure minus the listed rows would state
      it), the smallest listed area (ties: by area code) with a non-zero count
      of that kind is withheld too.

    A withheld area's rows are replaced by one row of state
    :data:`WITHHELD_STATE` naming only the area and the month (after the listed
    rows, by area; a blank area is the actions with none); the rows of other
    states (complete, cancelled, not yet open) are dropped; and no owner is
    kept (each owner has a handful of actions, which the action KPIs' owner
    breakdowns withhold). A month the log cannot tell (every row ``unknown``)
    keeps its rows: no list is shown for it.

    Parameters
    ----------
    table : pandas.DataFrame
        The month's action table (:func:`action_table`).
    max_count : int
        The largest count withheld.
    figures_withheld : bool
        Whether the published ``actions_open_count`` or ``actions_overdue_pct``
        of the month is withheld (its ``suppressed`` flag).

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`, the listed rows of the areas shown and one row per area
        withheld.

    Examples
    --------
    >>> t = pd.DataFrame({"period_end": pd.Timestamp("2026-10-31"),
    ...     "action_id": [f"A{i}" for i in range(10)], "area": ["x"] * 3 + ["y"] * 7,
    ...     "owner": "Lead", "state": ["open"] * 10, "closed_since": False})
    >>> t = t.reindex(columns=list(COLUMNS))
    >>> # x has 3 open (primary); then the withheld areas add up to 3, which 10 (the
    >>> # published figure) minus y's 7 listed would state, so y (7) is withheld too
    >>> withhold_lists(t)[["area", "state"]].values.tolist()
    [['x', 'withheld'], ['y', 'withheld']]
    >>> twelve = pd.concat([t, t.iloc[:6].assign(area="z"), t.iloc[:6].assign(area="z")])
    >>> # with 12 more in z: x (3) and y (7) withheld add up to 10; z's 12 are listed
    >>> w = withhold_lists(twelve.reset_index(drop=True))
    >>> sorted(w.groupby(["area", "state"]).size().items())
    [(('x', 'withheld'), 1), (('y', 'withheld'), 1), (('z', 'open'), 12)]
    >>> bool(w["owner"].isna().all())
    True
    """
    t = table[table["state"].isin(LISTED)].copy()
    t["owner"] = pd.Series(pd.NA, index=t.index, dtype="string")
    listed = t[t["state"].isin(("open", "overdue"))]
    if listed.empty:
        return t.reset_index(drop=True)[list(COLUMNS)]
    key = listed["area"].astype("string").fillna("")
    n = key.value_counts().sort_index()
    o = key[listed["state"] == "overdue"].value_counts().reindex(n.index, fill_value=0)
    counts = {"open": n, "overdue": o, "not overdue": n - o}
    total, overdue = int(n.sum()), int(o.sum())
    hidden = _count_groups_withheld({a: int(v) for a, v in n.items()}, max_count)
    for a in n.index:
        hidden[a] = hidden[a] or row_is_suppressed(o[a], n[a], "percent", max_count)
    if (
        figures_withheld
        or row_is_suppressed(total, None, "count", max_count)
        or row_is_suppressed(overdue, total, "percent", max_count)
    ):
        hidden = dict.fromkeys(hidden, True)
    changed = True
    while changed:
        changed = False
        for c in counts.values():
            if not is_small(sum(int(c[a]) for a in n.index if hidden[a]), max_count):
                continue
            others = sorted((int(c[a]), a) for a in n.index if not hidden[a] and c[a] > 0)
            if others:
                hidden[others[0][1]] = True
                changed = True
    gone = [a for a in n.index if hidden[a]]
    shown = t.drop(index=listed.index[key.isin(gone).to_numpy()])
    markers = pd.DataFrame(
        {
            "period_end": listed["period_end"].iloc[0],
            "area": pd.Series([a or pd.NA for a in gone], dtype="string"),
            "state": WITHHELD_STATE,
            "closed_since": False,
        }
    ).reindex(columns=list(COLUMNS))
    markers = markers.astype(shown.dtypes.to_dict())
    out = pd.concat([shown, markers], ignore_index=True) if gone else shown
    return out.reset_index(drop=True)[list(COLUMNS)]


def _count_groups_withheld(counts: dict, max_count: int) -> dict:
    """The groups a breakdown of ``counts`` may withhold (every choice among ties).

    :func:`~pmf_lib.assess.disclosure.suppress_counts` withholds one of the
    smallest shown groups at a time; here every group tied for the smallest is
    withheld at once, so the result holds the breakdown's, whichever tie it broke.

    Examples
    --------
    >>> from pmf_lib.assess.disclosure import suppress_counts
    >>> c = {"a": 3, "b": 6, "c": 6, "d": 20}
    >>> # a (3) alone would be the total minus the shown groups: b or c must go with it
    >>> sorted(k for k, h in suppress_counts(c).items() if h)
    ['a', 'b']
    >>> sorted(k for k, h in _count_groups_withheld(c, 4).items() if h)
    ['a', 'b', 'c']
    """
    hidden = {k: is_small(v, max_count) for k, v in counts.items()}
    while is_small(sum(v for k, v in counts.items() if hidden[k]), max_count):
        shown = [v for k, v in counts.items() if not hidden[k] and v > 0]
        if not shown:
            break
        smallest = min(shown)
        hidden = {k: h or counts[k] == smallest for k, h in hidden.items()}
    return hidden


def figures_withheld(history: pd.DataFrame, end) -> bool:
    """Whether ``actions_open_count`` or ``actions_overdue_pct`` at ``end`` is withheld.

    Reads the ``suppressed`` flag of a published history (a history without it,
    as computed, withholds nothing yet).

    Examples
    --------
    >>> h = pd.DataFrame({"kpi_id": ["actions_open_count", "actions_overdue_pct"],
    ...     "period_end": pd.Timestamp("2026-10-31"), "suppressed": [False, True]})
    >>> figures_withheld(h, "2026-10-31"), figures_withheld(h.drop(columns="suppressed"),
    ...     "2026-10-31")
    (True, False)
    """
    if "suppressed" not in history:
        return False
    end = pd.Timestamp(end).normalize()
    at = history[
        history["kpi_id"].isin([OPEN_KPI, OVERDUE_KPI])
        & (pd.to_datetime(history["period_end"]).dt.normalize() == end)
    ]
    return bool(at["suppressed"].fillna(False).astype(bool).any())


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
        For members or the public only the rows the reports may list
        (:func:`withhold_lists`: open, overdue, or the month unknown, of the
        areas whose lists state no count of 1 to ``suppression.max_count``, and
        one ``withheld`` row per other area), so their folder holds no count the
        withheld figures might let be worked out.
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
    rules = Disclosure.from_config(config)
    if rules is not None:
        table = withhold_lists(
            table, rules.max_count, figures_withheld=figures_withheld(history, end)
        )
    return table
