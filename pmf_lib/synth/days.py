"""Day numbers for the demo council's simulation: dates, the calendar, seasonal arrivals.

Dates are whole days since 1970-01-01 held in ``int64`` arrays; an event that
has not happened (an open episode's end, an ICPC that was never held) is dated
:data:`OPEN`, far in the future, so the writers only need "is it on or before
the reference date?" to decide what a return shows. Working days are England &
Wales working days (:func:`pmf_lib.dates.bank_holidays`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pmf_lib.dates import bank_holidays

OPEN = 10**7  # a day number far beyond any date written (year ~29,000)

YEAR = 365.25

# Arrivals by calendar month (January first) and at weekends or bank holidays.
SEASON = np.array([1.03, 1.04, 1.06, 0.99, 1.05, 1.05, 1.02, 0.78, 1.03, 1.07, 1.07, 0.81])
WEEKEND_FACTOR = 0.3


@dataclass(frozen=True)
class Horizon:
    """The simulated span, as day numbers (days since 1970-01-01)."""

    cla_from: int  # burn-in periods of care start from here
    cin_from: int  # referral chains start from here
    end: int  # last day of data (a month end)
    detail_from: int  # first day of the deterioration (six months before the end month)


def day(ts) -> int:
    """Day number of a date.

    Examples
    --------
    >>> day("1970-01-02")
    1
    """
    return int(np.datetime64(pd.Timestamp(ts).date(), "D").astype(np.int64))


def as_dates(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]")


def busday_add(days: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The date ``n`` working days after ``days``: ``working_days_between`` of the pair is ``n``."""
    out = np.busday_offset(
        as_dates(days), np.asarray(n, dtype=np.int64), roll="forward", holidays=bank_holidays()
    )
    return out.astype(np.int64)


def add_years(days: np.ndarray, years: int) -> np.ndarray:
    """Calendar-exact anniversaries (29 February maps to 28 February)."""
    d = as_dates(days)
    m = d.astype("datetime64[M]")
    dom = (d - m.astype("datetime64[D]")).astype(np.int64)
    target = m + np.timedelta64(12 * years, "M")
    month_len = (
        (target + np.timedelta64(1, "M")).astype("datetime64[D]") - target.astype("datetime64[D]")
    ).astype(np.int64)
    return target.astype("datetime64[D]").astype(np.int64) + np.minimum(dom, month_len - 1)


def months_of(days: np.ndarray) -> np.ndarray:
    """Calendar month 1-12 of each day."""
    return as_dates(days).astype("datetime64[M]").astype(np.int64) % 12 + 1


def seasonal_days(rng, start: int, stop: int, expected: float) -> np.ndarray:
    """Poisson arrival days in ``[start, stop)`` thinned by month and weekday (sorted)."""
    days = np.arange(start, stop, dtype=np.int64)
    weight = SEASON[months_of(days) - 1]
    workday = np.is_busday(as_dates(days), holidays=bank_holidays())
    weight = weight * np.where(workday, 1.0, WEEKEND_FACTOR)
    weight = weight / weight.mean()
    n = rng.poisson(expected * len(days) / YEAR)
    return np.sort(rng.choice(days, size=n, p=weight / weight.sum()))
