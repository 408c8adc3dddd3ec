"""Care-leaver KPIs (OC3) on tiny hand-built SSDA903 tables."""

from __future__ import annotations

import math

import pandas as pd

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


# ---- OC3 cohorts read from several years of returns ----------------------------
# Care leavers reappear every year from 17 to 21. Ages at 31 March of each year:
#   L1 born 01/06/2004: 19 (2024), 20 (2025), 21 (2026)
#   L2 born 01/01/2003: 21 (2024); not in later returns
#   L3 born 01/09/2006: 17 (2024), 18 (2025), 19 (2026)
#   L4 born 01/12/2005: 19 (2025), 20 (2026)
OC3_HEAD = "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n"
OC3_YEARS = {
    2024: "L1,01/06/2004,YES,F1,B1\nL2,01/01/2003,YES,G5,D2\nL3,01/09/2006,YES,F2,B1\n",
    2025: "L1,01/06/2004,NO,G6,0\nL3,01/09/2006,YES,F2,B1\nL4,01/12/2005,YES,F2,C1\n",
    2026: "L1,01/06/2004,YES,F1,B1\nL3,01/09/2006,YES,F1,B1\nL4,01/12/2005,YES,F4,C1\n",
}


def _oc3_returns(tmp_path, years):
    from pmf_lib.compute.registry import KpiInputs
    from pmf_lib.read.ssda903 import read_ssda903

    files = []
    for y in years:
        f = tmp_path / str(y) / "oc3.csv"
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(OC3_HEAD + OC3_YEARS[y])
        files.append(f)
    return KpiInputs(cla=read_ssda903(files))


def test_each_year_keeps_its_care_leavers(tmp_path):
    inputs = _oc3_returns(tmp_path, [2024, 2025])
    mar24 = Window.of("snapshot", "2024-03-31")
    # 2024 cohort aged 19-21: L1 (19), L2 (21) -> 2, although L1 is in the 2025 return
    # too (merged on CHILD alone, 2024 kept L2 only: 1). Suitable: L1 (B1) -> 1/2; EET:
    # L1 (F1) -> 1/2; NEET: L2 (G5) -> 1/2; not in touch: none -> 0/2.
    assert cv.care_leavers_19_21_count(inputs, mar24) == Figure(2)
    assert cv.care_leavers_suitable_accommodation_pct(inputs, mar24) == Figure(1, 2)
    assert cv.care_leavers_eet_pct(inputs, mar24) == Figure(1, 2)
    assert cv.care_leavers_neet_pct(inputs, mar24) == Figure(1, 2)
    assert cv.care_leavers_not_in_touch_pct(inputs, mar24) == Figure(0, 2)
    # 2025 cohort aged 19-21: L1 (20), L4 (19); L3 is 18 -> 2. Not in touch: L1 -> 1/2;
    # NEET: L1 (G6) -> 1/2; suitable: L4 (C1) -> 1/2.
    mar25 = Window.of("snapshot", "2025-03-31")
    assert cv.care_leavers_19_21_count(inputs, mar25) == Figure(2)
    assert cv.care_leavers_not_in_touch_pct(inputs, mar25) == Figure(1, 2)
    assert cv.care_leavers_neet_pct(inputs, mar25) == Figure(1, 2)
    assert cv.care_leavers_suitable_accommodation_pct(inputs, mar25) == Figure(1, 2)


def test_a_later_return_leaves_every_earlier_care_leaver_figure_unchanged(tmp_path):
    # Every OC3 KPI at every month end from April 2023 to February 2026, on the 2024 and
    # 2025 returns, then with the 2026 return added (L1, L3, L4 again): the same figures.
    # From 31/03/2026 the 2026 cohort applies: L1 (21), L3 (19), L4 (20) -> 3.
    from pmf_lib.compute.registry import all_kpis

    before = _oc3_returns(tmp_path / "a", [2024, 2025])
    after = _oc3_returns(tmp_path / "b", [2024, 2025, 2026])
    kpis = {k: v for k, v in all_kpis().items() if "OC3" in v.meta.source}
    assert "care_leavers_19_21_count" in kpis and len(kpis) >= 5
    for end in pd.date_range("2023-04-30", "2026-02-28", freq=pd.offsets.MonthEnd()):
        for kid, k in kpis.items():
            for w in k.meta.windows:
                window = Window.of(w, end)
                assert k(after, window) == k(before, window), (kid, end.date(), w)
    mar26 = Window.of("snapshot", "2026-03-31")
    assert cv.care_leavers_19_21_count(after, mar26) == Figure(3)
    assert cv.care_leavers_eet_pct(after, mar26) == Figure(3, 3)
