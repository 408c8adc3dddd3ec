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
    memo_on_frame,
    open_at,
    twelve_months_first_day,
)
from pmf_lib.compute.registry import Figure, KpiInputs, kpi
from pmf_lib.dates import Window


def _prepared(episodes: pd.DataFrame) -> pd.DataFrame:
    """Countable episodes (not V3/V4, DECOM present), sorted, with RNE flags (memoised).

    ``cid`` is an integer code per child (fast grouping); ``CHILD`` keeps the id.
    """
    ep = cla_episodes(episodes)
    ep = ep.loc[ep["DECOM"].notna() & ep["CHILD"].notna(), ["CHILD", "DECOM", "DEC", "RNE"]]
    ep = ep.assign(is_L=flag(ep["RNE"], "L"), is_S=flag(ep["RNE"], "S"))
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
    source="SSDA903",
    definition=(
        "Distinct children looked after at period_end: an SSDA903 episode with DECOM on or "
        "before period_end and DEC empty or after period_end, legal status not V3/V4 (short "
        "breaks)."
    ),
    numerator="Distinct children with an episode (not V3/V4) open at period_end",
    comparator="LACnum",
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
    source="SSDA903; ONS mid-year estimates",
    definition=(
        "cla_count at period_end divided by the ONS mid-year estimate of children aged 0-17 "
        "for the calendar year of period_end (or the latest earlier year), times 10,000."
    ),
    numerator="Children looked after at period_end",
    denominator="Population aged 0-17",
    comparator="LAC",
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


def placements_in_12_months(inputs: KpiInputs, period_end) -> pd.Series:
    """Placements per child (index ``CHILD``) during the 12 months ending ``period_end``.

    Placements are the countable episodes overlapping ``[period_end - 12 months + 1 day,
    period_end]`` in DECOM order, except those with RNE ``L``; the first overlapping
    episode always counts.
    """
    ep = prepared_episodes(inputs)
    counts = _placements_by_cid(ep, period_end)
    child_ids = ep.drop_duplicates("cid").set_index("cid")["CHILD"].reindex(counts.index)
    return pd.Series(counts.to_numpy(), index=pd.Index(child_ids, name="CHILD"))


@kpi(
    id="cla_3plus_placements_pct",
    title="Children looked after with 3 or more placements in 12 months",
    area="children_looked_after",
    unit="percent",
    polarity="lower_is_better",
    windows=("snapshot",),
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
