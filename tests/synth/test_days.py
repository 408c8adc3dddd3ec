"""Synth day numbers: dates, working days, anniversaries, months and seasonal arrivals."""

from __future__ import annotations

import numpy as np

from pmf_lib.dates import working_days_between
from pmf_lib.synth.days import (
    OPEN,
    SEASON,
    add_years,
    as_dates,
    busday_add,
    day,
    months_of,
    seasonal_days,
)


def _days(*iso):
    return np.array([day(d) for d in iso], dtype=np.int64)


def test_day_numbers_round_trip_and_open_is_beyond_any_date():
    d = _days("1970-01-01", "2024-02-29", "2026-10-31")
    assert d.tolist()[:1] == [0]
    assert [str(x) for x in as_dates(d)] == ["1970-01-01", "2024-02-29", "2026-10-31"]
    assert as_dates(np.array([OPEN])).astype("datetime64[Y]").astype(int)[0] + 1970 > 9999


def test_busday_add_counts_england_and_wales_working_days():
    # Friday 20 Dec 2024 + 3 working days: Mon 23, Tue 24, (25-26 bank holidays), Fri 27
    start = _days("2024-12-20")
    end = busday_add(start, np.array([3]))
    assert str(as_dates(end)[0]) == "2024-12-27"
    assert working_days_between(as_dates(start)[0], as_dates(end)[0]) == 3
    # 0 working days from a Saturday rolls forward to the Monday
    assert str(as_dates(busday_add(_days("2024-12-28"), np.array([0])))[0]) == "2024-12-30"


def test_add_years_is_calendar_exact_and_29_february_maps_to_28():
    d = _days("2006-02-28", "2008-02-29", "2010-12-31")
    assert [str(x) for x in as_dates(add_years(d, 18))] == [
        "2024-02-28",
        "2026-02-28",
        "2028-12-31",
    ]


def test_months_of():
    assert months_of(_days("2025-01-31", "2025-02-01", "2025-12-31")).tolist() == [1, 2, 12]


def test_seasonal_arrivals_are_sorted_in_range_and_thinned_in_august_and_weekends():
    rng = np.random.default_rng(1)
    start, stop = day("2020-01-01"), day("2025-01-01")
    d = seasonal_days(rng, start, stop, expected=20_000.0)
    assert (np.diff(d) >= 0).all() and d.min() >= start and d.max() < stop
    # about 20,000 a year: Poisson, so within a few per cent over five years
    assert abs(len(d) / 5 - 20_000) < 0.02 * 20_000
    months = months_of(d)
    # August's weight (0.78) against March's (1.06): August, with as many days, gets ~26% fewer
    aug, mar = (months == 8).sum(), (months == 3).sum()
    assert aug / mar < 0.8 and SEASON[7] < SEASON[2]
    weekend = ~np.is_busday(as_dates(d))
    # a weekend day weighs 0.3 of a weekday: about 2 x 0.3 / (5 + 0.6) = 11% fall at weekends
    assert 0.08 < weekend.mean() < 0.14
