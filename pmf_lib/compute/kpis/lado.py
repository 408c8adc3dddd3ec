"""LADO referrals (local dataset ``lado``), reported quarterly.

Allegations against adults who work with children. Resolution timescales follow
the long-standing national expectation (80% resolved within one month, 90% within
three): "within one month" means the closed date is on or before the received
date plus one calendar month (31 Jan + 1 month = 28 or 29 Feb). Every KPI here
returns a missing value (numerator NaN) when the council does not supply the
dataset.
"""

from __future__ import annotations

import pandas as pd

from pmf_lib.compute.kpis._common import open_at
from pmf_lib.compute.kpis._inputs import LADO_CLOSED, LADO_OPEN, QUARTER_12M, local
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
)
from pmf_lib.compute.registry import Figure, KpiInputs, kpi
from pmf_lib.dates import Window

_SOURCE = "Local dataset: lado"
_ABSENT = " Missing (not 0) when the council does not supply the lado dataset."
_WINDOWS = ("quarter", "rolling_12m")


@kpi(
    id="lado_referrals_count",
    title="LADO referrals received",
    area="lado",
    unit="count",
    polarity="neutral",
    windows=_WINDOWS,
    cadence="quarterly",
    source=_SOURCE,
    definition="LADO referrals with received_date in the window." + _ABSENT,
    numerator="LADO referrals with received_date in the window",
    breakdowns=("employment_sector",),
    inputs=(local("lado", "received_date", QUARTER_12M),),
)
def lado_referrals_count(inputs: KpiInputs, window: Window) -> Figure:
    """LADO referrals received in the window.

    Examples
    --------
    >>> d = local_frame("lado", received_date=["2025-01-01", "2025-03-31", "2025-04-01"])
    >>> lado_referrals_count(local_inputs(lado=d), Window.of("quarter", "2025-03-31"))
    Figure(numerator=2, denominator=None)
    """
    df = dataset(inputs, "lado")
    if df is None:
        return MISSING_COUNT
    return Figure(count(in_window(df["received_date"], window)))


def _resolved_within(inputs: KpiInputs, window: Window, months: int) -> Figure:
    df = dataset(inputs, "lado")
    if df is None:
        return MISSING_RATIO
    received, closed = df["received_date"], df["closed_date"]
    within = (closed >= received) & (closed <= months_after(received, months))
    return ratio(within.fillna(False), in_window(closed, window))


@kpi(
    id="lado_resolved_1m_pct",
    title="LADO referrals resolved within one month",
    area="lado",
    unit="percent",
    polarity="higher_is_better",
    windows=_WINDOWS,
    cadence="quarterly",
    source=_SOURCE,
    definition=(
        "Of the LADO referrals with closed_date in the window, the % closed within one month "
        "of receipt: closed_date on or after received_date and on or before received_date plus "
        "one calendar month. A missing received_date is not within." + _ABSENT
    ),
    numerator="LADO referrals closed in the window within one month of receipt",
    denominator="LADO referrals with closed_date in the window",
    breakdowns=("employment_sector",),
    inputs=(LADO_CLOSED.reading("received_date"),),
)
def lado_resolved_1m_pct(inputs: KpiInputs, window: Window) -> Figure:
    """LADO referrals closed within one month, of those closed in the window.

    Examples
    --------
    >>> d = local_frame("lado", received_date=["2025-01-31", "2025-01-31"],
    ...                 closed_date=["2025-02-28", "2025-03-01"])
    >>> lado_resolved_1m_pct(local_inputs(lado=d), Window.of("quarter", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    return _resolved_within(inputs, window, 1)


@kpi(
    id="lado_resolved_3m_pct",
    title="LADO referrals resolved within three months",
    area="lado",
    unit="percent",
    polarity="higher_is_better",
    windows=_WINDOWS,
    cadence="quarterly",
    source=_SOURCE,
    definition=(
        "Of the LADO referrals with closed_date in the window, the % closed within three "
        "calendar months of receipt (as lado_resolved_1m_pct, three months)." + _ABSENT
    ),
    numerator="LADO referrals closed in the window within three months of receipt",
    denominator="LADO referrals with closed_date in the window",
    breakdowns=("employment_sector",),
    inputs=(LADO_CLOSED.reading("received_date"),),
)
def lado_resolved_3m_pct(inputs: KpiInputs, window: Window) -> Figure:
    """LADO referrals closed within three months, of those closed in the window.

    Examples
    --------
    >>> d = local_frame("lado", received_date=["2024-11-30", "2024-11-30"],
    ...                 closed_date=["2025-02-28", "2025-03-01"])
    >>> lado_resolved_3m_pct(local_inputs(lado=d), Window.of("quarter", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    return _resolved_within(inputs, window, 3)


@kpi(
    id="lado_substantiated_pct",
    title="LADO referrals closed as substantiated",
    area="lado",
    unit="percent",
    polarity="neutral",
    windows=_WINDOWS,
    cadence="quarterly",
    source=_SOURCE,
    definition=(
        "Of the LADO referrals with closed_date in the window and an outcome other than "
        "'ongoing', the % whose outcome is 'substantiated'. A closed referral with no "
        "recognised outcome is in the denominator only." + _ABSENT
    ),
    numerator="LADO referrals closed in the window as substantiated",
    denominator="LADO referrals closed in the window (outcome not 'ongoing')",
    breakdowns=("employment_sector",),
    inputs=(LADO_CLOSED.reading("outcome"),),
)
def lado_substantiated_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Substantiated outcomes, of LADO referrals closed in the window.

    Examples
    --------
    >>> d = local_frame("lado", closed_date=["2025-03-01"] * 3,
    ...                 outcome=["substantiated", "unfounded", "ongoing"])
    >>> lado_substantiated_pct(local_inputs(lado=d), Window.of("quarter", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    df = dataset(inputs, "lado")
    if df is None:
        return MISSING_RATIO
    closed = in_window(df["closed_date"], window) & ~coded(df["outcome"], "ongoing")
    return ratio(coded(df["outcome"], "substantiated"), closed)


def _open(df: pd.DataFrame, window: Window) -> pd.Series:
    return open_at(df["received_date"], df["closed_date"], window.end)


@kpi(
    id="lado_open_count",
    title="LADO referrals open",
    area="lado",
    unit="count",
    polarity="neutral",
    windows=("snapshot",),
    cadence="quarterly",
    source=_SOURCE,
    definition=(
        "LADO referrals open at the end of period_end: received_date <= period_end and "
        "(closed_date empty or > period_end). One closed on period_end is not open." + _ABSENT
    ),
    numerator="LADO referrals open at period_end",
    breakdowns=("employment_sector",),
    inputs=(LADO_OPEN,),
)
def lado_open_count(inputs: KpiInputs, window: Window) -> Figure:
    """LADO referrals open at the end of period_end.

    Examples
    --------
    >>> d = local_frame("lado", received_date=["2025-01-05", "2025-01-05", "2025-01-05"],
    ...                 closed_date=[None, "2025-03-31", "2025-04-01"])
    >>> lado_open_count(local_inputs(lado=d), Window.of("snapshot", "2025-03-31"))
    Figure(numerator=2, denominator=None)
    """
    df = dataset(inputs, "lado")
    if df is None:
        return MISSING_COUNT
    return Figure(count(_open(df, window)))


@kpi(
    id="lado_open_over_3m_count",
    subset_of="lado_open_count",
    title="LADO referrals open for more than three months",
    area="lado",
    unit="count",
    polarity="lower_is_better",
    windows=("snapshot",),
    cadence="quarterly",
    source=_SOURCE,
    definition=(
        "LADO referrals open at the end of period_end (as lado_open_count) that were received "
        "before period_end minus three calendar months." + _ABSENT
    ),
    numerator="LADO referrals open at period_end received more than three months before it",
    breakdowns=("employment_sector",),
    inputs=(LADO_OPEN,),
)
def lado_open_over_3m_count(inputs: KpiInputs, window: Window) -> Figure:
    """LADO referrals open at period_end for more than three months.

    Examples
    --------
    >>> # 31 Mar 2025 minus three months is 31 Dec 2024.
    >>> d = local_frame("lado", received_date=["2024-12-30", "2024-12-31"])
    >>> lado_open_over_3m_count(local_inputs(lado=d), Window.of("snapshot", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    df = dataset(inputs, "lado")
    if df is None:
        return MISSING_COUNT
    cutoff = window.end - pd.DateOffset(months=3)
    old = (df["received_date"] < cutoff).fillna(False)
    return Figure(count(_open(df, window) & old))
