"""Pure helpers for the KPIs over the local datasets and the monthly workforce data.

A local dataset reaches the KPIs as ``inputs.local[<name>]``: the reader's typed
frame, columns named as in ``pmf_lib/read/schemas/<name>.yml``. A dataset the
council does not supply is absent from the dict, and every KPI declaring it in
its ``inputs`` is missing (numerator NaN, so the value is missing, never 0)
without its function being run (:meth:`pmf_lib.compute.registry.Kpi.__call__`).
The helpers below still return :data:`MISSING_COUNT` or :data:`MISSING_RATIO`
when :func:`dataset` gives None, so a helper called on its own (outside a KPI)
says the same.
"""

from __future__ import annotations

import pandas as pd

from pmf_lib.compute.kpis._common import isin
from pmf_lib.compute.registry import Figure, KpiInputs
from pmf_lib.dates import Window, working_days_between
from pmf_lib.read.local import load_schema

NAN = float("nan")
#: A count KPI over an absent dataset.
MISSING_COUNT = Figure(NAN)
#: A ratio KPI over an absent dataset.
MISSING_RATIO = Figure(NAN, NAN)


def local_frame(name: str, **columns) -> pd.DataFrame:
    """A frame typed as the reader types dataset ``name``, from column lists.

    Columns not given are all missing; an unknown column is an error. Used by
    the KPI examples and tests to build tiny datasets.

    Examples
    --------
    >>> df = local_frame("lado", received_date=["2025-01-02", None], outcome=["unfounded", None])
    >>> df["received_date"].dtype, df["outcome"].tolist()
    (dtype('<M8[ns]'), ['unfounded', <NA>])
    """
    dtypes = load_schema(name).dtypes
    unknown = sorted(set(columns) - set(dtypes))
    if unknown:
        raise ValueError(f"{name}: no column(s) {', '.join(unknown)} in the schema")
    lengths = {len(v) for v in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"{name}: columns of different lengths {sorted(lengths)}")
    n = lengths.pop() if lengths else 0
    out = {}
    for col, dtype in dtypes.items():
        values = list(columns.get(col, [None] * n))
        if dtype.startswith("datetime"):
            out[col] = pd.to_datetime(pd.Series(values, dtype=object)).astype(dtype)
        else:
            out[col] = pd.array(values, dtype=dtype)
    return pd.DataFrame(out, index=pd.RangeIndex(n))


def local_inputs(**datasets: pd.DataFrame) -> KpiInputs:
    """``KpiInputs`` holding only the given local datasets.

    Examples
    --------
    >>> sorted(local_inputs(lado=local_frame("lado")).local)
    ['lado']
    """
    return KpiInputs(local=dict(datasets))


def dataset(inputs: KpiInputs, name: str) -> pd.DataFrame | None:
    """The local dataset ``name``, or None when the council does not supply it.

    Also None when a file of it lacks a required column and was read only because
    the council runs anyway (the frame's ``attrs["missing_columns"]``): every KPI
    over it is then missing, never 0.

    Examples
    --------
    >>> dataset(KpiInputs(), "contacts") is None
    True
    >>> lacking = pd.DataFrame({"contact_date": []})
    >>> lacking.attrs["missing_columns"] = ["contact_date"]
    >>> dataset(KpiInputs(local={"contacts": lacking}), "contacts") is None
    True
    """
    df = inputs.local.get(name)
    if df is not None and df.attrs.get("missing_columns"):
        return None
    return df


def count(mask) -> int:
    """Number of True values in a boolean mask (missing counts as False).

    Examples
    --------
    >>> count(pd.Series([True, None, False], dtype="boolean"))
    1
    """
    return int(pd.Series(mask).fillna(False).astype(bool).sum())


def ratio(numerator_mask, denominator_mask) -> Figure:
    """``Figure(count(numerator & denominator), count(denominator))``.

    Examples
    --------
    >>> ratio(pd.Series([True, True, False]), pd.Series([True, False, True]))
    Figure(numerator=1, denominator=2)
    """
    den = pd.Series(denominator_mask).fillna(False).astype(bool)
    num = pd.Series(numerator_mask).fillna(False).astype(bool) & den
    return Figure(int(num.sum()), int(den.sum()))


def in_window(dates: pd.Series, window: Window) -> pd.Series:
    """Boolean mask of ``dates`` in the window (missing dates are not).

    Examples
    --------
    >>> d = pd.Series(pd.to_datetime(["2025-03-01", None, "2025-04-01"]))
    >>> in_window(d, Window.of("month", "2025-03-31")).tolist()
    [True, False, False]
    """
    return window.contains(dates).fillna(False).astype(bool)


def coded(series: pd.Series, *codes: str) -> pd.Series:
    """Boolean mask: the canonical code is one of ``codes`` (missing is False).

    Examples
    --------
    >>> coded(pd.Series(["good", None, "inadequate"], dtype="string"), "good").tolist()
    [True, False, False]
    """
    return isin(series, codes)


def working_days(start: pd.Series, end: pd.Series) -> pd.Series:
    """Working days d with ``start <= d < end`` per row (NaN where either is missing).

    Examples
    --------
    >>> s = pd.Series(pd.to_datetime(["2025-05-02", None]))
    >>> e = pd.Series(pd.to_datetime(["2025-05-06", "2025-05-06"]))
    >>> working_days(s, e).tolist()  # Fri 2 May; Mon 5 May is a bank holiday
    [1.0, nan]
    """
    return pd.Series(working_days_between(start, end), index=start.index)


def within_working_days(start: pd.Series, end: pd.Series, limit: int) -> pd.Series:
    """True where ``end`` is on or after ``start`` and at most ``limit`` working days later.

    "Within N working days" means the working days d with ``start <= d < end``
    number at most N (``kpi-core-definitions.md``). An end before the start is
    not within (it is an error for validation to report).

    Examples
    --------
    >>> s = pd.Series(pd.to_datetime(["2025-05-02", "2025-05-02", "2025-05-02"]))
    >>> e = pd.Series(pd.to_datetime(["2025-05-06", "2025-05-07", "2025-05-01"]))
    >>> within_working_days(s, e, 1).tolist()
    [True, False, False]
    """
    wd = working_days(start, end)
    ok = (end >= start).fillna(False).astype(bool)
    return ok & (wd <= limit)


def previous_date_by(keys: pd.Series, dates: pd.Series) -> pd.Series:
    """Per row, the latest date of the same key strictly before the row's date (NaT if none).

    Rows with a missing key or date get NaT and are not anyone's previous date.

    Examples
    --------
    >>> k = pd.Series(["a", "a", "b", "a"], dtype="string")
    >>> d = pd.Series(pd.to_datetime(["2025-01-05", "2025-01-01", "2025-01-03", "2025-01-05"]))
    >>> [str(x.date()) if pd.notna(x) else None for x in previous_date_by(k, d)]
    ['2025-01-01', None, None, '2025-01-01']
    """
    frame = pd.DataFrame({"k": keys.to_numpy(), "d": dates.to_numpy()}, index=dates.index)
    u = frame.dropna().drop_duplicates().sort_values(["k", "d"])
    u = u.assign(prev=u.groupby("k", sort=False)["d"].shift(1))
    merged = frame.merge(u, on=["k", "d"], how="left")
    return pd.Series(merged["prev"].to_numpy(), index=dates.index).astype("datetime64[ns]")


def months_after(dates: pd.Series, months: int) -> pd.Series:
    """``dates`` plus a number of calendar months (month ends clipped, as pandas does).

    Examples
    --------
    >>> d = pd.Series(pd.to_datetime(["2024-11-30", "2025-01-31"]))
    >>> [str(x.date()) for x in months_after(d, 3)]
    ['2025-02-28', '2025-04-30']
    """
    return (dates + pd.DateOffset(months=months)).astype("datetime64[ns]")
