"""Age in completed years, the one way every stage counts it (stage-neutral).

The DfE definition (SSDA903 and CIN census guidance): a child's age on a date is
the number of birthdays they have had by that date, the birthday itself counting.
A child born on 29 February has their birthday on 1 March in a year that is not
a leap year (28 February is still the day before it).
"""

from __future__ import annotations

import pandas as pd


def age_on(dob: pd.Series, date) -> pd.Series:
    """Whole years of age on ``date`` (a date, or a Series of one date per row).

    Missing (NaN) where the birth date or the date is missing; a birth date
    after ``date`` gives a negative age (callers decide what that means).

    Parameters
    ----------
    dob : Series
        Birth dates (anything :func:`pandas.to_datetime` reads).
    date : date-like or Series
        The date to count to; a Series is matched to ``dob`` row by row.

    Returns
    -------
    Series of float

    Examples
    --------
    The birthday itself counts (31 March 2006 is 19 on 31 March 2025, a child
    born a day later is still 18):

    >>> dob = pd.Series(pd.to_datetime(["2006-03-31", "2006-04-01", None]))
    >>> age_on(dob, "2025-03-31").tolist()
    [19.0, 18.0, nan]

    Born 29 February 2008: still 16 on 28 February 2025, 17 on 1 March:

    >>> leap = pd.Series(pd.to_datetime(["2008-02-29", "2008-02-29"]))
    >>> age_on(leap, pd.Series(pd.to_datetime(["2025-02-28", "2025-03-01"]))).tolist()
    [16.0, 17.0]

    A time of day on ``date`` does not change the age:

    >>> age_on(pd.Series(pd.to_datetime(["2015-03-31"])), "2025-03-30 23:59").tolist()
    [9.0]
    """
    dob = pd.to_datetime(dob)
    if isinstance(date, pd.Series):
        on = pd.to_datetime(date).dt.normalize()
        year, month, day, known = on.dt.year, on.dt.month, on.dt.day, on.notna()
    else:
        on = pd.Timestamp(date).normalize()
        year, month, day, known = on.year, on.month, on.day, True
    had_birthday = (dob.dt.month < month) | ((dob.dt.month == month) & (dob.dt.day <= day))
    age = year - dob.dt.year - (~had_birthday).astype(int)
    return age.where(dob.notna() & known).astype(float)
