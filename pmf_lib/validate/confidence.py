"""Data-quality confidence per KPI and month.

For each KPI and period end, the share of the records feeding the KPI that
break at least one error-severity rule, rated against two thresholds:
High when the share is at most ``high`` (default 1 %), Medium when at most
``medium`` (default 5 %), otherwise Low. A record also counts as in error when
its child's child-level row (903 header, CIN child identifiers) has an error,
since the KPIs read age, sex and identity from there.

Which records feed a KPI is a :class:`Feed` per KPI: :data:`FEEDS` maps every
registered KPI (the national returns, the local datasets and the monthly
workforce data) to the table(s) it reads and how they are dated;
:data:`DEFAULT_FEEDS` is the thirteen core KPIs' part of it. Kinds:

* ``flow``: records whose ``date`` falls in the KPI's windows (``windows``,
  by default the month and the rolling 12 months ending ``period_end``; the
  worse of them is kept);
* ``stock``: records open at ``period_end`` (``date`` on or before it and
  ``end`` empty or after it);
* ``overlap``: records open at any time in the 12 months ending ``period_end``;
* ``latest_return``: records of the latest annual return (``collection_year``)
  whose 31 March is on or before ``period_end`` (the 903 OC2 and OC3 tables);
* ``all``: every record of the table (a log read as it stands, such as the
  improvement actions).

Local datasets (source ``local``) are the frames of ``SourceData.local``;
their issues are placed on those frames' records by
:func:`local_issues_on_frames`. With no records feeding the KPI there is nothing
in error: the share is 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from pmf_lib.dates import Window
from pmf_lib.read.tables import CinCensus, Ssda903

CONFIDENCE_COLUMNS = ["kpi_id", "period_end", "dq_error_share", "dq_confidence"]
CHILD_LEVEL = {"cin_census": ("children", "LAchildID"), "ssda903": ("header", "CHILD")}


MONTH_12M = ("month", "rolling_12m")
QUARTER_12M = ("quarter", "rolling_12m")
R12 = ("rolling_12m",)


@dataclass(frozen=True)
class Feed:
    """The records a KPI reads: a table and its dating.

    ``source`` is ``cin_census`` or ``ssda903`` (canonical tables) or ``local``
    (``table`` is then a local dataset name or ``workforce_monthly``).
    """

    source: Literal["cin_census", "ssda903", "local"]
    table: str
    date: str | None = None
    kind: Literal["flow", "stock", "overlap", "latest_return", "all"] = "flow"
    end: str | None = None
    windows: tuple[str, ...] = MONTH_12M

    def __post_init__(self):
        if self.kind in ("flow", "stock", "overlap") and not self.date:
            raise ValueError(f"a {self.kind} feed needs a date column ({self.table})")


_REF = Feed("cin_census", "referrals", "CINreferralDate")
_ASSESS = Feed("cin_census", "assessments", "AssessmentAuthorisationDate")
_CLA = Feed("ssda903", "episodes", "DECOM", "stock", "DEC")
DEFAULT_FEEDS: dict[str, tuple[Feed, ...]] = {
    "referrals_count": (_REF,),
    "referrals_rate_10k": (_REF,),
    "rereferrals_12m_pct": (_REF,),
    "assessments_completed_count": (_ASSESS,),
    "assessments_45wd_pct": (_ASSESS,),
    "s47_count": (Feed("cin_census", "section47", "S47ActualStartDate"),),
    "icpc_15wd_pct": (Feed("cin_census", "section47", "DateOfInitialCPC"),),
    "cp_plans_rate_10k": (Feed("cin_census", "cp_plans", "CPPstartDate", "stock", "CPPendDate"),),
    "cp_second_subsequent_pct": (Feed("cin_census", "cp_plans", "CPPstartDate"),),
    "cla_count": (_CLA,),
    "cla_rate_10k": (_CLA,),
    "cla_3plus_placements_pct": (Feed("ssda903", "episodes", "DECOM", "overlap", "DEC"),),
    "cla_long_term_stability_pct": (_CLA,),
}


def _flow(source, table, date, windows=MONTH_12M) -> Feed:
    return Feed(source, table, date, "flow", windows=windows)


def _local(table, date, windows=MONTH_12M) -> Feed:
    return Feed("local", table, date, "flow", windows=windows)


_REF_OPEN = Feed("cin_census", "referrals", "CINreferralDate", "stock", "CINclosureDate")
_CPP_OPEN = Feed("cin_census", "cp_plans", "CPPstartDate", "stock", "CPPendDate")
_EP_OVERLAP = Feed("ssda903", "episodes", "DECOM", "overlap", "DEC")
_EP_START = _flow("ssda903", "episodes", "DECOM")
_EP_END = _flow("ssda903", "episodes", "DEC")
_OC2 = Feed("ssda903", "oc2", kind="latest_return")
_OC3 = Feed("ssda903", "oc3", kind="latest_return")
_MISSING = (_EP_OVERLAP, _flow("ssda903", "missing", "MIS_START", R12))
_COMPLAINT_IN = _local("complaints", "received_date", QUARTER_12M)
_COMPLAINT_OUT = _local("complaints", "responded_date", QUARTER_12M)
_MEETINGS = _local("conferencing", "meeting_date", QUARTER_12M)
_CONTACT_IN = _local("contacts", "contact_date")
_CONTACT_DECIDED = _local("contacts", "decision_date")
_EH_END = _local("early_help", "end_date")
_LADO_CLOSED = _local("lado", "closed_date", QUARTER_12M)
_LADO_OPEN = Feed("local", "lado", "received_date", "stock", "closed_date")
_AUDITS = _local("qa_audits", "audit_date", QUARTER_12M)
_WF_MONTH = _local("workforce_monthly", "month", ("month",))

#: The records feeding every registered KPI (a KPI added without an entry here
#: fails ``tests/validate/test_confidence_all.py``).
FEEDS: dict[str, tuple[Feed, ...]] = {
    **DEFAULT_FEEDS,
    # CIN census
    "referrals_nfa_pct": (_REF,),
    "referrals_source_school_pct": (_REF,),
    "referrals_source_health_pct": (_REF,),
    "referrals_source_police_pct": (_REF,),
    "cin_count": (_REF_OPEN,),
    "cin_rate_10k": (_REF_OPEN,),
    "s47_rate_10k": (_flow("cin_census", "section47", "S47ActualStartDate", R12),),
    "icpc_rate_10k": (_flow("cin_census", "section47", "DateOfInitialCPC", R12),),
    "cp_plans_count": (_CPP_OPEN,),
    "cp_plans_started_count": (_flow("cin_census", "cp_plans", "CPPstartDate"),),
    "cp_plans_started_rate_10k": (_flow("cin_census", "cp_plans", "CPPstartDate", R12),),
    "cp_plans_ceased_rate_10k": (_flow("cin_census", "cp_plans", "CPPendDate", R12),),
    "cp_plans_ceased_2y_pct": (_flow("cin_census", "cp_plans", "CPPendDate"),),
    "cp_plans_open_2y_pct": (_CPP_OPEN,),
    "cp_reviews_on_time_pct": (_CPP_OPEN, _flow("cin_census", "cp_reviews", "CPPreviewDate", R12)),
    # SSDA903
    "cla_started_count": (_EP_START,),
    "cla_started_rate_10k": (_flow("ssda903", "episodes", "DECOM", R12),),
    "cla_ceased_count": (_EP_END,),
    "cla_ceased_rate_10k": (_flow("ssda903", "episodes", "DEC", R12),),
    "cla_3plus_placements_count": (_EP_OVERLAP,),
    "cla_long_term_stability_count": (_CLA,),
    "cla_uasc_count": (_CLA, Feed("ssda903", "uasc", kind="all")),
    "cla_uasc_pct": (_CLA, Feed("ssda903", "uasc", kind="all")),
    "cla_foster_pct": (_CLA,),
    "cla_missing_pct": _MISSING,
    "cla_away_pct": _MISSING,
    "cla_health_assessment_pct": (_OC2,),
    "cla_dental_check_pct": (_OC2,),
    "cla_immunisations_pct": (_OC2,),
    "cla_adopted_count": (_EP_END,),
    "cla_adopted_pct": (_EP_END,),
    "cla_ceased_sgo_pct": (_EP_END,),
    "care_leavers_19_21_count": (_OC3,),
    "care_leavers_suitable_accommodation_pct": (_OC3,),
    "care_leavers_eet_pct": (_OC3,),
    "care_leavers_neet_pct": (_OC3,),
    "care_leavers_not_in_touch_pct": (_OC3,),
    # adolescents; children with disabilities (CIN disabilities are per child, undated)
    "adol_referrals_count": (_REF,),
    "adol_assessments_exploitation_pct": (_ASSESS,),
    "adol_cla_missing_pct": (_CLA, _flow("ssda903", "missing", "MIS_START", R12)),
    "adol_cla_started_pct": (_EP_START,),
    "cin_disabled_count": (_REF_OPEN, Feed("cin_census", "disabilities", kind="all")),
    "cin_disabled_pct": (_REF_OPEN, Feed("cin_census", "disabilities", kind="all")),
    "referrals_disabled_count": (_REF, Feed("cin_census", "disabilities", kind="all")),
    "referrals_disabled_pct": (_REF, Feed("cin_census", "disabilities", kind="all")),
    # local datasets
    "complaints_received_count": (_COMPLAINT_IN,),
    "complaints_stage1_count": (_COMPLAINT_IN,),
    "complaints_stage2_count": (_COMPLAINT_IN,),
    "complaints_stage3_count": (_COMPLAINT_IN,),
    "complaints_stage1_10wd_pct": (_COMPLAINT_OUT,),
    "complaints_stage1_20wd_pct": (_COMPLAINT_OUT,),
    "complaints_stage2_25wd_pct": (_COMPLAINT_OUT,),
    "complaints_upheld_pct": (_COMPLAINT_OUT,),
    "compliments_count": (_COMPLAINT_IN,),
    "conf_icpc_held_count": (_MEETINGS,),
    "conf_rcpc_held_count": (_MEETINGS,),
    "conf_cla_reviews_held_count": (_MEETINGS,),
    "conf_rcpc_timely_pct": (_MEETINGS,),
    "conf_cla_review_first_20wd_pct": (_MEETINGS, _EP_OVERLAP),
    "conf_cla_review_second_3m_pct": (_MEETINGS, _EP_OVERLAP),
    "conf_cla_review_later_6m_pct": (_MEETINGS, _EP_OVERLAP),
    "conf_cla_reviews_timely_pct": (_MEETINGS, _EP_OVERLAP),
    "contacts_count": (_CONTACT_IN,),
    "contacts_decided_1wd_pct": (_CONTACT_DECIDED,),
    "contacts_to_referral_pct": (_CONTACT_DECIDED,),
    "contacts_to_early_help_pct": (_CONTACT_DECIDED,),
    "contacts_nfa_pct": (_CONTACT_DECIDED,),
    "contacts_awaiting_decision_count": (
        Feed("local", "contacts", "contact_date", "stock", "decision_date"),
    ),
    "contacts_repeat_12m_pct": (_CONTACT_IN,),
    "eh_episodes_started_count": (_local("early_help", "start_date"),),
    "eh_episodes_open_count": (Feed("local", "early_help", "start_date", "stock", "end_date"),),
    "eh_episodes_closed_count": (_EH_END,),
    "eh_closed_needs_met_pct": (_EH_END,),
    "eh_step_up_pct": (_EH_END,),
    "eh_closed_mean_days": (_EH_END,),
    "actions_open_count": (Feed("local", "improvement_actions", kind="all"),),
    "actions_overdue_pct": (Feed("local", "improvement_actions", kind="all"),),
    "actions_due_complete_pct": (_local("improvement_actions", "due_date"),),
    "lado_referrals_count": (_local("lado", "received_date", QUARTER_12M),),
    "lado_resolved_1m_pct": (_LADO_CLOSED,),
    "lado_resolved_3m_pct": (_LADO_CLOSED,),
    "lado_substantiated_pct": (_LADO_CLOSED,),
    "lado_open_count": (_LADO_OPEN,),
    "lado_open_over_3m_count": (_LADO_OPEN,),
    "qa_audits_completed_count": (_AUDITS,),
    "qa_audits_good_pct": (_AUDITS,),
    "qa_audits_requires_improvement_pct": (_AUDITS,),
    "qa_audits_inadequate_pct": (_AUDITS,),
    # monthly workforce data
    "sw_vacancy_rate_pct": (_WF_MONTH,),
    "sw_agency_rate_pct": (_WF_MONTH,),
    "sw_turnover_rate_pct": (_local("workforce_monthly", "month", R12),),
    "sw_absence_rate_pct": (_local("workforce_monthly", "month"),),
    "sw_caseload_avg": (_WF_MONTH,),
    "sw_fte_in_post": (_WF_MONTH,),
    "sw_cases_held_count": (_WF_MONTH,),
}


def rate(share: float, high: float = 0.01, medium: float = 0.05) -> str:
    """``High``, ``Medium`` or ``Low`` for an error share (0-1).

    Examples
    --------
    >>> rate(0.0), rate(0.01), rate(0.03), rate(0.2)
    ('High', 'High', 'Medium', 'Low')
    """
    if not 0 <= high <= medium <= 1:
        raise ValueError(f"thresholds must satisfy 0 <= high <= medium <= 1 (got {high}, {medium})")
    if share <= high:
        return "High"
    if share <= medium:
        return "Medium"
    return "Low"


def _in_error(df: pd.DataFrame, feed: Feed, issues: pd.DataFrame) -> pd.Series:
    errors = issues[(issues["severity"] == "error") & (issues["source"] == feed.source)]
    on_table = errors[errors["table"] == feed.table]["record"]
    flagged = df.index.isin(pd.Index(on_table.dropna()))
    if feed.source in CHILD_LEVEL:
        child_table, child_col = CHILD_LEVEL[feed.source]
        children = errors[errors["table"] == child_table]["child_id"].dropna()
        child_key = (
            child_col if child_col in df else ("LAchildID" if "LAchildID" in df else "CHILD")
        )
        if child_key in df:
            flagged |= df[child_key].isin(set(children)).fillna(False).to_numpy(dtype=bool)
    return pd.Series(flagged, index=df.index)


def _latest_return(df: pd.DataFrame, end: pd.Timestamp) -> pd.Series:
    year = end.year if end >= pd.Timestamp(end.year, 3, 31) else end.year - 1
    years = pd.to_numeric(df["collection_year"], errors="coerce")
    avail = years[years <= year].dropna()
    if avail.empty:
        return pd.Series(False, index=df.index)
    return (years == avail.max()).fillna(False).astype(bool)


def _feeding(df: pd.DataFrame, feed: Feed, end: pd.Timestamp) -> list[pd.Series]:
    """Boolean masks of the records feeding each window at ``end``."""
    if feed.kind == "all":
        return [pd.Series(True, index=df.index)]
    if feed.kind == "latest_return":
        return [_latest_return(df, end)]
    d = df[feed.date]
    if feed.kind == "flow":
        return [Window.of(k, end).contains(d).fillna(False).astype(bool) for k in feed.windows]
    stop = df[feed.end] if feed.end else pd.Series(pd.NaT, index=df.index)
    if feed.kind == "stock":
        m = (d <= end) & (stop.isna() | (stop > end))
    else:
        first = Window.of("rolling_12m", end).start
        m = (d <= end) & (stop.isna() | (stop > first))
    return [m.fillna(False).astype(bool)]


def _frame_of(feed: Feed, cin: CinCensus, cla: Ssda903, local: Mapping) -> pd.DataFrame | None:
    if feed.source == "local":
        return local.get(feed.table)
    data = cin if feed.source == "cin_census" else cla
    return data.tables.get(feed.table)


def local_issues_on_frames(
    issues: pd.DataFrame, tables: Iterable, frames: Mapping[str, pd.DataFrame]
) -> pd.DataFrame:
    """Issues of files read against a schema, placed on the records of the stacked frames.

    :func:`pmf_lib.validate.validate` reports an issue of a local file with
    ``source``/``table`` the read's source (``local/<dataset>``,
    ``workforce_monthly``) and ``record`` the index in that one file's
    ``ReadTable.data``. The KPIs read ``frames[<dataset>]`` (``SourceData.local``:
    the files' ``data`` stacked), whose records carry ``source_file`` and ``row``
    (the row number in the file). Each issue is matched to the frame record with
    the same file and row, and comes back with ``source="local"``,
    ``table=<dataset>`` and ``record`` the frame's index. An error with no record
    (a required column missing from the file, S01) marks every record of that
    file. Issues of other sources pass unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> t = SimpleNamespace(source="local/lado", file="b.csv",
    ...     schema=SimpleNamespace(name="lado"), data=pd.DataFrame({"row": [2, 3]}))
    >>> frame = pd.DataFrame({"source_file": ["a.csv", "b.csv", "b.csv"], "row": [2, 2, 3]})
    >>> issues = pd.DataFrame({"source": ["local/lado"], "file": ["b.csv"],
    ...     "table": ["local/lado"], "record": [1], "severity": ["error"]})
    >>> local_issues_on_frames(issues, [t], {"lado": frame})[["source", "table", "record"]]
      source table  record
    0  local  lado       2
    """
    issues = issues.copy()
    issues["record"] = issues["record"].astype(object)
    out = [issues]
    placed = pd.Series(False, index=issues.index)
    for t in tables:
        name = t.schema.name
        frame = frames.get(name)
        mine = (issues["source"] == t.source) & (issues["file"] == str(t.file))
        mine &= issues["table"] == t.source
        mine = mine.fillna(False).astype(bool)
        if not mine.any():
            continue
        placed |= mine
        if frame is None or not len(frame) or "row" not in frame or "source_file" not in frame:
            continue
        in_file = frame["source_file"].astype("string") == str(t.file)
        by_row = pd.Series(frame.index[in_file.to_numpy()], index=frame.loc[in_file, "row"])
        by_row = by_row[~by_row.index.duplicated()]
        sub = issues[mine]
        rec = sub["record"]
        whole_file = sub[rec.isna()]
        rows = t.data["row"].reindex(pd.Index(rec.dropna().astype(int)))
        targets = by_row.reindex(pd.Index(rows.to_numpy())).to_numpy()
        located = sub[rec.notna()].assign(source="local", table=name, record=list(targets))
        located = located[pd.notna(located["record"])]
        spread = [
            whole_file.assign(source="local", table=name, record=i) for i in by_row.to_numpy()
        ]
        out += [located, *spread]
    out[0] = issues[~placed]
    result = pd.concat(out, ignore_index=True)
    try:
        result["record"] = pd.array(result["record"].tolist(), dtype="Int64")
    except (TypeError, ValueError):  # a non-integer record label: keep it as it is
        pass
    return result


def confidence_table(
    issues: pd.DataFrame,
    cin: CinCensus,
    cla: Ssda903,
    period_ends: Iterable,
    *,
    feeds: Mapping[str, Iterable[Feed]] | None = None,
    local: Mapping[str, pd.DataFrame] | None = None,
    high: float = 0.01,
    medium: float = 0.05,
) -> pd.DataFrame:
    """Data-quality confidence for every KPI in ``feeds`` and every period end.

    Parameters
    ----------
    issues : pandas.DataFrame
        :func:`pmf_lib.validate.validate` output (``source, table, record,
        child_id, severity`` are read); issues of local files first placed on
        ``local`` by :func:`local_issues_on_frames`.
    cin, cla : CinCensus, Ssda903
        The canonical tables the KPIs read.
    period_ends : iterable of dates
    feeds : mapping, optional
        KPI id to its :class:`Feed` s: :data:`FEEDS` for every registered KPI
        (default :data:`DEFAULT_FEEDS`, the thirteen core KPIs).
    local : mapping, optional
        ``SourceData.local``: the local datasets and ``workforce_monthly``; an
        absent dataset feeds no records.
    high, medium : float
        Thresholds of :func:`rate`.

    Returns
    -------
    pandas.DataFrame
        ``kpi_id, period_end, dq_error_share, dq_confidence``; join it onto the
        tidy KPI table on ``kpi_id`` and ``period_end`` (see :func:`attach`).

    Examples
    --------
    >>> import pandas as pd
    >>> from pmf_lib.read.tables import CIN_COLUMNS, conform
    >>> cin = CinCensus()
    >>> cin.tables["referrals"] = conform(pd.DataFrame({"LAchildID": list("abcd"),
    ...     "CINreferralDate": pd.to_datetime(["2025-03-03"] * 4)}), CIN_COLUMNS["referrals"])
    >>> issues = pd.DataFrame({"source": ["cin_census"], "table": ["referrals"], "record": [0],
    ...     "child_id": ["a"], "severity": ["error"]})
    >>> t = confidence_table(issues, cin, Ssda903(), ["2025-03-31"],
    ...                      feeds={"referrals_count": DEFAULT_FEEDS["referrals_count"]})
    >>> t[["dq_error_share", "dq_confidence"]].values.tolist()  # 1 of 4 referrals in error
    [[0.25, 'Low']]
    """
    rate(0, high, medium)  # check the thresholds once
    feeds = DEFAULT_FEEDS if feeds is None else feeds
    local = local or {}
    ends = [pd.Timestamp(p).normalize() for p in period_ends]
    rows = []
    cache: dict[tuple[str, str], tuple[pd.DataFrame, pd.Series]] = {}
    for kpi_id, kpi_feeds in feeds.items():
        kpi_feeds = tuple(kpi_feeds)
        for end in ends:
            worst = 0.0
            for feed in kpi_feeds:
                key = (feed.source, feed.table)
                if key not in cache:
                    df = _frame_of(feed, cin, cla, local)
                    if df is None and feed.source != "local":
                        raise KeyError(f"KPI {kpi_id}: no table {feed.source}.{feed.table}")
                    if df is None or not len(df):
                        cache[key] = (pd.DataFrame(), pd.Series(dtype=bool))
                    else:
                        cache[key] = (df, _in_error(df, feed, issues))
                df, bad = cache[key]
                if not len(df):
                    continue
                for m in _feeding(df, feed, end):
                    n = int(m.sum())
                    share = float((bad & m).sum()) / n if n else 0.0
                    worst = max(worst, share)
            rows.append((kpi_id, end, worst, rate(worst, high, medium)))
    out = pd.DataFrame(rows, columns=CONFIDENCE_COLUMNS)
    out["period_end"] = pd.to_datetime(out["period_end"]).astype("datetime64[ns]")
    out["dq_error_share"] = out["dq_error_share"].astype(np.float64)
    return out


def attach(kpi_table: pd.DataFrame, confidence: pd.DataFrame) -> pd.DataFrame:
    """The KPI table with ``dq_error_share`` and ``dq_confidence`` beside each figure.

    A KPI without a feed mapping gets no rating (missing), never a made-up one
    (every registered KPI has one in :data:`FEEDS`).
    """
    conf = confidence.copy()
    conf["period_end"] = pd.to_datetime(conf["period_end"]).astype("datetime64[ns]")
    t = kpi_table.copy()
    t["period_end"] = pd.to_datetime(t["period_end"]).astype("datetime64[ns]")
    return t.merge(conf, on=["kpi_id", "period_end"], how="left", validate="many_to_one")
