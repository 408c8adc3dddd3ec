"""The data quality confidence as it was computed before issue 14: the oracle of the rewrite.

A verbatim copy of ``local_issues_on_frames`` and ``confidence_table`` (with
their helpers) from ``pmf_lib/validate/confidence.py`` at commit ``b6ff8f7``:
issues spread over a file's records one ``DataFrame.assign`` per record, and
every KPI, period end and window filtered row-wise. It is slow (about 80 s of CPU on
the demo county) and is kept only so that the vectorised implementation can be
compared with it: on small hand-built and random frames in
``tests/validate/test_confidence_equivalence.py``, and on the demo county in
``benchmarks/bench_quality.py``. Only the defaults are gone: ``feeds`` is
required (the feed tables moved to the KPI decorators), and a feed is read by
its attributes only (``source, table, date, kind, end, windows``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from pmf_lib.dates import Window

CONFIDENCE_COLUMNS = ["kpi_id", "period_end", "dq_error_share", "dq_confidence"]
CHILD_LEVEL = {"cin_census": ("children", "LAchildID"), "ssda903": ("header", "CHILD")}


def rate(share: float, high: float = 0.01, medium: float = 0.05) -> str:
    if not 0 <= high <= medium <= 1:
        raise ValueError(f"thresholds must satisfy 0 <= high <= medium <= 1 (got {high}, {medium})")
    if share <= high:
        return "High"
    if share <= medium:
        return "Medium"
    return "Low"


def _in_error(df: pd.DataFrame, feed, issues: pd.DataFrame) -> pd.Series:
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
    return pd.Series(flagged, index=df.index)


def _latest_return(df: pd.DataFrame, end: pd.Timestamp) -> pd.Series:
    year = end.year if end >= pd.Timestamp(end.year, 3, 31) else end.year - 1
    years = pd.to_numeric(df["collection_year"], errors="coerce")
    avail = years[years <= year].dropna()
    if avail.empty:
        return pd.Series(False, index=df.index)
    return (years == avail.max()).fillna(False).astype(bool)


def _feeding(df: pd.DataFrame, feed, end: pd.Timestamp) -> list[pd.Series]:
    """Boolean masks of the records feeding each window at ``end``."""
    if feed.kind == "all":
        return [pd.Series(True, index=df.index)]
    if feed.kind == "latest_return":
        return [_latest_return(df, end)]
    d = df[feed.date]
    if feed.kind == "flow":
        return [Window.of(k, end).contains(d).fillna(False).astype(bool) for k in feed.windows]
    stop = df[feed.end] if feed.end else pd.Series(pd.NaT, index=df.index)
    if feed.kind == "stock":
        m = (d <= end) & (stop.isna() | (stop > end))
    else:
        first = Window.of("rolling_12m", end).start
        m = (d <= end) & (stop.isna() | (stop > first))
    return [m.fillna(False).astype(bool)]


def _frame_of(feed, cin, cla, local: Mapping) -> pd.DataFrame | None:
    if feed.source == "local":
        return local.get(feed.table)
    data = cin if feed.source == "cin_census" else cla
    return data.tables.get(feed.table)


def local_issues_on_frames(
    issues: pd.DataFrame, tables: Iterable, frames: Mapping[str, pd.DataFrame]
) -> pd.DataFrame:
    """The issues of local files placed on the stacked frames' records (the old way)."""
    issues = issues.copy()
    issues["record"] = issues["record"].astype(object)
    out = [issues]
    placed = pd.Series(False, index=issues.index)
    for t in tables:
        name = t.schema.name
        frame = frames.get(name)
        mine = (issues["source"] == t.source) & (issues["file"] == str(t.file))
        mine &= issues["table"] == t.source
        mine = mine.fillna(False).astype(bool)
        if not mine.any():
            continue
        placed |= mine
        if frame is None or not len(frame) or "row" not in frame or "source_file" not in frame:
            continue
        in_file = frame["source_file"].astype("string") == str(t.file)
        by_row = pd.Series(frame.index[in_file.to_numpy()], index=frame.loc[in_file, "row"])
        by_row = by_row[~by_row.index.duplicated()]
        sub = issues[mine]
        rec = sub["record"]
        whole_file = sub[rec.isna()]
        rows = t.data["row"].reindex(pd.Index(rec.dropna().astype(int)))
        targets = by_row.reindex(pd.Index(rows.to_numpy())).to_numpy()
        located = sub[rec.notna()].assign(source="local", table=name, record=list(targets))
        located = located[pd.notna(located["record"])]
        spread = [
            whole_file.assign(source="local", table=name, record=i) for i in by_row.to_numpy()
        ]
        out += [located, *spread]
    out[0] = issues[~placed]
    result = pd.concat(out, ignore_index=True)
    try:
        result["record"] = pd.array(result["record"].tolist(), dtype="Int64")
    except (TypeError, ValueError):  # a non-integer record label: keep it as it is
        pass
    return result


def confidence_table(
    issues: pd.DataFrame,
    cin,
    cla,
    period_ends: Iterable,
    *,
    feeds: Mapping[str, Iterable],
    local: Mapping[str, pd.DataFrame] | None = None,
    high: float = 0.01,
    medium: float = 0.05,
) -> pd.DataFrame:
    """Data-quality confidence for every KPI in ``feeds`` and every period end (the old way)."""
    rate(0, high, medium)  # check the thresholds once
    local = local or {}
    ends = [pd.Timestamp(p).normalize() for p in period_ends]
    rows = []
    cache: dict[tuple[str, str], tuple[pd.DataFrame, pd.Series]] = {}
    for kpi_id, kpi_feeds in feeds.items():
        kpi_feeds = tuple(kpi_feeds)
        for end in ends:
            worst = 0.0
            for feed in kpi_feeds:
                key = (feed.source, feed.table)
                if key not in cache:
                    df = _frame_of(feed, cin, cla, local)
                    if df is None and feed.source != "local":
                        raise KeyError(f"KPI {kpi_id}: no table {feed.source}.{feed.table}")
                    if df is None or not len(df):
                        cache[key] = (pd.DataFrame(), pd.Series(dtype=bool))
                    else:
                        cache[key] = (df, _in_error(df, feed, issues))
                df, bad = cache[key]
                if not len(df):
                    continue
                for m in _feeding(df, feed, end):
                    n = int(m.sum())
                    share = float((bad & m).sum()) / n if n else 0.0
                    worst = max(worst, share)
            rows.append((kpi_id, end, worst, rate(worst, high, medium)))
    out = pd.DataFrame(rows, columns=CONFIDENCE_COLUMNS)
    out["period_end"] = pd.to_datetime(out["period_end"]).astype("datetime64[ns]")
    out["dq_error_share"] = out["dq_error_share"].astype(np.float64)
    return out
