"""Conferencing and reviewing (local dataset ``conferencing``), reported quarterly.

Child protection conferences (``ICPC`` initial, ``RCPC`` review) and looked-after
children's reviews (``CLA_REVIEW``) held, and whether they were held in time.

Timescales
----------
* **RCPC** (Working Together to Safeguard Children): the first review conference
  within 3 months of the initial conference, later ones within 6 months of the
  previous. An RCPC's due date is the child's previous CP conference (ICPC or
  RCPC, the latest dated strictly before it) plus 3 calendar months after an
  ICPC or 6 after an RCPC. Where the data holds no earlier conference for the
  child, the recorded ``due_date`` is used; with neither, timeliness cannot be
  judged and the RCPC is in neither count of ``conf_rcpc_timely_pct``.
* **CLA reviews** (Care Planning, Placement and Case Review (England)
  Regulations 2010, reg. 33): the first review within 20 working days of the
  child becoming looked after, the second within 3 months of the first, later
  ones within 6 months of the previous. The date the child became looked after
  is the child's latest SSDA903 episode starting a period of care (``RNE`` =
  ``S``, legal status not ``V3``/``V4``) dated on or before the review, matched
  on ``child_id`` = 903 ``CHILD``. A review's place in that period of care (1st,
  2nd, 3rd...) is known only when the period of care started on or after the
  earliest meeting date in the conferencing data (so the data holds all its
  reviews); other reviews are in none of the three per-stage percentages.
  ``conf_cla_reviews_timely_pct`` covers every review: by its known stage, else
  by its recorded ``due_date``, else (neither) in neither count.

Working days count the days d with start <= d < review (``kpi-core-definitions.md``).
Every KPI here is missing (numerator NaN) when the council does not supply the
dataset; the CLA review stage KPIs are also missing when there are no SSDA903
episodes.
"""

from __future__ import annotations

import weakref

import pandas as pd

from pmf_lib.compute.kpis._common import cla_episodes, flag, memo_on_frame
from pmf_lib.compute.kpis._inputs import EPISODES_OVERLAP, MEETINGS
from pmf_lib.compute.kpis._local import (
    MISSING_COUNT,
    MISSING_RATIO,
    coded,
    count,
    dataset,
    in_window,
    local_frame,  # noqa: F401 (docstring examples)
    local_inputs,  # noqa: F401 (docstring examples)
    months_after,
    ratio,
    working_days,
)
from pmf_lib.compute.registry import Figure, KpiInputs, kpi
from pmf_lib.dates import Window

_SOURCE = "Local dataset: conferencing"
_ABSENT = " Missing (not 0) when the council does not supply the conferencing dataset."
_WINDOWS = ("quarter", "rolling_12m")
#: CLA review stages: first, second, third and later.
FIRST, SECOND, LATER = 1, 2, 3


def _held(inputs: KpiInputs, window: Window, meeting_type: str) -> Figure:
    df = dataset(inputs, "conferencing")
    if df is None:
        return MISSING_COUNT
    return Figure(
        count(coded(df["meeting_type"], meeting_type) & in_window(df["meeting_date"], window))
    )


@kpi(
    id="conf_icpc_held_count",
    title="Initial child protection conferences held",
    area="conferencing",
    unit="count",
    polarity="neutral",
    windows=_WINDOWS,
    cadence="quarterly",
    source=_SOURCE,
    definition="Meetings of type ICPC with meeting_date in the window." + _ABSENT,
    numerator="ICPCs with meeting_date in the window",
    breakdowns=("chair",),
    inputs=(MEETINGS.reading("meeting_type"),),
)
def conf_icpc_held_count(inputs: KpiInputs, window: Window) -> Figure:
    """Initial child protection conferences held in the window.

    Examples
    --------
    >>> c = local_frame("conferencing", meeting_type=["ICPC", "RCPC", "ICPC"],
    ...                 meeting_date=["2025-01-10", "2025-02-10", "2025-04-01"])
    >>> conf_icpc_held_count(local_inputs(conferencing=c), Window.of("quarter", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    return _held(inputs, window, "ICPC")


@kpi(
    id="conf_rcpc_held_count",
    title="Review child protection conferences held",
    area="conferencing",
    unit="count",
    polarity="neutral",
    windows=_WINDOWS,
    cadence="quarterly",
    source=_SOURCE,
    definition="Meetings of type RCPC with meeting_date in the window." + _ABSENT,
    numerator="RCPCs with meeting_date in the window",
    breakdowns=("chair",),
    inputs=(MEETINGS.reading("meeting_type"),),
)
def conf_rcpc_held_count(inputs: KpiInputs, window: Window) -> Figure:
    """Review child protection conferences held in the window.

    Examples
    --------
    >>> c = local_frame("conferencing", meeting_type=["ICPC", "RCPC"],
    ...                 meeting_date=["2025-01-10", "2025-02-10"])
    >>> conf_rcpc_held_count(local_inputs(conferencing=c), Window.of("quarter", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    return _held(inputs, window, "RCPC")


@kpi(
    id="conf_cla_reviews_held_count",
    title="Looked-after children's reviews held",
    area="conferencing",
    unit="count",
    polarity="neutral",
    windows=_WINDOWS,
    cadence="quarterly",
    source=_SOURCE,
    definition="Meetings of type CLA_REVIEW with meeting_date in the window." + _ABSENT,
    numerator="CLA reviews with meeting_date in the window",
    breakdowns=("chair",),
    inputs=(MEETINGS.reading("meeting_type"),),
)
def conf_cla_reviews_held_count(inputs: KpiInputs, window: Window) -> Figure:
    """Looked-after children's reviews held in the window.

    Examples
    --------
    >>> c = local_frame("conferencing", meeting_type=["CLA_REVIEW", "RCPC"],
    ...                 meeting_date=["2025-03-31", "2025-02-10"])
    >>> conf_cla_reviews_held_count(local_inputs(conferencing=c),
    ...                             Window.of("quarter", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    return _held(inputs, window, "CLA_REVIEW")


def _asof_previous(
    left: pd.DataFrame, right: pd.DataFrame, right_date: str, *, exact: bool
) -> pd.DataFrame:
    """For each ``left`` row (child_id, meeting_date), the latest ``right`` row of the same
    child dated before it (on or before when ``exact``); left's index is kept."""
    lhs = left.reset_index(names="_row").sort_values(["meeting_date", "_row"], kind="stable")
    rhs = right.sort_values([right_date, *[c for c in right.columns if c != right_date]])
    out = pd.merge_asof(
        lhs,
        rhs,
        left_on="meeting_date",
        right_on=right_date,
        by="child_id",
        allow_exact_matches=exact,
        direction="backward",
    )
    return out.set_index("_row").sort_index()


def _rcpc_due(df: pd.DataFrame) -> pd.DataFrame:
    """Per RCPC row (indexed as ``df``): its meeting date and due date (NaT if unknown)."""
    ok = df["child_id"].notna() & df["meeting_date"].notna()
    cp = df.loc[ok & coded(df["meeting_type"], "ICPC", "RCPC"), ["child_id", "meeting_date"]]
    cp = cp.assign(prev_type=df.loc[cp.index, "meeting_type"].astype(str))
    cp = cp.rename(columns={"meeting_date": "prev_date"}).drop_duplicates()
    rcpc = df.loc[ok & coded(df["meeting_type"], "RCPC"), ["child_id", "meeting_date"]]
    prev = _asof_previous(rcpc, cp, "prev_date", exact=False)
    after_icpc = (prev["prev_type"] == "ICPC").fillna(False).astype(bool)
    derived = months_after(prev["prev_date"], 6).mask(
        after_icpc, months_after(prev["prev_date"], 3)
    )
    due = derived.fillna(df.loc[prev.index, "due_date"])
    return pd.DataFrame({"meeting_date": prev["meeting_date"], "due": due})


@kpi(
    id="conf_rcpc_timely_pct",
    title="Review child protection conferences held in time",
    area="conferencing",
    unit="percent",
    polarity="higher_is_better",
    windows=_WINDOWS,
    cadence="quarterly",
    source=_SOURCE,
    definition=(
        "Of the RCPCs with meeting_date in the window whose due date is known, the % held on "
        "or before it. The due date is the child's previous CP conference (the latest ICPC "
        "or RCPC dated strictly before) plus 3 calendar months after an ICPC, 6 after an "
        "RCPC; with no earlier conference in the data, the recorded due_date; with neither, "
        "the RCPC is in neither count." + _ABSENT
    ),
    numerator="RCPCs held in the window on or before their due date",
    denominator="RCPCs held in the window with a known due date",
    breakdowns=("chair",),
    inputs=(MEETINGS.reading("child_id", "meeting_type", "due_date"),),
)
def conf_rcpc_timely_pct(inputs: KpiInputs, window: Window) -> Figure:
    """RCPCs held within 3 months of the ICPC or 6 months of the previous RCPC, %.

    Examples
    --------
    >>> # ICPC 15 Nov 2024: first RCPC due 15 Feb 2025 (held 14 Feb: in time);
    >>> # second due 14 Aug 2025 (held 15 Aug: late).
    >>> c = local_frame("conferencing", child_id=["a"] * 3,
    ...                 meeting_type=["ICPC", "RCPC", "RCPC"],
    ...                 meeting_date=["2024-11-15", "2025-02-14", "2025-08-15"])
    >>> conf_rcpc_timely_pct(local_inputs(conferencing=c), Window.of("rolling_12m", "2025-12-31"))
    Figure(numerator=1, denominator=2)
    """
    df = dataset(inputs, "conferencing")
    if df is None:
        return MISSING_RATIO
    r = memo_on_frame("conferencing.rcpc_due", df, _rcpc_due)
    held = in_window(r["meeting_date"], window) & r["due"].notna()
    return ratio(r["meeting_date"] <= r["due"], held)


def _cla_review_stages(df: pd.DataFrame, episodes: pd.DataFrame) -> pd.DataFrame:
    """Per CLA review row (indexed as ``df``): meeting date, stage (1, 2, 3 or 0 if
    unknown), whether it was in time for its stage, and the recorded due date."""
    ok = df["child_id"].notna() & df["meeting_date"].notna()
    rev = df.loc[ok & coded(df["meeting_type"], "CLA_REVIEW"), ["child_id", "meeting_date"]]
    coverage = df["meeting_date"].min()
    ep = cla_episodes(episodes)
    starts = ep.loc[flag(ep["RNE"], "S") & ep["CHILD"].notna() & ep["DECOM"].notna()]
    starts = (
        starts[["CHILD", "DECOM"]]
        .rename(columns={"CHILD": "child_id", "DECOM": "care_start"})
        .drop_duplicates()
        .astype({"child_id": "string", "care_start": "datetime64[ns]"})
    )
    rev = rev.astype({"child_id": "string"})
    m = _asof_previous(rev, starts, "care_start", exact=True)
    known = m["care_start"].notna() & (m["care_start"] >= coverage)
    seq = m.loc[known, ["child_id", "care_start", "meeting_date"]].drop_duplicates()
    seq = seq.sort_values(["child_id", "care_start", "meeting_date"])
    grp = seq.groupby(["child_id", "care_start"], sort=False)["meeting_date"]
    seq = seq.assign(ordinal=grp.cumcount() + 1, prev=grp.shift(1))
    m = (
        m.reset_index(names="_row")
        .merge(seq, on=["child_id", "care_start", "meeting_date"], how="left")
        .set_index("_row")
        .sort_index()
    )
    stage = m["ordinal"].clip(upper=LATER).fillna(0).astype(int)
    first_ok = working_days(m["care_start"], m["meeting_date"]) <= 20
    second_ok = m["meeting_date"] <= months_after(m["prev"], 3)
    later_ok = m["meeting_date"] <= months_after(m["prev"], 6)
    timely = (
        ((stage == FIRST) & first_ok)
        | ((stage == SECOND) & second_ok.fillna(False))
        | ((stage == LATER) & later_ok.fillna(False))
    )
    recorded = df.loc[m.index, "due_date"]
    return pd.DataFrame(
        {
            "meeting_date": m["meeting_date"],
            "stage": stage,
            "timely": timely.astype(bool),
            "recorded_timely": (m["meeting_date"] <= recorded).fillna(False).astype(bool),
            "has_due": recorded.notna(),
        }
    )


def _cla_reviews(inputs: KpiInputs) -> pd.DataFrame | None:
    """The CLA review stages, cached on the identity of both input frames."""
    df = dataset(inputs, "conferencing")
    if df is None:
        return None
    episodes = inputs.cla.episodes
    cache = memo_on_frame("conferencing.cla_stages", df, lambda _df: {})
    hit = cache.get(id(episodes))
    if hit is not None and hit[0]() is episodes and hit[1] == len(episodes):
        return hit[2]
    result = _cla_review_stages(df, episodes)
    cache[id(episodes)] = (weakref.ref(episodes), len(episodes), result)
    return result


def _stage_pct(inputs: KpiInputs, window: Window, stage: int) -> Figure:
    r = _cla_reviews(inputs)
    if r is None or inputs.cla.episodes.empty:
        return MISSING_RATIO
    return ratio(r["timely"], in_window(r["meeting_date"], window) & (r["stage"] == stage))


_STAGE_NOTE = (
    " The child became looked after at the latest SSDA903 episode with RNE 'S' (not V3/V4) "
    "on or before the review; only reviews of periods of care starting on or after the "
    "earliest meeting date in the conferencing data count (see the module notes)."
    + _ABSENT
    + " Also missing when there are no SSDA903 episodes."
)


@kpi(
    id="conf_cla_review_first_20wd_pct",
    title="First CLA reviews within 20 working days",
    area="conferencing",
    unit="percent",
    polarity="higher_is_better",
    windows=_WINDOWS,
    cadence="quarterly",
    source=_SOURCE + "; SSDA903 episodes",
    definition=(
        "Of the first reviews of a period of care held in the window, the % held within 20 "
        "working days of the child becoming looked after (working days d with start <= d < "
        "review number at most 20)." + _STAGE_NOTE
    ),
    numerator="First CLA reviews held in the window within 20 working days of entry",
    denominator="First CLA reviews held in the window",
    breakdowns=("chair",),
    inputs=(
        MEETINGS.reading("child_id", "meeting_type", "due_date"),
        EPISODES_OVERLAP.reading("CHILD", "RNE", "LS"),
    ),
)
def conf_cla_review_first_20wd_pct(inputs: KpiInputs, window: Window) -> Figure:
    """First CLA reviews within 20 working days of entry to care, %.

    Examples
    --------
    >>> from pmf_lib.compute.registry import KpiInputs
    >>> from pmf_lib.read.tables import S903_COLUMNS, Ssda903, conform
    >>> cla = Ssda903()
    >>> cla.tables["episodes"] = conform(pd.DataFrame({"CHILD": ["a", "b"], "RNE": ["S", "S"],
    ...     "LS": ["C2", "C2"], "DECOM": pd.to_datetime(["2025-03-03", "2025-03-03"])}),
    ...     S903_COLUMNS["episodes"])
    >>> # Mon 3 Mar: 31 Mar is 20 working days later, 1 Apr 21.
    >>> # (The ICPC of child z in 2024 shows the data covers periods of care from then.)
    >>> c = local_frame("conferencing", child_id=["z", "a", "b"],
    ...                 meeting_type=["ICPC", "CLA_REVIEW", "CLA_REVIEW"],
    ...                 meeting_date=["2024-12-02", "2025-03-31", "2025-04-01"])
    >>> conf_cla_review_first_20wd_pct(KpiInputs(cla=cla, local={"conferencing": c}),
    ...                                Window.of("quarter", "2025-04-30"))
    Figure(numerator=1, denominator=2)
    """
    return _stage_pct(inputs, window, FIRST)


@kpi(
    id="conf_cla_review_second_3m_pct",
    title="Second CLA reviews within 3 months of the first",
    area="conferencing",
    unit="percent",
    polarity="higher_is_better",
    windows=_WINDOWS,
    cadence="quarterly",
    source=_SOURCE + "; SSDA903 episodes",
    definition=(
        "Of the second reviews of a period of care held in the window, the % held on or "
        "before the first review's date plus 3 calendar months." + _STAGE_NOTE
    ),
    numerator="Second CLA reviews held in the window within 3 months of the first",
    denominator="Second CLA reviews held in the window",
    breakdowns=("chair",),
    inputs=(
        MEETINGS.reading("child_id", "meeting_type", "due_date"),
        EPISODES_OVERLAP.reading("CHILD", "RNE", "LS"),
    ),
)
def conf_cla_review_second_3m_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Second CLA reviews within 3 months of the first, %.

    Examples
    --------
    >>> from pmf_lib.compute.registry import KpiInputs
    >>> from pmf_lib.read.tables import S903_COLUMNS, Ssda903, conform
    >>> cla = Ssda903()
    >>> cla.tables["episodes"] = conform(pd.DataFrame({"CHILD": ["a"], "RNE": ["S"],
    ...     "LS": ["C2"], "DECOM": pd.to_datetime(["2025-01-06"])}), S903_COLUMNS["episodes"])
    >>> c = local_frame("conferencing", child_id=["z", "a", "a"],
    ...                 meeting_type=["ICPC", "CLA_REVIEW", "CLA_REVIEW"],
    ...                 meeting_date=["2024-12-02", "2025-01-31", "2025-04-30"])  # due 30 Apr
    >>> conf_cla_review_second_3m_pct(KpiInputs(cla=cla, local={"conferencing": c}),
    ...                               Window.of("quarter", "2025-04-30"))
    Figure(numerator=1, denominator=1)
    """
    return _stage_pct(inputs, window, SECOND)


@kpi(
    id="conf_cla_review_later_6m_pct",
    title="Later CLA reviews within 6 months of the previous",
    area="conferencing",
    unit="percent",
    polarity="higher_is_better",
    windows=_WINDOWS,
    cadence="quarterly",
    source=_SOURCE + "; SSDA903 episodes",
    definition=(
        "Of the third and later reviews of a period of care held in the window, the % held on "
        "or before the previous review's date plus 6 calendar months." + _STAGE_NOTE
    ),
    numerator="Third and later CLA reviews held in the window within 6 months of the previous",
    denominator="Third and later CLA reviews held in the window",
    breakdowns=("chair",),
    inputs=(
        MEETINGS.reading("child_id", "meeting_type", "due_date"),
        EPISODES_OVERLAP.reading("CHILD", "RNE", "LS"),
    ),
)
def conf_cla_review_later_6m_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Third and later CLA reviews within 6 months of the previous, %.

    Examples
    --------
    >>> from pmf_lib.compute.registry import KpiInputs
    >>> from pmf_lib.read.tables import S903_COLUMNS, Ssda903, conform
    >>> cla = Ssda903()
    >>> cla.tables["episodes"] = conform(pd.DataFrame({"CHILD": ["a"], "RNE": ["S"],
    ...     "LS": ["C2"], "DECOM": pd.to_datetime(["2025-01-06"])}), S903_COLUMNS["episodes"])
    >>> c = local_frame("conferencing", child_id=["z", "a", "a", "a"],
    ...                 meeting_type=["ICPC"] + ["CLA_REVIEW"] * 3,
    ...                 meeting_date=["2024-12-02", "2025-01-31", "2025-04-30", "2025-10-31"])
    >>> # the third review was due by 30 Apr + 6 months = 30 Oct: late
    >>> conf_cla_review_later_6m_pct(KpiInputs(cla=cla, local={"conferencing": c}),
    ...                              Window.of("quarter", "2025-10-31"))
    Figure(numerator=0, denominator=1)
    """
    return _stage_pct(inputs, window, LATER)


@kpi(
    id="conf_cla_reviews_timely_pct",
    title="CLA reviews held in time",
    area="conferencing",
    unit="percent",
    polarity="higher_is_better",
    windows=_WINDOWS,
    cadence="quarterly",
    source=_SOURCE + "; SSDA903 episodes",
    definition=(
        "Of the CLA reviews held in the window whose timescale is known, the % held in time: "
        "a review whose stage is known (first, second, later: see the three stage KPIs) by "
        "its stage's timescale; any other review by its recorded due_date (held on or "
        "before it); a review with neither is in neither count." + _ABSENT
    ),
    numerator="CLA reviews held in the window in time",
    denominator="CLA reviews held in the window with a known stage or a recorded due_date",
    breakdowns=("chair",),
    inputs=(
        MEETINGS.reading("child_id", "meeting_type", "due_date"),
        EPISODES_OVERLAP.reading("CHILD", "RNE", "LS"),
    ),
)
def conf_cla_reviews_timely_pct(inputs: KpiInputs, window: Window) -> Figure:
    """CLA reviews held in time (by stage, else by recorded due date), %.

    Examples
    --------
    >>> # No 903 episodes: the stage is unknown, so recorded due dates are used.
    >>> c = local_frame("conferencing", child_id=["a", "b", "c"],
    ...                 meeting_type=["CLA_REVIEW"] * 3,
    ...                 meeting_date=["2025-03-10", "2025-03-10", "2025-03-10"],
    ...                 due_date=["2025-03-10", "2025-03-09", None])
    >>> conf_cla_reviews_timely_pct(local_inputs(conferencing=c),
    ...                             Window.of("quarter", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    r = _cla_reviews(inputs)
    if r is None:
        return MISSING_RATIO
    known = r["stage"] > 0
    timely = (known & r["timely"]) | (~known & r["recorded_timely"])
    return ratio(timely, in_window(r["meeting_date"], window) & (known | r["has_due"]))
