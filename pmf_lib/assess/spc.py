"""Statistical process control as NHS England's *Making Data Count* (XmR charts).

Everything here is a pure function of a series of values in time order
(``period_end`` index). The rules, their precedence and the icons follow the
Making Data Count guidance as the NHS-R community's ``NHSRplotthedots`` package
implements it (see ``../shared/docs/spc-worked-examples.md``):

* **Limits.** Centre line = mean of the baseline points; moving range
  ``|x[i] - x[i-1]|`` over the baseline points, ``mR̄`` its mean; process limits
  ``mean ± 2.66 × mR̄``; the "close to a limit" band lies beyond
  ``mean ± (2/3 × 2.66) × mR̄`` but not beyond the limit itself. Moving-range
  screening (drop moving ranges ``≥ 3.267 × mR̄`` and recompute ``mR̄`` once) is an
  option, off by default as in the Making Data Count spreadsheet.
* **Rules, in precedence order** (a point takes the first that applies):
  1. ``outside_limits`` – strictly above the upper or below the lower limit;
  2. ``trend`` – 7 points each strictly above (or each strictly below) the one
     before; a tie breaks it; all 7 are flagged;
  3. ``two_of_three`` – in 3 consecutive points, at least 2 in the close band
     and all 3 on the same side of the mean; the points in the band are flagged;
  4. ``shift`` – 7 consecutive points on the same side of the mean; a point on
     the mean breaks it; all 7 are flagged.
  Otherwise ``common_cause``.
* **Segments.** An analyst may rebase the chart on given dates: each segment
  (from one rebase date to the next) has its own mean and limits, fixed from its
  first ``baseline_points`` points (all of its points by default). Rules run
  within a segment, never across a rebase. A baseline of fewer than 12 points
  gives *trial limits*, which the result says so the chart can say so too.
* **Too few points, or no variation: no SPC at all.** A segment with fewer than
  :data:`MIN_POINTS` (7) non-missing points gets no limits and no rule (its
  points' ``rule`` is missing and ``note`` says why): the shift and trend rules
  need 7 points, and limits from fewer say nothing a reader can rely on. A
  segment whose points are all equal (mean moving range 0) gets no limits either:
  limits of "11 to 11" are not an expected range, and a stretch held constant by
  a data refresh cycle is not a process signal.
* **Missing values** (a month with an empty denominator) are left out of the
  limits and the rules: moving ranges join the neighbouring non-missing points.
  They keep their row in the result, with no rule.

Examples
--------
>>> import pandas as pd
>>> s = pd.Series([1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1],
...               index=pd.date_range("2024-01-31", periods=18, freq="ME"))
>>> lim = xmr_limits(s)
>>> round(lim.lower, 2), round(lim.mean, 2), round(lim.upper, 2)
(-3.06, 1.94, 6.95)
>>> chart = spc(s)
>>> chart.loc[chart["special_cause"], ["value", "rule", "direction"]].to_dict("records")
[{'value': 10.0, 'rule': 'outside_limits', 'direction': 'high'}]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SCALING = 2.66
"""Limits are the mean ± 2.66 × the mean moving range (3 sigma for an XmR chart)."""
CLOSE_FRACTION = 2.0 / 3.0
"""The "close to a limit" band starts two-thirds of the way from the mean to a limit."""
SCREEN_FACTOR = 3.267
"""Moving ranges at or above 3.267 × mR̄ are screened out when screening is on."""
MIN_BASELINE = 12
"""A baseline of fewer points than this gives trial limits."""
MIN_POINTS = 7
"""A segment with fewer non-missing points than this gets no limits and no SPC verdict.

Seven is the number of points the shift and trend rules need; with fewer, only the
outside-limits rule could fire, on limits from a handful of moving ranges. From 7 to
11 points a segment has trial limits (:data:`MIN_BASELINE`), labelled as such."""
NOTE_FEW_POINTS = "fewer than {n} points"
NOTE_NO_VARIATION = "no variation (every point the same)"
TREND_POINTS = 7
SHIFT_POINTS = 7

RULES = ("outside_limits", "trend", "two_of_three", "shift")
"""Special-cause rules in precedence order."""
COMMON_CAUSE = "common_cause"

# Variation icon labels.
IMPROVEMENT = "special cause improvement"
CONCERN = "special cause concern"
COMMON = "common cause"
NEUTRAL_HIGH = "special cause high"
NEUTRAL_LOW = "special cause low"
# Assurance icon labels.
PASSING = "consistently passing"
FAILING = "consistently failing"
HIT_AND_MISS = "hit and miss"

SPC_COLUMNS = [
    "value",
    "segment",
    "baseline",
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
    "note",
]
"""Columns of the per-point result of :func:`spc`."""


@dataclass(frozen=True)
class Limits:
    """The centre line and limits of one XmR segment.

    Attributes
    ----------
    mean, mr_bar : float
        Centre line and mean moving range (after screening, if on).
    upper, lower : float
        Process limits ``mean ± 2.66 × mr_bar``.
    close_upper, close_lower : float
        Edges of the "close to a limit" band, ``mean ± (2/3 × 2.66) × mr_bar``.
    n_baseline : int
        Non-missing points the limits were computed from.
    trial : bool
        True when ``n_baseline`` is below :data:`MIN_BASELINE` (trial limits).
    screened : bool
        Whether moving-range screening was applied.
    """

    mean: float
    mr_bar: float
    upper: float
    lower: float
    close_upper: float
    close_lower: float
    n_baseline: int
    trial: bool
    screened: bool = False

    @property
    def valid(self) -> bool:
        """Whether the limits are numbers (at least two baseline points)."""
        return bool(np.isfinite(self.upper) and np.isfinite(self.lower))


def _as_float_array(values) -> np.ndarray:
    return np.asarray(pd.Series(values, dtype="float64").to_numpy(), dtype="float64")


def xmr_limits(values, baseline_points: int | None = None, screen_outliers: bool = False) -> Limits:
    """XmR limits from the first ``baseline_points`` non-missing values.

    Parameters
    ----------
    values : array-like of float
        The series in time order; missing values are skipped.
    baseline_points : int, optional
        Use only the first this-many non-missing values (default: all).
    screen_outliers : bool
        Drop moving ranges ``≥ 3.267 × mR̄`` and recompute ``mR̄`` once (off by
        default, as in the Making Data Count spreadsheet).

    Returns
    -------
    Limits
        With NaN limits when fewer than two points are available.

    Examples
    --------
    >>> data = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    >>> lim = xmr_limits(data, screen_outliers=True)
    >>> round(lim.lower, 2), round(lim.mean, 2), round(lim.upper, 2), lim.trial
    (-0.72, 1.94, 4.6, False)
    >>> xmr_limits([5, 7, 6], baseline_points=12).trial
    True
    """
    x = _as_float_array(values)
    x = x[~np.isnan(x)]
    if baseline_points is not None:
        if baseline_points < 2:
            raise ValueError(f"baseline_points must be at least 2 (got {baseline_points})")
        x = x[:baseline_points]
    n = len(x)
    nan = float("nan")
    if n < 2:
        mean = float(x.mean()) if n else nan
        return Limits(mean, nan, nan, nan, nan, nan, n, True, screen_outliers)
    # An exactly-rounded sum; a constant baseline's mean is its value exactly, so no
    # point of a flat series sits a rounding error off its own mean.
    mean = float(x[0]) if np.all(x == x[0]) else math.fsum(x) / n
    mr = np.abs(np.diff(x))
    mr_bar = math.fsum(mr) / len(mr)
    if screen_outliers:
        kept = mr[mr < SCREEN_FACTOR * mr_bar]
        mr_bar = math.fsum(kept) / len(kept) if len(kept) else mr_bar
    half = SCALING * mr_bar
    close = CLOSE_FRACTION * half
    return Limits(
        mean=mean,
        mr_bar=mr_bar,
        upper=mean + half,
        lower=mean - half,
        close_upper=mean + close,
        close_lower=mean - close,
        n_baseline=n,
        trial=n < MIN_BASELINE,
        screened=screen_outliers,
    )


# --------------------------------------------------------------------------- runs


def run_ends(codes, length: int) -> np.ndarray:
    """Where a run of ``length`` equal non-zero codes ends.

    ``codes`` are +1/−1/0 per position (0 never belongs to a run). Position i is
    True when ``codes[i-length+1 .. i]`` are all equal and non-zero.

    Examples
    --------
    >>> run_ends([1, 1, 1, 1, 1, 1, 1, 1, -1], 7).astype(int).tolist()
    [0, 0, 0, 0, 0, 0, 1, 1, 0]
    """
    c = np.asarray(codes, dtype="int64")
    out = np.zeros(len(c), dtype=bool)
    run = 0
    for i in range(len(c)):
        if c[i] != 0 and i > 0 and c[i] == c[i - 1]:
            run += 1
        else:
            run = 1 if c[i] != 0 else 0
        out[i] = run >= length
    return out


def part_of_runs(ends, length: int) -> np.ndarray:
    """Every position covered by a run that ends at a True position of ``ends``.

    Examples
    --------
    >>> part_of_runs([0, 0, 0, 0, 0, 0, 1, 1, 0], 7).astype(int).tolist()
    [1, 1, 1, 1, 1, 1, 1, 1, 0]
    """
    e = np.asarray(ends, dtype=bool)
    out = np.zeros(len(e), dtype=bool)
    for i in np.flatnonzero(e):
        out[max(0, i - length + 1) : i + 1] = True
    return out


def sides(values, mean) -> np.ndarray:
    """+1 above the mean, −1 below, 0 on it (or missing), element-wise."""
    x = _as_float_array(values)
    m = np.broadcast_to(np.asarray(mean, dtype="float64"), x.shape)
    with np.errstate(invalid="ignore"):
        s = np.sign(x - m)
    return np.nan_to_num(s, nan=0.0).astype("int64")


# --------------------------------------------------------------------------- rules
# Each rule returns an int8 array per point: +1 flagged high, -1 flagged low, 0 not.


def rule_outside_limits(values, upper, lower) -> np.ndarray:
    """+1 strictly above ``upper``, −1 strictly below ``lower`` (a point on a limit is inside).

    Examples
    --------
    >>> rule_outside_limits([5, 6, 7, 3, 2], upper=6, lower=3).tolist()
    [0, 0, 1, 0, -1]
    """
    x = _as_float_array(values)
    with np.errstate(invalid="ignore"):
        high = x > np.asarray(upper, dtype="float64")
        low = x < np.asarray(lower, dtype="float64")
    return (high.astype("int8") - low.astype("int8")).astype("int8")


def rule_trend(values, length: int = TREND_POINTS) -> np.ndarray:
    """+1 for points in a rising trend of ``length`` points, −1 in a falling one.

    Each point of the trend is strictly above (below) the one before; a tie or a
    missing value breaks it. A point at the turn of a rise and a fall takes the
    earlier trend.

    Examples
    --------
    >>> rule_trend([1, 2, 3, 4, 5, 6, 7]).tolist()
    [1, 1, 1, 1, 1, 1, 1]
    >>> rule_trend([1, 2, 3, 3, 4, 5, 6]).tolist()
    [0, 0, 0, 0, 0, 0, 0]
    >>> rule_trend([2, 1, 2, 3, 4, 5, 6, 7, 3]).tolist()
    [0, 1, 1, 1, 1, 1, 1, 1, 0]
    """
    x = _as_float_array(values)
    steps = np.zeros(len(x), dtype="int64")
    if len(x) > 1:
        with np.errstate(invalid="ignore"):
            d = np.sign(np.diff(x))
        steps[1:] = np.nan_to_num(d, nan=0.0).astype("int64")
    # A run of (length - 1) equal steps ending at i completes a trend at i.
    ends = run_ends(steps, length - 1)
    out = np.zeros(len(x), dtype="int8")
    for i in np.flatnonzero(ends):
        span = slice(max(0, i - length + 1), i + 1)
        seg = out[span]
        seg[seg == 0] = steps[i]
    return out


def two_of_three_from_flags(close, side) -> np.ndarray:
    """The two-of-three rule from per-point "close" flags and sides of the mean.

    Parameters
    ----------
    close : array-like of bool
        Whether each point lies in the close band (beyond two-thirds of the way
        to a limit but not beyond the limit).
    side : array-like of int
        +1 above the mean, −1 below, 0 on it.

    Returns
    -------
    numpy.ndarray of int8
        The side (+1/−1) for each close point in some window of 3 consecutive
        points with at least 2 close points all on the same side; else 0.

    Examples
    --------
    >>> two_of_three_from_flags([0, 0, 1, 1, 0, 0, 0], [1] * 7).tolist()
    [0, 0, 1, 1, 0, 0, 0]
    >>> two_of_three_from_flags([1, 0, 1], [1, -1, 1]).tolist()
    [0, 0, 0]
    """
    c = np.asarray(close, dtype=bool)
    s = np.asarray(side, dtype="int64")
    out = np.zeros(len(c), dtype="int8")
    for i in range(len(c) - 2):
        w = slice(i, i + 3)
        same_side = s[i] != 0 and bool(np.all(s[w] == s[i]))
        if same_side and c[w].sum() >= 2:
            idx = np.arange(i, i + 3)[c[w]]
            out[idx] = s[i]
    return out


def close_flags(values, mean, upper, lower, close_upper, close_lower) -> np.ndarray:
    """Whether each point is in the close band: beyond 2/3 of the way to a limit, not beyond it.

    Examples
    --------
    >>> close_flags([10, 14, 15, 16, 5], 10, 15, 5, 13, 7).astype(int).tolist()
    [0, 1, 1, 0, 1]
    """
    x = _as_float_array(values)
    with np.errstate(invalid="ignore"):
        up = (x > np.asarray(close_upper, dtype="float64")) & (x <= np.asarray(upper, "float64"))
        lo = (x < np.asarray(close_lower, dtype="float64")) & (x >= np.asarray(lower, "float64"))
    return up | lo


def rule_two_of_three(values, mean, upper, lower, close_upper, close_lower) -> np.ndarray:
    """+1/−1 for close points flagged by two-of-three (see :func:`two_of_three_from_flags`).

    Examples
    --------
    >>> rule_two_of_three([10, 14, 11, 14, 10, 10], 10, 15, 5, 13, 7).tolist()
    [0, 1, 0, 1, 0, 0]
    """
    c = close_flags(values, mean, upper, lower, close_upper, close_lower)
    return two_of_three_from_flags(c, sides(values, mean))


def shift_from_sides(side, length: int = SHIFT_POINTS) -> np.ndarray:
    """+1/−1 for points in a run of ``length`` on one side of the mean (0 breaks a run).

    Examples
    --------
    >>> shift_from_sides([1, 1, 1, 1, 1, 1, 1, 1, -1]).tolist()
    [1, 1, 1, 1, 1, 1, 1, 1, 0]
    """
    s = np.asarray(side, dtype="int64")
    part = part_of_runs(run_ends(s, length), length)
    return np.where(part, s, 0).astype("int8")


def rule_shift(values, mean, length: int = SHIFT_POINTS) -> np.ndarray:
    """+1/−1 for points in a shift: ``length`` consecutive points on one side of the mean.

    Examples
    --------
    >>> rule_shift([6, 6, 7, 6, 8, 6, 9, 5], mean=5).tolist()
    [1, 1, 1, 1, 1, 1, 1, 0]
    """
    return shift_from_sides(sides(values, mean), length)


def apply_rules(values, limits: Limits) -> pd.DataFrame:
    """Every rule on one segment and the precedence between them.

    Parameters
    ----------
    values : array-like of float
        The segment's non-missing values in time order.
    limits : Limits
        The segment's limits.

    Returns
    -------
    pandas.DataFrame
        Per point: ``close`` (bool), one int column per rule in :data:`RULES`
        (+1/−1/0), ``rule`` (the first that applies, else ``common_cause``),
        ``special_cause`` and ``direction`` (``high``/``low``/None).

    Examples
    --------
    >>> lim = xmr_limits([1, 9, 1, 9, 1, 9, 1, 9])  # mean 5, mR̄ 8: limits -16.28 to 26.28
    >>> r = apply_rules([1, 2, 3, 4, 5, 6, 7, 30], lim)
    >>> r["rule"].tolist()
    ['trend', 'trend', 'trend', 'trend', 'trend', 'trend', 'trend', 'outside_limits']
    """
    x = _as_float_array(values)
    n = len(x)
    frame = pd.DataFrame(index=range(n))
    if not limits.valid:
        frame["close"] = False
        for r in RULES:
            frame[r] = np.zeros(n, dtype="int8")
    else:
        lim = (limits.upper, limits.lower, limits.close_upper, limits.close_lower)
        frame["close"] = close_flags(x, limits.mean, *lim)
        frame["outside_limits"] = rule_outside_limits(x, limits.upper, limits.lower)
        frame["trend"] = rule_trend(x)
        frame["two_of_three"] = rule_two_of_three(x, limits.mean, *lim)
        frame["shift"] = rule_shift(x, limits.mean)
    rule = np.full(n, COMMON_CAUSE, dtype=object)
    direction = np.full(n, None, dtype=object)
    for r in reversed(RULES):  # later assignments (earlier rules) win
        hit = frame[r].to_numpy() != 0
        rule[hit] = r
        direction[hit] = np.where(frame[r].to_numpy()[hit] > 0, "high", "low")
    frame["rule"] = rule
    frame["special_cause"] = rule != COMMON_CAUSE
    frame["direction"] = direction
    return frame


# --------------------------------------------------------------------------- charts


@dataclass(frozen=True)
class SpcOptions:
    """How SPC is run for each KPI.

    Attributes
    ----------
    baseline_points : int, optional
        Fix each segment's limits from its first this-many points (default:
        all points of the segment). Fewer than 12 gives trial limits.
    screen_outliers : bool
        Moving-range screening (off by default, as the spreadsheet).
    rebase : mapping of KPI id to dates
        Analyst-set rebase dates: a new segment starts at the first point on or
        after each date.

    Examples
    --------
    >>> SpcOptions(rebase={"cla_count": ["2024-04-01"]}).rebase_dates("cla_count")
    [Timestamp('2024-04-01 00:00:00')]
    """

    baseline_points: int | None = None
    screen_outliers: bool = False
    rebase: Mapping[str, Sequence] = field(default_factory=dict)

    def rebase_dates(self, kpi_id: str) -> list[pd.Timestamp]:
        """The KPI's rebase dates as sorted timestamps."""
        return sorted(pd.Timestamp(d) for d in self.rebase.get(kpi_id, ()))


def spc(
    series: pd.Series,
    rebase_dates: Iterable = (),
    baseline_points: int | None = None,
    screen_outliers: bool = False,
    min_points: int = MIN_POINTS,
) -> pd.DataFrame:
    """The XmR chart of a series: limits, rules and flags for every point.

    Parameters
    ----------
    series : pandas.Series
        Values indexed by ``period_end`` (sorted here); missing values keep
        their row but take no part.
    rebase_dates : iterable of dates
        A new segment, with its own limits, starts at the first point on or
        after each date.
    baseline_points : int, optional
        Fix each segment's limits from its first this-many non-missing points.
    screen_outliers : bool
        Moving-range screening (see :func:`xmr_limits`).
    min_points : int
        A segment with fewer non-missing points gets no limits and no rule
        (default :data:`MIN_POINTS`).

    Returns
    -------
    pandas.DataFrame
        Indexed like the sorted series, columns :data:`SPC_COLUMNS`: ``segment``
        (0, 1, …), ``baseline`` (whether the point was in its segment's
        baseline), ``mean``/``upper``/``lower``/``close_upper``/``close_lower``
        (its segment's; NaN when the segment gets no SPC), ``trial`` (trial
        limits), ``close``, ``rule`` (NaN for a missing value or a segment with
        no SPC), ``special_cause``, ``direction`` (``high``/``low``) and ``note``
        (why a segment gets no SPC: too few points or no variation; else NaN).

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.date_range("2023-01-31", periods=14, freq="ME")
    >>> s = pd.Series([5.0] * 7 + [9.0] * 7, index=idx)
    >>> c = spc(s + [0, 1] * 7, rebase_dates=["2023-08-01"])
    >>> c["segment"].tolist() == [0] * 7 + [1] * 7, c["mean"].round(2).unique().tolist()
    (True, [5.43, 9.57])
    >>> bool(c["trial"].all()), c["rule"].iloc[-1]
    (True, 'common_cause')

    A constant series gets no limits and no verdict:

    >>> flat = spc(pd.Series([11.0] * 14, index=idx))
    >>> bool(flat["upper"].isna().all()), bool(flat["rule"].isna().all()), flat["note"].iloc[0]
    (True, True, 'no variation (every point the same)')
    """
    s = pd.Series(series, dtype="float64").sort_index()
    if s.index.has_duplicates:
        raise ValueError("the series has more than one value for a period")
    idx = pd.DatetimeIndex(s.index) if len(s) else pd.DatetimeIndex([])
    segment = np.zeros(len(s), dtype="int64")
    for d in sorted(pd.Timestamp(d) for d in rebase_dates):
        segment += (idx >= d).astype("int64")
    values = s.to_numpy(dtype="float64")
    n = len(values)
    cols: dict[str, np.ndarray] = {
        "value": values,
        "segment": segment,
        "baseline": np.zeros(n, dtype=bool),
        **{c: np.full(n, np.nan) for c in ("mean", "upper", "lower", "close_upper", "close_lower")},
        "trial": np.zeros(n, dtype=bool),
        "close": np.zeros(n, dtype=bool),
        "rule": np.full(n, None, dtype=object),
        "special_cause": np.zeros(n, dtype=bool),
        "direction": np.full(n, None, dtype=object),
        "note": np.full(n, None, dtype=object),
    }
    for seg in np.unique(segment):
        in_seg = segment == seg
        present = np.flatnonzero(in_seg & ~np.isnan(values))
        if len(present) < max(min_points, 2):
            cols["note"][in_seg] = NOTE_FEW_POINTS.format(n=max(min_points, 2))
            continue
        lim = xmr_limits(values[present], baseline_points, screen_outliers)
        if lim.mr_bar == 0:
            cols["note"][in_seg] = NOTE_NO_VARIATION
            continue
        for c in ("mean", "upper", "lower", "close_upper", "close_lower"):
            cols[c][in_seg] = getattr(lim, c)
        cols["trial"][in_seg] = lim.trial
        cols["baseline"][present[: lim.n_baseline]] = True
        flags = apply_rules(values[present], lim)
        for c in ("close", "rule", "special_cause", "direction"):
            cols[c][present] = flags[c].to_numpy()
    out = pd.DataFrame(cols, index=s.index)
    # Text columns use pandas' string dtype; a missing value's rule and direction are NaN.
    out["rule"] = out["rule"].astype("str").where(pd.notna(cols["rule"]))
    out["direction"] = out["direction"].astype("str").where(pd.notna(cols["direction"]))
    out["note"] = out["note"].astype("str").where(pd.notna(cols["note"]))
    return out[SPC_COLUMNS]


# --------------------------------------------------------------------------- icons


def variation_icon(latest, polarity: str) -> str | None:
    """The variation icon's label for the latest point.

    Parameters
    ----------
    latest : mapping or pandas.Series
        The latest point of :func:`spc` (needs ``special_cause``, ``direction``
        and ``rule``).
    polarity : str
        ``higher_is_better``, ``lower_is_better`` or ``neutral``.

    Returns
    -------
    str or None
        ``special cause improvement`` (the special cause points the good way),
        ``special cause concern`` (the bad way), ``common cause``; for a neutral
        KPI ``special cause high`` / ``special cause low``; None when the latest
        point is missing.

    Examples
    --------
    >>> variation_icon({"rule": "shift", "special_cause": True, "direction": "low"},
    ...                "higher_is_better")
    'special cause concern'
    >>> variation_icon({"rule": "trend", "special_cause": True, "direction": "low"}, "neutral")
    'special cause low'
    >>> variation_icon({"rule": "common_cause", "special_cause": False, "direction": None},
    ...                "lower_is_better")
    'common cause'
    """
    _check_polarity(polarity)
    rule = latest.get("rule") if hasattr(latest, "get") else None
    if rule is None or (isinstance(rule, float) and np.isnan(rule)):
        return None
    if not bool(latest.get("special_cause")):
        return COMMON
    direction = latest.get("direction")
    if direction not in ("high", "low"):
        raise ValueError(f"a special-cause point needs direction high or low (got {direction!r})")
    if polarity == "neutral":
        return NEUTRAL_HIGH if direction == "high" else NEUTRAL_LOW
    good = (direction == "high") == (polarity == "higher_is_better")
    return IMPROVEMENT if good else CONCERN


def assurance_icon(target, limits, polarity: str) -> str | None:
    """The assurance icon's label: can the process be relied on to meet the target?

    Parameters
    ----------
    target : float or None
        The target in force (None or NaN: no target).
    limits : Limits or mapping with ``upper`` and ``lower``
        The current segment's process limits.
    polarity : str
        ``higher_is_better``, ``lower_is_better`` or ``neutral``.

    Returns
    -------
    str or None
        For higher is better: ``consistently failing`` when the target is
        strictly above the upper limit, ``consistently passing`` when strictly
        below the lower limit, else ``hit and miss`` (a target equal to a limit
        is hit and miss). Reversed for lower is better. None with no target, a
        neutral KPI or no limits.

    Examples
    --------
    >>> lim = {"upper": 90.0, "lower": 70.0}
    >>> assurance_icon(95, lim, "higher_is_better"), assurance_icon(95, lim, "lower_is_better")
    ('consistently failing', 'consistently passing')
    >>> assurance_icon(90, lim, "higher_is_better")
    'hit and miss'
    """
    _check_polarity(polarity)
    if target is None or polarity == "neutral":
        return None
    target = float(target)
    if np.isnan(target):
        return None
    if isinstance(limits, Limits):
        upper, lower = limits.upper, limits.lower
    else:
        upper, lower = float(limits["upper"]), float(limits["lower"])
    if not (np.isfinite(upper) and np.isfinite(lower)):
        return None
    if target > upper:
        return FAILING if polarity == "higher_is_better" else PASSING
    if target < lower:
        return PASSING if polarity == "higher_is_better" else FAILING
    return HIT_AND_MISS


def _check_polarity(polarity: str) -> None:
    if polarity not in ("higher_is_better", "lower_is_better", "neutral"):
        raise ValueError(f"unknown polarity {polarity!r}")
