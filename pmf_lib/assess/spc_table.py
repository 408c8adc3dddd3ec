"""The month's SPC table: every KPI's chart points, limits, signals and verdicts, judged once.

Making Data Count's XmR chart assumes points at equal intervals that are
roughly independent of each other (``../shared/docs/spc-worked-examples.md``,
"Which series SPC applies to"). So each KPI is charted at its **cadence**
(:attr:`~pmf_lib.compute.registry.KpiMeta.cadence`), in its headline window
(:func:`~pmf_lib.assess.travel.headline_window`):

* ``monthly`` -- every month end (month windows or month-end snapshots): XmR.
* ``quarterly`` -- quarter windows at the quarter ends only (31 March, 30 June,
  30 September, 31 December): XmR. The quarter windows the KPI table holds at
  the other month ends overlap these by two months and are never SPC points.
* ``annual`` -- one point a year, at the month the annual return is as at
  (:attr:`~pmf_lib.compute.registry.KpiMeta.year_end`, 31 March for OC2 and
  OC3). The eleven month ends between returns repeat the figure and are never
  SPC points; with fewer than :data:`~pmf_lib.assess.spc.MIN_POINTS` years the
  chart is a year-on-year line with no limits and no verdict.
* ``rolling`` (and any ``rolling_12m`` or ``fytd`` headline window) -- a trend
  line of every month end with no limits, no rules and no verdict.

Within an XmR chart the rules of :func:`~pmf_lib.assess.spc.spc` apply: fewer
than 7 points in a (rebased) segment give no limits and no verdict; 7 to 11
give trial limits, labelled; a segment with no variation at all gets no limits;
each declared rebase (``spc.rebase`` in the config) starts a segment with its
own mean and limits.

:func:`spc_table` is published as ``outputs/YYYY-MM/spc.parquet`` (and
``.csv``). The assessed table's SPC columns are its ``latest`` rows, and every
chart draws from it; nothing else runs SPC. :func:`rebase_proposals` lists the
KPIs whose latest segment ends in a sustained shift, with the date a rebase
would start from, for the analyst to decide on.

Examples
--------
>>> import pandas as pd
>>> from pmf_lib.compute.registry import KpiMeta
>>> q = KpiMeta(id="q", title="Q", area="a", unit="count", polarity="neutral",
...             windows=("quarter",), source="s", definition="d", numerator="n",
...             cadence="quarterly")
>>> ends = pd.date_range("2023-01-31", "2026-10-31", freq="ME")
>>> t = pd.DataFrame({"kpi_id": "q", "window": "quarter", "period_end": ends,
...                   "value": [float(v % 7) for v in range(len(ends))],
...                   "numerator": 1.0, "denominator": float("nan")})
>>> c = kpi_spc(t, q, pd.Timestamp("2026-10-31"))
>>> sorted(set(c["period_end"].dt.month)), len(c), c["chart"].iloc[0]
([3, 6, 9, 12], 15, 'spc')
>>> str(c.loc[c["latest"], "period_end"].iloc[0].date())
'2026-09-30'
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from pmf_lib.assess.spc import (
    MIN_POINTS,
    NOTE_FEW_POINTS,
    SHIFT_POINTS,
    SpcOptions,
    spc,
    variation_icon,
)
from pmf_lib.assess.targets import Targets
from pmf_lib.assess.travel import cadence_of, headline_window
from pmf_lib.compute.registry import KpiMeta
from pmf_lib.dates import month_end as _month_end
from pmf_lib.errors import PmfError

CHART_SPC = "spc"
"""An XmR chart: independent points, mean and limits, signals and verdicts."""
CHART_TREND = "trend"
"""A trend line: no limits, no rules, no verdict (rolling windows, too few points)."""
QUARTER_END_MONTHS = (3, 6, 9, 12)
"""The months a quarterly KPI is charted at (the quarters do not overlap)."""
INDEPENDENT_WINDOWS = ("month", "snapshot", "quarter")
"""Windows whose points, taken at the KPI's cadence, do not overlap."""
NOTE_ROLLING = "the points are rolling windows that overlap"

SPC_TABLE_COLUMNS = [
    "kpi_id",
    "window",
    "cadence",
    "chart",
    "period_end",
    "value",
    "target",
    "segment",
    "segment_start",
    "points",
    "mean",
    "upper",
    "lower",
    "close_upper",
    "close_lower",
    "trial",
    "close",
    "rule",
    "special_cause",
    "direction",
    "verdict",
    "note",
    "latest",
]
"""Columns of the SPC table, one row per KPI and chart point.

``chart`` is :data:`CHART_SPC` or :data:`CHART_TREND` for the whole KPI;
``segment`` numbers the rebased periods (0, 1, ...) and ``segment_start`` is the
first point of the point's segment; ``points`` counts its segment's non-missing
points; ``mean`` to ``close_lower`` are its segment's (NaN with no limits);
``rule`` is the first special-cause rule that applies or ``common_cause`` (NaN
with no SPC); ``verdict`` is the variation icon (``special cause improvement``,
``special cause concern``, ``special cause high``/``low`` for a neutral KPI,
``common cause``; NaN with no SPC); ``note`` says why a point has no SPC;
``latest`` marks the point the assessed table's SPC columns describe
(:func:`latest_point`; none when that point is missing).
"""


def _series(t: pd.DataFrame, kpi_id: str, window: str, end: pd.Timestamp) -> pd.Series:
    rows = t[(t["kpi_id"] == kpi_id) & (t["window"] == window) & (t["period_end"] <= end)]
    return pd.Series(
        rows["value"].to_numpy(dtype="float64"), index=pd.DatetimeIndex(rows["period_end"])
    ).sort_index()


def chart_points(t: pd.DataFrame, meta: KpiMeta, end) -> tuple[str, str, pd.Series]:
    """The KPI's headline window, chart kind and the points it is charted on, up to ``end``.

    Returns
    -------
    (window, kind, series)
        ``kind`` is :data:`CHART_SPC` when the points are independent (the
        KPI's cadence in a non-overlapping window), else :data:`CHART_TREND`.

    Examples
    --------
    >>> import pandas as pd
    >>> from pmf_lib.compute.registry import KpiMeta
    >>> a = KpiMeta(id="a", title="A", area="a", unit="percent", polarity="higher_is_better",
    ...             windows=("snapshot",), source="OC2", definition="d", numerator="n",
    ...             cadence="annual")
    >>> ends = pd.date_range("2023-11-30", "2026-10-31", freq="ME")
    >>> t = pd.DataFrame({"kpi_id": "a", "window": "snapshot", "period_end": ends,
    ...                   "value": 90.0, "numerator": 9.0, "denominator": 10.0})
    >>> window, kind, s = chart_points(t, a, "2026-10-31")
    >>> window, kind, [str(d.date()) for d in s.index]
    ('snapshot', 'spc', ['2024-03-31', '2025-03-31', '2026-03-31'])
    """
    end = _month_end(end)
    window = headline_window(meta)
    cadence = cadence_of(meta)
    s = _series(t, meta.id, window, end)
    if window not in INDEPENDENT_WINDOWS or cadence == "rolling":
        return window, CHART_TREND, s
    months = s.index.month
    if cadence == "quarterly":
        s = s[np.isin(months, QUARTER_END_MONTHS)]
    elif cadence == "annual":
        s = s[months == meta.year_end]
    return window, CHART_SPC, s


def latest_point(meta: KpiMeta, end, window: str | None = None) -> pd.Timestamp:
    """The period end of the latest point a KPI's chart should have at ``end``.

    The month end itself for a monthly or rolling chart; the last quarter end on
    or before it for a quarterly KPI; the last ``year_end`` month end for an
    annual one. A chart whose last point is older (a missing month) has no
    latest point, so no SPC verdict for the month.

    Examples
    --------
    >>> from pmf_lib.compute.registry import KpiMeta
    >>> q = KpiMeta(id="q", title="Q", area="a", unit="count", polarity="neutral",
    ...             windows=("quarter",), source="s", definition="d", numerator="n",
    ...             cadence="quarterly")
    >>> str(latest_point(q, "2026-10-31").date()), str(latest_point(q, "2026-12-31").date())
    ('2026-09-30', '2026-12-31')
    """
    end = _month_end(end)
    window = window or headline_window(meta)
    cadence = cadence_of(meta)
    if window not in INDEPENDENT_WINDOWS or cadence in ("monthly", "rolling"):
        return end
    months = QUARTER_END_MONTHS if cadence == "quarterly" else (meta.year_end,)
    back = min((end.month - m) % 12 for m in months)
    return (end.replace(day=1) - pd.DateOffset(months=back) + pd.offsets.MonthEnd(0)).normalize()


def kpi_spc(
    t: pd.DataFrame,
    meta: KpiMeta,
    end,
    options: SpcOptions | None = None,
    targets: Targets | None = None,
) -> pd.DataFrame:
    """One KPI's chart: a row per point up to ``end``, columns :data:`SPC_TABLE_COLUMNS`.

    ``t`` is the tidy KPI table with ``period_end`` as timestamps. A KPI with no
    rows gives an empty frame. Targets, when given, add the target in force at
    each point (for the chart's target line).

    Examples
    --------
    >>> import pandas as pd
    >>> from pmf_lib.compute.registry import KpiMeta
    >>> r = KpiMeta(id="r", title="R", area="a", unit="rate_10k", polarity="neutral",
    ...             windows=("rolling_12m",), source="s", definition="d", numerator="n",
    ...             cadence="rolling")
    >>> t = pd.DataFrame({"kpi_id": "r", "window": "rolling_12m",
    ...                   "period_end": pd.date_range("2024-01-31", periods=14, freq="ME"),
    ...                   "value": [float(v) for v in range(14)], "numerator": 1.0,
    ...                   "denominator": 1.0})
    >>> c = kpi_spc(t, r, "2025-02-28")
    >>> c["chart"].iloc[0], bool(c["upper"].isna().all()), bool(c["rule"].isna().all())
    ('trend', True, True)
    """
    end = _month_end(end)
    options = options or SpcOptions()
    window, kind, s = chart_points(t, meta, end)
    cadence = cadence_of(meta)
    n = len(s)
    if kind == CHART_SPC and n:
        c = spc(
            s,
            rebase_dates=options.rebase_dates(meta.id),
            baseline_points=options.baseline_points,
            screen_outliers=options.screen_outliers,
        )
        if c["upper"].isna().all():
            kind = CHART_TREND  # too few points or no variation in every segment
        if cadence in ("quarterly", "annual"):  # say what the points are
            few = NOTE_FEW_POINTS.format(n=MIN_POINTS)
            each = "quarterly" if cadence == "quarterly" else "yearly"
            c["note"] = c["note"].replace(few, few.replace("points", f"{each} points"))
    else:
        c = pd.DataFrame(
            {
                "value": s.to_numpy(dtype="float64"),
                "segment": np.zeros(n, dtype="int64"),
                **{k: np.full(n, np.nan) for k in ("mean", "upper", "lower")},
                **{k: np.full(n, np.nan) for k in ("close_upper", "close_lower")},
                "trial": np.zeros(n, dtype=bool),
                "close": np.zeros(n, dtype=bool),
                "rule": np.full(n, None, dtype=object),
                "special_cause": np.zeros(n, dtype=bool),
                "direction": np.full(n, None, dtype=object),
                "note": NOTE_ROLLING
                if window not in INDEPENDENT_WINDOWS or cadence == "rolling"
                else None,
            },
            index=s.index,
        )
    out = c.reset_index(names="period_end")
    out.insert(0, "kpi_id", meta.id)
    out.insert(1, "window", window)
    out.insert(2, "cadence", cadence)
    out.insert(3, "chart", kind)
    present = out["value"].notna()
    out["points"] = present.groupby(out["segment"]).transform("sum").astype("int64")
    out["segment_start"] = out.groupby("segment")["period_end"].transform("min")
    out["verdict"] = [
        None if pd.isna(r["rule"]) else variation_icon(r, meta.polarity)
        for _, r in out[["rule", "special_cause", "direction"]].iterrows()
    ]
    out["target"] = [_target_at(targets, meta.id, pe) for pe in out["period_end"]]
    out["latest"] = out["period_end"] == latest_point(meta, end, window)
    for col in ("rule", "direction", "verdict", "note"):
        out[col] = out[col].astype("str").where(out[col].notna())
    return out[SPC_TABLE_COLUMNS]


def _target_at(targets: Targets | None, kpi_id: str, when) -> float:
    if targets is None:
        return float("nan")
    p = targets.target_in_force(kpi_id, when)
    return float("nan") if p is None or p.target is None else float(p.target)


def spc_table(
    kpi_table: pd.DataFrame,
    metas: Mapping[str, KpiMeta],
    month_end,
    targets: Targets | None = None,
    spc_options: SpcOptions | None = None,
) -> pd.DataFrame:
    """The month's SPC table: :func:`kpi_spc` for every KPI in ``metas``, stacked.

    Parameters
    ----------
    kpi_table : pandas.DataFrame
        The tidy KPI table (``kpi_id, period_end, window, value, ...``).
    metas : mapping of KPI id to KpiMeta
    month_end : date-like or ``YYYY-MM``
        The last month charted.
    targets : Targets, optional
        Adds each point's target in force.
    spc_options : SpcOptions, optional
        Baseline, screening and rebase dates.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SPC_TABLE_COLUMNS`, KPIs in ``metas`` order, points in
        time order.
    """
    end = _month_end(month_end)
    missing = [c for c in ("kpi_id", "period_end", "window", "value") if c not in kpi_table]
    if missing:
        raise PmfError(f"the KPI table lacks column(s) {', '.join(missing)}", field=missing[0])
    t = kpi_table.assign(period_end=pd.to_datetime(kpi_table["period_end"]).dt.normalize())
    parts = [kpi_spc(t, m, end, spc_options, targets) for m in metas.values()]
    parts = [p for p in parts if len(p)]
    if not parts:
        return _empty()
    out = pd.concat(parts, ignore_index=True)
    for col in ("kpi_id", "window", "cadence", "chart"):
        out[col] = out[col].astype("str")
    return out


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in SPC_TABLE_COLUMNS})


REBASE_PROPOSAL_COLUMNS = [
    "kpi_id",
    "window",
    "cadence",
    "segment_start",
    "shift_from",
    "rebase_from",
    "points",
    "side",
    "segment_mean",
    "reason",
]


def rebase_proposals(table: pd.DataFrame) -> pd.DataFrame:
    """KPIs whose latest segment ends in a sustained shift, with a proposed rebase date.

    A shift (Making Data Count's run rule: at least 7 consecutive points on one
    side of the mean) that runs up to the latest point, and began after the
    segment's first point, suggests the process changed: limits that span the
    change flag every point either side of it. The proposal starts the new
    segment at the first point of the shift (``rebase_from`` is the day after
    the point before it, the form ``spc.rebase`` takes). The analyst decides:
    a rebase is declared only where the change is known (a new process, a
    restructure), never to make a signal go away.

    Parameters
    ----------
    table : pandas.DataFrame
        The SPC table (:func:`spc_table`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`REBASE_PROPOSAL_COLUMNS`, one row per KPI proposed.

    Examples
    --------
    >>> import pandas as pd
    >>> from pmf_lib.compute.registry import KpiMeta
    >>> m = KpiMeta(id="p", title="P", area="a", unit="percent", polarity="higher_is_better",
    ...             windows=("month",), source="s", definition="d", numerator="n",
    ...             cadence="monthly")
    >>> ends = pd.date_range("2024-01-31", periods=24, freq="ME")
    >>> t = pd.DataFrame({"kpi_id": "p", "window": "month", "period_end": ends,
    ...                   "value": [85.0, 84.0] * 8 + [60.0, 61.0] * 4})
    >>> p = rebase_proposals(spc_table(t, {"p": m}, "2025-12"))
    >>> p[["kpi_id", "rebase_from", "points", "side"]].to_dict("records")
    [{'kpi_id': 'p', 'rebase_from': Timestamp('2025-05-01 00:00:00'), 'points': 8, 'side': 'below'}]
    """
    rows = []
    if table.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in REBASE_PROPOSAL_COLUMNS})
    for kpi_id, c in table.groupby("kpi_id", sort=False):
        if c["chart"].iloc[0] != CHART_SPC:
            continue
        last_seg = c[c["segment"] == c["segment"].max()]
        seg = last_seg[last_seg["value"].notna()]
        if seg.empty or pd.isna(seg["mean"].iloc[-1]):
            continue
        side = np.sign(seg["value"].to_numpy() - seg["mean"].to_numpy())
        run = 0
        for v in side[::-1]:
            if v == 0 or v != side[-1]:
                break
            run += 1
        if run < SHIFT_POINTS or run == len(seg):
            continue
        first = seg.iloc[len(seg) - run]
        # The day after the row before the shift (a missing month in between goes with it).
        before = last_seg.loc[last_seg["period_end"] < first["period_end"], "period_end"].max()
        where = "above" if side[-1] > 0 else "below"
        rows.append(
            {
                "kpi_id": kpi_id,
                "window": first["window"],
                "cadence": first["cadence"],
                "segment_start": first["segment_start"],
                "shift_from": first["period_end"],
                "rebase_from": before + pd.Timedelta(days=1),
                "points": run,
                "side": where,
                "segment_mean": float(first["mean"]),
                "reason": (
                    f"the last {run} points, from {first['period_end']:%b %Y}, are all {where} "
                    f"the mean of the segment that began {first['segment_start']:%b %Y}: "
                    "a sustained shift"
                ),
            }
        )
    return pd.DataFrame(rows, columns=REBASE_PROPOSAL_COLUMNS)


NOTE_WITHHELD = "limits withheld: a figure in the series is withheld (small numbers)"


def suppress_spc_table(table: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """The SPC table as a members' or public output shows it.

    ``history`` is the suppressed KPI history (a ``suppressed`` flag per
    ``kpi_id, window, period_end``; see :mod:`pmf_lib.assess.disclosure`). A
    withheld point loses its value and verdict. A KPI with any withheld figure in
    its charted series up to the month loses its mean and limits (the mean times
    the points, less the shown points, would state the withheld one), as the
    assessed table's SPC figures do; its chart becomes a trend line saying why.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"kpi_id": "k", "window": "month", "chart": "spc",
    ...                   "period_end": pd.to_datetime(["2026-09-30", "2026-10-31"]),
    ...                   "value": [3.0, 9.0], "mean": 6.0, "upper": 14.0, "lower": -2.0,
    ...                   "close_upper": 1.0, "close_lower": 1.0, "rule": "common_cause",
    ...                   "verdict": "common cause", "direction": None,
    ...                   "special_cause": False, "note": None})
    >>> h = t[["kpi_id", "window", "period_end"]].assign(suppressed=[True, False])
    >>> s = suppress_spc_table(t, h)
    >>> s["value"].tolist()[0], bool(s["mean"].isna().all()), s["chart"].iloc[1]
    (nan, True, 'trend')
    """
    if table.empty or "suppressed" not in history:
        return table
    h = history[history["suppressed"].fillna(False).astype(bool)]
    hidden = set(
        zip(h["kpi_id"], h["window"], pd.to_datetime(h["period_end"]).dt.normalize(), strict=True)
    )
    if not hidden:
        return table
    out = table.copy()
    ends = pd.to_datetime(out["period_end"]).dt.normalize()
    keys = list(zip(out["kpi_id"], out["window"], ends, strict=True))
    point = pd.Series([k in hidden for k in keys], index=out.index)
    out.loc[point, "value"] = np.nan
    for col in ("rule", "verdict", "direction"):
        out[col] = out[col].astype(object)
        out.loc[point, col] = None
    out.loc[point, "special_cause"] = False
    series = {(k, w) for k, w, _ in hidden}
    last = out.groupby("kpi_id")["period_end"].transform("max")
    affected = set()
    for kid, window, when in hidden:
        sel = (out["kpi_id"] == kid) & (out["window"] == window) & (last >= when)
        if sel.any():
            affected.add((kid, window))
    pairs = zip(out["kpi_id"], out["window"], strict=True)
    blank = pd.Series([p in affected and p in series for p in pairs], index=out.index)
    for col in ("mean", "upper", "lower", "close_upper", "close_lower"):
        out.loc[blank, col] = np.nan
    out["note"] = out["note"].astype(object)
    out.loc[blank, "note"] = NOTE_WITHHELD
    out.loc[blank, "chart"] = CHART_TREND
    for col in ("rule", "verdict", "direction", "note"):
        out[col] = out[col].astype("str").where(out[col].notna())
    return out
