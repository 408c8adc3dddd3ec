"""Complaints and compliments (local dataset ``complaints``), reported quarterly.

Timescales follow the Children Act 1989 Representations Procedure (England)
Regulations 2006: a stage 1 response within 10 working days (extendable to 20),
a stage 2 investigation within 25 working days (extendable to 65). Working days
from receipt to response count the days d with received <= d < responded, as in
``kpi-core-definitions.md``. Every KPI here returns a missing value (numerator
NaN) when the council does not supply the dataset.
"""

from __future__ import annotations

import pandas as pd

from pmf_lib.compute.kpis._common import memo_on_frame
from pmf_lib.compute.kpis._inputs import COMPLAINTS_RECEIVED, COMPLAINTS_RESPONDED
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
    within_working_days,
)
from pmf_lib.compute.registry import Figure, KpiInputs, kpi
from pmf_lib.dates import Window

_SOURCE = "Local dataset: complaints"
_ABSENT = " Missing (not 0) when the council does not supply the complaints dataset."
_WINDOWS = ("quarter", "rolling_12m")


def _complaints(df: pd.DataFrame) -> pd.Series:
    return coded(df["kind"], "complaint")


def _received(inputs: KpiInputs, window: Window, stage: str | None) -> Figure:
    df = dataset(inputs, "complaints")
    if df is None:
        return MISSING_COUNT
    mask = _complaints(df) & in_window(df["received_date"], window)
    if stage is not None:
        mask &= coded(df["stage"], stage)
    return Figure(count(mask))


@kpi(
    id="complaints_received_count",
    title="Complaints received",
    area="complaints",
    unit="count",
    polarity="neutral",
    windows=_WINDOWS,
    cadence="quarterly",
    source=_SOURCE,
    definition=(
        "Complaints (kind 'complaint', any stage; a complaint escalated to a further stage "
        "is a further row) with received_date in the window." + _ABSENT
    ),
    numerator="Complaint rows with received_date in the window",
    breakdowns=("stage", "team"),
    inputs=(COMPLAINTS_RECEIVED.reading("kind"),),
)
def complaints_received_count(inputs: KpiInputs, window: Window) -> Figure:
    """Complaints received in the window, all stages.

    Examples
    --------
    >>> c = local_frame("complaints", kind=["complaint", "compliment", "complaint"],
    ...                 received_date=["2025-01-02", "2025-02-03", "2024-12-31"])
    >>> complaints_received_count(local_inputs(complaints=c), Window.of("quarter", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    return _received(inputs, window, None)


@kpi(
    id="complaints_stage1_count",
    subset_of="complaints_received_count",
    title="Stage 1 complaints received",
    area="complaints",
    unit="count",
    polarity="neutral",
    windows=_WINDOWS,
    cadence="quarterly",
    source=_SOURCE,
    definition="Complaints (kind 'complaint') at stage 1 with received_date in the window."
    + _ABSENT,
    numerator="Stage 1 complaints with received_date in the window",
    breakdowns=("team",),
    inputs=(COMPLAINTS_RECEIVED.reading("kind", "stage"),),
)
def complaints_stage1_count(inputs: KpiInputs, window: Window) -> Figure:
    """Stage 1 complaints received in the window.

    Examples
    --------
    >>> c = local_frame("complaints", kind=["complaint", "complaint", "compliment"],
    ...                 stage=["1", "2", None],
    ...                 received_date=["2025-03-31"] * 3)
    >>> complaints_stage1_count(local_inputs(complaints=c), Window.of("quarter", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    return _received(inputs, window, "1")


@kpi(
    id="complaints_stage2_count",
    subset_of="complaints_received_count",
    title="Stage 2 complaints received",
    area="complaints",
    unit="count",
    polarity="neutral",
    windows=_WINDOWS,
    cadence="quarterly",
    source=_SOURCE,
    definition="Complaints (kind 'complaint') at stage 2 with received_date in the window."
    + _ABSENT,
    numerator="Stage 2 complaints with received_date in the window",
    breakdowns=("team",),
    inputs=(COMPLAINTS_RECEIVED.reading("kind", "stage"),),
)
def complaints_stage2_count(inputs: KpiInputs, window: Window) -> Figure:
    """Stage 2 complaints received in the window.

    Examples
    --------
    >>> c = local_frame("complaints", kind=["complaint", "complaint", "compliment"],
    ...                 stage=["2", "1", None],
    ...                 received_date=["2025-03-31"] * 3)
    >>> complaints_stage2_count(local_inputs(complaints=c), Window.of("quarter", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    return _received(inputs, window, "2")


@kpi(
    id="complaints_stage3_count",
    subset_of="complaints_received_count",
    title="Stage 3 complaints received",
    area="complaints",
    unit="count",
    polarity="neutral",
    windows=_WINDOWS,
    cadence="quarterly",
    source=_SOURCE,
    definition="Complaints (kind 'complaint') at stage 3 with received_date in the window."
    + _ABSENT,
    numerator="Stage 3 complaints with received_date in the window",
    breakdowns=("team",),
    inputs=(COMPLAINTS_RECEIVED.reading("kind", "stage"),),
)
def complaints_stage3_count(inputs: KpiInputs, window: Window) -> Figure:
    """Stage 3 complaints received in the window.

    Examples
    --------
    >>> c = local_frame("complaints", kind=["complaint", "complaint", "compliment"],
    ...                 stage=["3", "1", None],
    ...                 received_date=["2025-03-31"] * 3)
    >>> complaints_stage3_count(local_inputs(complaints=c), Window.of("quarter", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    return _received(inputs, window, "3")


def _responded_within(inputs: KpiInputs, window: Window, stage: str, limit: int) -> Figure:
    df = dataset(inputs, "complaints")
    if df is None:
        return MISSING_RATIO
    responded = _complaints(df) & coded(df["stage"], stage)
    responded &= in_window(df["responded_date"], window)
    on_time = memo_on_frame(
        f"complaints.within_{limit}wd",
        df,
        lambda d: within_working_days(d["received_date"], d["responded_date"], limit),
    )
    return ratio(on_time, responded)


@kpi(
    id="complaints_stage1_10wd_pct",
    title="Stage 1 complaints responded to within 10 working days",
    area="complaints",
    unit="percent",
    polarity="higher_is_better",
    windows=_WINDOWS,
    cadence="quarterly",
    source=_SOURCE,
    definition=(
        "Of the stage 1 complaints with responded_date in the window, the % responded to "
        "within 10 working days: the working days d with received_date <= d < responded_date "
        "number at most 10 (a response dated before receipt, or a missing received_date, is "
        "not within)." + _ABSENT
    ),
    numerator="Stage 1 complaints responded to in the window within 10 working days",
    denominator="Stage 1 complaints with responded_date in the window",
    breakdowns=("team",),
    inputs=(COMPLAINTS_RESPONDED.reading("kind", "stage", "received_date"),),
)
def complaints_stage1_10wd_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Stage 1 complaints answered within 10 working days, of those answered in the window.

    Examples
    --------
    >>> # Mon 3 Mar: to Mon 17 Mar is 10 working days, to Tue 18 Mar 11.
    >>> c = local_frame("complaints", kind=["complaint"] * 2, stage=["1", "1"],
    ...                 received_date=["2025-03-03"] * 2,
    ...                 responded_date=["2025-03-17", "2025-03-18"])
    >>> complaints_stage1_10wd_pct(local_inputs(complaints=c), Window.of("quarter", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    return _responded_within(inputs, window, "1", 10)


@kpi(
    id="complaints_stage1_20wd_pct",
    title="Stage 1 complaints responded to within 20 working days",
    area="complaints",
    unit="percent",
    polarity="higher_is_better",
    windows=_WINDOWS,
    cadence="quarterly",
    source=_SOURCE,
    definition=(
        "Of the stage 1 complaints with responded_date in the window, the % responded to "
        "within 20 working days (the extended stage 1 timescale), counted as for "
        "complaints_stage1_10wd_pct." + _ABSENT
    ),
    numerator="Stage 1 complaints responded to in the window within 20 working days",
    denominator="Stage 1 complaints with responded_date in the window",
    breakdowns=("team",),
    inputs=(COMPLAINTS_RESPONDED.reading("kind", "stage", "received_date"),),
)
def complaints_stage1_20wd_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Stage 1 complaints answered within 20 working days, of those answered in the window.

    Examples
    --------
    >>> # Mon 3 Mar: to Mon 31 Mar is 20 working days, to Tue 1 Apr 21.
    >>> c = local_frame("complaints", kind=["complaint"] * 2, stage=["1", "1"],
    ...                 received_date=["2025-03-03"] * 2,
    ...                 responded_date=["2025-03-31", "2025-04-01"])
    >>> complaints_stage1_20wd_pct(local_inputs(complaints=c), Window.of("quarter", "2025-04-30"))
    Figure(numerator=1, denominator=2)
    """
    return _responded_within(inputs, window, "1", 20)


@kpi(
    id="complaints_stage2_25wd_pct",
    title="Stage 2 complaints responded to within 25 working days",
    area="complaints",
    unit="percent",
    polarity="higher_is_better",
    windows=_WINDOWS,
    cadence="quarterly",
    source=_SOURCE,
    definition=(
        "Of the stage 2 complaints with responded_date in the window, the % responded to "
        "within 25 working days of received_date, counted as for complaints_stage1_10wd_pct."
        + _ABSENT
    ),
    numerator="Stage 2 complaints responded to in the window within 25 working days",
    denominator="Stage 2 complaints with responded_date in the window",
    breakdowns=("team",),
    inputs=(COMPLAINTS_RESPONDED.reading("kind", "stage", "received_date"),),
)
def complaints_stage2_25wd_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Stage 2 complaints answered within 25 working days, of those answered in the window.

    Examples
    --------
    >>> # Mon 3 Mar: to Mon 7 Apr is 25 working days.
    >>> c = local_frame("complaints", kind=["complaint"], stage=["2"],
    ...                 received_date=["2025-03-03"], responded_date=["2025-04-07"])
    >>> complaints_stage2_25wd_pct(local_inputs(complaints=c), Window.of("quarter", "2025-04-30"))
    Figure(numerator=1, denominator=1)
    """
    return _responded_within(inputs, window, "2", 25)


@kpi(
    id="complaints_upheld_pct",
    title="Complaints upheld or partly upheld",
    area="complaints",
    unit="percent",
    polarity="neutral",
    windows=_WINDOWS,
    cadence="quarterly",
    source=_SOURCE,
    definition=(
        "Of the complaints (any stage) with responded_date in the window and a finding "
        "(outcome 'upheld', 'partly_upheld' or 'not_upheld'), the % upheld or partly upheld. "
        "Withdrawn complaints and responses without a recorded outcome have no finding and "
        "are in neither count." + _ABSENT
    ),
    numerator="Complaints responded to in the window, upheld or partly upheld",
    denominator="Complaints responded to in the window with a finding",
    breakdowns=("stage", "team"),
    inputs=(COMPLAINTS_RESPONDED.reading("kind", "outcome"),),
)
def complaints_upheld_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Complaints upheld or partly upheld, of those with a finding in the window.

    Examples
    --------
    >>> c = local_frame("complaints", kind=["complaint"] * 4,
    ...                 responded_date=["2025-03-03"] * 4,
    ...                 outcome=["upheld", "partly_upheld", "not_upheld", "withdrawn"])
    >>> complaints_upheld_pct(local_inputs(complaints=c), Window.of("quarter", "2025-03-31"))
    Figure(numerator=2, denominator=3)
    """
    df = dataset(inputs, "complaints")
    if df is None:
        return MISSING_RATIO
    finding = coded(df["outcome"], "upheld", "partly_upheld", "not_upheld")
    den = _complaints(df) & in_window(df["responded_date"], window) & finding
    return ratio(coded(df["outcome"], "upheld", "partly_upheld"), den)


@kpi(
    id="compliments_count",
    title="Compliments received",
    area="complaints",
    unit="count",
    polarity="higher_is_better",
    windows=_WINDOWS,
    cadence="quarterly",
    source=_SOURCE,
    definition="Compliments (kind 'compliment') with received_date in the window." + _ABSENT,
    numerator="Compliments with received_date in the window",
    breakdowns=("team",),
    inputs=(COMPLAINTS_RECEIVED.reading("kind"),),
)
def compliments_count(inputs: KpiInputs, window: Window) -> Figure:
    """Compliments received in the window.

    Examples
    --------
    >>> c = local_frame("complaints", kind=["compliment", "complaint"],
    ...                 received_date=["2025-02-01", "2025-02-01"])
    >>> compliments_count(local_inputs(complaints=c), Window.of("quarter", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    df = dataset(inputs, "complaints")
    if df is None:
        return MISSING_COUNT
    return Figure(count(coded(df["kind"], "compliment") & in_window(df["received_date"], window)))
