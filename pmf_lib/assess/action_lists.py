"""Action lists for team managers: the children needing action at the report date.

Decided here, once (render only draws them, publish only writes them), from the
same canonical tables and by the same rules as the KPIs they feed, so each list
reconciles with its figure:

* ``assessments`` -> ``assessments_45wd_pct`` (month window): the assessments
  authorised in the month after more than 45 working days (or with no start
  date), which the KPI counts as late, and the assessments still open at the
  report date that are past 45 working days or will pass it within 5;
* ``s47_icpc`` -> ``icpc_15wd_pct`` (month window): the initial conferences
  held in the month more than 15 working days after the enquiry started (or
  with no start date), and the enquiries still without a conference at the
  report date (``ICPCnotRequired`` not set) past 15 working days or within 5 of it;
* ``cp_reviews`` -> ``cp_reviews_on_time_pct`` (snapshot): the children of the
  KPI's denominator not reviewed on time
  (:func:`~pmf_lib.compute.kpis.protection.cp_review_status`);
* ``cla_reviews`` -> ``conf_cla_reviews_timely_pct`` (the quarter ending the
  report date, local ``conferencing`` dataset): the reviews held late;
* ``cla_health`` -> ``cla_health_assessment_pct`` (latest OC2 return): the
  children whose annual health assessment was not up to date;
* ``care_leavers`` -> ``care_leavers_not_in_touch_pct`` (latest OC3 return):
  care leavers aged 19-21 the council is not in touch with.

Rows the KPI counts as breaches have ``counted_in_kpi`` True; their number is
the list's :attr:`ActionList.breach_count`, and the KPI's own breach count (its
function called on the same inputs and window: denominator minus numerator, or
the numerator for a KPI where lower is better) is :attr:`ActionList.kpi_breaches`.
The two are equal by construction; the page shows both. Open assessments and
enquiries (not yet in any figure: they will count as late when completed) have
``counted_in_kpi`` False.

An open assessment or enquiry is one started on or before the report date, not
completed by it, whose CIN episode (``referrals`` row of the same ``LAchildID``
and ``CINreferralDate``) is open at the report date or is not in the data; work
in an episode already closed is not open work. Its working days elapsed count
the working days d with start <= d <= report date (the KPI's count were it
completed the next day), Monday to Friday less the bank holidays the KPIs use
(:func:`pmf_lib.dates.working_days_between`). So past 45 working days means the
KPI will count it late however soon it is authorised; due within 5 means 41 to
45 elapsed.

Team and allocated worker come from the list's own canonical table when it has
``allocated_team`` / ``allocated_worker`` columns, else from the Annex A list
the council supplies (list 4 assessments, 5 section 47, 7 child protection, 8
children in care, 9 care leavers: the child's last row with a team), else
``not recorded``.

The lists hold child ids: :func:`action_lists_for` gives none for a members' or
public audience.

Examples
--------
>>> [s.id for s in LISTS]
['assessments', 's47_icpc', 'cp_reviews', 'cla_reviews', 'cla_health', 'care_leavers']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pmf_lib.compute.kpis._common import flag, latest_return, open_at
from pmf_lib.compute.registry import Figure, KpiInputs, all_kpis
from pmf_lib.dates import Window, working_days_between

NOT_RECORDED = "not recorded"
#: Open work within this many working days of its KPI's timescale is "due".
DUE_WITHIN = 5
ROW_COLUMNS = ("team", "worker", "child_id")
TAIL_COLUMNS = ("working_days", "status", "counted_in_kpi")


@dataclass(frozen=True)
class ListSpec:
    """One action list: what it holds, the KPI it feeds and its date columns."""

    id: str
    title: str
    kpi_id: str
    window: str  # the KPI window it reconciles with: month, quarter or snapshot
    annex_a: str  # the Annex A list that gives team and worker
    dates: tuple[tuple[str, str], ...]  # (column, heading)
    working_days: str  # the heading of the working days column
    rule: str


LISTS = (
    ListSpec(
        "assessments",
        "Assessments open beyond 45 working days or due within 5, and those completed late",
        "assessments_45wd_pct",
        "month",
        "list_4",
        (("start", "Assessment started"), ("completed", "Authorised"), ("due", "Due by")),
        "Working days since the start",
        "Open at the report date (its CIN episode open) and past 45 working days, or within 5 "
        "working days of it; or authorised in the month after more than 45 working days, or with "
        "no start date (counted late in the month's figure).",
    ),
    ListSpec(
        "s47_icpc",
        "Section 47 enquiries without an initial conference within 15 working days",
        "icpc_15wd_pct",
        "month",
        "list_5",
        (
            ("start", "Section 47 started"),
            ("completed", "Initial conference"),
            ("due", "Due by"),
        ),
        "Working days since the enquiry started",
        "Enquiries open at the report date (its CIN episode open, no conference, a conference "
        "not recorded as not required) past 15 working days or within 5 of it; or initial "
        "conferences held in the month after more than 15 working days, or whose enquiry has no "
        "start date (counted late in the month's figure).",
    ),
    ListSpec(
        "cp_reviews",
        "Child protection plans whose review is overdue",
        "cp_reviews_on_time_pct",
        "snapshot",
        "list_7",
        (("start", "Plan started"), ("last_review", "Last review"), ("due", "Next review due")),
        "Working days since the review was due",
        "Children on a plan for 3 months or more at the report date whose next review is "
        "overdue, or one of whose reviews was late (the figure's children not reviewed on time).",
    ),
    ListSpec(
        "cla_reviews",
        "Children looked after whose review was overdue",
        "conf_cla_reviews_timely_pct",
        "quarter",
        "list_8",
        (("review", "Review held"), ("due", "Recorded due date")),
        "Working days from the recorded due date to the review",
        "Reviews held in the three months ending the report date late for their stage (first "
        "within 20 working days of entering care, second within 3 months, later within 6), or, "
        "stage unknown, after their recorded due date.",
    ),
    ListSpec(
        "cla_health",
        "Children looked after whose health assessment is overdue",
        "cla_health_assessment_pct",
        "snapshot",
        "list_8",
        (("as_at", "OC2 return as at"),),
        "Working days since the return's date",
        "Children looked after for 12 months at the latest OC2 return's 31 March whose annual "
        "health assessment was not up to date (HEALTH_ASSESSMENT = 0).",
    ),
    ListSpec(
        "care_leavers",
        "Care leavers aged 19-21 not in touch",
        "care_leavers_not_in_touch_pct",
        "snapshot",
        "list_9",
        (("as_at", "OC3 return as at"),),
        "Working days since the return's date",
        "Care leavers aged 19-21 in the latest OC3 return the council is not in touch with "
        "(IN_TOUCH = NO).",
    ),
)
SPECS = {s.id: s for s in LISTS}


@dataclass
class ActionList:
    """One list at a report date: its rows and its reconciliation with the KPI.

    ``rows`` has ``team``, ``worker``, ``child_id``, the spec's date columns,
    ``working_days``, ``status`` and ``counted_in_kpi``, sorted by team, worker,
    status and working days (most first).
    """

    spec: ListSpec
    period_end: pd.Timestamp
    rows: pd.DataFrame
    kpi_figure: Figure
    supplied: bool = True  # False: the KPI's data is not supplied (the list is empty)
    notes: list[str] = field(default_factory=list)

    @property
    def breach_count(self) -> int:
        """Rows the KPI counts as breaches."""
        return int(self.rows["counted_in_kpi"].sum())

    @property
    def kpi_breaches(self) -> float:
        """The KPI's own breach count for the window (NaN when it is missing)."""
        return kpi_breach_count(self.spec.kpi_id, self.kpi_figure)

    @property
    def reconciles(self) -> bool:
        """The list's breach rows number the KPI's breaches (vacuously, for a missing KPI)."""
        k = self.kpi_breaches
        return (not self.supplied) or (not np.isnan(k) and int(k) == self.breach_count)

    def by_team(self) -> pd.DataFrame:
        """The list grouped by team and allocated worker: its rows and those in the figure.

        Examples
        --------
        >>> rows = pd.DataFrame({"team": ["A", "A", "B"], "worker": ["x", "x", "y"],
        ...     "counted_in_kpi": [True, False, True]})
        >>> lst = ActionList(SPECS["care_leavers"], pd.Timestamp("2026-10-31"), rows,
        ...     Figure(2, 9))
        >>> lst.by_team().to_dict("records")
        [{'team': 'A', 'worker': 'x', 'rows': 2, 'counted_in_kpi': 1}, \
{'team': 'B', 'worker': 'y', 'rows': 1, 'counted_in_kpi': 1}]
        """
        g = self.rows.groupby(["team", "worker"], sort=True)["counted_in_kpi"]
        out = g.agg(rows="size", counted_in_kpi="sum").reset_index()
        return out.astype({"rows": int, "counted_in_kpi": int})


def kpi_breach_count(kpi_id: str, fig: Figure) -> float:
    """A KPI figure's breaches: denominator minus numerator, or the numerator where lower is better.

    Examples
    --------
    >>> kpi_breach_count("assessments_45wd_pct", Figure(6, 10))
    4.0
    >>> kpi_breach_count("care_leavers_not_in_touch_pct", Figure(3, 40))
    3.0
    """
    meta = all_kpis()[kpi_id].meta
    n, d = fig.numerator, fig.denominator
    if n is None or pd.isna(n) or (d is not None and pd.isna(d)):
        return float("nan")
    if meta.polarity == "lower_is_better":
        return float(n)
    return float(d - n)


def _window(spec: ListSpec, period_end) -> Window:
    return Window.of(spec.window, period_end)


def _elapsed_to(start: pd.Series, period_end) -> np.ndarray:
    """Working days d with ``start <= d <= period_end`` (NaN where start is missing)."""
    day_after = pd.Series(pd.Timestamp(period_end) + pd.Timedelta(days=1), index=start.index)
    return working_days_between(start, day_after)


def _nth_working_day(start: pd.Series, n: int) -> pd.Series:
    """The last day an event may fall on and still be within ``n`` working days of ``start``.

    The KPIs count working days d with start <= d < event; the event is within
    ``n`` when that count is at most ``n``, i.e. on or before the ``n``-th
    working day from ``start`` (start itself being the first when a working day).
    """
    s = start.to_numpy().astype("datetime64[D]")
    ok = ~np.isnat(s)
    out = np.full(len(s), np.datetime64("NaT"), dtype="datetime64[D]")
    if ok.any():
        from pmf_lib.dates import bank_holidays

        hol = bank_holidays()
        first = np.busday_offset(s[ok], 0, roll="forward", holidays=hol)
        out[ok] = np.busday_offset(first, n, roll="forward", holidays=hol)
    return pd.Series(pd.to_datetime(out), index=start.index)


def _episode_open(table: pd.DataFrame, referrals: pd.DataFrame, period_end) -> pd.Series:
    """Per row of ``table``: its CIN episode is open at ``period_end`` or not in the data."""
    keys = ["LAchildID", "CINreferralDate"]
    ref = referrals[[*keys, "CINclosureDate"]].dropna(subset=keys)
    closed = ref[~open_at(ref["CINreferralDate"], ref["CINclosureDate"], period_end)]
    closed = closed[keys].drop_duplicates().assign(_closed=True)
    m = table[keys].merge(closed, on=keys, how="left")
    return pd.Series(~m["_closed"].fillna(False).astype(bool).to_numpy(), index=table.index)


def _timescale_list(
    df: pd.DataFrame, start: str, done: str, limit: int, period_end, window: Window, *, exempt=None
) -> pd.DataFrame:
    """Rows of an assessment-like table: completed late in the window, or open and due."""
    end = pd.Timestamp(period_end)
    # the KPI's rule: completed in the window; late when more than `limit` working days
    # from the start (no start date: late)
    held = window.contains(df[done]).fillna(False).astype(bool)
    wd_done = working_days_between(df.loc[held, start], df.loc[held, done])
    late_done = np.nan_to_num(wd_done, nan=np.inf) > limit
    late = df.loc[held].loc[late_done]
    late = late.assign(working_days=wd_done[late_done], counted_in_kpi=True)
    late = late.assign(status=f"Completed late: more than {limit} working days (in the figure)")
    # open at the report date and due
    is_open = (df[start] <= end) & (df[done].isna() | (df[done] > end))
    is_open = is_open.fillna(False).astype(bool)
    if exempt is not None:
        is_open &= ~exempt
    o = df.loc[is_open]
    wd_open = _elapsed_to(o[start], end)
    due = wd_open > limit - DUE_WITHIN
    o = o.loc[due].assign(working_days=wd_open[due], counted_in_kpi=False)
    past = o["working_days"] > limit
    o = o.assign(
        status=np.where(
            past,
            f"Open: past {limit} working days",
            f"Open: due within {DUE_WITHIN} working days",
        ),
        **{done: pd.NaT},
    )
    out = pd.concat([late, o])
    return out.assign(
        child_id=out["LAchildID"],
        start=out[start],
        completed=out[done],
        due=_nth_working_day(out[start], limit),
    )


def _assessments(inputs: KpiInputs, spec: ListSpec, end) -> pd.DataFrame:
    a = inputs.cin.assessments
    a = a[_episode_open(a, inputs.cin.referrals, end) | a["AssessmentAuthorisationDate"].notna()]
    return _timescale_list(
        a,
        "AssessmentActualStartDate",
        "AssessmentAuthorisationDate",
        45,
        end,
        _window(spec, end),
    )


def _s47(inputs: KpiInputs, spec: ListSpec, end) -> pd.DataFrame:
    s = inputs.cin.section47
    s = s[_episode_open(s, inputs.cin.referrals, end) | s["DateOfInitialCPC"].notna()]
    return _timescale_list(
        s,
        "S47ActualStartDate",
        "DateOfInitialCPC",
        15,
        end,
        _window(spec, end),
        exempt=flag(s["ICPCnotRequired"], "1"),
    )


def _cp_reviews(inputs: KpiInputs, spec: ListSpec, end) -> pd.DataFrame:
    from pmf_lib.compute.kpis.protection import cp_review_status

    plans = cp_review_status(inputs.cin.cp_plans, inputs.cin.cp_reviews, end)
    failing = plans[~plans["on_time"]].sort_values(["LAchildID", "CPPstartDate"])
    # one row per child (the KPI counts children): the earliest-starting plan not on time
    failing = failing.drop_duplicates("LAchildID")
    overdue = failing["next_due"] < pd.Timestamp(end)
    wd = np.where(overdue, _elapsed_to(failing["next_due"], end), np.nan)
    return failing.assign(
        child_id=failing["LAchildID"],
        start=failing["CPPstartDate"],
        due=failing["next_due"],
        working_days=wd,
        status=np.where(overdue, "Review overdue", "An earlier review was late"),
        counted_in_kpi=True,
    )


def _cla_reviews(inputs: KpiInputs, spec: ListSpec, end) -> pd.DataFrame | None:
    from pmf_lib.compute.kpis._local import dataset, in_window
    from pmf_lib.compute.kpis.conferencing import _cla_reviews as review_stages

    r = review_stages(inputs)
    if r is None:
        return None
    df = dataset(inputs, "conferencing")
    # the KPI's rule (conf_cla_reviews_timely_pct): by stage when known, else by due date
    known = r["stage"] > 0
    timely = (known & r["timely"]) | (~known & r["recorded_timely"])
    counted = in_window(r["meeting_date"], _window(spec, end)) & (known | r["has_due"])
    late = r[counted & ~timely]
    due = df.loc[late.index, "due_date"]
    stage = late["stage"].map({1: "first", 2: "second", 3: "third or later"})
    return pd.DataFrame(
        {
            "child_id": df.loc[late.index, "child_id"].astype("string"),
            "review": late["meeting_date"],
            "due": due,
            "working_days": working_days_between(due, late["meeting_date"]),
            "status": ("Held late: " + (stage + " review").fillna("stage unknown")).to_numpy(),
            "counted_in_kpi": True,
        },
        index=late.index,
    )


def _oc_as_at(table: pd.DataFrame) -> pd.Timestamp | None:
    if table.empty:
        return None
    return pd.Timestamp(int(table["collection_year"].iloc[0]), 3, 31)


def _cla_health(inputs: KpiInputs, spec: ListSpec, end) -> pd.DataFrame:
    # the KPI's rule (cla_health_assessment_pct): the latest OC2 cohort, answered 0 or 1,
    # a child repeated in it counted once (yes if any row says yes)
    oc2 = latest_return(inputs.cla.oc2, end)
    value = oc2["HEALTH_ASSESSMENT"].astype("string").str.strip()
    answered = value.isin(["0", "1"]).fillna(False).astype(bool)
    rows = oc2.loc[answered, ["CHILD"]].assign(yes=(value[answered] == "1").to_numpy())
    per_child = rows.dropna(subset=["CHILD"]).groupby("CHILD")["yes"].max()
    children = per_child.index[~per_child.to_numpy(dtype=bool)]
    as_at = _oc_as_at(oc2)
    out = pd.DataFrame({"child_id": pd.array(children, dtype="string")})
    out = out.assign(as_at=as_at, status="Health assessment not up to date", counted_in_kpi=True)
    return out.assign(working_days=_elapsed_to(out["as_at"], end) if len(out) else [])


def _care_leavers(inputs: KpiInputs, spec: ListSpec, end) -> pd.DataFrame:
    from pmf_lib.compute.kpis.care_leavers import care_leavers_19_21

    leavers = care_leavers_19_21(inputs, end)
    out = leavers[flag(leavers["IN_TOUCH"], "NO")] if len(leavers) else leavers
    as_at = _oc_as_at(leavers)
    out = pd.DataFrame({"child_id": out["CHILD"].astype("string").to_numpy()})
    out = out.assign(as_at=as_at, status="Not in touch", counted_in_kpi=True)
    return out.assign(working_days=_elapsed_to(out["as_at"], end) if len(out) else [])


_BUILDERS = {
    "assessments": (_assessments, "cin", "assessments"),
    "s47_icpc": (_s47, "cin", "section47"),
    "cp_reviews": (_cp_reviews, "cin", "cp_plans"),
    "cla_reviews": (_cla_reviews, None, None),
    "cla_health": (_cla_health, "cla", "oc2"),
    "care_leavers": (_care_leavers, "cla", "oc3"),
}


def team_lookup(frame: pd.DataFrame | None) -> pd.DataFrame:
    """Child id -> ``team``, ``worker`` from a table with ``child_id``, ``allocated_team`` and
    ``allocated_worker`` (an Annex A list): each child's last row with a team or worker.

    Examples
    --------
    >>> a = pd.DataFrame({"child_id": ["1", "1", "2"], "allocated_team": ["A", "B", None],
    ...                   "allocated_worker": ["W1", "W2", None]})
    >>> team_lookup(a).to_dict("index")
    {'1': {'team': 'B', 'worker': 'W2'}}
    """
    cols = ["child_id", "allocated_team", "allocated_worker"]
    if frame is None or not set(cols) <= set(frame.columns):
        return pd.DataFrame(columns=["team", "worker"], index=pd.Index([], name="child_id"))
    f = frame[cols].astype("string")
    f = f[f["child_id"].notna() & (f["allocated_team"].notna() | f["allocated_worker"].notna())]
    f = f.drop_duplicates("child_id", keep="last").set_index("child_id")
    return f.rename(columns={"allocated_team": "team", "allocated_worker": "worker"})


def _with_teams(rows: pd.DataFrame, own: pd.DataFrame | None, annex: pd.DataFrame | None):
    """``rows`` with ``team`` and ``worker``: from the rows' own table (``own``, its child id
    column named ``child_id``) where it records them, else Annex A, else not recorded."""
    rows = rows.reset_index(drop=True)
    ids = rows["child_id"].astype("string")
    out = {}
    for col in ("team", "worker"):
        value = pd.Series(pd.NA, index=rows.index, dtype="string")
        for look in (team_lookup(own), team_lookup(annex)):
            if len(look):
                value = value.fillna(ids.map(look[col]).astype("string"))
        out[col] = value.fillna(NOT_RECORDED)
    return rows.assign(**out)


def build_list(
    spec: ListSpec,
    inputs: KpiInputs,
    period_end,
    annex_a: Mapping[str, pd.DataFrame] | None = None,
) -> ActionList:
    """One action list at ``period_end`` (see the module docstring).

    Examples
    --------
    >>> from pmf_lib.read.tables import CIN_COLUMNS, CinCensus, conform
    >>> # Started Mon 2 Mar 2026, open at Sun 31 May: 13 weeks of weekdays (65) less 4 bank
    >>> # holidays (3 and 6 April, 4 and 25 May) is 61 working days, past 45.
    >>> a = conform(pd.DataFrame({"LAchildID": ["c1"],
    ...     "AssessmentActualStartDate": pd.to_datetime(["2026-03-02"])}),
    ...     CIN_COLUMNS["assessments"])
    >>> cin = CinCensus(); cin.tables["assessments"] = a
    >>> lst = build_list(SPECS["assessments"], KpiInputs(cin=cin), "2026-05-31")
    >>> lst.rows[["child_id", "team", "working_days", "status"]].to_dict("records")
    [{'child_id': 'c1', 'team': 'not recorded', 'working_days': 61.0, 'status': 'Open: past 45 \
working days'}]
    >>> lst.breach_count, lst.kpi_breaches, lst.reconciles  # open: not yet in the figure
    (0, 0.0, True)
    """
    end = pd.Timestamp(period_end).normalize()
    build, source_kind, table = _BUILDERS[spec.id]
    fig = all_kpis()[spec.kpi_id](inputs, _window(spec, end))
    out = build(inputs, spec, end)
    supplied = out is not None
    if out is None:
        out = pd.DataFrame(columns=["child_id", "working_days", "status", "counted_in_kpi"])
    own = None
    if source_kind is not None:
        own = getattr(inputs, source_kind).tables.get(table)
        child = "LAchildID" if source_kind == "cin" else "CHILD"
        own = None if own is None else own.rename(columns={child: "child_id"})
    out = _with_teams(out, own, (annex_a or {}).get(spec.annex_a))
    date_cols = [c for c, _ in spec.dates]
    for c in date_cols:
        if c not in out:
            out[c] = pd.NaT
        out[c] = pd.to_datetime(out[c]).astype("datetime64[ns]")
    cols = [*ROW_COLUMNS, *date_cols, *TAIL_COLUMNS]
    out = out[cols].astype(
        {
            "child_id": "string",
            "working_days": "Float64",
            "status": "string",
            "counted_in_kpi": bool,
        }
    )
    out = out.sort_values(
        ["team", "worker", "counted_in_kpi", "working_days", "child_id"],
        ascending=[True, True, False, False, True],
        kind="mergesort",
        na_position="last",
    ).reset_index(drop=True)
    notes = [] if supplied else ["The data this list needs is not supplied."]
    return ActionList(spec, end, out, fig, supplied=supplied, notes=notes)


def action_lists(
    inputs: KpiInputs, period_end, annex_a: Mapping[str, pd.DataFrame] | None = None
) -> list[ActionList]:
    """Every action list at ``period_end`` (:data:`LISTS`, in order).

    ``annex_a`` maps an Annex A list name (``list_4`` ...) to its rows (the
    reader's ``data``: ``child_id``, ``allocated_team``, ``allocated_worker``).
    """
    return [build_list(s, inputs, period_end, annex_a) for s in LISTS]


def annex_a_frames(files) -> dict[str, pd.DataFrame]:
    """The Annex A lists among the files read against a schema (``Sources.files``), by list.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> f = [NS(source="annex_a/list_4", data=pd.DataFrame({"child_id": ["1"]})),
    ...      NS(source="local/lado", data=pd.DataFrame())]
    >>> list(annex_a_frames(f))
    ['list_4']
    """
    by: dict[str, list[pd.DataFrame]] = {}
    for t in files:
        if t.source.startswith("annex_a/"):
            by.setdefault(t.source.removeprefix("annex_a/"), []).append(t.data)
    return {k: pd.concat(v, ignore_index=True) for k, v in by.items()}


def _not_supplied(spec: ListSpec, period_end, note: str) -> ActionList:
    """An empty list whose KPI has no figure from the data used (``note`` says why)."""
    rows = pd.DataFrame(columns=[*ROW_COLUMNS, *(c for c, _ in spec.dates), *TAIL_COLUMNS])
    nan = float("nan")
    return ActionList(
        spec, pd.Timestamp(period_end).normalize(), rows, Figure(nan, nan), False, [note]
    )


def action_lists_for(build, config) -> list[ActionList] | None:
    """The month's action lists from a :class:`~pmf_lib.assess.build.MonthBuild`.

    None for a members' or public audience (the lists hold child ids) and for a
    build made without the source data. Each list is made from the inputs its
    KPI's published figure comes from: the national returns, or the tables made
    from Annex A (``build.read.annex``) when the council sends Annex A alone or
    names it headline (``sources.headline``) and Annex A supports the KPI
    (:func:`pmf_lib.read.annex_a_inputs.support`). With Annex A alone, a list
    whose KPI it does not support is empty and says why, as its figure is missing.
    """
    from pmf_lib.assess.disclosure import suppresses
    from pmf_lib.assess.reconcile import annex_a_fed
    from pmf_lib.compute import inputs_from_sources
    from pmf_lib.compute.registry import kpi_feeds

    if suppresses(config.audience) or build.read is None:
        return None
    end = build.period_ends[-1]
    annex_rows = annex_a_frames(build.read.sources.files)
    national = inputs_from_sources(build.read.data)  # Annex A's tables when it comes alone
    annex = getattr(build.read, "annex", None)
    alone = annex is not None and not (config.data.ssda903 or config.data.cin_census)
    headline = getattr(getattr(config, "sources", None), "headline", "national")
    annex_inputs = None
    if annex is not None and not alone and headline == "annex_a":
        annex_inputs = KpiInputs(
            cin=annex.cin,
            cla=annex.cla,
            population=build.read.data.population,
            local={**build.read.data.local, **annex.local},
        )
    feeds = kpi_feeds()
    out = []
    for spec in LISTS:
        inputs = national
        if annex is not None and annex_a_fed(spec.kpi_id, feeds):
            from pmf_lib.read.annex_a_inputs import support

            sup = support(spec.kpi_id)
            if sup.status == "none" and alone:
                note = f"Annex A does not give this figure: {sup.reason}."
                out.append(_not_supplied(spec, end, note))
                continue
            if sup.status != "none" and annex_inputs is not None:
                inputs = annex_inputs
        out.append(build_list(spec, inputs, end, annex_rows))
    return out


def summary_table(lists: list[ActionList]) -> pd.DataFrame:
    """One row per list: its KPI, rows, breach rows, the KPI's breaches and whether they agree."""
    return pd.DataFrame(
        [
            {
                "list_id": lst.spec.id,
                "title": lst.spec.title,
                "kpi_id": lst.spec.kpi_id,
                "window": lst.spec.window,
                "period_end": lst.period_end,
                "rows": len(lst.rows),
                "breach_rows": lst.breach_count,
                "kpi_breaches": lst.kpi_breaches,
                "reconciles": lst.reconciles,
                "supplied": lst.supplied,
            }
            for lst in lists
        ]
    )
