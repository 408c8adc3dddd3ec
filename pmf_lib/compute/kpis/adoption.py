"""Adoption and other permanence on leaving care (SSDA903)."""

from __future__ import annotations

import pandas as pd

from pmf_lib.compute.kpis._inputs import EPISODES_ENDED
from pmf_lib.compute.kpis.children_looked_after import ceased_episodes
from pmf_lib.compute.registry import Figure, KpiInputs, kpi
from pmf_lib.dates import Window

ADOPTED = ("E11", "E12")
SGO = ("E45", "E46", "E47", "E48")


def _ceased_children_with(inputs: KpiInputs, window: Window, codes: tuple[str, ...]) -> Figure:
    """Children ceasing in the window whose (latest) ceasing reason is one of ``codes``."""
    ceased = ceased_episodes(inputs, window)
    last = ceased.sort_values(["CHILD", "DEC"], kind="mergesort").drop_duplicates(
        "CHILD", keep="last"
    )
    return Figure(int(last["REC"].isin(codes).sum()), len(last))


def _example(**episodes) -> KpiInputs:
    from pmf_lib.read.tables import S903_COLUMNS, Ssda903, conform

    cla = Ssda903()
    cla.tables["episodes"] = conform(pd.DataFrame(episodes), S903_COLUMNS["episodes"])
    return KpiInputs(cla=cla)


_EXAMPLE = dict(
    CHILD=["1", "2", "3"],
    LS=["E1", "C2", "C2"],
    DECOM=pd.to_datetime(["2023-01-01"] * 3),
    DEC=pd.to_datetime(["2025-03-10", "2025-03-11", "2025-03-12"]),
    REC=["E11", "E45", "E4A"],
)


@kpi(
    id="cla_adopted_count",
    subset_of="cla_ceased_count",
    title="Children looked after who were adopted",
    area="adoption",
    unit="count",
    polarity="neutral",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source="SSDA903",
    definition="Distinct children who ceased to be looked after in the window (see "
    "cla_ceased_count) because they were adopted (REC E11 or E12 on their latest ceasing "
    "episode in the window).",
    numerator="Children adopted from care in the window",
    comparator="No_of LAC Adopted",
    inputs=(EPISODES_ENDED.reading("CHILD", "DECOM", "RNE", "LS", "PLACE", "REC"),),
)
def cla_adopted_count(inputs: KpiInputs, window: Window) -> Figure:
    """Children adopted from care in the window.

    Examples
    --------
    >>> cla_adopted_count(_example(**_EXAMPLE), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    return Figure(_ceased_children_with(inputs, window, ADOPTED).numerator)


@kpi(
    id="cla_adopted_pct",
    title="Children ceasing to be looked after who were adopted",
    area="adoption",
    unit="percent",
    polarity="higher_is_better",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source="SSDA903",
    definition="cla_adopted_count as a % of cla_ceased_count (children ceasing to be looked "
    "after in the window).",
    numerator="Children adopted from care in the window",
    denominator="Children ceasing to be looked after in the window",
    comparator="%_of LAC Adopted",
    inputs=(EPISODES_ENDED.reading("CHILD", "DECOM", "RNE", "LS", "PLACE", "REC"),),
)
def cla_adopted_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of children ceasing to be looked after who were adopted.

    Examples
    --------
    >>> cla_adopted_pct(_example(**_EXAMPLE), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=3)
    """
    return _ceased_children_with(inputs, window, ADOPTED)


@kpi(
    id="cla_ceased_sgo_pct",
    title="Children ceasing to be looked after on a special guardianship order",
    area="adoption",
    unit="percent",
    polarity="neutral",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source="SSDA903",
    definition="Of the children ceasing to be looked after in the window, the % whose latest "
    "ceasing episode in the window ended with a special guardianship order (REC E45-E48).",
    numerator="Children ceasing to be looked after on a special guardianship order",
    denominator="Children ceasing to be looked after in the window",
    comparator="LAC_ceased_SGO%",
    inputs=(EPISODES_ENDED.reading("CHILD", "DECOM", "RNE", "LS", "PLACE", "REC"),),
)
def cla_ceased_sgo_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of children ceasing to be looked after on a special guardianship order.

    Examples
    --------
    >>> cla_ceased_sgo_pct(_example(**_EXAMPLE), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=3)
    """
    return _ceased_children_with(inputs, window, SGO)
