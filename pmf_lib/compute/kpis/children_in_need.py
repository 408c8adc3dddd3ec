"""Children in need: episodes of need open at the period end (CIN census)."""

from __future__ import annotations

import pandas as pd

from pmf_lib.compute.kpis._common import open_at
from pmf_lib.compute.kpis._inputs import REFERRALS_OPEN
from pmf_lib.compute.registry import Figure, KpiInputs, kpi
from pmf_lib.dates import Window


def children_in_need_at(inputs: KpiInputs, date) -> pd.Index:
    """Distinct children with an episode of need (CINdetails) open at the end of ``date``."""
    r = inputs.cin.referrals
    mask = open_at(r["CINreferralDate"], r["CINclosureDate"], date)
    return pd.Index(r.loc[mask, "LAchildID"].dropna().unique())


def _example() -> KpiInputs:
    from pmf_lib.read.tables import CIN_COLUMNS, CinCensus, Population, conform

    cin = CinCensus()
    cin.tables["referrals"] = conform(
        pd.DataFrame(
            {
                "LAchildID": ["a", "a", "b", "c"],
                "CINreferralDate": pd.to_datetime(["2024-05-01", "2025-01-01"] * 2),
                "CINclosureDate": pd.to_datetime([None, None, "2025-03-31", "2025-04-01"]),
            }
        ),
        CIN_COLUMNS["referrals"],
    )
    return KpiInputs(cin=cin, population=Population(pd.Series({2025: 1_000.0})))


_DEF = (
    "Distinct children with an episode of need (CIN census CINdetails) open at period_end: "
    "CINreferralDate on or before period_end and CINclosureDate empty or after period_end"
)


@kpi(
    id="cin_count",
    title="Children in need",
    area="children_in_need",
    unit="count",
    polarity="neutral",
    windows=("snapshot",),
    cadence="monthly",
    source="CIN census",
    definition=_DEF + ".",
    numerator="Distinct children with an episode of need open at period_end",
    comparator=None,
    breakdowns=("age_band", "sex", "ethnicity"),
    inputs=(REFERRALS_OPEN.reading("LAchildID"),),
)
def cin_count(inputs: KpiInputs, window: Window) -> Figure:
    """Children in need at period end.

    Examples
    --------
    >>> cin_count(_example(), Window.of("snapshot", "2025-03-31"))
    Figure(numerator=2, denominator=None)
    """
    return Figure(len(children_in_need_at(inputs, window.end)))


@kpi(
    id="cin_rate_10k",
    title="Children in need per 10,000 children",
    area="children_in_need",
    unit="rate_10k",
    polarity="neutral",
    windows=("snapshot",),
    cadence="monthly",
    source="CIN census; ONS mid-year estimates",
    definition=_DEF + ", divided by the ONS mid-year estimate of children aged 0-17 for the "
    "calendar year of period_end (or the latest earlier year), times 10,000.",
    numerator="Children in need at period_end",
    denominator="Population aged 0-17",
    comparator="CIN",
    inputs=(REFERRALS_OPEN.reading("LAchildID"),),
)
def cin_rate_10k(inputs: KpiInputs, window: Window) -> Figure:
    """Children in need at period end per 10,000 children.

    Examples
    --------
    >>> cin_rate_10k(_example(), Window.of("snapshot", "2025-03-31"))
    Figure(numerator=2, denominator=1000.0)
    """
    n = len(children_in_need_at(inputs, window.end))
    return Figure(n, inputs.population.for_date(window.end))
