"""Windows and working days (pmf_lib.dates)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmf_lib.dates import Window, month_end, working_days_between


@pytest.mark.parametrize(
    "kind,end,start",
    [
        ("month", "2024-02-29", "2024-02-01"),
        # rolling_12m for March = the DfE collection year.
        ("rolling_12m", "2025-03-31", "2024-04-01"),
        # month-aligned in leap years: Feb 2025 window starts 1 Mar 2024, not 29 Feb.
        ("rolling_12m", "2025-02-28", "2024-03-01"),
        ("fytd", "2025-03-31", "2024-04-01"),
        ("fytd", "2025-04-30", "2025-04-01"),
        ("quarter", "2025-06-30", "2025-04-01"),
        ("snapshot", "2025-06-30", "2025-06-30"),
    ],
)
def test_window_bounds(kind, end, start):
    w = Window.of(kind, end)
    assert w.start == pd.Timestamp(start)
    assert w.end == pd.Timestamp(end)


def test_unknown_window_kind():
    with pytest.raises(ValueError, match="unknown window"):
        Window.of("weekly", "2025-01-31")


def test_window_contains_is_inclusive_and_ignores_missing():
    w = Window.of("month", "2025-01-31")
    d = pd.Series(pd.to_datetime(["2024-12-31", "2025-01-01", "2025-01-31", "2025-02-01", None]))
    assert w.contains(d).tolist() == [False, True, True, False, False]


def test_working_days_skip_weekends_and_bank_holidays():
    s = pd.Series(pd.to_datetime(["2024-03-28", "2024-05-03", "2024-01-01", None]))
    e = pd.Series(pd.to_datetime(["2024-04-02", "2024-05-07", "2024-01-01", "2024-01-05"]))
    # Thu 28 Mar 2024 -> Tue 2 Apr: 28 Mar counts; Good Friday 29 Mar, weekend and
    # Easter Monday 1 Apr do not; 2 Apr is excluded (d < end)  => 1.
    # Fri 3 May -> Tue 7 May: 3 May counts; weekend; Early May bank holiday 6 May => 1.
    # same day => 0; missing start => NaN.
    out = working_days_between(s, e)
    assert out[:3].tolist() == [1.0, 1.0, 0.0]
    assert np.isnan(out[3])


@given(
    st.dates(
        min_value=pd.Timestamp("2000-01-01").date(), max_value=pd.Timestamp("2040-12-31").date()
    )
)
def test_month_end_is_last_day(d):
    m = month_end(pd.Timestamp(d))
    assert m.month == d.month and (m + pd.Timedelta(days=1)).day == 1
