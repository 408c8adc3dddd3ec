"""Exceptions and good practice: which KPIs need attention, each with one sentence.

A KPI is an **exception** in a month when any of these hold:

* ``red`` – its RAG rating against the target in force is Red;
* ``special_cause_concern`` – its latest point is special-cause variation in the
  bad direction (Making Data Count "concern");
* ``quartile_d`` – it is in quartile band D (the worst quarter of councils,
  polarity taken into account) against its comparators;
* ``worsened_3_months`` – it has got worse three months running: each of the
  last three month-on-month changes is in the bad direction for its polarity
  (a tie or a missing month breaks the run).

It shows **good practice** when:

* ``special_cause_improvement`` – its latest point is special-cause variation in
  the good direction;
* ``moved_up_quartile`` – its quartile band is better than last time (D→C, C→B,
  B→A, or more).

A neutral KPI (neither higher nor lower is better) is never "worse" nor
"better" and has no target or performance quartile, so it is never flagged.
Quartile bands follow DfE's LAIT convention: A is the best-performing quarter,
D the worst.

Each flagged KPI gets one plain-English sentence built from its numbers: the
latest value and month, how it moved, the target, the SPC reading (shift, trend,
outside the limits, two of three close to a limit, or common cause) and the
quartile band when that is why it is flagged.

Examples
--------
>>> import pandas as pd
>>> km = KpiMonth(kpi_id="assessments_45wd_pct",
...               title="Assessments completed within 45 working days", unit="percent",
...               polarity="higher_is_better", period_end=pd.Timestamp("2025-10-31"),
...               value=71.2, previous_value=72.0, rag="Red", target=85.0,
...               amber_tolerance=5.0, months_off_target=3,
...               spc_rule="shift", spc_direction="low", spc_special_cause=True,
...               spc_mean=80.4, spc_lower=70.1, spc_upper=90.7, spc_run=7)
>>> exception_flags(km)
['red', 'special_cause_concern']
>>> print(sentence(km))
Assessments completed within 45 working days fell to 71.2% in October 2025, below the 85% \
target for the third month running; the last seven months are all below the average of 80.4%, \
a shift rather than noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pmf_lib.assess.spc import COMMON_CAUSE

EXCEPTION_FLAGS = ("red", "special_cause_concern", "quartile_d", "worsened_3_months")
GOOD_PRACTICE_FLAGS = ("special_cause_improvement", "moved_up_quartile")
FLAG_LABELS = {
    "red": "Red against target",
    "special_cause_concern": "Special cause concern",
    "quartile_d": "Quartile D",
    "worsened_3_months": "Worse three months running",
    "special_cause_improvement": "Special cause improvement",
    "moved_up_quartile": "Moved up a quartile band",
}
"""Short labels for the flags (tables and badges)."""
QUARTILE_BANDS = ("A", "B", "C", "D")
"""Best first (DfE LAIT: A is the best-performing quarter of councils)."""
WORSENED_MONTHS = 3

_NUMBER_WORDS = {
    1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
    9: "nine", 10: "ten", 11: "eleven", 12: "twelve",
}  # fmt: skip
_ORDINAL_WORDS = {
    2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh", 8: "eighth",
    9: "ninth", 10: "tenth", 11: "eleventh", 12: "twelfth",
}  # fmt: skip


def _missing(x) -> bool:
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def number_word(n: int) -> str:
    """One to twelve in words, larger numbers as digits.

    Examples
    --------
    >>> number_word(7), number_word(14)
    ('seven', '14')
    """
    return _NUMBER_WORDS.get(n, str(n))


def ordinal(n: int) -> str:
    """Second to twelfth in words, then 13th, 21st, 22nd, ...

    Examples
    --------
    >>> ordinal(3), ordinal(13), ordinal(21), ordinal(102)
    ('third', '13th', '21st', '102nd')
    """
    if n in _ORDINAL_WORDS:
        return _ORDINAL_WORDS[n]
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def format_value(value: float, unit: str) -> str:
    """A KPI value as a report shows it.

    Examples
    --------
    >>> format_value(71.24, "percent"), format_value(1234, "count"), format_value(3.5, "days")
    ('71.2%', '1,234', '3.5 days')
    """
    if _missing(value):
        return "no figure"
    v = float(value)
    if unit == "percent":
        return f"{v:.1f}%"
    if unit == "count":
        return f"{v:,.0f}"
    if unit == "days":
        return f"{v:.1f} days"
    if unit == "fte":
        return f"{v:,.1f} FTE"
    if unit == "ratio":
        return f"{v:.2f}"
    return f"{v:,.1f}"  # rate_10k (the title says "per 10,000"), mean


def format_target(value: float, unit: str) -> str:
    """A target as analysts write it: no trailing ``.0``.

    Examples
    --------
    >>> format_target(85.0, "percent"), format_target(22.5, "percent"), format_target(300, "count")
    ('85%', '22.5%', '300')
    """
    v = float(value)
    text = f"{v:,.2f}".rstrip("0").rstrip(".")
    if unit == "percent":
        return f"{text}%"
    if unit == "days":
        return f"{text} days"
    if unit == "fte":
        return f"{text} FTE"
    return text


# --------------------------------------------------------------------------- runs in a series


def worse_steps(values: Sequence[float], polarity: str) -> np.ndarray:
    """+1 where a value is worse than the one before (by polarity), else 0.

    Neutral KPIs are never worse. A tie, or a missing value on either side, is 0.

    Examples
    --------
    >>> worse_steps([80, 78, 78, 75], "higher_is_better").tolist()
    [0, 1, 0, 1]
    >>> worse_steps([80, 78, 78, 75], "neutral").tolist()
    [0, 0, 0, 0]
    """
    x = np.asarray(values, dtype="float64")
    out = np.zeros(len(x), dtype="int64")
    if polarity == "neutral" or len(x) < 2:
        return out
    with np.errstate(invalid="ignore"):
        d = np.diff(x)
    bad = d < 0 if polarity == "higher_is_better" else d > 0
    out[1:] = np.where(np.isnan(d), 0, bad)
    return out


def trailing_run(flags: Sequence) -> int:
    """How many of the last entries are truthy in a row.

    Examples
    --------
    >>> trailing_run([1, 0, 1, 1]), trailing_run([1, 1, 0]), trailing_run([])
    (2, 0, 0)
    """
    n = 0
    for f in reversed(list(flags)):
        if not f or _missing(f):
            break
        n += 1
    return n


def months_worsening(values: Sequence[float], polarity: str) -> int:
    """Consecutive month-on-month worsenings ending at the latest value.

    Examples
    --------
    >>> months_worsening([90, 85, 80, 75], "higher_is_better")  # three falls in a row
    3
    >>> months_worsening([10, 12, 12, 14], "lower_is_better")  # the tie breaks the run
    1
    """
    return trailing_run(worse_steps(values, polarity))


def months_off_target(rags: Sequence[str]) -> int:
    """Consecutive months, ending with the latest, rated Amber or Red.

    Examples
    --------
    >>> months_off_target(["Red", "Green", "Amber", "Red", "Red"])
    3
    """
    return trailing_run([r in ("Amber", "Red") for r in rags])


def spc_run_length(chart: pd.DataFrame) -> int:
    """The length of the special-cause run the latest point of an SPC chart belongs to.

    For a ``shift``, the number of consecutive points on the latest point's side
    of the mean; for a ``trend``, the number of consecutive strict moves in its
    direction (the points are one more); otherwise 1 (0 with no latest point).
    Counting stays within the latest segment.

    Examples
    --------
    >>> import pandas as pd
    >>> from pmf_lib.assess.spc import spc
    >>> idx = pd.date_range("2024-01-31", periods=16, freq="ME")
    >>> chart = spc(pd.Series([5, 6] * 4 + [4.5] * 8, index=idx, dtype=float))
    >>> chart["rule"].iloc[-1], spc_run_length(chart)
    ('shift', 8)
    """
    if chart.empty or _missing(chart["rule"].iloc[-1]):
        return 0
    last = chart.iloc[-1]
    seg = chart[chart["segment"] == last["segment"]]
    seg = seg[seg["value"].notna()]
    values = seg["value"].to_numpy()
    if last["rule"] == "shift":
        side = np.sign(values - seg["mean"].to_numpy())
        return trailing_run(side == side[-1])
    if last["rule"] == "trend":
        steps = np.sign(np.diff(values))
        return trailing_run(steps == steps[-1]) if len(steps) else 0
    return 1


def quartile_moved_up(band, previous_band) -> bool:
    """Whether the quartile band is better (nearer A) than before.

    Examples
    --------
    >>> quartile_moved_up("B", "C"), quartile_moved_up("C", "C"), quartile_moved_up("A", None)
    (True, False, False)
    """
    if _missing(band) or _missing(previous_band):
        return False
    b, p = str(band).strip().upper(), str(previous_band).strip().upper()
    if b not in QUARTILE_BANDS or p not in QUARTILE_BANDS:
        raise ValueError(f"quartile bands are A-D (got {band!r} and {previous_band!r})")
    return QUARTILE_BANDS.index(b) < QUARTILE_BANDS.index(p)


# --------------------------------------------------------------------------- flags


@dataclass(frozen=True)
class KpiMonth:
    """Everything the flags and the sentence need about one KPI in one month.

    Attributes
    ----------
    kpi_id, title, unit, polarity : str
        From the KPI's metadata.
    period_end : pandas.Timestamp
        The month end.
    value, previous_value : float
        This month's and the previous month's values (NaN when missing).
    rag : str
        Green / Amber / Red / No target / No data.
    target, amber_tolerance : float or None
        The target in force this month.
    months_off_target : int
        Consecutive months (ending now) rated Amber or Red.
    months_worse : int
        Consecutive month-on-month worsenings ending now.
    spc_rule, spc_direction : str or None
        The latest point's SPC rule and direction (``high``/``low``).
    spc_special_cause : bool
        Whether the latest point is special cause.
    spc_mean, spc_lower, spc_upper : float
        The latest segment's centre line and limits.
    spc_run : int
        The run length of a shift or trend (see :func:`spc_run_length`).
    spc_trial : bool
        Whether the limits are trial limits (fewer than 12 baseline points).
    quartile_band, previous_quartile_band : str or None
        A–D against comparators, now and last time.
    """

    kpi_id: str
    title: str
    unit: str
    polarity: str
    period_end: pd.Timestamp
    value: float
    previous_value: float = float("nan")
    rag: str = "No target"
    target: float | None = None
    amber_tolerance: float | None = None
    months_off_target: int = 0
    months_worse: int = 0
    spc_rule: str | None = None
    spc_direction: str | None = None
    spc_special_cause: bool = False
    spc_mean: float = float("nan")
    spc_lower: float = float("nan")
    spc_upper: float = float("nan")
    spc_run: int = 0
    spc_trial: bool = False
    quartile_band: str | None = None
    previous_quartile_band: str | None = None

    @property
    def polar(self) -> bool:
        return self.polarity in ("higher_is_better", "lower_is_better")

    @property
    def special_cause_good(self) -> bool | None:
        """True/False for special cause in the good/bad direction; None otherwise."""
        if (
            not self.spc_special_cause
            or not self.polar
            or self.spc_direction not in ("high", "low")
        ):
            return None
        return (self.spc_direction == "high") == (self.polarity == "higher_is_better")


def exception_flags(km: KpiMonth) -> list[str]:
    """The exception flags that apply, in the order of :data:`EXCEPTION_FLAGS`.

    Examples
    --------
    >>> import pandas as pd
    >>> km = KpiMonth("k", "K", "percent", "lower_is_better", pd.Timestamp("2025-10-31"), 30.0,
    ...               quartile_band="D", months_worse=3)
    >>> exception_flags(km)
    ['quartile_d', 'worsened_3_months']
    """
    if not km.polar:
        return []
    flags = []
    if km.rag == "Red":
        flags.append("red")
    if km.special_cause_good is False:
        flags.append("special_cause_concern")
    if not _missing(km.quartile_band) and str(km.quartile_band).strip().upper() == "D":
        flags.append("quartile_d")
    if km.months_worse >= WORSENED_MONTHS:
        flags.append("worsened_3_months")
    return flags


def good_practice_flags(km: KpiMonth) -> list[str]:
    """The good-practice flags that apply, in the order of :data:`GOOD_PRACTICE_FLAGS`.

    Examples
    --------
    >>> import pandas as pd
    >>> km = KpiMonth("k", "K", "percent", "higher_is_better", pd.Timestamp("2025-10-31"), 90.0,
    ...               spc_rule="trend", spc_direction="high", spc_special_cause=True,
    ...               quartile_band="B", previous_quartile_band="C")
    >>> good_practice_flags(km)
    ['special_cause_improvement', 'moved_up_quartile']
    """
    if not km.polar:
        return []
    flags = []
    if km.special_cause_good is True:
        flags.append("special_cause_improvement")
    if quartile_moved_up(km.quartile_band, km.previous_quartile_band):
        flags.append("moved_up_quartile")
    return flags


# --------------------------------------------------------------------------- the sentence


def _movement(km: KpiMonth) -> str:
    value = format_value(km.value, km.unit)
    if _missing(km.value):
        return f"had no figure for {km.period_end:%B %Y}"
    month = f"in {km.period_end:%B %Y}"
    if _missing(km.previous_value):
        return f"was {value} {month}"
    change = float(km.value) - float(km.previous_value)
    if change == 0:
        return f"was unchanged at {value} {month}"
    verb = "rose" if change > 0 else "fell"
    if km.months_worse >= 2 and km.polar:
        return f"{verb} for the {ordinal(km.months_worse)} month running, to {value} {month}"
    return f"{verb} to {value} {month}"


def _target_clause(km: KpiMonth) -> str | None:
    if km.target is None or _missing(km.target) or km.rag not in ("Green", "Amber", "Red"):
        return None
    target = f"the {format_target(km.target, km.unit)} target"
    if km.rag == "Green":
        return f"meeting {target}"
    side = "below" if km.polarity == "higher_is_better" else "above"
    lead = f"just {side}" if km.rag == "Amber" else side
    run = (
        f" for the {ordinal(km.months_off_target)} month running"
        if km.months_off_target > 1
        else ""
    )
    return f"{lead} {target}{run}"


def _spc_clause(km: KpiMonth) -> str | None:
    rule = km.spc_rule
    if _missing(rule) or _missing(km.spc_mean):
        return None
    fmt = km.unit
    if rule == "shift":
        side = "above" if km.spc_direction == "high" else "below"
        n = max(km.spc_run, 7)
        text = (
            f"the last {number_word(n)} months are all {side} the average of "
            f"{format_value(km.spc_mean, fmt)}, a shift rather than noise"
        )
    elif rule == "trend":
        moves = max(km.spc_run, 6)
        verb = "risen" if km.spc_direction == "high" else "fallen"
        text = f"it has {verb} {number_word(moves)} months in a row, a trend rather than noise"
    elif rule == "outside_limits":
        if km.spc_direction == "high":
            limit = f"above the upper process limit of {format_value(km.spc_upper, fmt)}"
        else:
            limit = f"below the lower process limit of {format_value(km.spc_lower, fmt)}"
        text = f"this is {limit}, too far out to be noise"
    elif rule == "two_of_three":
        which = "upper" if km.spc_direction == "high" else "lower"
        limit = km.spc_upper if km.spc_direction == "high" else km.spc_lower
        text = (
            f"two of the last three months are close to the {which} process limit of "
            f"{format_value(limit, fmt)}, an early warning rather than noise"
        )
    elif rule == COMMON_CAUSE:
        if _missing(km.spc_lower) or _missing(km.spc_upper):
            return None
        # KPI values are never negative, nor percentages above 100: say the range they
        # can actually take.
        low = max(float(km.spc_lower), 0.0)
        high = min(float(km.spc_upper), 100.0) if fmt == "percent" else float(km.spc_upper)
        text = (
            f"it is within the expected range of {format_value(low, fmt)} to "
            f"{format_value(high, fmt)}, common cause variation"
        )
    else:
        raise ValueError(f"unknown SPC rule {rule!r}")
    if km.spc_trial:
        text += ", on trial limits (fewer than 12 months of data)"
    return text


def _quartile_clause(km: KpiMonth) -> str | None:
    if not km.polar or _missing(km.quartile_band):
        return None
    band = str(km.quartile_band).strip().upper()
    if quartile_moved_up(band, km.previous_quartile_band):
        prev = str(km.previous_quartile_band).strip().upper()
        return f"it has moved up from quartile {prev} to {band} against comparators"
    if band == "D":
        return "it is in the bottom quartile (D) against comparators"
    return None


def sentence(km: KpiMonth) -> str:
    """One plain-English sentence about a KPI's month, with its numbers.

    Parts, in order: the value and how it moved (with "for the nth month
    running" when it has worsened more than once), the target (meeting, just
    below/above for Amber, below/above for Red, with the months off target), the
    SPC reading, and the quartile band when it is D or has moved up.

    Examples
    --------
    >>> import pandas as pd
    >>> km = KpiMonth("rereferrals_12m_pct", "Re-referrals within 12 months", "percent",
    ...               "lower_is_better", pd.Timestamp("2025-06-30"), 18.04,
    ...               previous_value=19.5, rag="Green", target=22.0, amber_tolerance=2.0,
    ...               spc_rule="outside_limits", spc_direction="low", spc_special_cause=True,
    ...               spc_mean=23.1, spc_lower=18.2, spc_upper=28.0,
    ...               quartile_band="B", previous_quartile_band="C")
    >>> print(sentence(km))
    Re-referrals within 12 months fell to 18.0% in June 2025, meeting the 22% target; this \
is below the lower process limit of 18.2%, too far out to be noise; it has moved up from \
quartile C to B against comparators.
    """
    head = f"{km.title} {_movement(km)}"
    target = _target_clause(km)
    if target:
        head += f", {target}"
    parts = [head] + [c for c in (_spc_clause(km), _quartile_clause(km)) if c]
    return "; ".join(parts) + "."


def flag_labels(flags: Sequence[str]) -> str:
    """The flags' short labels joined for a table cell.

    Examples
    --------
    >>> flag_labels(["red", "quartile_d"])
    'Red against target; Quartile D'
    """
    return "; ".join(FLAG_LABELS[f] for f in flags)
