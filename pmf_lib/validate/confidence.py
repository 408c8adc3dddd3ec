"""Data-quality confidence per KPI and month.

For each KPI and period end, the share of the records feeding the KPI that
break at least one error-severity rule, rated against two thresholds:
High when the share is at most ``high`` (default 1 %), Medium when at most
``medium`` (default 5 %), otherwise Low. A record also counts as in error when
its child's child-level row (903 header, CIN child identifiers) has an error,
since the KPIs read age, sex and identity from there.

Which records feed a KPI is what the KPI declares on its decorator: a
:class:`~pmf_lib.feeds.Feed` per table it reads (its table and how it is dated).
``validate`` does not import ``compute``, so the caller hands the declarations
over as ``feeds`` (:func:`pmf_lib.compute.registry.kpi_feeds`). Kinds:

* ``flow``: records whose ``date`` falls in the KPI's windows (``windows``,
  by default the month and the rolling 12 months ending ``period_end``; the
  worse of them is kept);
* ``stock``: records open at ``period_end`` (``date`` on or before it and
  ``end`` empty or after it);
* ``overlap``: records open at any time in the 12 months ending ``period_end``;
* ``latest_return``: records of the latest annual return (``collection_year``)
  whose 31 March is on or before ``period_end`` (the 903 OC2 and OC3 tables);
* ``all``: every record of the table (a log read as it stands, such as the
  improvement actions).

Local datasets (source ``local``) are the frames of ``SourceData.local``;
their issues are placed on those frames' records by
:func:`local_issues_on_frames`. With no records feeding the KPI there is nothing
in error: the share is 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from pmf_lib.dates import Window
from pmf_lib.feeds import Feed
from pmf_lib.read.tables import CinCensus, Ssda903

CONFIDENCE_COLUMNS = ["kpi_id", "period_end", "dq_error_share", "dq_confidence"]
CHILD_LEVEL = {"cin_census": ("children", "LAchildID"), "ssda903": ("header", "CHILD")}


def rate(share: float, high: float = 0.01, medium: float = 0.05) -> str:
    """``High``, ``Medium`` or ``Low`` for an error share (0-1).

    Examples
    --------
    >>> rate(0.0), rate(0.01), rate(0.03), rate(0.2)
    ('High', 'High', 'Medium', 'Low')
    """
    if not 0 <= high <= medium <= 1:
        raise ValueError(f"thresholds must satisfy 0 <= high <= medium <= 1 (got {high}, {medium})")
    if share <= high:
        return "High"
    if share <= medium:
        return "Medium"
    return "Low"


def _in_error(df: pd.DataFrame, feed: Feed, issues: pd.DataFrame) -> np.ndarray:
    """Which records of ``df`` are in error: an error on the record or on its child's row."""
    errors = issues[(issues["severity"] == "error") & (issues["source"] == feed.source)]
    on_table = errors[errors["table"] == feed.table]["record"]
    flagged = df.index.isin(pd.Index(on_table.dropna()))
    if feed.source in CHILD_LEVEL:
        child_table, child_col = CHILD_LEVEL[feed.source]
        children = errors[errors["table"] == child_table]["child_id"].dropna()
        child_key = (
            child_col if child_col in df else ("LAchildID" if "LAchildID" in df else "CHILD")
        )
        if child_key in df:
            flagged |= df[child_key].isin(set(children)).fillna(False).to_numpy(dtype=bool)
    return np.asarray(flagged, dtype=bool)


def _dates(df: pd.DataFrame, column: str) -> np.ndarray:
    """A date column as ``datetime64[ns]`` (NaT where the date is missing)."""
    col = df[column]
    if col.dtype.kind != "M":
        col = pd.to_datetime(col)
    return col.to_numpy(dtype="datetime64[ns]")


def _ns(dates: Iterable) -> np.ndarray:
    """Dates as a ``datetime64[ns]`` array."""
    return pd.DatetimeIndex(list(dates)).to_numpy(dtype="datetime64[ns]")


def _on_or_before(values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """How many of ``values`` (no NaT) are on or before each of ``bounds``."""
    return np.searchsorted(np.sort(values), bounds, side="right")


def _before(values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """How many of ``values`` (no NaT) are before each of ``bounds``."""
    return np.searchsorted(np.sort(values), bounds, side="left")


def _dated_counts(df: pd.DataFrame, feed: Feed, rows: np.ndarray, ends) -> np.ndarray:
    """Records among ``rows`` a flow, stock or overlap feed selects: windows x period ends.

    A record with no ``date`` feeds nothing. The counts come from the sorted
    dates (``searchsorted``), never from a mask per period end:

    * flow: dated ``start`` to ``end`` of the window, inclusive;
    * stock: started by the end, less those (with an ``end`` date) also stopped
      by it, i.e. whose later of the two dates is on or before it;
    * overlap: started by the end, less those stopped on or before the first
      day ``f`` of the 12 months (``f`` is before the end, so a record stopped
      by ``f`` after it started has started by the end; a record stopped before
      it started is compared on both dates).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"d": pd.to_datetime(["2025-01-10", "2025-03-01", None]),
    ...                    "e": pd.to_datetime(["2025-02-01", None, None])})
    >>> everyone = np.ones(3, dtype=bool)
    >>> ends = pd.to_datetime(["2025-01-31", "2025-03-31"])
    >>> _dated_counts(df, Feed("local", "t", "d"), everyone, ends).tolist()  # month, 12 months
    [[1, 1], [1, 2]]
    >>> _dated_counts(df, Feed("local", "t", "d", "stock", "e"), everyone, ends).tolist()
    [[1, 1]]
    """
    d = _dates(df, feed.date)[rows]
    started = d[~np.isnat(d)]
    e = _ns(ends)
    if feed.kind == "flow":
        counts = []
        for kind in feed.windows:
            first = _ns(Window.of(kind, p).start for p in ends)
            last = _ns(Window.of(kind, p).end for p in ends)
            counts.append(_on_or_before(started, last) - _before(started, first))
        return np.array(counts, dtype=np.int64).reshape(len(feed.windows), len(ends))
    opened = _on_or_before(started, e)
    if not feed.end:
        return opened[None, :]
    stop = _dates(df, feed.end)[rows]
    both = ~np.isnat(d) & ~np.isnat(stop)
    d, stop = d[both], stop[both]
    if feed.kind == "stock":
        return (opened - _on_or_before(np.maximum(d, stop), e))[None, :]
    f = _ns(Window.of("rolling_12m", p).start for p in ends)
    ordered = d <= stop
    gone = _on_or_before(stop[ordered], f)
    odd_d, odd_stop = d[~ordered], stop[~ordered]  # stopped before it started
    gone += ((odd_d[:, None] <= e[None, :]) & (odd_stop[:, None] <= f[None, :])).sum(axis=0)
    return (opened - gone)[None, :]


def _latest_return_counts(df: pd.DataFrame, rows: np.ndarray, ends) -> np.ndarray:
    """Records among ``rows`` of the latest return whose 31 March is on or before each end.

    Counted per collection year once; each period end takes its latest year's count.
    """
    years = pd.to_numeric(df["collection_year"], errors="coerce")
    years = years.to_numpy(dtype="float64", na_value=np.nan)
    known = ~np.isnan(years)
    returns, which = np.unique(years[known], return_inverse=True)  # sorted years
    if not len(returns):  # no record of any return: nothing feeds the KPI
        return np.zeros((1, len(ends)), dtype=np.int64)
    per_return = np.bincount(which[rows[known]], minlength=len(returns))
    ends = pd.DatetimeIndex(ends)
    # the collection year ending 31 March on or before the period end
    after_march = (ends.month > 3) | ((ends.month == 3) & (ends.day == 31))
    year = np.where(after_march, ends.year, ends.year - 1)
    latest = np.searchsorted(returns, year, side="right") - 1  # -1: no return by then
    return np.where(latest >= 0, per_return[np.maximum(latest, 0)], 0)[None, :]


def _feeding_counts(df: pd.DataFrame, feed: Feed, rows: np.ndarray, ends) -> np.ndarray:
    """Records among ``rows`` feeding the KPI: one row per window, one column per period end."""
    if feed.kind == "all":
        return np.full((1, len(ends)), int(rows.sum()), dtype=np.int64)
    if feed.kind == "latest_return":
        return _latest_return_counts(df, rows, ends)
    return _dated_counts(df, feed, rows, ends)


def _worst_share(df: pd.DataFrame, feed: Feed, bad: np.ndarray, ends) -> np.ndarray:
    """The feed's error share at each period end: the worst of its windows (0 with no records)."""
    n = _feeding_counts(df, feed, np.ones(len(df), dtype=bool), ends).astype(np.float64)
    n_bad = _feeding_counts(df, feed, bad, ends).astype(np.float64)
    share = np.divide(n_bad, n, out=np.zeros_like(n), where=n > 0)
    return share.max(axis=0, initial=0.0)


def _frame_of(feed: Feed, cin: CinCensus, cla: Ssda903, local: Mapping) -> pd.DataFrame | None:
    if feed.source == "local":
        return local.get(feed.table)
    data = cin if feed.source == "cin_census" else cla
    return data.tables.get(feed.table)


def local_issues_on_frames(
    issues: pd.DataFrame, tables: Iterable, frames: Mapping[str, pd.DataFrame]
) -> pd.DataFrame:
    """Issues of files read against a schema, placed on the records of the stacked frames.

    :func:`pmf_lib.validate.validate` reports an issue of a local file with
    ``source``/``table`` the read's source (``local/<dataset>``,
    ``workforce_monthly``) and ``record`` the index in that one file's
    ``ReadTable.data``. The KPIs read ``frames[<dataset>]`` (``SourceData.local``:
    the files' ``data`` stacked), whose records carry ``source_file`` and ``row``
    (the row number in the file). Each issue is matched to the frame record with
    the same file and row, and comes back with ``source="local"``,
    ``table=<dataset>`` and ``record`` the frame's index. An error with no record
    (a required column missing from the file, S01) marks every record of that
    file. Issues of other sources pass unchanged.

    The placement is a join per file read (a handful), never per record: the
    file's record to its row number (``ReadTable.data["row"]``), the row number
    to the frame's record of that file (the first, should a row repeat); a
    record-less issue is repeated over the file's records at once, record by
    record in frame order.

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> t = SimpleNamespace(source="local/lado", file="b.csv",
    ...     schema=SimpleNamespace(name="lado"), data=pd.DataFrame({"row": [2, 3]}))
    >>> frame = pd.DataFrame({"source_file": ["a.csv", "b.csv", "b.csv"], "row": [2, 2, 3]})
    >>> issues = pd.DataFrame({"source": ["local/lado"], "file": ["b.csv"],
    ...     "table": ["local/lado"], "record": [1], "severity": ["error"]})
    >>> local_issues_on_frames(issues, [t], {"lado": frame})[["source", "table", "record"]]
      source table  record
    0  local  lado       2
    """
    issues = issues.copy()
    issues["record"] = issues["record"].astype(object)
    out = [issues]
    placed = np.zeros(len(issues), dtype=bool)
    for t in tables:  # each file read against a schema (a handful), never each record
        name = t.schema.name
        frame = frames.get(name)
        mine = (issues["source"] == t.source) & (issues["file"] == str(t.file))
        mine &= issues["table"] == t.source
        mine = mine.fillna(False).to_numpy(dtype=bool)
        if not mine.any():
            continue
        placed |= mine
        if frame is None or not len(frame) or "row" not in frame or "source_file" not in frame:
            continue
        # the frame's records of this file by row number (the first, should a row repeat)
        in_file = frame["source_file"].astype("string") == str(t.file)
        by_row = pd.Series(frame.index[in_file.to_numpy()], index=frame.loc[in_file, "row"])
        by_row = by_row[~by_row.index.duplicated()]
        sub = issues[mine]
        rec = sub["record"]
        # on a record: the file's record -> its row (t.data) -> the frame's record (by_row)
        rows = t.data["row"].reindex(pd.Index(rec.dropna().astype(int)))
        targets = by_row.reindex(pd.Index(rows.to_numpy())).to_numpy()
        located = sub[rec.notna()].assign(source="local", table=name, record=list(targets))
        out.append(located[pd.notna(located["record"])])
        if len(by_row):  # on no record: each issue on each of the file's records, record-major
            whole_file = sub[rec.isna()]
            records = by_row.to_numpy()
            spread = whole_file.iloc[np.tile(np.arange(len(whole_file)), len(records))]
            out.append(
                spread.assign(
                    source="local", table=name, record=np.repeat(records, len(whole_file))
                )
            )
    out[0] = issues[~placed]
    result = pd.concat(out, ignore_index=True)
    try:
        result["record"] = pd.array(result["record"].tolist(), dtype="Int64")
    except (TypeError, ValueError):  # a non-integer record label: keep it as it is
        pass
    return result


def confidence_table(
    issues: pd.DataFrame,
    cin: CinCensus,
    cla: Ssda903,
    period_ends: Iterable,
    *,
    feeds: Mapping[str, Iterable[Feed]],
    local: Mapping[str, pd.DataFrame] | None = None,
    high: float = 0.01,
    medium: float = 0.05,
) -> pd.DataFrame:
    """Data-quality confidence for every KPI in ``feeds`` and every period end.

    Parameters
    ----------
    issues : pandas.DataFrame
        :func:`pmf_lib.validate.validate` output (``source, table, record,
        child_id, severity`` are read); issues of local files first placed on
        ``local`` by :func:`local_issues_on_frames`.
    cin, cla : CinCensus, Ssda903
        The canonical tables the KPIs read.
    period_ends : iterable of dates
    feeds : mapping
        KPI id to its :class:`~pmf_lib.feeds.Feed` s: the KPIs' declared inputs
        (:func:`pmf_lib.compute.registry.kpi_feeds` for every registered KPI).
    local : mapping, optional
        ``SourceData.local``: the local datasets and ``workforce_monthly``; an
        absent dataset feeds no records.
    high, medium : float
        Thresholds of :func:`rate`.

    Returns
    -------
    pandas.DataFrame
        ``kpi_id, period_end, dq_error_share, dq_confidence``; join it onto the
        tidy KPI table on ``kpi_id`` and ``period_end`` (see :func:`attach`).

    Notes
    -----
    Counted, not filtered: each table's records in error are flagged once;
    each distinct table and dating (shared by many KPIs) is counted for every
    period end at once from its sorted dates (``numpy.searchsorted``; for a
    latest-return feed, counts per collection year), records feeding and
    records in error alike; a KPI's share at a period end is the worst of its
    feeds' and windows' shares (0 with no records), rated against the
    thresholds in one pass. ``tests/validate/test_confidence_equivalence.py``
    holds this equal to the row-wise computation it replaced.

    Examples
    --------
    >>> import pandas as pd
    >>> from pmf_lib.read.tables import CIN_COLUMNS, conform
    >>> cin = CinCensus()
    >>> cin.tables["referrals"] = conform(pd.DataFrame({"LAchildID": list("abcd"),
    ...     "CINreferralDate": pd.to_datetime(["2025-03-03"] * 4)}), CIN_COLUMNS["referrals"])
    >>> issues = pd.DataFrame({"source": ["cin_census"], "table": ["referrals"], "record": [0],
    ...     "child_id": ["a"], "severity": ["error"]})
    >>> feeds = {"referrals_count": (Feed("cin_census", "referrals", "CINreferralDate"),)}
    >>> t = confidence_table(issues, cin, Ssda903(), ["2025-03-31"], feeds=feeds)
    >>> t[["dq_error_share", "dq_confidence"]].values.tolist()  # 1 of 4 referrals in error
    [[0.25, 'Low']]
    """
    rate(0, high, medium)  # check the thresholds once
    local = local or {}
    ends = pd.DatetimeIndex([pd.Timestamp(p).normalize() for p in period_ends])
    kpis = {kpi_id: tuple(kpi_feeds) for kpi_id, kpi_feeds in feeds.items()}
    worst = np.zeros((len(kpis), len(ends)))
    tables: dict[tuple[str, str], tuple[pd.DataFrame, np.ndarray] | None] = {}
    shares: dict[tuple, np.ndarray] = {}  # one per table and dating, shared by its KPIs
    for i, (kpi_id, kpi_feeds) in enumerate(kpis.items() if len(ends) else ()):
        for feed in kpi_feeds:
            key = (feed.source, feed.table)
            if key not in tables:
                df = _frame_of(feed, cin, cla, local)
                if df is None and feed.source != "local":
                    raise KeyError(f"KPI {kpi_id}: no table {feed.source}.{feed.table}")
                empty = df is None or not len(df)
                tables[key] = None if empty else (df, _in_error(df, feed, issues))
            if tables[key] is None:
                continue  # no records: nothing in error
            df, bad = tables[key]
            dating = (*key, feed.kind, feed.date, feed.end, tuple(feed.windows))
            if dating not in shares:
                shares[dating] = _worst_share(df, feed, bad, ends)
            worst[i] = np.maximum(worst[i], shares[dating])
    share = worst.ravel()
    confidence = np.where(share <= high, "High", np.where(share <= medium, "Medium", "Low"))
    out = pd.DataFrame(
        {
            "kpi_id": np.repeat(np.array(list(kpis), dtype=object), len(ends)),
            "period_end": np.tile(ends.to_numpy(), len(kpis)),
            "dq_error_share": share,
            "dq_confidence": confidence.astype(object),
        },
        columns=CONFIDENCE_COLUMNS,
    )
    out["period_end"] = pd.to_datetime(out["period_end"]).astype("datetime64[ns]")
    out["dq_error_share"] = out["dq_error_share"].astype(np.float64)
    return out


def attach(kpi_table: pd.DataFrame, confidence: pd.DataFrame) -> pd.DataFrame:
    """The KPI table with ``dq_error_share`` and ``dq_confidence`` beside each figure.

    A KPI without a feed mapping gets no rating (missing), never a made-up one
    (every registered KPI declares its inputs, so has one).
    """
    conf = confidence.copy()
    conf["period_end"] = pd.to_datetime(conf["period_end"]).astype("datetime64[ns]")
    t = kpi_table.copy()
    t["period_end"] = pd.to_datetime(t["period_end"]).astype("datetime64[ns]")
    return t.merge(conf, on=["kpi_id", "period_end"], how="left", validate="many_to_one")
