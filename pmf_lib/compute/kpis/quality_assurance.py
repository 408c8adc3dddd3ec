"""Quality assurance case audits (local dataset ``qa_audits``), reported quarterly.

Grades are Ofsted's four: outstanding, good, requires improvement, inadequate.
An audit whose grade is missing or unrecognised counts in the denominator of the
grade percentages and in no numerator (``grade`` is a required column, so the
validation stage reports it). Every KPI here returns a missing value (numerator
NaN) when the council does not supply the dataset.
"""

from __future__ import annotations

from pmf_lib.compute.kpis._inputs import AUDITS
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

_SOURCE = "Local dataset: qa_audits"
_ABSENT = " Missing (not 0) when the council does not supply the qa_audits dataset."
_WINDOWS = ("quarter", "rolling_12m")


@kpi(
    id="qa_audits_completed_count",
    title="Case audits completed",
    area="quality_assurance",
    unit="count",
    polarity="neutral",
    windows=_WINDOWS,
    cadence="quarterly",
    source=_SOURCE,
    definition="Case audits with audit_date in the window." + _ABSENT,
    numerator="Audits with audit_date in the window",
    breakdowns=("team",),
    inputs=(AUDITS,),
)
def qa_audits_completed_count(inputs: KpiInputs, window: Window) -> Figure:
    """Case audits completed in the window.

    Examples
    --------
    >>> a = local_frame("qa_audits", audit_date=["2025-01-01", "2024-12-31"])
    >>> qa_audits_completed_count(local_inputs(qa_audits=a), Window.of("quarter", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    df = dataset(inputs, "qa_audits")
    if df is None:
        return MISSING_COUNT
    return Figure(count(in_window(df["audit_date"], window)))


def _graded(inputs: KpiInputs, window: Window, *grades: str) -> Figure:
    df = dataset(inputs, "qa_audits")
    if df is None:
        return MISSING_RATIO
    return ratio(coded(df["grade"], *grades), in_window(df["audit_date"], window))


@kpi(
    id="qa_audits_good_pct",
    title="Case audits graded good or better",
    area="quality_assurance",
    unit="percent",
    polarity="higher_is_better",
    windows=_WINDOWS,
    cadence="quarterly",
    source=_SOURCE,
    definition=(
        "Of the case audits with audit_date in the window, the % graded 'outstanding' or "
        "'good'." + _ABSENT
    ),
    numerator="Audits in the window graded outstanding or good",
    denominator="Audits with audit_date in the window",
    breakdowns=("team",),
    inputs=(AUDITS.reading("grade"),),
)
def qa_audits_good_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Audits graded good or outstanding, of those completed in the window.

    Examples
    --------
    >>> a = local_frame("qa_audits", audit_date=["2025-02-01"] * 4,
    ...                 grade=["outstanding", "good", "requires_improvement", None])
    >>> qa_audits_good_pct(local_inputs(qa_audits=a), Window.of("quarter", "2025-03-31"))
    Figure(numerator=2, denominator=4)
    """
    return _graded(inputs, window, "outstanding", "good")


@kpi(
    id="qa_audits_requires_improvement_pct",
    title="Case audits graded requires improvement",
    area="quality_assurance",
    unit="percent",
    polarity="lower_is_better",
    windows=_WINDOWS,
    cadence="quarterly",
    source=_SOURCE,
    definition=(
        "Of the case audits with audit_date in the window, the % graded "
        "'requires_improvement'." + _ABSENT
    ),
    numerator="Audits in the window graded requires improvement",
    denominator="Audits with audit_date in the window",
    breakdowns=("team",),
    inputs=(AUDITS.reading("grade"),),
)
def qa_audits_requires_improvement_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Audits graded requires improvement, of those completed in the window.

    Examples
    --------
    >>> a = local_frame("qa_audits", audit_date=["2025-02-01"] * 2,
    ...                 grade=["requires_improvement", "good"])
    >>> qa_audits_requires_improvement_pct(local_inputs(qa_audits=a),
    ...                                    Window.of("quarter", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    return _graded(inputs, window, "requires_improvement")


@kpi(
    id="qa_audits_inadequate_pct",
    title="Case audits graded inadequate",
    area="quality_assurance",
    unit="percent",
    polarity="lower_is_better",
    windows=_WINDOWS,
    cadence="quarterly",
    source=_SOURCE,
    definition=(
        "Of the case audits with audit_date in the window, the % graded 'inadequate'." + _ABSENT
    ),
    numerator="Audits in the window graded inadequate",
    denominator="Audits with audit_date in the window",
    breakdowns=("team",),
    inputs=(AUDITS.reading("grade"),),
)
def qa_audits_inadequate_pct(inputs: KpiInputs, window: Window) -> Figure:
    """Audits graded inadequate, of those completed in the window.

    Examples
    --------
    >>> a = local_frame("qa_audits", audit_date=["2025-02-01"] * 3,
    ...                 grade=["inadequate", "good", "good"])
    >>> qa_audits_inadequate_pct(local_inputs(qa_audits=a), Window.of("quarter", "2025-03-31"))
    Figure(numerator=1, denominator=3)
    """
    return _graded(inputs, window, "inadequate")
