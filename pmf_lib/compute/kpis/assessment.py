"""Assessments: completed assessments and their timeliness (CIN census)."""

from __future__ import annotations

import numpy as np

from pmf_lib.compute.kpis._inputs import ASSESSMENTS
from pmf_lib.compute.registry import Figure, KpiInputs, kpi
from pmf_lib.dates import Window, working_days_between


@kpi(
    id="assessments_completed_count",
    title="Assessments completed",
    area="assessment",
    unit="count",
    polarity="neutral",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source="CIN census",
    definition="Assessments (CIN census Assessments) with AssessmentAuthorisationDate in the "
    "window.",
    numerator="Assessments with AssessmentAuthorisationDate in the window",
    comparator=None,
    breakdowns=("age_band", "sex", "ethnicity"),
    inputs=(ASSESSMENTS,),
)
def assessments_completed_count(inputs: KpiInputs, window: Window) -> Figure:
    """Assessments authorised in the window.

    Examples
    --------
    >>> import pandas as pd
    >>> from pmf_lib.read.tables import CIN_COLUMNS, CinCensus, conform
    >>> a = conform(pd.DataFrame({"LAchildID": ["a", "b"],
    ...     "AssessmentAuthorisationDate": pd.to_datetime(["2025-03-31", None])}),
    ...     CIN_COLUMNS["assessments"])
    >>> cin = CinCensus(); cin.tables["assessments"] = a
    >>> assessments_completed_count(KpiInputs(cin=cin), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    a = inputs.cin.assessments
    return Figure(int(window.contains(a["AssessmentAuthorisationDate"]).fillna(False).sum()))


@kpi(
    id="assessments_45wd_pct",
    title="Assessments completed within 45 working days",
    area="assessment",
    unit="percent",
    polarity="higher_is_better",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source="CIN census",
    definition=(
        "Of the assessments authorised in the window (AssessmentAuthorisationDate), the % "
        "whose working days from AssessmentActualStartDate to AssessmentAuthorisationDate "
        "(working days d with start <= d < authorisation, Monday-Friday excluding England & "
        "Wales bank holidays) are 45 or fewer. An assessment with no start date stays in the "
        "denominator and is not counted as on time."
    ),
    numerator="Assessments authorised in the window within 45 working days of the start",
    denominator="Assessments with AssessmentAuthorisationDate in the window",
    comparator="Continue_Assess_Comp",
    inputs=(ASSESSMENTS.reading("AssessmentActualStartDate"),),
)
def assessments_45wd_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of assessments authorised in the window that took 45 working days or fewer.

    Examples
    --------
    >>> import pandas as pd
    >>> from pmf_lib.read.tables import CIN_COLUMNS, CinCensus, conform
    >>> a = conform(pd.DataFrame({"LAchildID": ["a"],
    ...     "AssessmentActualStartDate": pd.to_datetime(["2025-03-03"]),
    ...     "AssessmentAuthorisationDate": pd.to_datetime(["2025-03-10"])}),
    ...     CIN_COLUMNS["assessments"])
    >>> cin = CinCensus(); cin.tables["assessments"] = a
    >>> assessments_45wd_pct(KpiInputs(cin=cin), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=1)
    """
    a = inputs.cin.assessments
    done = a[window.contains(a["AssessmentAuthorisationDate"]).fillna(False).astype(bool)]
    wd = working_days_between(
        done["AssessmentActualStartDate"], done["AssessmentAuthorisationDate"]
    )
    on_time = np.nan_to_num(wd, nan=np.inf) <= 45
    return Figure(int(on_time.sum()), len(done))
