"""Children with disabilities: children in need and referrals with a recorded disability.

A child has a recorded disability when the CIN census ``disabilities`` table holds
a ``Disability`` code for them other than ``NONE`` (no disability). The table is
per child, not per episode (the census records a child's disabilities in each
return), so a code recorded in any return read counts. A child with only
``NONE``, no row, or only empty codes has no recorded disability.

The SSDA903 return records no disability, so there is no disabled children
looked after KPI here: it could only be approximated by linking to the CIN
census, which is not a figure of the 903.
"""

from __future__ import annotations

import pandas as pd

from pmf_lib.compute.kpis._common import isin, memo_on_frame
from pmf_lib.compute.kpis._inputs import DISABILITIES, REFERRALS, REFERRALS_OPEN
from pmf_lib.compute.kpis.children_in_need import children_in_need_at
from pmf_lib.compute.registry import Figure, KpiInputs, kpi
from pmf_lib.dates import Window


def _disabled(disabilities: pd.DataFrame) -> pd.Index:
    code = disabilities["Disability"].astype("string").str.strip().str.upper()
    recorded = (code.notna() & (code != "") & (code != "NONE")).fillna(False).astype(bool)
    return pd.Index(disabilities.loc[recorded, "LAchildID"].dropna().unique())


def disabled_children(inputs: KpiInputs) -> pd.Index:
    """Distinct ``LAchildID`` with a recorded disability (a code other than ``NONE``; memoised).

    Examples
    --------
    >>> disabled_children(_example()).tolist()
    ['a', 'b']
    """
    return memo_on_frame("cin_disabled_children", inputs.cin.disabilities, _disabled)


def _example() -> KpiInputs:
    from pmf_lib.read.tables import CIN_COLUMNS, CinCensus, conform

    cin = CinCensus()
    cin.tables["disabilities"] = conform(
        pd.DataFrame(
            {"LAchildID": ["a", "a", "b", "c"], "Disability": ["MOB", "LD", "AUT", "NONE"]}
        ),
        CIN_COLUMNS["disabilities"],
    )
    cin.tables["referrals"] = conform(
        pd.DataFrame(
            {
                "LAchildID": ["a", "b", "c", "d"],
                "CINreferralDate": pd.to_datetime(
                    ["2025-03-03", "2024-01-01", "2025-03-03", "2025-03-04"]
                ),
                "CINclosureDate": pd.to_datetime([None, "2024-06-01", None, None]),
            }
        ),
        CIN_COLUMNS["referrals"],
    )
    return KpiInputs(cin=cin)


def _disabled_in_need(inputs: KpiInputs, date) -> tuple[int, int]:
    cin = children_in_need_at(inputs, date)
    return int(isin(cin.to_series(), disabled_children(inputs)).sum()), len(cin)


_CIN_DEF = (
    "children in need at period_end (as cin_count: an episode of need with CINreferralDate on "
    "or before period_end and CINclosureDate empty or after it) with a recorded disability "
    "(a CIN census Disability code other than NONE, in any return read)"
)


@kpi(
    id="cin_disabled_count",
    subset_of="cin_count",
    title="Children in need with a disability",
    area="children_with_disabilities",
    unit="count",
    polarity="neutral",
    windows=("snapshot",),
    cadence="monthly",
    source="CIN census",
    definition=f"Distinct {_CIN_DEF}.",
    numerator="Distinct children in need at period_end with a recorded disability",
    comparator=None,
    breakdowns=("age_band", "sex", "ethnicity"),
    inputs=(REFERRALS_OPEN.reading("LAchildID"), DISABILITIES.reading("LAchildID", "Disability")),
)
def cin_disabled_count(inputs: KpiInputs, window: Window) -> Figure:
    """Children in need at period end with a recorded disability.

    Examples
    --------
    >>> cin_disabled_count(_example(), Window.of("snapshot", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    return Figure(_disabled_in_need(inputs, window.end)[0])


@kpi(
    id="cin_disabled_pct",
    title="Children in need with a disability (%)",
    area="children_with_disabilities",
    unit="percent",
    polarity="neutral",
    windows=("snapshot",),
    cadence="monthly",
    source="CIN census",
    definition=f"Of the children in need at period_end (cin_count), the % that are {_CIN_DEF}.",
    numerator="Children in need at period_end with a recorded disability",
    denominator="Children in need at period_end",
    comparator=None,
    breakdowns=("age_band", "sex", "ethnicity"),
    inputs=(REFERRALS_OPEN.reading("LAchildID"), DISABILITIES.reading("LAchildID", "Disability")),
)
def cin_disabled_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of children in need at period end with a recorded disability.

    Examples
    --------
    >>> cin_disabled_pct(_example(), Window.of("snapshot", "2025-03-31"))
    Figure(numerator=1, denominator=3)
    """
    n, d = _disabled_in_need(inputs, window.end)
    return Figure(n, d)


def _referrals_disabled(inputs: KpiInputs, window: Window) -> tuple[int, int]:
    r = inputs.cin.referrals
    in_window = window.contains(r["CINreferralDate"]).fillna(False).astype(bool)
    ids = r.loc[in_window, "LAchildID"]
    return int(isin(ids, disabled_children(inputs)).sum()), int(in_window.sum())


@kpi(
    id="referrals_disabled_count",
    subset_of="referrals_count",
    title="Referrals of children with a disability",
    area="children_with_disabilities",
    unit="count",
    polarity="neutral",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source="CIN census",
    definition=(
        "Referrals (CIN census CINdetails/CINreferralDate) dated in the window of children "
        "with a recorded disability (a Disability code other than NONE, in any return read)."
    ),
    numerator="Referrals in the window of children with a recorded disability",
    comparator=None,
    breakdowns=("age_band", "sex", "ethnicity"),
    inputs=(REFERRALS.reading("LAchildID"), DISABILITIES.reading("LAchildID", "Disability")),
)
def referrals_disabled_count(inputs: KpiInputs, window: Window) -> Figure:
    """Referrals in the window of children with a recorded disability.

    Examples
    --------
    >>> referrals_disabled_count(_example(), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    return Figure(_referrals_disabled(inputs, window)[0])


@kpi(
    id="referrals_disabled_pct",
    title="Referrals of children with a disability (%)",
    area="children_with_disabilities",
    unit="percent",
    polarity="neutral",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source="CIN census",
    definition=(
        "Of the referrals dated in the window (CINreferralDate), the % of children with a "
        "recorded disability (a CIN census Disability code other than NONE, in any return read)."
    ),
    numerator="Referrals in the window of children with a recorded disability",
    denominator="Referrals with CINreferralDate in the window",
    comparator=None,
    breakdowns=("age_band", "sex", "ethnicity"),
    inputs=(REFERRALS.reading("LAchildID"), DISABILITIES.reading("LAchildID", "Disability")),
)
def referrals_disabled_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of referrals in the window of children with a recorded disability.

    Examples
    --------
    >>> referrals_disabled_pct(_example(), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=3)
    """
    n, d = _referrals_disabled(inputs, window)
    return Figure(n, d)
