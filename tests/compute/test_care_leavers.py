"""Care-leaver KPIs (OC3) on tiny hand-built SSDA903 tables."""

from __future__ import annotations

import math

from pmf_lib.compute.kpis import care_leavers as cv
from pmf_lib.compute.registry import Figure
from pmf_lib.dates import Window


def oc3(child, dob, touch, activ, accom, year=2025):
    return {
        "CHILD": child,
        "DOB": dob,
        "IN_TOUCH": touch,
        "ACTIV": activ,
        "ACCOM": accom,
        "collection_year": year,
    }


ROWS = [
    # ages at 31 March 2025 (the 2025 return's year end)
    oc3("1", "2006-03-31", "YES", "F1", "B1"),  # 19 on 31 March: in; HE (EET); suitable
    oc3("2", "2006-04-01", "YES", "F2", "B1"),  # 18 (19 the next day): out
    oc3("3", "2003-04-01", "NO", "0", "0"),  # 21: in; not in touch; no information
    oc3("4", "2003-03-31", "YES", "F4", "C1"),  # 22: out
    oc3("5", "2004-02-29", "YES", "G5", "D2"),  # 21 (leap-day birthday): in; NEET; unsuitable
    oc3("6", "2005-01-01", "REFU", "G6", "E1", year=2024),  # an older return: ignored
]


def test_care_leavers_19_21_latest_return(build):
    inputs = build.cla(oc3=ROWS)
    pe = Window.of("snapshot", "2025-03-31")
    # 2025 return, aged 19-21: 1, 3, 5 = 3
    assert cv.care_leavers_19_21_count(inputs, pe) == Figure(3)
    assert cv.care_leavers_suitable_accommodation_pct(inputs, pe) == Figure(1, 3)  # 1
    assert cv.care_leavers_eet_pct(inputs, pe) == Figure(1, 3)  # 1 (F1)
    assert cv.care_leavers_neet_pct(inputs, pe) == Figure(1, 3)  # 5 (G5)
    assert cv.care_leavers_not_in_touch_pct(inputs, pe) == Figure(1, 3)  # 3 (NO)


def test_before_the_year_ends_the_previous_return_is_used(build):
    inputs = build.cla(oc3=ROWS)
    # at 28 Feb 2025 the 2025 return's year has not ended: the 2024 return is used, where
    # child 6 was 19 at 31 March 2024 and refused contact (REFU is not "not in touch")
    feb = Window.of("snapshot", "2025-02-28")
    assert cv.care_leavers_19_21_count(inputs, feb) == Figure(1)
    assert cv.care_leavers_neet_pct(inputs, feb) == Figure(1, 1)
    assert cv.care_leavers_not_in_touch_pct(inputs, feb) == Figure(0, 1)
    # before any return: empty denominator, missing value
    fig = cv.care_leavers_eet_pct(inputs, Window.of("snapshot", "2023-12-31"))
    assert fig == Figure(0, 0) and math.isnan(cv.care_leavers_eet_pct.meta.value(fig))
