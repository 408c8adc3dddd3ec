"""Pure helpers shared by the KPI modules (windows, 903 episodes, memoisation).

Everything here is vectorised pandas/NumPy: the engine calls each KPI for about
36 month ends times its windows on national-scale tables.

Memoisation
-----------
Some derivations depend only on an input table, not on the window (for example
each referral's previous referral date). :func:`memo_on_frame` caches such a
derivation keyed by the *identity* of the input frame: the cache entry keeps a
weak reference to the frame and its length, and is used only while that very
object (same ``id``, still alive, same length) is passed again. The canonical
tables are treated as immutable once read, so the result is the same as
recomputing; a different frame (even an equal one) is simply recomputed.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pmf_lib.dates import Window

SHORT_BREAK_LS = ("V3", "V4")

_MEMO: dict[tuple[str, int], tuple[weakref.ref, int, object]] = {}
_MEMO_MAX = 64


def memo_on_frame(name: str, df: pd.DataFrame, build: Callable[[pd.DataFrame], object]):
    """``build(df)``, cached on the identity of ``df`` (see the module docstring).

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2]})
    >>> calls = []
    >>> f = lambda d: calls.append(1) or int(d["a"].sum())
    >>> memo_on_frame("demo", df, f), memo_on_frame("demo", df, f), len(calls)
    (3, 3, 1)
    """
    key = (name, id(df))
    hit = _MEMO.get(key)
    if hit is not None:
        ref, length, value = hit
        if ref() is df and length == len(df):
            return value
    value = build(df)
    if len(_MEMO) >= _MEMO_MAX:
        # drop entries whose frame has gone, then the oldest if still full
        for k in [k for k, (r, _, _) in _MEMO.items() if r() is None]:
            del _MEMO[k]
        while len(_MEMO) >= _MEMO_MAX:
            del _MEMO[next(iter(_MEMO))]
    _MEMO[key] = (weakref.ref(df), len(df), value)
    return value


def rolling_12m(window: Window) -> Window:
    """The ``rolling_12m`` window ending with ``window``'s period end.

    Examples
    --------
    >>> w = rolling_12m(Window.of("month", "2025-03-31"))
    >>> (w.kind, str(w.start.date()))
    ('rolling_12m', '2024-04-01')
    """
    if window.kind == "rolling_12m":
        return window
    return Window.of("rolling_12m", window.end)


def twelve_months_first_day(period_end) -> pd.Timestamp:
    """``period_end`` minus 12 calendar months plus one day (the contract's 903 overlap).

    Examples
    --------
    >>> str(twelve_months_first_day("2025-03-31").date())
    '2024-04-01'
    >>> str(twelve_months_first_day("2025-02-28").date())  # 2024 was a leap year
    '2024-02-29'
    """
    end = pd.Timestamp(period_end).normalize()
    return (end - pd.DateOffset(months=12) + pd.Timedelta(days=1)).normalize()


def open_at(start: pd.Series, end: pd.Series, date) -> pd.Series:
    """Mask of records open at the end of ``date``: ``start <= date`` and (no end or end > date).

    Examples
    --------
    >>> s = pd.Series(pd.to_datetime(["2025-01-01", "2025-01-01", "2025-04-01"]))
    >>> e = pd.Series(pd.to_datetime(["2025-03-31", None, None]))
    >>> open_at(s, e, "2025-03-31").tolist()
    [False, True, False]
    """
    d = pd.Timestamp(date).normalize()
    return ((start <= d) & (end.isna() | (end > d))).fillna(False).astype(bool)


def cla_episodes(episodes: pd.DataFrame) -> pd.DataFrame:
    """903 episodes that can count for CLA KPIs: legal status not ``V3``/``V4``.

    Examples
    --------
    >>> ep = pd.DataFrame({"LS": pd.array(["C2", "V3", None], dtype="string")})
    >>> len(cla_episodes(ep))
    2
    """
    ls = episodes["LS"].astype("string").str.strip().str.upper()
    return episodes[~ls.isin(SHORT_BREAK_LS).fillna(False).astype(bool)]


def dob_by_child_frame(header: pd.DataFrame) -> pd.Series:
    """Each child's date of birth from a 903 header table (first non-missing per ``CHILD``).

    Examples
    --------
    >>> h = pd.DataFrame({"CHILD": ["1", "1"], "DOB": pd.to_datetime([None, "2015-01-02"])})
    >>> str(dob_by_child_frame(h)["1"].date())
    '2015-01-02'
    """
    h = header[["CHILD", "DOB"]].dropna()
    return h.drop_duplicates("CHILD").set_index("CHILD")["DOB"]


def _arrow_strings(series) -> pa.ChunkedArray | None:
    """The Arrow array of a pyarrow-backed string Series (else None)."""
    if isinstance(series, pd.Series) and isinstance(series.dtype, pd.StringDtype):
        if series.dtype.storage == "pyarrow":
            return series.array.__arrow_array__()
    return None


def isin(series: pd.Series, values: Iterable[str]) -> pd.Series:
    """Boolean mask: the value is one of ``values`` (missing is False).

    The same mask as ``series.astype("string").isin(values).fillna(False).astype(bool)``;
    for a pyarrow-backed string Series and string ``values`` (the canonical tables),
    one Arrow ``is_in`` (pandas' own ``isin`` builds a Python scalar per value,
    milliseconds for a set of a few thousand child ids).

    Examples
    --------
    >>> s = pd.Series(["a", None, "c", "b"], dtype="string", name="id")
    >>> m = isin(s, pd.Index(["b", "a"]))
    >>> m.tolist(), m.dtype, m.name
    ([True, False, False, True], dtype('bool'), 'id')
    >>> isin(pd.Series(["a", None], dtype=object), ["a"]).tolist()  # not Arrow: pandas' isin
    [True, False]
    """
    arr = _arrow_strings(series)
    if arr is not None:
        vals = values.tolist() if isinstance(values, (pd.Index, pd.Series, np.ndarray)) else values
        vals = list(vals)
        if all(type(v) is str for v in vals):
            return _is_in(arr, vals, series)
    return series.astype("string").isin(values).fillna(False).astype(bool)


# Masks of Arrow string columns by value set, keyed by the identity of the Arrow
# array (immutable, so an entry is valid while that very array is alive): the KPIs
# ask for the same codes of the same column of a canonical table at every month.
_MASKS: dict[tuple, tuple[weakref.ref, np.ndarray]] = {}
_MASKS_MAX = 256


def _is_in(
    arr: pa.ChunkedArray, values: list[str], like: pd.Series, *, upper: bool = False
) -> pd.Series:
    """Arrow ``is_in`` of strings as a bool Series shaped like ``like`` (null: False).

    With ``upper``, of the values stripped and upper-cased (pandas' own
    ``str.strip().str.upper()`` on Arrow strings). Memoised on the array's identity.
    """
    key = (id(arr), upper, tuple(values))
    hit = _MASKS.get(key)
    if hit is not None and hit[0]() is arr:
        mask = hit[1]
    else:
        if not values:
            mask = np.zeros(len(arr), dtype=bool)
        else:
            src = pc.utf8_upper(pc.utf8_trim_whitespace(arr)) if upper else arr
            found = pc.is_in(src, value_set=pa.array(values, type=arr.type))  # null: False
            mask = found.to_numpy(zero_copy_only=False).astype(bool, copy=False)
        mask.setflags(write=False)
        if len(_MASKS) >= _MASKS_MAX:
            for k in [k for k, (r, _) in _MASKS.items() if r() is None]:
                del _MASKS[k]
            while len(_MASKS) >= _MASKS_MAX:
                del _MASKS[next(iter(_MASKS))]
        _MASKS[key] = (weakref.ref(arr), mask)
    return pd.Series(mask.copy(), index=like.index, name=like.name, copy=False)


def flag(series: pd.Series, *true_values: str) -> pd.Series:
    """Boolean mask: stripped, upper-cased value is one of ``true_values`` (missing is False).

    Examples
    --------
    >>> flag(pd.Series(["1", " y", None], dtype="string"), "1", "Y").tolist()
    [True, True, False]
    """
    wanted = [v.upper() for v in true_values]
    arr = _arrow_strings(series)
    if arr is not None:  # pandas' own str.strip and str.upper of Arrow strings, then isin
        return _is_in(arr, wanted, series, upper=True)
    s = series.astype("string").str.strip().str.upper()
    return s.isin(wanted).fillna(False).astype(bool)


def latest_return(table: pd.DataFrame, period_end) -> pd.DataFrame:
    """Rows of the latest ``collection_year`` whose 31 March is on or before ``period_end``.

    For the annual-only 903 tables (OC2, OC3), which the reader keeps as one cohort per
    collection year (``pmf_lib.read.tables``): the figure at a month end is the cohort of
    the latest return for a year already ended, so a return for a later year never
    changes it. Until the running year's 31 March, the previous year's cohort applies.

    Examples
    --------
    >>> t = pd.DataFrame({"CHILD": ["A", "A", "B", "A"],
    ...                   "collection_year": pd.array([2023, 2024, 2024, 2025], dtype="Int64")})
    >>> latest_return(t, "2025-02-28")["CHILD"].tolist()  # the 2024 cohort, A included
    ['A', 'B']
    >>> latest_return(t, "2025-03-31")["collection_year"].tolist()
    [2025]
    >>> latest_return(t, "2023-03-30").empty  # before the first return's year ended
    True
    """
    end = pd.Timestamp(period_end).normalize()
    year = end.year if end >= pd.Timestamp(end.year, 3, 31) else end.year - 1
    years = table["collection_year"]
    avail = years[years <= year].dropna()
    if avail.empty:
        return table.iloc[0:0]
    return table[(years == avail.max()).fillna(False).astype(bool)]
