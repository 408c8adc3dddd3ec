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


# ---- the months the data covers (issue 11) -------------------------------------------
def _returns(*rows):
    return pd.DataFrame(
        {
            "collection_year": [r[0] for r in rows],
            "reference_date": pd.to_datetime([r[1] for r in rows]),
        }
    )


def test_data_extent_runs_from_the_first_year_to_the_latest_reference_date():
    from pmf_lib.dates import data_extent

    # CIN 2023 (to 31 March 2023) and a 2024 year-to-date extract to 3 November 2023;
    # an SSDA903 year without a reference date does not extend the data.
    cin = _returns((2023, "2023-03-31"), (2024, "2023-11-03"))
    cla = _returns((2025, None))
    first, last = data_extent([cin, cla])
    # Earliest collection year 2023 runs from 1 April 2022; 2025's year starts 1 April
    # 2024 but it has no reference date, so the last day stays 3 November 2023.
    assert (first, last) == (pd.Timestamp("2022-04-01"), pd.Timestamp("2023-11-03"))
    assert data_extent([]) == (None, None)


@pytest.mark.parametrize(
    "month,ok",
    [
        ("2022-04", True),  # the first whole month: starts on the first day of the data
        ("2022-03", False),  # before the data
        ("2023-10", True),  # the last whole month (the data ends 3 November)
        ("2023-11", False),  # November is not complete
        ("2099-01", False),
        ("1990-01", False),
    ],
)
def test_only_months_within_the_data_are_published(month, ok):
    from pmf_lib.dates import check_month_covered
    from pmf_lib.errors import PmfError

    if ok:
        assert check_month_covered(month, "2022-04-01", "2023-11-03") == month
    else:
        with pytest.raises(PmfError) as e:
            check_month_covered(month, "2022-04-01", "2023-11-03")
        assert e.value.field == "month"
        assert e.value.message.startswith(f"{month} is outside the data")
        assert "choose a month from 2022-04 to 2023-10" in e.value.message


def test_latest_is_the_last_whole_month_of_the_reference_date():
    from pmf_lib.dates import check_month_covered, latest_complete_month

    # A month-end reference date is its own month; any other day, the month before.
    assert latest_complete_month("2024-03-31") == "2024-03"
    assert latest_complete_month("2024-03-30") == "2024-02"
    assert check_month_covered("latest", "2023-04-01", "2024-01-20") == "2023-12"


def test_data_without_reference_dates_has_no_months():
    from pmf_lib.dates import check_month_covered
    from pmf_lib.errors import PmfError

    with pytest.raises(PmfError, match="no reference dates"):
        check_month_covered("2024-01", "2023-04-01", None)


def test_windows_are_memoised_per_kind_and_end_and_contains_matches_pandas():
    # Window.of is cached (a Window is immutable): the same kind and end give the
    # same object; another end or kind another window. contains() on a datetime64
    # column takes the NumPy fast path: it must equal the Series comparisons.
    w = Window.of("month", "2025-03-31")
    assert Window.of("month", "2025-03-31") is w
    assert Window.of("month", "2025-04-30").start == pd.Timestamp("2025-04-01")
    assert Window.of("quarter", "2025-03-31").start == pd.Timestamp("2025-01-01")
    d = pd.Series(
        pd.to_datetime(
            ["2025-02-28", "2025-03-01", None, "2025-03-31 23:00", "2025-04-01"], format="ISO8601"
        ),
        index=[5, 6, 7, 8, 9],
        name="d",
    )
    expected = (d >= w.start) & (d <= w.end)  # 23:00 on the 31st is after the end (midnight)
    pd.testing.assert_series_equal(w.contains(d), expected)
    assert w.contains(d).tolist() == [False, True, False, False, False]
