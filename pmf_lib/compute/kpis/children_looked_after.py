"""Children looked after: numbers, rates and placement stability (SSDA903).

903 episodes are half-open ``[DECOM, DEC)``; episodes with legal status ``V3``/``V4``
(short breaks) never count, so a child whose only open episode is a short break is
not looked after.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmf_lib.compute.kpis._common import (
    cla_episodes,
    dob_by_child_frame,
    flag,
    latest_return,
    memo_on_frame,
    open_at,
    rolling_12m,
    twelve_months_first_day,
)
from pmf_lib.compute.kpis._inputs import (
    CLA_OPEN,
    EPISODES_ENDED,
    EPISODES_OVERLAP,
    EPISODES_STARTED,
    MISSING_12M,
    OC2,
    R12,
    UASC,
    flow,
)
from pmf_lib.compute.registry import Figure, KpiInputs, kpi
from pmf_lib.dates import Window


def _prepared(episodes: pd.DataFrame) -> pd.DataFrame:
    """Countable episodes (not V3/V4, DECOM present), sorted, with RNE flags (memoised).

    ``cid`` is an integer code per child (fast grouping); ``CHILD`` keeps the id.
    """
    ep = cla_episodes(episodes)
    ep = ep.loc[
        ep["DECOM"].notna() & ep["CHILD"].notna(), ["CHILD", "DECOM", "DEC", "RNE", "REC", "PLACE"]
    ]
    rec = ep["REC"].astype("string").str.strip().str.upper()
    ep = ep.assign(
        is_L=flag(ep["RNE"], "L"),
        is_S=flag(ep["RNE"], "S"),
        REC=rec,
        ceases=(rec.notna() & (rec != "X1")).fillna(False).astype(bool),
    )
    # A deterministic order, whatever the row order of the input: by child and start;
    # on a (malformed) tie of start dates a non-L episode first, then by end date.
    ep = ep.sort_values(["CHILD", "DECOM", "is_L", "DEC"], kind="mergesort", ignore_index=True)
    codes, _ = pd.factorize(ep["CHILD"])
    return ep.assign(cid=codes)


def prepared_episodes(inputs: KpiInputs) -> pd.DataFrame:
    """The countable 903 episodes of ``inputs``, memoised on the episodes frame."""
    return memo_on_frame("cla_prepared_episodes", inputs.cla.episodes, _prepared)


def _open_rows(ep: pd.DataFrame, date) -> pd.DataFrame:
    return ep[open_at(ep["DECOM"], ep["DEC"], date)]


def looked_after_children(inputs: KpiInputs, date) -> pd.Index:
    """Distinct children looked after at the end of ``date`` (short breaks excluded)."""
    return pd.Index(_open_rows(prepared_episodes(inputs), date)["CHILD"].unique())


@kpi(
    id="cla_count",
    title="Children looked after",
    area="children_looked_after",
    unit="count",
    polarity="neutral",
    windows=("snapshot",),
    cadence="monthly",
    source="SSDA903",
    definition=(
        "Distinct children looked after at period_end: an SSDA903 episode with DECOM on or "
        "before period_end and DEC empty or after period_end, legal status not V3/V4 (short "
        "breaks)."
    ),
    numerator="Distinct children with an episode (not V3/V4) open at period_end",
    comparator="LACnum",
    breakdowns=("age_band", "sex", "ethnicity"),
    inputs=(CLA_OPEN.reading("CHILD", "RNE", "LS", "PLACE", "REC"),),
)
def cla_count(inputs: KpiInputs, window: Window) -> Figure:
    """Children looked after at period end.

    Examples
    --------
    >>> from pmf_lib.read.tables import S903_COLUMNS, Ssda903, conform
    >>> ep = conform(pd.DataFrame({"CHILD": ["1", "2", "3"], "LS": ["C2", "V3", "C2"],
    ...     "DECOM": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-01"]),
    ...     "DEC": pd.to_datetime([None, None, "2025-03-31"])}), S903_COLUMNS["episodes"])
    >>> cla = Ssda903(); cla.tables["episodes"] = ep
    >>> cla_count(KpiInputs(cla=cla), Window.of("snapshot", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    return Figure(len(looked_after_children(inputs, window.end)))


@kpi(
    id="cla_rate_10k",
    title="Children looked after per 10,000 children",
    area="children_looked_after",
    unit="rate_10k",
    polarity="neutral",
    windows=("snapshot",),
    cadence="monthly",
    source="SSDA903; ONS mid-year estimates",
    definition=(
        "cla_count at period_end divided by the ONS mid-year estimate of children aged 0-17 "
        "for the calendar year of period_end (or the latest earlier year), times 10,000."
    ),
    numerator="Children looked after at period_end",
    denominator="Population aged 0-17",
    comparator="LAC",
    inputs=(CLA_OPEN.reading("CHILD", "RNE", "LS", "PLACE", "REC"),),
)
def cla_rate_10k(inputs: KpiInputs, window: Window) -> Figure:
    """Children looked after at period end per 10,000 children.

    Examples
    --------
    >>> from pmf_lib.read.tables import Population
    >>> inp = KpiInputs(population=Population(pd.Series({2024: 5000})))
    >>> cla_rate_10k(inp, Window.of("snapshot", "2025-03-31"))
    Figure(numerator=0, denominator=5000.0)
    """
    return Figure(cla_count(inputs, window).numerator, inputs.population.for_date(window.end))


def _placements_by_cid(ep: pd.DataFrame, period_end) -> pd.Series:
    end = pd.Timestamp(period_end).normalize()
    first_day = twelve_months_first_day(end)
    ov = ep[(ep["DECOM"] <= end) & (ep["DEC"].isna() | (ep["DEC"] > first_day))]
    is_first = ov.groupby("cid", sort=False).cumcount() == 0
    return (is_first | ~ov["is_L"]).groupby(ov["cid"]).sum()


@kpi(
    id="cla_3plus_placements_pct",
    title="Children looked after with 3 or more placements in 12 months",
    area="children_looked_after",
    unit="percent",
    polarity="lower_is_better",
    windows=("snapshot",),
    cadence="monthly",
    source="SSDA903",
    definition=(
        "Of the children in cla_count, the % with 3 or more placements during the 12 months "
        "ending period_end. Placements are the episodes (legal status not V3/V4) overlapping "
        "those 12 months (DECOM on or before period_end and DEC empty or after period_end minus "
        "12 calendar months plus one day), in DECOM order, except episodes whose reason for new "
        "episode (RNE) is L (a change of legal status only); the first overlapping episode "
        "always counts, whatever its RNE."
    ),
    numerator="Children looked after at period_end with 3 or more placements in the 12 months",
    denominator="Children looked after at period_end",
    comparator="LACStable_2016on",
    inputs=(EPISODES_OVERLAP.reading("CHILD", "RNE", "LS", "PLACE", "REC"),),
)
def cla_3plus_placements_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of children looked after with 3 or more placements in the 12 months to period end.

    Examples
    --------
    >>> from pmf_lib.read.tables import S903_COLUMNS, Ssda903, conform
    >>> ep = conform(pd.DataFrame({"CHILD": ["1", "1", "1"], "LS": ["C2", "C2", "C2"],
    ...     "RNE": ["S", "P", "P"],
    ...     "DECOM": pd.to_datetime(["2024-06-01", "2024-09-01", "2025-01-01"]),
    ...     "DEC": pd.to_datetime(["2024-09-01", "2025-01-01", None])}),
    ...     S903_COLUMNS["episodes"])
    >>> cla = Ssda903(); cla.tables["episodes"] = ep
    >>> cla_3plus_placements_pct(KpiInputs(cla=cla), Window.of("snapshot", "2025-03-31"))
    Figure(numerator=1, denominator=1)
    """
    ep = prepared_episodes(inputs)
    cids = np.unique(_open_rows(ep, window.end)["cid"].to_numpy())
    counts = _placements_by_cid(ep, window.end).reindex(cids, fill_value=0)
    return Figure(int((counts >= 3).sum()), len(cids))


def _latest_start(ep: pd.DataFrame, mask: pd.Series, cids: np.ndarray) -> pd.Series:
    """Per child code, the latest DECOM among ``ep[mask]``, else the child's earliest DECOM."""
    latest = ep.loc[mask, "DECOM"].groupby(ep.loc[mask, "cid"]).max()
    earliest = ep["DECOM"].groupby(ep["cid"]).min()
    return latest.reindex(cids).fillna(earliest.reindex(cids))


@kpi(
    id="cla_long_term_stability_pct",
    title="Children looked after long term in the same placement for 2 years",
    area="children_looked_after",
    unit="percent",
    polarity="higher_is_better",
    windows=("snapshot",),
    cadence="monthly",
    source="SSDA903",
    definition=(
        "Of the children in cla_count aged under 16 at period_end (period_end before the 16th "
        "birthday, DOB from the 903 header) who have been looked after continuously for at "
        "least 2.5 years (their latest episode with RNE S started on or before period_end minus "
        "30 calendar months), the % who have lived in the same placement for at least 2 years "
        "(the latest episode whose RNE is not L started on or before period_end minus 24 "
        "calendar months). Episodes with legal status V3/V4 are ignored. Where a child's "
        "records hold no episode with RNE S (or none with RNE other than L), the period of care "
        "(or placement) is taken to have started no later than the child's earliest episode on "
        "record. Children without a date of birth in the header are left out."
    ),
    numerator="Of the denominator, children in the same placement for at least 2 years",
    denominator="Children looked after at period_end, aged under 16, looked after for at "
    "least 2.5 years",
    comparator="LAC_LongStable%",
    inputs=(CLA_OPEN.reading("CHILD", "RNE", "LS", "PLACE", "REC"),),
)
def cla_long_term_stability_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of long-term looked-after children under 16 in the same placement for 2 years.

    Examples
    --------
    >>> from pmf_lib.read.tables import S903_COLUMNS, Ssda903, conform
    >>> ep = conform(pd.DataFrame({"CHILD": ["1", "1"], "LS": ["C2", "C2"],
    ...     "RNE": ["S", "L"], "DECOM": pd.to_datetime(["2020-01-01", "2024-01-01"]),
    ...     "DEC": pd.to_datetime(["2024-01-01", None])}), S903_COLUMNS["episodes"])
    >>> hd = conform(pd.DataFrame({"CHILD": ["1"], "DOB": pd.to_datetime(["2015-05-05"])}),
    ...     S903_COLUMNS["header"])
    >>> cla = Ssda903(); cla.tables["episodes"] = ep; cla.tables["header"] = hd
    >>> cla_long_term_stability_pct(KpiInputs(cla=cla), Window.of("snapshot", "2025-03-31"))
    Figure(numerator=1, denominator=1)
    """
    end = window.end
    ep = prepared_episodes(inputs)
    open_rows = _open_rows(ep, end)
    cids = np.unique(open_rows["cid"].to_numpy())
    if len(cids) == 0:
        return Figure(0, 0)
    child_ids = ep.drop_duplicates("cid").set_index("cid")["CHILD"].reindex(cids)
    dob = memo_on_frame("dob_by_child", inputs.cla.header, dob_by_child_frame)
    dob = pd.Series(dob.reindex(child_ids.to_numpy()).to_numpy(), index=cids)
    under_16 = (end < dob + pd.DateOffset(years=16)).fillna(False)
    ep = ep[(ep["DECOM"] <= end) & np.isin(ep["cid"].to_numpy(), cids)]
    care_start = _latest_start(ep, ep["is_S"], cids)
    placement_start = _latest_start(ep, ~ep["is_L"], cids)
    long_term = (care_start <= end - pd.DateOffset(months=30)).fillna(False)
    stable = (placement_start <= end - pd.DateOffset(months=24)).fillna(False)
    eligible = under_16.to_numpy(dtype=bool) & long_term.to_numpy(dtype=bool)
    return Figure(int((eligible & stable.to_numpy(dtype=bool)).sum()), int(eligible.sum()))


# ---- wider catalogue --------------------------------------------------------------
FOSTER_PLACE = ("U1", "U2", "U3", "U4", "U5", "U6")


def _cla_example(**tables) -> KpiInputs:
    """Tiny inputs for the docstring examples below (dicts of columns per 903 table)."""
    from pmf_lib.read.tables import S903_COLUMNS, Population, Ssda903, conform

    cla = Ssda903()
    for name, cols in tables.items():
        cla.tables[name] = conform(pd.DataFrame(cols), S903_COLUMNS[name])
    return KpiInputs(cla=cla, population=Population(pd.Series({2024: 10_000.0})))


def started_children(inputs: KpiInputs, window: Window) -> pd.Index:
    """Distinct children with an episode (not V3/V4) with RNE ``S`` and DECOM in the window."""
    ep = prepared_episodes(inputs)
    mask = ep["is_S"] & window.contains(ep["DECOM"]).fillna(False)
    return pd.Index(ep.loc[mask, "CHILD"].unique())


def ceased_episodes(inputs: KpiInputs, window: Window) -> pd.DataFrame:
    """Episodes (not V3/V4) ending a period of care in the window: DEC in it, REC not X1."""
    ep = prepared_episodes(inputs)
    return ep[ep["ceases"] & window.contains(ep["DEC"]).fillna(False).astype(bool)]


@kpi(
    id="cla_started_count",
    title="Children starting to be looked after",
    area="children_looked_after",
    unit="count",
    polarity="neutral",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source="SSDA903",
    definition="Distinct children with an episode starting a period of care (RNE S, legal "
    "status not V3/V4) with DECOM in the window.",
    numerator="Distinct children starting a period of care in the window",
    comparator="LACnum_Start",
    breakdowns=("age_band", "sex", "ethnicity"),
    inputs=(EPISODES_STARTED.reading("CHILD", "RNE", "LS", "PLACE", "DEC", "REC"),),
)
def cla_started_count(inputs: KpiInputs, window: Window) -> Figure:
    """Children who started to be looked after in the window.

    Examples
    --------
    >>> inp = _cla_example(episodes={"CHILD": ["1", "2"], "RNE": ["S", "P"], "LS": ["C2", "C2"],
    ...     "DECOM": pd.to_datetime(["2025-03-02", "2025-03-03"])})
    >>> cla_started_count(inp, Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    return Figure(len(started_children(inputs, window)))


@kpi(
    id="cla_started_rate_10k",
    title="Children starting to be looked after per 10,000 children",
    area="children_looked_after",
    unit="rate_10k",
    polarity="neutral",
    windows=("rolling_12m",),
    cadence="rolling",
    source="SSDA903; ONS mid-year estimates",
    definition="cla_started_count in the rolling 12 months ending period_end divided by the "
    "population aged 0-17 (calendar year of period_end or the latest earlier), times 10,000.",
    numerator="Children starting to be looked after in the rolling 12 months",
    denominator="Population aged 0-17",
    comparator="LAC_Start_Rate",
    inputs=(
        flow("ssda903", "episodes", "DECOM", R12).reading(
            "CHILD", "RNE", "LS", "PLACE", "DEC", "REC"
        ),
    ),
)
def cla_started_rate_10k(inputs: KpiInputs, window: Window) -> Figure:
    """Children starting to be looked after in the rolling 12 months per 10,000 children.

    Examples
    --------
    >>> inp = _cla_example(episodes={"CHILD": ["1"], "RNE": ["S"], "LS": ["C2"],
    ...     "DECOM": pd.to_datetime(["2024-06-02"])})
    >>> cla_started_rate_10k(inp, Window.of("rolling_12m", "2025-03-31"))
    Figure(numerator=1, denominator=10000.0)
    """
    n = len(started_children(inputs, rolling_12m(window)))
    return Figure(n, inputs.population.for_date(window.end))


@kpi(
    id="cla_ceased_count",
    title="Children ceasing to be looked after",
    area="children_looked_after",
    unit="count",
    polarity="neutral",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source="SSDA903",
    definition="Distinct children with an episode (legal status not V3/V4) ending in the window "
    "with a reason episode ceased (REC) other than X1 (episode ceases and a new one begins); "
    "episodes without REC are not counted.",
    numerator="Distinct children ceasing to be looked after in the window",
    comparator="LACceased",
    breakdowns=("age_band", "sex", "ethnicity"),
    inputs=(EPISODES_ENDED.reading("CHILD", "DECOM", "RNE", "LS", "PLACE", "REC"),),
)
def cla_ceased_count(inputs: KpiInputs, window: Window) -> Figure:
    """Children who ceased to be looked after in the window.

    Examples
    --------
    >>> inp = _cla_example(episodes={"CHILD": ["1", "2"], "LS": ["C2", "C2"],
    ...     "DECOM": pd.to_datetime(["2024-01-01", "2024-01-01"]),
    ...     "DEC": pd.to_datetime(["2025-03-05", "2025-03-05"]), "REC": ["E4A", "X1"]})
    >>> cla_ceased_count(inp, Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    return Figure(int(ceased_episodes(inputs, window)["CHILD"].nunique()))


@kpi(
    id="cla_ceased_rate_10k",
    title="Children ceasing to be looked after per 10,000 children",
    area="children_looked_after",
    unit="rate_10k",
    polarity="neutral",
    windows=("rolling_12m",),
    cadence="rolling",
    source="SSDA903; ONS mid-year estimates",
    definition="cla_ceased_count in the rolling 12 months ending period_end divided by the "
    "population aged 0-17, times 10,000.",
    numerator="Children ceasing to be looked after in the rolling 12 months",
    denominator="Population aged 0-17",
    comparator="LAC_Cease_Rate",
    inputs=(
        flow("ssda903", "episodes", "DEC", R12).reading(
            "CHILD", "DECOM", "RNE", "LS", "PLACE", "REC"
        ),
    ),
)
def cla_ceased_rate_10k(inputs: KpiInputs, window: Window) -> Figure:
    """Children ceasing to be looked after in the rolling 12 months per 10,000 children.

    Examples
    --------
    >>> inp = _cla_example(episodes={"CHILD": ["1"], "LS": ["C2"], "REC": ["E4A"],
    ...     "DECOM": pd.to_datetime(["2024-01-01"]), "DEC": pd.to_datetime(["2024-06-01"])})
    >>> cla_ceased_rate_10k(inp, Window.of("rolling_12m", "2025-03-31"))
    Figure(numerator=1, denominator=10000.0)
    """
    n = cla_ceased_count(inputs, rolling_12m(window)).numerator
    return Figure(n, inputs.population.for_date(window.end))


@kpi(
    id="cla_3plus_placements_count",
    subset_of="cla_count",
    title="Children looked after with 3 or more placements in 12 months (number)",
    area="children_looked_after",
    unit="count",
    polarity="neutral",
    windows=("snapshot",),
    cadence="monthly",
    source="SSDA903",
    definition="The numerator of cla_3plus_placements_pct: children looked after at period_end "
    "with 3 or more placements during the 12 months ending period_end.",
    numerator="Children looked after at period_end with 3 or more placements in the 12 months",
    comparator="LACStableNum_2016on",
    inputs=(EPISODES_OVERLAP.reading("CHILD", "RNE", "LS", "PLACE", "REC"),),
)
def cla_3plus_placements_count(inputs: KpiInputs, window: Window) -> Figure:
    """Children looked after with 3 or more placements in the 12 months.

    Examples
    --------
    >>> inp = _cla_example(episodes={"CHILD": ["1"], "LS": ["C2"], "RNE": ["S"],
    ...     "DECOM": pd.to_datetime(["2024-06-01"])})
    >>> cla_3plus_placements_count(inp, Window.of("snapshot", "2025-03-31"))
    Figure(numerator=0, denominator=None)
    """
    return Figure(cla_3plus_placements_pct(inputs, window).numerator)


@kpi(
    id="cla_long_term_stability_count",
    subset_of="cla_count",
    title="Children looked after long term in the same placement for 2 years (number)",
    area="children_looked_after",
    unit="count",
    polarity="neutral",
    windows=("snapshot",),
    cadence="monthly",
    source="SSDA903",
    definition="The numerator of cla_long_term_stability_pct.",
    numerator="Children under 16 looked after 2.5 years or more, in the same placement for at "
    "least 2 years",
    comparator="LAC_LongStableNum",
    inputs=(CLA_OPEN.reading("CHILD", "RNE", "LS", "PLACE", "REC"),),
)
def cla_long_term_stability_count(inputs: KpiInputs, window: Window) -> Figure:
    """The number of long-term looked-after children in the same placement for 2 years.

    Examples
    --------
    >>> cla_long_term_stability_count(_cla_example(), Window.of("snapshot", "2025-03-31"))
    Figure(numerator=0, denominator=None)
    """
    return Figure(cla_long_term_stability_pct(inputs, window).numerator)


def _uasc_children(inputs: KpiInputs, date) -> pd.Index:
    u = inputs.cla.uasc
    d = pd.Timestamp(date).normalize()
    still = (u["DUC"].isna() | (u["DUC"] > d)).fillna(False).astype(bool)
    return pd.Index(u.loc[still, "CHILD"].dropna().unique())


@kpi(
    id="cla_uasc_count",
    subset_of="cla_count",
    title="Unaccompanied asylum-seeking children looked after",
    area="children_looked_after",
    unit="count",
    polarity="neutral",
    windows=("snapshot",),
    cadence="monthly",
    source="SSDA903",
    definition="Children in cla_count who have a 903 UASC record whose date ceased to be UASC "
    "(DUC) is empty or after period_end.",
    numerator="Children looked after at period_end who are UASC",
    comparator="Unacc_Asylmn_Seek_Childn",
    inputs=(CLA_OPEN.reading("CHILD", "RNE", "LS", "PLACE", "REC"), UASC.reading("CHILD", "DUC")),
)
def cla_uasc_count(inputs: KpiInputs, window: Window) -> Figure:
    """Unaccompanied asylum-seeking children looked after at period end.

    Examples
    --------
    >>> inp = _cla_example(episodes={"CHILD": ["1", "2"], "LS": ["C2", "C2"], "RNE": ["S", "S"],
    ...     "DECOM": pd.to_datetime(["2024-06-01", "2024-06-01"])},
    ...     uasc={"CHILD": ["1", "2"], "DUC": pd.to_datetime(["2026-01-01", "2025-03-31"])})
    >>> cla_uasc_count(inp, Window.of("snapshot", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    cla = looked_after_children(inputs, window.end)
    return Figure(int(cla.isin(_uasc_children(inputs, window.end)).sum()))


@kpi(
    id="cla_uasc_pct",
    title="Children looked after who are unaccompanied asylum-seeking children",
    area="children_looked_after",
    unit="percent",
    polarity="neutral",
    windows=("snapshot",),
    cadence="monthly",
    source="SSDA903",
    definition="cla_uasc_count as a % of cla_count.",
    numerator="Children looked after at period_end who are UASC",
    denominator="Children looked after at period_end",
    comparator="Unacc_Asylmn_Seek_Childn%",
    inputs=(CLA_OPEN.reading("CHILD", "RNE", "LS", "PLACE", "REC"), UASC.reading("CHILD", "DUC")),
)
def cla_uasc_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of children looked after at period end who are UASC.

    Examples
    --------
    >>> inp = _cla_example(episodes={"CHILD": ["1", "2"], "LS": ["C2", "C2"], "RNE": ["S", "S"],
    ...     "DECOM": pd.to_datetime(["2024-06-01", "2024-06-01"])},
    ...     uasc={"CHILD": ["1"], "DUC": pd.to_datetime([None])})
    >>> cla_uasc_pct(inp, Window.of("snapshot", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    return Figure(cla_uasc_count(inputs, window).numerator, cla_count(inputs, window).numerator)


@kpi(
    id="cla_foster_pct",
    title="Children looked after placed in foster care",
    area="children_looked_after",
    unit="percent",
    polarity="higher_is_better",
    windows=("snapshot",),
    cadence="monthly",
    source="SSDA903",
    definition=(
        "Of the children in cla_count, the % whose placement at period_end is foster care "
        "(PLACE U1-U6) in their open episode (the latest-starting, if more than one is open)."
    ),
    numerator="Children looked after at period_end placed in foster care",
    denominator="Children looked after at period_end",
    comparator="LAC_Foster_Placements",
    inputs=(CLA_OPEN.reading("CHILD", "RNE", "LS", "PLACE", "REC"),),
)
def cla_foster_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of children looked after at period end who are in foster care.

    Examples
    --------
    >>> inp = _cla_example(episodes={"CHILD": ["1", "2"], "LS": ["C2", "C2"], "RNE": ["S", "S"],
    ...     "PLACE": ["U3", "K2"], "DECOM": pd.to_datetime(["2024-06-01", "2024-06-01"])})
    >>> cla_foster_pct(inp, Window.of("snapshot", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    current = _open_rows(prepared_episodes(inputs), window.end).drop_duplicates("cid", keep="last")
    foster = flag(current["PLACE"], *FOSTER_PLACE)
    return Figure(int(foster.sum()), len(current))


def looked_after_during(inputs: KpiInputs, window: Window) -> pd.Index:
    """Distinct children with an episode (not V3/V4) overlapping the window's days."""
    ep = prepared_episodes(inputs)
    mask = (ep["DECOM"] <= window.end) & (ep["DEC"].isna() | (ep["DEC"] > window.start))
    return pd.Index(ep.loc[mask, "CHILD"].unique())


def _missing_pct(inputs: KpiInputs, window: Window, code: str) -> Figure:
    during = looked_after_during(inputs, window)
    m = inputs.cla.missing
    hit = flag(m["MISSING"], code) & window.contains(m["MIS_START"]).fillna(False)
    children = pd.Index(m.loc[hit.astype(bool), "CHILD"].dropna().unique())
    return Figure(int(during.isin(children).sum()), len(during))


@kpi(
    id="cla_missing_pct",
    title="Children looked after who went missing",
    area="children_looked_after",
    unit="percent",
    polarity="neutral",
    windows=("rolling_12m",),
    cadence="rolling",
    source="SSDA903",
    definition=(
        "Of the children looked after at any time in the window (an episode, legal status not "
        "V3/V4, with DECOM on or before the window's end and DEC empty or after its first day), "
        "the % with a missing incident (903 missing table, MISSING = M) starting in the window."
    ),
    numerator="Children looked after in the window with a missing incident starting in it",
    denominator="Children looked after at any time in the window",
    comparator="Children_missing",
    inputs=(
        EPISODES_OVERLAP.reading("CHILD", "RNE", "LS", "PLACE", "REC"),
        MISSING_12M.reading("CHILD", "MISSING"),
    ),
)
def cla_missing_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of children looked after in the window who had a missing incident.

    Examples
    --------
    >>> inp = _cla_example(episodes={"CHILD": ["1", "2"], "LS": ["C2", "C2"], "RNE": ["S", "S"],
    ...     "DECOM": pd.to_datetime(["2024-06-01", "2024-06-01"])},
    ...     missing={"CHILD": ["1", "2"], "MISSING": ["M", "A"],
    ...              "MIS_START": pd.to_datetime(["2024-07-01", "2024-07-01"])})
    >>> cla_missing_pct(inp, Window.of("rolling_12m", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    return _missing_pct(inputs, window, "M")


@kpi(
    id="cla_away_pct",
    title="Children looked after who were away from placement without authorisation",
    area="children_looked_after",
    unit="percent",
    polarity="neutral",
    windows=("rolling_12m",),
    cadence="rolling",
    source="SSDA903",
    definition=(
        "As cla_missing_pct, for absences recorded as away from placement without authorisation "
        "(MISSING = A)."
    ),
    numerator="Children looked after in the window with an away incident starting in it",
    denominator="Children looked after at any time in the window",
    comparator="Children_Away",
    inputs=(
        EPISODES_OVERLAP.reading("CHILD", "RNE", "LS", "PLACE", "REC"),
        MISSING_12M.reading("CHILD", "MISSING"),
    ),
)
def cla_away_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of children looked after in the window who were away without authorisation.

    Examples
    --------
    >>> inp = _cla_example(episodes={"CHILD": ["1"], "LS": ["C2"], "RNE": ["S"],
    ...     "DECOM": pd.to_datetime(["2024-06-01"])},
    ...     missing={"CHILD": ["1"], "MISSING": ["A"], "MIS_START": pd.to_datetime(["2025-01-01"])})
    >>> cla_away_pct(inp, Window.of("rolling_12m", "2025-03-31"))
    Figure(numerator=1, denominator=1)
    """
    return _missing_pct(inputs, window, "A")


def _oc2_pct(inputs: KpiInputs, window: Window, field: str) -> Figure:
    oc2 = latest_return(inputs.cla.oc2, window.end)
    value = oc2[field].astype("string").str.strip()
    answered = value.isin(["0", "1"]).fillna(False).astype(bool)
    # one year's cohort (keyed on child and year); a child repeated in it counts once
    rows = oc2.loc[answered, ["CHILD"]].assign(yes=(value[answered] == "1").to_numpy())
    per_child = rows.dropna(subset=["CHILD"]).groupby("CHILD")["yes"].max()
    return Figure(int(per_child.sum()), len(per_child))


_OC2_DEF = (
    "Of the children in the council's latest SSDA903 OC2 return for a year ended on or before "
    "period_end (children looked after continuously for 12 months at 31 March) with {field} "
    "recorded as 0 or 1, the % with {field} = 1 ({what}). The figure changes once a year."
)


@kpi(
    id="cla_health_assessment_pct",
    title="Children looked after with an up-to-date health assessment",
    area="children_looked_after",
    unit="percent",
    polarity="higher_is_better",
    windows=("snapshot",),
    cadence="annual",
    source="SSDA903 (OC2)",
    definition=_OC2_DEF.format(field="HEALTH_ASSESSMENT", what="annual health assessment"),
    numerator="OC2 children with HEALTH_ASSESSMENT = 1",
    denominator="OC2 children with HEALTH_ASSESSMENT recorded",
    comparator="LACHealth%",
    inputs=(OC2.reading("CHILD", "HEALTH_ASSESSMENT"),),
)
def cla_health_assessment_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of the OC2 cohort with an up-to-date annual health assessment.

    Examples
    --------
    >>> import pandas as pd
    >>> inp = _cla_example(oc2={"CHILD": ["1", "2", "3"], "HEALTH_ASSESSMENT": ["1", "0", None],
    ...     "collection_year": [2024, 2024, 2024]})
    >>> cla_health_assessment_pct(inp, Window.of("snapshot", "2024-06-30"))
    Figure(numerator=1, denominator=2)
    """
    return _oc2_pct(inputs, window, "HEALTH_ASSESSMENT")


@kpi(
    id="cla_dental_check_pct",
    title="Children looked after with an up-to-date dental check",
    area="children_looked_after",
    unit="percent",
    polarity="higher_is_better",
    windows=("snapshot",),
    cadence="annual",
    source="SSDA903 (OC2)",
    definition=_OC2_DEF.format(field="TEETH_CHECK", what="dental check"),
    numerator="OC2 children with TEETH_CHECK = 1",
    denominator="OC2 children with TEETH_CHECK recorded",
    comparator="LACDental%",
    inputs=(OC2.reading("CHILD", "TEETH_CHECK"),),
)
def cla_dental_check_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of the OC2 cohort whose teeth were checked by a dentist.

    Examples
    --------
    >>> inp = _cla_example(oc2={"CHILD": ["1", "2"], "TEETH_CHECK": ["1", "1"],
    ...     "collection_year": [2025, 2025]})
    >>> cla_dental_check_pct(inp, Window.of("snapshot", "2025-03-31"))
    Figure(numerator=2, denominator=2)
    """
    return _oc2_pct(inputs, window, "TEETH_CHECK")


@kpi(
    id="cla_immunisations_pct",
    title="Children looked after with up-to-date immunisations",
    area="children_looked_after",
    unit="percent",
    polarity="higher_is_better",
    windows=("snapshot",),
    cadence="annual",
    source="SSDA903 (OC2)",
    definition=_OC2_DEF.format(field="IMMUNISATIONS", what="immunisations up to date"),
    numerator="OC2 children with IMMUNISATIONS = 1",
    denominator="OC2 children with IMMUNISATIONS recorded",
    comparator="LACVaccinations%",
    inputs=(OC2.reading("CHILD", "IMMUNISATIONS"),),
)
def cla_immunisations_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of the OC2 cohort with up-to-date immunisations.

    Examples
    --------
    >>> inp = _cla_example(oc2={"CHILD": ["1", "2"], "IMMUNISATIONS": ["1", "0"],
    ...     "collection_year": [2025, 2025]})
    >>> cla_immunisations_pct(inp, Window.of("snapshot", "2025-02-28"))
    Figure(numerator=0, denominator=0)
    """
    return _oc2_pct(inputs, window, "IMMUNISATIONS")
