"""Early help episodes (local dataset ``early_help``): starts, open caseload, closures.

Episodes are half-open ``[start_date, end_date)`` like 903 episodes: an episode
closed on ``period_end`` is not open at ``period_end``. Every KPI here returns a
missing value (numerator NaN) when the council does not supply the dataset.
"""

from __future__ import annotations

from pmf_lib.compute.kpis._common import open_at
from pmf_lib.compute.kpis._inputs import EH_ENDED, Feed, local
from pmf_lib.compute.kpis._local import (
    MISSING_COUNT,
    MISSING_RATIO,
    coded,
    count,
    dataset,
    in_window,
    local_frame,  # noqa: F401 (docstring examples)
    local_inputs,  # noqa: F401 (docstring examples)
    ratio,
)
from pmf_lib.compute.registry import Figure, KpiInputs, kpi
from pmf_lib.dates import Window

_SOURCE = "Local dataset: early_help"
_ABSENT = " Missing (not 0) when the council does not supply the early_help dataset."


@kpi(
    id="eh_episodes_started_count",
    title="Early help episodes started",
    area="early_help",
    unit="count",
    polarity="neutral",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source=_SOURCE,
    definition="Early help episodes with start_date in the window." + _ABSENT,
    numerator="Episodes with start_date in the window",
    breakdowns=("team",),
    inputs=(local("early_help", "start_date"),),
)
def eh_episodes_started_count(inputs: KpiInputs, window: Window) -> Figure:
    """Early help episodes started in the window.

    Examples
    --------
    >>> eh = local_frame("early_help", start_date=["2025-03-01", "2025-02-28"])
    >>> eh_episodes_started_count(local_inputs(early_help=eh), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    df = dataset(inputs, "early_help")
    if df is None:
        return MISSING_COUNT
    return Figure(count(in_window(df["start_date"], window)))


@kpi(
    id="eh_episodes_open_count",
    title="Early help episodes open",
    area="early_help",
    unit="count",
    polarity="neutral",
    windows=("snapshot",),
    cadence="monthly",
    source=_SOURCE,
    definition=(
        "Early help episodes open at the end of period_end: start_date <= period_end and "
        "(end_date empty or end_date > period_end). An episode closed on period_end is not "
        "open." + _ABSENT
    ),
    numerator="Episodes open at period_end",
    breakdowns=("team",),
    inputs=(Feed("local", "early_help", "start_date", "stock", "end_date"),),
)
def eh_episodes_open_count(inputs: KpiInputs, window: Window) -> Figure:
    """Early help episodes open at the end of period_end.

    Examples
    --------
    >>> eh = local_frame("early_help", start_date=["2025-01-01", "2025-01-01", "2025-04-01"],
    ...                  end_date=[None, "2025-03-31", None])
    >>> eh_episodes_open_count(local_inputs(early_help=eh), Window.of("snapshot", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    df = dataset(inputs, "early_help")
    if df is None:
        return MISSING_COUNT
    return Figure(count(open_at(df["start_date"], df["end_date"], window.end)))


@kpi(
    id="eh_episodes_closed_count",
    title="Early help episodes closed",
    area="early_help",
    unit="count",
    polarity="neutral",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source=_SOURCE,
    definition="Early help episodes with end_date in the window." + _ABSENT,
    numerator="Episodes with end_date in the window",
    breakdowns=("team",),
    inputs=(EH_ENDED,),
)
def eh_episodes_closed_count(inputs: KpiInputs, window: Window) -> Figure:
    """Early help episodes closed in the window.

    Examples
    --------
    >>> eh = local_frame("early_help", start_date=["2025-01-01"] * 2,
    ...                  end_date=["2025-03-31", None])
    >>> eh_episodes_closed_count(local_inputs(early_help=eh), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    df = dataset(inputs, "early_help")
    if df is None:
        return MISSING_COUNT
    return Figure(count(in_window(df["end_date"], window)))


def _closure_pct(inputs: KpiInputs, window: Window, reason: str) -> Figure:
    df = dataset(inputs, "early_help")
    if df is None:
        return MISSING_RATIO
    return ratio(coded(df["closure_reason"], reason), in_window(df["end_date"], window))


@kpi(
    id="eh_closed_needs_met_pct",
    title="Early help episodes closed with needs met",
    area="early_help",
    unit="percent",
    polarity="higher_is_better",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source=_SOURCE,
    definition=(
        "Of the early help episodes with end_date in the window, the % with closure_reason "
        "'needs_met'. A closed episode without a recognised closure reason is in the "
        "denominator only." + _ABSENT
    ),
    numerator="Episodes closed in the window with closure_reason 'needs_met'",
    denominator="Episodes with end_date in the window",
    breakdowns=("team",),
    inputs=(EH_ENDED.reading("closure_reason"),),
)
def eh_closed_needs_met_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Early help episodes closed in the window with needs met, %.

    Examples
    --------
    >>> eh = local_frame("early_help", end_date=["2025-03-10", "2025-03-11", "2025-03-12"],
    ...                  closure_reason=["needs_met", "stepped_up", None])
    >>> eh_closed_needs_met_pct(local_inputs(early_help=eh), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=3)
    """
    return _closure_pct(inputs, window, "needs_met")


@kpi(
    id="eh_step_up_pct",
    title="Early help episodes stepped up to children's social care",
    area="early_help",
    unit="percent",
    polarity="neutral",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source=_SOURCE,
    definition=(
        "Of the early help episodes with end_date in the window, the % with closure_reason "
        "'stepped_up' (stepped up to children's social care)." + _ABSENT
    ),
    numerator="Episodes closed in the window with closure_reason 'stepped_up'",
    denominator="Episodes with end_date in the window",
    breakdowns=("team",),
    inputs=(EH_ENDED.reading("closure_reason"),),
)
def eh_step_up_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Early help episodes closed in the window by stepping up to CSC, %.

    Examples
    --------
    >>> eh = local_frame("early_help", end_date=["2025-03-10", "2025-03-11"],
    ...                  closure_reason=["needs_met", "stepped_up"])
    >>> eh_step_up_pct(local_inputs(early_help=eh), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    return _closure_pct(inputs, window, "stepped_up")


@kpi(
    id="eh_closed_mean_days",
    title="Average length of closed early help episodes",
    area="early_help",
    unit="days",
    polarity="neutral",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source=_SOURCE,
    definition=(
        "Mean calendar days from start_date to end_date of the early help episodes with "
        "end_date in the window (an episode opened and closed the same day lasts 0 days). "
        "Episodes without a start_date, or ending before they start, are left out of both "
        "sums." + _ABSENT
    ),
    numerator="Sum of days from start_date to end_date of those episodes",
    denominator="Episodes with end_date in the window and a start_date on or before it",
    breakdowns=("team",),
    inputs=(EH_ENDED.reading("start_date"),),
)
def eh_closed_mean_days(inputs: KpiInputs, window: Window) -> Figure:
    """Mean length in days of early help episodes closed in the window.

    Examples
    --------
    >>> eh = local_frame("early_help", start_date=["2025-03-01", "2025-01-31"],
    ...                  end_date=["2025-03-11", "2025-03-02"])
    >>> eh_closed_mean_days(local_inputs(early_help=eh), Window.of("month", "2025-03-31"))
    Figure(numerator=40, denominator=2)
    """
    df = dataset(inputs, "early_help")
    if df is None:
        return MISSING_RATIO
    days = (df["end_date"] - df["start_date"]).dt.days
    use = in_window(df["end_date"], window) & (days >= 0).fillna(False).astype(bool)
    return Figure(int(days[use].sum()), count(use))
