"""Age in completed years (pmf_lib.age): the DfE definition, checked on hand-picked dates."""

from __future__ import annotations

import pandas as pd

from pmf_lib.age import age_on


def test_birthday_counts_on_the_day():
    # born 31 Mar 2007: the 18th birthday is 31 Mar 2025 -> 17 the day before, 18 on the day
    dob = pd.Series(pd.to_datetime(["2007-03-31", "2007-03-31"]))
    on = pd.Series(pd.to_datetime(["2025-03-30", "2025-03-31"]))
    assert age_on(dob, on).tolist() == [17.0, 18.0]


def test_leap_day_birthday_is_1_march_in_other_years():
    # born 29 Feb 2008; 2025 has no 29 Feb: still 16 on 28 Feb, 17 on 1 Mar
    dob = pd.Series(pd.to_datetime(["2008-02-29"] * 3))
    on = pd.Series(pd.to_datetime(["2025-02-28", "2025-03-01", "2024-02-29"]))
    # 29 Feb 2024 is a birthday in a leap year: 16
    assert age_on(dob, on).tolist() == [16.0, 17.0, 16.0]


def test_missing_dates_and_scalar_date():
    dob = pd.Series(pd.to_datetime(["2015-06-01", None]))
    assert age_on(dob, "2025-05-31").fillna(-1).tolist() == [9.0, -1.0]
    on = pd.Series(pd.to_datetime([None, "2025-01-01"]))
    assert age_on(dob, on).isna().tolist() == [True, True]


def test_born_after_the_date_is_negative():
    # born 1 Jan 2026, counted on 31 Dec 2025: no birthday yet, year difference 2025-2026 = -1
    assert age_on(pd.Series(pd.to_datetime(["2026-01-01"])), "2025-12-31").tolist() == [-1.0]
