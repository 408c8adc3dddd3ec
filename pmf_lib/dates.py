"""Periods, windows and working days (stage-neutral helpers).

Working days are Monday to Friday excluding England & Wales bank holidays, taken
from the maintained ``holidays`` library. The number of working days from date A
to date B counts the working days d with A <= d < B, as ``numpy.busday_count``
does (see ``kpi-core-definitions.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import holidays
import numpy as np
import pandas as pd

from pmf_lib.errors import PmfError

WINDOW_KINDS = ("month", "rolling_12m", "fytd", "quarter", "snapshot")


@dataclass(frozen=True)
class Window:
    """A reporting window: events dated ``start`` to ``end`` inclusive.

    ``kind`` is one of ``month``, ``rolling_12m``, ``fytd`` (financial year to
    date, from 1 April), ``quarter`` (the three months ending ``end``) or
    ``snapshot`` (the position at the end of ``end``; ``start == end``).

    Examples
    --------
    >>> w = Window.of("rolling_12m", "2025-03-31")
    >>> (str(w.start.date()), str(w.end.date()))
    ('2024-04-01', '2025-03-31')
    """

    kind: str
    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def period_end(self) -> pd.Timestamp:
        return self.end

    @classmethod
    def of(cls, kind: str, period_end) -> Window:
        """The window of ``kind`` ending with the day of ``period_end`` (memoised: a
        window is immutable, and the engine asks for each about 150 times a month)."""
        if cls is Window:
            try:
                return _window_of(kind, period_end)
            except TypeError:  # an unhashable date
                pass
        return cls._of(kind, period_end)

    @classmethod
    def _of(cls, kind: str, period_end) -> Window:
        end = pd.Timestamp(period_end).normalize()
        if kind == "month":
            start = end.replace(day=1)
        elif kind == "rolling_12m":
            # The 12 calendar months ending with the month of ``end``: for a month
            # end this is "period_end minus 12 calendar months plus one day",
            # month-aligned in leap years too (docs/deviations.md).
            start = (end.replace(day=1) - pd.DateOffset(months=11)).normalize()
        elif kind == "quarter":
            start = (end.replace(day=1) - pd.DateOffset(months=2)).normalize()
        elif kind == "fytd":
            fy_year = end.year if end.month >= 4 else end.year - 1
            start = pd.Timestamp(year=fy_year, month=4, day=1)
        elif kind == "snapshot":
            start = end
        else:
            raise ValueError(f"unknown window kind {kind!r}; expected one of {WINDOW_KINDS}")
        return cls(kind, pd.Timestamp(start), end)

    def contains(self, dates: pd.Series) -> pd.Series:
        """Boolean mask: which ``dates`` fall in the window (missing dates do not).

        Examples
        --------
        >>> d = pd.Series(pd.to_datetime(["2025-03-01", None, "2025-04-01"]), name="d")
        >>> m = Window.of("month", "2025-03-31").contains(d)
        >>> m.tolist(), m.dtype, m.name
        ([True, False, False], dtype('bool'), 'd')
        """
        if isinstance(dates, pd.Series) and dates.dtype == _NS:
            # the same mask as the Series comparisons below, on the NumPy values
            # (NaT compares False), without pandas' per-operation overhead
            values = dates.to_numpy()
            mask = (values >= self.start.to_datetime64()) & (values <= self.end.to_datetime64())
            return pd.Series(mask, index=dates.index, name=dates.name, copy=False)
        return (dates >= self.start) & (dates <= self.end)


_NS = np.dtype("datetime64[ns]")


@lru_cache(maxsize=4096)
def _window_of(kind: str, period_end) -> Window:
    return Window._of(kind, period_end)


def month_end(month: str | pd.Timestamp) -> pd.Timestamp:
    """The last calendar day of a month given as ``YYYY-MM`` or a date.

    Examples
    --------
    >>> month_end("2024-02").date()
    datetime.date(2024, 2, 29)
    """
    ts = pd.Timestamp(month)
    return (ts + pd.offsets.MonthEnd(0)).normalize()


def month_ends(first, last) -> pd.DatetimeIndex:
    """Every month end from the month of ``first`` to the month of ``last``.

    Examples
    --------
    >>> [d.strftime("%Y-%m-%d") for d in month_ends("2024-01-15", "2024-03-01")]
    ['2024-01-31', '2024-02-29', '2024-03-31']
    """
    return pd.date_range(month_end(first), month_end(last), freq="ME")


@lru_cache(maxsize=1)
def _bank_holidays() -> np.ndarray:
    years = range(1990, 2061)
    hol = holidays.country_holidays("GB", subdiv="ENG", years=years)
    return np.array(sorted(hol.keys()), dtype="datetime64[D]")


def bank_holidays() -> np.ndarray:
    """England & Wales bank holidays 1990–2060 as ``datetime64[D]`` (from ``holidays``)."""
    return _bank_holidays()


def working_days_between(start, end) -> np.ndarray:
    """Working days d with ``start <= d < end``, element-wise; NaN where either is missing.

    Parameters
    ----------
    start, end : array-like of dates (Series, Index or scalars)

    Examples
    --------
    >>> import pandas as pd
    >>> # Fri 22 Dec 2023 to Tue 2 Jan 2024: 22, 27, 28, 29 Dec are working days
    >>> # (25, 26 Dec and 1 Jan are bank holidays).
    >>> float(working_days_between(pd.Series([pd.Timestamp("2023-12-22")]),
    ...                            pd.Series([pd.Timestamp("2024-01-02")]))[0])
    4.0
    """
    s = pd.to_datetime(pd.Series(np.atleast_1d(start)).reset_index(drop=True))
    e = pd.to_datetime(pd.Series(np.atleast_1d(end)).reset_index(drop=True))
    ok = s.notna() & e.notna()
    out = np.full(len(s), np.nan)
    if ok.any():
        out[ok.to_numpy()] = np.busday_count(
            s[ok].to_numpy().astype("datetime64[D]"),
            e[ok].to_numpy().astype("datetime64[D]"),
            holidays=bank_holidays(),
        )
    return out


# ---- the months the data covers ---------------------------------------------
def data_extent(returns) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The first and last day a set of returns covers.

    Each return (a row of a reader's ``returns`` table) covers its collection
    year, 1 April to 31 March, up to its ``reference_date`` (the census
    reference date or extract date). The data runs from the earliest
    collection year's 1 April to the latest reference date (a return without
    one, such as a year-to-date SSDA903 extract, does not extend it).

    Parameters
    ----------
    returns : iterable of pandas.DataFrame
        ``returns`` tables (columns ``collection_year`` and ``reference_date``).

    Returns
    -------
    (pandas.Timestamp or None, pandas.Timestamp or None)
        None, None when there are no returns.

    Examples
    --------
    >>> import pandas as pd
    >>> cin = pd.DataFrame({"collection_year": [2025, 2026],
    ...                     "reference_date": pd.to_datetime(["2025-03-31", "2025-11-03"])})
    >>> [str(d.date()) for d in data_extent([cin])]
    ['2024-04-01', '2025-11-03']
    """
    frames = [r for r in returns if r is not None and len(r)]
    if not frames:
        return None, None
    df = pd.concat([f[["collection_year", "reference_date"]] for f in frames])
    years = pd.to_numeric(df["collection_year"], errors="coerce").dropna().astype(int)
    refs = pd.to_datetime(df["reference_date"])
    first = pd.Timestamp(year=int(years.min()) - 1, month=4, day=1) if len(years) else None
    if first is None and refs.notna().any():
        first = refs.min()
    last = refs.max()
    return first, (None if pd.isna(last) else pd.Timestamp(last).normalize())


def latest_complete_month(last) -> str:
    """The latest month fully covered by data running to ``last``, as ``YYYY-MM``.

    ``last``'s own month if ``last`` is a month end, otherwise the month before.

    Examples
    --------
    >>> latest_complete_month("2026-11-03"), latest_complete_month("2025-03-31")
    ('2026-10', '2025-03')
    """
    last = pd.Timestamp(last).normalize()
    if last == month_end(last):
        return last.strftime("%Y-%m")
    return (last.replace(day=1) - pd.Timedelta(days=1)).strftime("%Y-%m")


def check_month_covered(month: str, first, last) -> str:
    """``month`` (``YYYY-MM`` or ``latest``) when the data covers it whole.

    A month is published only when it lies within the data: it starts on or
    after ``first`` and ends on or before ``last`` (see :func:`data_extent`).
    ``latest`` is :func:`latest_complete_month` of ``last``.

    Raises
    ------
    PmfError
        For a month outside the data (field ``month``), or data without dates.

    Examples
    --------
    >>> check_month_covered("latest", "2023-04-01", "2026-11-03")
    '2026-10'
    >>> check_month_covered("2023-04", "2023-04-01", "2026-11-03")
    '2023-04'
    >>> try:
    ...     check_month_covered("2099-01", "2023-04-01", "2026-11-03")
    ... except PmfError as e:
    ...     print(e)
    field month: 2099-01 is outside the data, which runs from 1 April 2023 to 3 November 2026 \
(its returns' reference dates): choose a month from 2023-04 to 2026-10
    """
    if first is None or last is None or pd.isna(first) or pd.isna(last):
        raise PmfError(
            "cannot tell which months the data covers: no reference dates in the returns",
            field="month",
        )
    first, last = pd.Timestamp(first).normalize(), pd.Timestamp(last).normalize()
    newest = latest_complete_month(last)
    oldest = (first if first.day == 1 else first + pd.offsets.MonthBegin(1)).strftime("%Y-%m")
    if month == "latest":
        month = newest
    if oldest > newest:
        raise PmfError(
            f"the data, which runs from {first:%-d %B %Y} to {last:%-d %B %Y}, covers no "
            "whole month",
            field="month",
        )
    if not oldest <= month <= newest:
        raise PmfError(
            f"{month} is outside the data, which runs from {first:%-d %B %Y} to "
            f"{last:%-d %B %Y} (its returns' reference dates): choose a month from "
            f"{oldest} to {newest}",
            field="month",
        )
    return month
