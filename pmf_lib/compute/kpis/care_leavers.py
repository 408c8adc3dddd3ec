"""Care leavers aged 19-21 (SSDA903 OC3), from the latest annual return.

OC3 is collected once a year for each care leaver around the birthday that falls in
the collection year; those aged 19, 20 or 21 at 31 March of the collection year are
the former relevant young people DfE reports on. The figure at any month end is the
one from the latest return for a year already ended, so it changes once a year.
"""

from __future__ import annotations

import pandas as pd

from pmf_lib.age import age_on
from pmf_lib.compute.kpis._common import flag, latest_return
from pmf_lib.compute.kpis._inputs import OC3
from pmf_lib.compute.registry import Figure, KpiInputs, kpi
from pmf_lib.dates import Window

EET = ("F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5")
NEET = ("G4", "G5", "G6")


def care_leavers_19_21(inputs: KpiInputs, period_end) -> pd.DataFrame:
    """OC3 rows of the latest return, one per child, aged 19-21 at its 31 March."""
    oc3 = latest_return(inputs.cla.oc3, period_end)
    if oc3.empty:
        return oc3
    year = int(oc3["collection_year"].iloc[0])
    age = age_on(oc3["DOB"], pd.Timestamp(year, 3, 31))
    rows = oc3[age.between(19, 21).fillna(False).astype(bool) & oc3["CHILD"].notna()]
    return rows.drop_duplicates("CHILD", keep="last")


def _example() -> KpiInputs:
    from pmf_lib.read.tables import S903_COLUMNS, Ssda903, conform

    cla = Ssda903()
    cla.tables["oc3"] = conform(
        pd.DataFrame(
            {
                "CHILD": ["1", "2", "3"],
                "DOB": pd.to_datetime(["2005-06-01", "2004-01-01", "2007-06-01"]),
                "IN_TOUCH": ["YES", "NO", "YES"],
                "ACTIV": ["F2", "G5", "F1"],
                "ACCOM": ["B1", "0", "C1"],
                "collection_year": [2025, 2025, 2025],
            }
        ),
        S903_COLUMNS["oc3"],
    )
    return KpiInputs(cla=cla)


_DEF = (
    "Of the care leavers aged 19-21 (age at 31 March of the collection year) in the latest "
    "SSDA903 OC3 return for a year ended on or before period_end, the % {what}."
)


def _pct(inputs: KpiInputs, window: Window, field: str, codes: tuple[str, ...]) -> Figure:
    leavers = care_leavers_19_21(inputs, window.end)
    return Figure(int(flag(leavers[field], *codes).sum()), len(leavers))


@kpi(
    id="care_leavers_19_21_count",
    title="Care leavers aged 19-21",
    area="care_leavers",
    unit="count",
    polarity="neutral",
    windows=("snapshot",),
    cadence="annual",
    source="SSDA903 (OC3)",
    definition="Care leavers aged 19-21 (age at 31 March of the collection year) in the latest "
    "SSDA903 OC3 return for a year ended on or before period_end.",
    numerator="Care leavers aged 19-21 in the latest OC3 return",
    comparator="NoCareLeavers",
    inputs=(OC3.reading("CHILD", "DOB"),),
)
def care_leavers_19_21_count(inputs: KpiInputs, window: Window) -> Figure:
    """Care leavers aged 19-21 in the latest OC3 return.

    Examples
    --------
    >>> care_leavers_19_21_count(_example(), Window.of("snapshot", "2025-03-31"))
    Figure(numerator=2, denominator=None)
    """
    return Figure(len(care_leavers_19_21(inputs, window.end)))


@kpi(
    id="care_leavers_suitable_accommodation_pct",
    title="Care leavers aged 19-21 in suitable accommodation",
    area="care_leavers",
    unit="percent",
    polarity="higher_is_better",
    windows=("snapshot",),
    cadence="annual",
    source="SSDA903 (OC3)",
    definition=_DEF.format(
        what="whose accommodation is recorded as suitable (ACCOM code ending in 1)"
    ),
    numerator="Care leavers aged 19-21 in suitable accommodation",
    denominator="Care leavers aged 19-21",
    comparator="CareLeaverAcc",
    inputs=(OC3.reading("CHILD", "DOB", "ACCOM"),),
)
def care_leavers_suitable_accommodation_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of care leavers aged 19-21 in suitable accommodation.

    Examples
    --------
    >>> care_leavers_suitable_accommodation_pct(_example(), Window.of("snapshot", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    leavers = care_leavers_19_21(inputs, window.end)
    accom = leavers["ACCOM"].astype("string").str.strip()
    suitable = (accom.str.len() == 2) & accom.str.endswith("1")
    return Figure(int(suitable.fillna(False).sum()), len(leavers))


@kpi(
    id="care_leavers_eet_pct",
    title="Care leavers aged 19-21 in education, employment or training",
    area="care_leavers",
    unit="percent",
    polarity="higher_is_better",
    windows=("snapshot",),
    cadence="annual",
    source="SSDA903 (OC3)",
    definition=_DEF.format(
        what="in education, employment or training (ACTIV F1, P1, F2, P2, F4, P4, F5, P5)"
    ),
    numerator="Care leavers aged 19-21 in education, employment or training",
    denominator="Care leavers aged 19-21",
    comparator="CareLeaverEET",
    inputs=(OC3.reading("CHILD", "DOB", "ACTIV"),),
)
def care_leavers_eet_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of care leavers aged 19-21 in education, employment or training.

    Examples
    --------
    >>> care_leavers_eet_pct(_example(), Window.of("snapshot", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    return _pct(inputs, window, "ACTIV", EET)


@kpi(
    id="care_leavers_neet_pct",
    title="Care leavers aged 19-21 not in education, employment or training",
    area="care_leavers",
    unit="percent",
    polarity="lower_is_better",
    windows=("snapshot",),
    cadence="annual",
    source="SSDA903 (OC3)",
    definition=_DEF.format(what="not in education, employment or training (ACTIV G4, G5, G6)"),
    numerator="Care leavers aged 19-21 not in education, employment or training",
    denominator="Care leavers aged 19-21",
    comparator="CareLeaversNEET",
    inputs=(OC3.reading("CHILD", "DOB", "ACTIV"),),
)
def care_leavers_neet_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of care leavers aged 19-21 not in education, employment or training.

    Examples
    --------
    >>> care_leavers_neet_pct(_example(), Window.of("snapshot", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    return _pct(inputs, window, "ACTIV", NEET)


@kpi(
    id="care_leavers_not_in_touch_pct",
    title="Care leavers aged 19-21 the council is not in touch with",
    area="care_leavers",
    unit="percent",
    polarity="lower_is_better",
    windows=("snapshot",),
    cadence="annual",
    source="SSDA903 (OC3)",
    definition=_DEF.format(what="the council is not in touch with (IN_TOUCH = NO)"),
    numerator="Care leavers aged 19-21 with IN_TOUCH = NO",
    denominator="Care leavers aged 19-21",
    comparator="CareLeavers_LA_NotInTouch",
    inputs=(OC3.reading("CHILD", "DOB", "IN_TOUCH"),),
)
def care_leavers_not_in_touch_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of care leavers aged 19-21 the council is not in touch with.

    Examples
    --------
    >>> care_leavers_not_in_touch_pct(_example(), Window.of("snapshot", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    return _pct(inputs, window, "IN_TOUCH", ("NO",))
