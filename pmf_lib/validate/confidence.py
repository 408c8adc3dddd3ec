"""Data-quality confidence per KPI and month.

For each KPI and period end, the share of the records feeding the KPI that
break at least one error-severity rule, rated against two thresholds:
High when the share is at most ``high`` (default 1 %), Medium when at most
``medium`` (default 5 %), otherwise Low. A record also counts as in error when
its child's child-level row (903 header, CIN child identifiers) has an error,
since the KPIs read age, sex and identity from there.

Which records feed a KPI is a :class:`Feed` per KPI (:data:`DEFAULT_FEEDS` for
the thirteen core KPIs; pass your own mapping for others):

* ``flow``: records whose ``date`` falls in the KPI's window (the month and the
  rolling 12 months ending ``period_end``; the worse of the two is kept);
* ``stock``: records open at ``period_end`` (``date`` on or before it and
  ``end`` empty or after it);
* ``overlap``: records open at any time in the 12 months ending ``period_end``.

With no records feeding the KPI there is nothing in error: the share is 0.
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


@dataclass(frozen=True)
class Feed:
    """The records a KPI reads: a canonical table and its dating."""

    source: Literal["cin_census", "ssda903"]
    table: str
    date: str
    kind: Literal["flow", "stock", "overlap"] = "flow"
    end: str | None = None


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
    child_table, child_col = CHILD_LEVEL[feed.source]
    children = errors[errors["table"] == child_table]["child_id"].dropna()
    child_key = child_col if child_col in df else ("LAchildID" if "LAchildID" in df else "CHILD")
    if child_key in df:
        flagged |= df[child_key].isin(set(children)).fillna(False).to_numpy(dtype=bool)
    return pd.Series(flagged, index=df.index)


def _feeding(df: pd.DataFrame, feed: Feed, end: pd.Timestamp) -> list[pd.Series]:
    """Boolean masks of the records feeding each window at ``end``."""
    d = df[feed.date]
    if feed.kind == "flow":
        return [
            Window.of(k, end).contains(d).fillna(False).astype(bool)
            for k in ("month", "rolling_12m")
        ]
    stop = df[feed.end] if feed.end else pd.Series(pd.NaT, index=df.index)
    if feed.kind == "stock":
        m = (d <= end) & (stop.isna() | (stop > end))
    else:
        first = Window.of("rolling_12m", end).start
        m = (d <= end) & (stop.isna() | (stop > first))
    return [m.fillna(False).astype(bool)]


def confidence_table(
    issues: pd.DataFrame,
    cin: CinCensus,
    cla: Ssda903,
    period_ends: Iterable,
    *,
    feeds: Mapping[str, Iterable[Feed]] | None = None,
    high: float = 0.01,
    medium: float = 0.05,
) -> pd.DataFrame:
    """Data-quality confidence for every KPI in ``feeds`` and every period end.

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
                    data = cin if feed.source == "cin_census" else cla
                    df = data.tables.get(feed.table)
                    if df is None:
                        raise KeyError(f"KPI {kpi_id}: no table {feed.source}.{feed.table}")
                    cache[key] = (df, _in_error(df, feed, issues))
                df, bad = cache[key]
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

    KPIs without a feed mapping get no rating (missing), never a made-up one.
    """
    conf = confidence.copy()
    conf["period_end"] = pd.to_datetime(conf["period_end"]).astype("datetime64[ns]")
    t = kpi_table.copy()
    t["period_end"] = pd.to_datetime(t["period_end"]).astype("datetime64[ns]")
    return t.merge(conf, on=["kpi_id", "period_end"], how="left", validate="many_to_one")
