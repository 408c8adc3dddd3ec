"""Exceptions and good practice: which KPIs need attention, each with one sentence.

Candidate flags
---------------
A KPI is a candidate **exception** in a month when any of these hold:

* ``red`` – its RAG rating against the target in force is Red;
* ``special_cause_concern`` – its latest point is special-cause variation in the
  bad direction (Making Data Count "concern");
* ``quartile_d`` – it is in quartile band D (the worst quarter of councils,
  polarity taken into account) against its comparators;
* ``worsened_3_months`` – it has got worse three periods running at its cadence
  (months, quarters or years): each of the last three changes is "Worsening" by
  the direction-of-travel rule (:func:`pmf_lib.assess.travel.periods_worse`), so
  "No change" or a missing figure breaks the run.

It is a candidate for **good practice** when:

* ``special_cause_improvement`` – its latest point is special-cause variation in
  the good direction;
* ``moved_up_quartile`` – its quartile band is better than a year before (D→C,
  C→B, B→A, or more).

Rules
-----
The candidates then pass through these rules, in this order (:func:`flags`);
each is a small function below, and ``docs/deviations.md`` says where one
departs from Making Data Count:

1. :func:`rule_neutral_polarity` – a neutral KPI (neither higher nor lower is
   better) raises no flag: it has no target, no performance quartile, and its
   direction is neither good nor bad.
2. :func:`rule_small_denominator` – no flag from a denominator below
   :data:`MIN_DENOMINATOR` (5): "1 of 1 actions complete" is not good practice.
3. :func:`rule_annual_unchanged` – an annual KPI (a figure from an annual return,
   repeated between returns) whose figure is unchanged since last month raises
   no flag: nothing has happened since the return came in.
4. :func:`rule_spc_agrees_with_travel` – an SPC flag is raised only when the
   latest move does not point the other way: no ``special_cause_improvement``
   while the KPI is "Worsening" on its previous period, no
   ``special_cause_concern`` while it is "Improving".
5. :func:`rule_no_good_practice_while_worsening` – no good practice while it is
   worsening against both the previous period and the year before.
6. :func:`rule_no_exception_while_improving` – no exception while it is
   improving against both, unless it is Red against target (``red`` stays).
7. :func:`rule_never_both` – never both: a KPI with an exception is not also
   held up as good practice (the exception stands; its sentence still says what
   is going well).

Direction of travel is judged once, on the figures as shown, by
:mod:`pmf_lib.assess.travel`; the flags and the sentence read the same verdicts
as the table (``previous_label``, ``year_earlier_label``).

The sentence
------------
Each KPI gets one plain-English sentence built from its numbers, all printed by
the one formatter (:func:`pmf_lib.formatting.format_value`): the latest value and
period, how it moved on the previous period (the travel verdict: "rose", "fell",
"was little changed" or "was unchanged") and the year before, the target, the
SPC reading (shift, trend, outside the limits, two of three close to a limit, or
common cause) and the quartile band when it is D or has moved up. So every
flag's reason is in it.

Quartile bands follow DfE's LAIT convention: A is the best-performing quarter,
D the worst.

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
Assessments completed within 45 working days was little changed at 71.2% in October 2025 \
(72.0% in September 2025), below the 85% target for the third month running; the last seven \
months are all below the average of 80.4%, a shift rather than noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pmf_lib.assess import travel as tr
from pmf_lib.assess.spc import COMMON_CAUSE
from pmf_lib.formatting import format_target, format_value, is_missing

__all__ = ["format_target", "format_value"]  # the one formatter, re-exported

EXCEPTION_FLAGS = ("red", "special_cause_concern", "quartile_d", "worsened_3_months")
GOOD_PRACTICE_FLAGS = ("special_cause_improvement", "moved_up_quartile")
FLAG_LABELS = {
    "red": "Red against target",
    "special_cause_concern": "Special cause concern",
    "quartile_d": "Quartile D",
    "worsened_3_months": "Worse three periods running",
    "special_cause_improvement": "Special cause improvement",
    "moved_up_quartile": "Moved up a quartile band",
}
"""Short labels for the flags (tables and badges)."""
QUARTILE_BANDS = ("A", "B", "C", "D")
"""Best first (DfE LAIT: A is the best-performing quarter of councils)."""
WORSENED_MONTHS = 3
"""Consecutive worsenings (periods at the KPI's cadence) that make an exception."""
MIN_DENOMINATOR = 5
"""No flag is raised from a figure whose denominator is below this."""
IMPROVING, WORSENING = "Improving", "Worsening"

_NUMBER_WORDS = {
    1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
    9: "nine", 10: "ten", 11: "eleven", 12: "twelve",
}  # fmt: skip
_ORDINAL_WORDS = {
    2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh", 8: "eighth",
    9: "ninth", 10: "tenth", 11: "eleventh", 12: "twelfth",
}  # fmt: skip


_missing = is_missing


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

_PERIOD_WORD = {"monthly": "month", "rolling": "month", "quarterly": "quarter", "annual": "year"}


@dataclass(frozen=True)
class KpiMonth:
    """Everything the flags and the sentence need about one KPI in one month.

    Attributes
    ----------
    kpi_id, title, unit, polarity : str
        From the KPI's metadata.
    period_end : pandas.Timestamp
        The month end.
    value : float
        This month's value in the headline window (NaN when missing).
    previous_value : float
        The previous period's value at the KPI's cadence (the month before; the
        quarter ending three months before for a quarterly KPI; the year before
        for an annual one). NaN when missing.
    rag : str
        Green / Amber / Red / No target / No data.
    target, amber_tolerance : float or None
        The target in force this month.
    months_off_target : int
        Consecutive months (ending now) rated Amber or Red.
    months_worse : int
        Consecutive periods at the KPI's cadence, ending now, each "Worsening"
        (:func:`pmf_lib.assess.travel.periods_worse`).
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
        A–D against comparators, now and a year before.
    window : str
        The headline window (``month``, ``snapshot``, ``quarter``, ``rolling_12m``).
    cadence : str
        ``monthly``, ``quarterly``, ``annual`` or ``rolling``.
    denominator : float
        The figure's denominator (NaN for a count).
    previous_label, year_earlier_label : str or None
        The direction-of-travel verdicts the table shows ("Improving", "Worsening",
        "Up", "Down", "No change", "Not available"). When None they are worked
        out from the values by :func:`pmf_lib.assess.travel.direction`.
    previous_end : pandas.Timestamp or None
        The previous period's end (default: from the cadence).
    year_earlier_value : float
        The value a year before (NaN when missing).
    last_month_value : float
        The value at the previous month end, whatever the cadence (for
        :func:`rule_annual_unchanged`); NaN when unknown.
    spc_period_end : pandas.Timestamp or None
        The SPC verdict's point, when it is not ``period_end`` (a quarterly KPI's
        chart has quarter-end points; in other months its latest point is the last
        quarter end). None means ``period_end``.
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
    window: str = "month"
    cadence: str = "monthly"
    denominator: float = float("nan")
    previous_label: str | None = None
    year_earlier_label: str | None = None
    previous_end: pd.Timestamp | None = None
    year_earlier_value: float = float("nan")
    last_month_value: float = float("nan")
    spc_period_end: pd.Timestamp | None = None

    @property
    def spc_elsewhere(self) -> bool:
        """Whether the SPC verdict is for an earlier point than ``period_end``."""
        e = self.spc_period_end
        return e is not None and not _missing(e) and pd.Timestamp(e) != self.period_end

    @property
    def polar(self) -> bool:
        return self.polarity in ("higher_is_better", "lower_is_better")

    def _label(self, given, earlier) -> str:
        if given is not None and not _missing(given):
            return str(given)
        return tr.direction(
            self.value,
            earlier,
            unit=self.unit,
            polarity=self.polarity,
            decimals=tr.DISPLAY_DECIMALS.get(self.unit),
        ).label

    @property
    def travel_previous(self) -> str:
        """The travel verdict on the previous period (as the table shows it)."""
        return self._label(self.previous_label, self.previous_value)

    @property
    def travel_year(self) -> str:
        """The travel verdict on the year before (as the table shows it)."""
        if self.cadence == "annual" and self.year_earlier_label is None:
            return self.travel_previous  # the previous period of an annual KPI is the year
        return self._label(self.year_earlier_label, self.year_earlier_value)

    @property
    def period_word(self) -> str:
        """``month``, ``quarter`` or ``year``: the KPI's period."""
        return _PERIOD_WORD.get(self.cadence, "month")

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


def travel_fields(
    series: pd.Series, meta, period_end, thresholds: tr.Thresholds = tr.DEFAULT_THRESHOLDS
) -> dict:
    """The :class:`KpiMonth` fields that come from direction of travel.

    Worked out by :func:`pmf_lib.assess.travel.kpi_travel`, the function behind
    the travel table, so the flags and the sentence read the verdicts the table
    shows.

    Parameters
    ----------
    series : pandas.Series
        The KPI's values in its headline window, indexed by period end.
    meta : KpiMeta
    period_end : date-like
    thresholds : Thresholds
        As for the travel table.

    Examples
    --------
    >>> import pandas as pd
    >>> from pmf_lib.compute.registry import KpiMeta
    >>> m = KpiMeta(id="q", title="Q", area="a", unit="percent", polarity="higher_is_better",
    ...             windows=("quarter",), source="s", definition="d", numerator="n",
    ...             denominator="d", cadence="quarterly")
    >>> s = pd.Series([70.0, 75.0, 70.0, 66.0, 62.3],
    ...               index=pd.to_datetime(["2025-10-31", "2026-07-31", "2026-08-31",
    ...                                     "2026-09-30", "2026-10-31"]))
    >>> f = travel_fields(s, m, "2026-10-31")
    >>> f["previous_value"], f["previous_label"], f["year_earlier_label"], f["last_month_value"]
    (75.0, 'Worsening', 'Worsening', 66.0)
    """
    moved = tr.kpi_travel(series, meta, period_end, thresholds=thresholds)
    end = pd.Timestamp(period_end).normalize()
    last = series.get(tr.months_earlier(end, 1), float("nan"))
    return {
        "cadence": moved["cadence"],
        "previous_value": moved["previous_value"],
        "previous_label": moved["previous_label"],
        "previous_end": moved["previous_end"],
        "year_earlier_value": moved["year_earlier_value"],
        "year_earlier_label": moved["year_earlier_label"],
        "months_worse": int(moved["periods_worse"]),
        "last_month_value": float("nan") if _missing(last) else float(last),
    }


def candidate_exception_flags(km: KpiMonth) -> list[str]:
    """The exception signals before the rules, in the order of :data:`EXCEPTION_FLAGS`.

    Examples
    --------
    >>> import pandas as pd
    >>> km = KpiMonth("k", "K", "percent", "lower_is_better", pd.Timestamp("2025-10-31"), 30.0,
    ...               previous_value=28.0, rag="Red", quartile_band="D", months_worse=3)
    >>> candidate_exception_flags(km)
    ['red', 'quartile_d', 'worsened_3_months']
    """
    out = []
    if km.rag == "Red":
        out.append("red")
    if km.special_cause_good is False:
        out.append("special_cause_concern")
    if not _missing(km.quartile_band) and str(km.quartile_band).strip().upper() == "D":
        out.append("quartile_d")
    # The run ends now, so the latest move is itself "Worsening" (as the table shows it).
    if km.months_worse >= WORSENED_MONTHS and km.travel_previous == WORSENING:
        out.append("worsened_3_months")
    return out


def candidate_good_practice_flags(km: KpiMonth) -> list[str]:
    """The good-practice signals before the rules, in the order of :data:`GOOD_PRACTICE_FLAGS`.

    Examples
    --------
    >>> import pandas as pd
    >>> km = KpiMonth("k", "K", "percent", "higher_is_better", pd.Timestamp("2025-10-31"), 90.0,
    ...               spc_rule="trend", spc_direction="high", spc_special_cause=True,
    ...               quartile_band="B", previous_quartile_band="C")
    >>> candidate_good_practice_flags(km)
    ['special_cause_improvement', 'moved_up_quartile']
    """
    out = []
    if km.special_cause_good is True:
        out.append("special_cause_improvement")
    if quartile_moved_up(km.quartile_band, km.previous_quartile_band):
        out.append("moved_up_quartile")
    return out


# Each rule takes the KPI's month and the exception and good-practice flags so far, and
# returns the flags that survive it.


def rule_neutral_polarity(km: KpiMonth, bad: list[str], good: list[str]):
    """Rule 1: a neutral KPI raises no flag (its direction is neither good nor bad).

    Examples
    --------
    >>> import pandas as pd
    >>> km = KpiMonth("k", "K", "count", "neutral", pd.Timestamp("2025-10-31"), 9.0)
    >>> rule_neutral_polarity(km, ["quartile_d"], ["moved_up_quartile"])
    ([], [])
    """
    if not km.polar:
        return [], []
    return bad, good


def rule_small_denominator(km: KpiMonth, bad: list[str], good: list[str]):
    """Rule 2: no flag from a figure whose denominator is below :data:`MIN_DENOMINATOR`.

    A count has no denominator (NaN) and is not affected.

    Examples
    --------
    >>> import pandas as pd
    >>> km = KpiMonth("k", "K", "percent", "higher_is_better", pd.Timestamp("2025-10-31"),
    ...               100.0, denominator=1.0)  # 1 of 1 actions complete
    >>> rule_small_denominator(km, [], ["special_cause_improvement"])
    ([], [])
    """
    if not _missing(km.denominator) and float(km.denominator) < MIN_DENOMINATOR:
        return [], []
    return bad, good


def rule_annual_unchanged(km: KpiMonth, bad: list[str], good: list[str]):
    """Rule 3: an annual figure unchanged since last month raises no flag.

    An annual KPI's figure comes from an annual return and is repeated every
    month until the next one; only the month it changes can bring news.
    "Unchanged" is judged on the figures as shown.

    Examples
    --------
    >>> import pandas as pd
    >>> km = KpiMonth("k", "K", "percent", "higher_is_better", pd.Timestamp("2025-10-31"),
    ...               97.18, cadence="annual", last_month_value=97.2)  # both show 97.2%
    >>> rule_annual_unchanged(km, [], ["moved_up_quartile"])
    ([], [])
    """
    if km.cadence != "annual":
        return bad, good
    if _missing(km.value) or _missing(km.last_month_value):
        return bad, good
    if format_value(km.value, km.unit) == format_value(km.last_month_value, km.unit):
        return [], []
    return bad, good


def rule_spc_agrees_with_travel(km: KpiMonth, bad: list[str], good: list[str]):
    """Rule 4: an SPC flag stands only when the latest move does not point the other way.

    No ``special_cause_improvement`` while the KPI is "Worsening" on its previous
    period; no ``special_cause_concern`` while it is "Improving". The SPC verdict
    itself (the variation icon) is unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> km = KpiMonth("k", "K", "percent", "lower_is_better", pd.Timestamp("2025-10-31"),
    ...               4.4, previous_value=3.3)  # 3.3% -> 4.4%, lower is better: Worsening
    >>> rule_spc_agrees_with_travel(km, [], ["special_cause_improvement"])
    ([], [])
    """
    label = km.travel_previous
    if label == WORSENING:
        good = [f for f in good if f != "special_cause_improvement"]
    if label == IMPROVING:
        bad = [f for f in bad if f != "special_cause_concern"]
    return bad, good


def rule_no_good_practice_while_worsening(km: KpiMonth, bad: list[str], good: list[str]):
    """Rule 5: no good practice while worsening against both the previous period and a year ago.

    Examples
    --------
    >>> import pandas as pd
    >>> km = KpiMonth("k", "K", "mean", "lower_is_better", pd.Timestamp("2025-10-31"), 18.0,
    ...               previous_value=16.0, year_earlier_value=15.0)  # worse on both
    >>> rule_no_good_practice_while_worsening(km, [], ["moved_up_quartile"])
    ([], [])
    """
    if km.travel_previous == WORSENING and km.travel_year == WORSENING:
        return bad, []
    return bad, good


def rule_no_exception_while_improving(km: KpiMonth, bad: list[str], good: list[str]):
    """Rule 6: no exception while improving on both comparisons, unless Red against target.

    Examples
    --------
    >>> import pandas as pd
    >>> km = KpiMonth("k", "K", "percent", "higher_is_better", pd.Timestamp("2025-10-31"),
    ...               80.0, previous_value=70.0, year_earlier_value=60.0, rag="Red")
    >>> rule_no_exception_while_improving(km, ["red", "quartile_d"], [])
    (['red'], [])
    """
    if km.travel_previous == IMPROVING and km.travel_year == IMPROVING:
        return [f for f in bad if f == "red"], good
    return bad, good


def rule_never_both(km: KpiMonth, bad: list[str], good: list[str]):
    """Rule 7: never both an exception and good practice; the exception stands.

    Examples
    --------
    >>> import pandas as pd
    >>> km = KpiMonth("k", "K", "percent", "higher_is_better", pd.Timestamp("2025-10-31"), 60.0)
    >>> rule_never_both(km, ["quartile_d"], ["special_cause_improvement"])
    (['quartile_d'], [])
    """
    if bad:
        return bad, []
    return bad, good


RULES = (
    rule_neutral_polarity,
    rule_small_denominator,
    rule_annual_unchanged,
    rule_spc_agrees_with_travel,
    rule_no_good_practice_while_worsening,
    rule_no_exception_while_improving,
    rule_never_both,
)
"""The rules, in the order :func:`flags` applies them."""


def flags(km: KpiMonth) -> tuple[list[str], list[str]]:
    """The exception and good-practice flags of a KPI's month, after every rule.

    Examples
    --------
    >>> import pandas as pd
    >>> km = KpiMonth("k", "K", "percent", "higher_is_better", pd.Timestamp("2025-10-31"),
    ...               60.0, previous_value=50.0, rag="Red", quartile_band="D",
    ...               previous_quartile_band="D")
    >>> flags(km)
    (['red', 'quartile_d'], [])
    """
    bad, good = candidate_exception_flags(km), candidate_good_practice_flags(km)
    for rule in RULES:
        bad, good = rule(km, bad, good)
    return bad, good


def exception_flags(km: KpiMonth) -> list[str]:
    """The exception flags that apply, in the order of :data:`EXCEPTION_FLAGS`.

    Examples
    --------
    >>> import pandas as pd
    >>> km = KpiMonth("k", "K", "percent", "lower_is_better", pd.Timestamp("2025-10-31"), 30.0,
    ...               previous_value=28.0, quartile_band="D", months_worse=3)
    >>> exception_flags(km)
    ['quartile_d', 'worsened_3_months']
    """
    return flags(km)[0]


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
    return flags(km)[1]


# --------------------------------------------------------------------------- the sentence


def _when(km: KpiMonth, period_end) -> str:
    """The period a value covers, as the sentence says it."""
    ts = pd.Timestamp(period_end)
    if km.window == "quarter":
        return f"in the three months to {ts:%B %Y}"
    if km.window == "rolling_12m":
        return f"in the 12 months to {ts:%B %Y}"
    return f"in {ts:%B %Y}"


def _previous_when(km: KpiMonth) -> str:
    if km.cadence == "annual":
        return "a year earlier"
    end = km.previous_end
    if end is None or _missing(end):
        end = tr.previous_period_end(km.period_end, km.cadence)
    return _when(km, end)


def _year_clause(km: KpiMonth) -> str:
    """`` (80.0% a year earlier)`` when there is a year-earlier figure to set beside it."""
    if km.cadence == "annual" or _missing(km.year_earlier_value):
        return ""
    return f" ({format_value(km.year_earlier_value, km.unit)} a year earlier)"


def _annual_movement(km: KpiMonth, value: str, label: str) -> str:
    """An annual figure stands until the next return: say so, and compare with the year before."""
    head = f"stands at {value} in {km.period_end:%B %Y} (an annual figure)"
    if label == tr.NOT_AVAILABLE or _missing(km.previous_value):
        return head
    before = format_value(km.previous_value, km.unit)
    if label == tr.NO_CHANGE:
        if before == value:
            return f"{head}, the same as a year earlier"
        return f"{head}, little changed from {before} a year earlier"
    side = "up" if float(km.value) > float(km.previous_value) else "down"
    if km.months_worse >= 2 and km.polar and label == WORSENING:
        side += f" for the {ordinal(km.months_worse)} year running"
    return f"{head}, {side} from {before} a year earlier"


def _movement(km: KpiMonth) -> str:
    if _missing(km.value):
        return f"had no figure for {km.period_end:%B %Y}"
    value = format_value(km.value, km.unit)
    when = _when(km, km.period_end)
    label = km.travel_previous
    if km.cadence == "annual":
        return _annual_movement(km, value, label)
    if label == tr.NOT_AVAILABLE or _missing(km.previous_value):
        return f"was {value} {when}{_year_clause(km)}"
    before = format_value(km.previous_value, km.unit)
    if label == tr.NO_CHANGE:
        if before == value:
            return f"was unchanged at {value} {when}{_year_clause(km)}"
        return f"was little changed at {value} {when} ({before} {_previous_when(km)})"
    verb = "rose" if float(km.value) > float(km.previous_value) else "fell"
    if km.months_worse >= 2 and km.polar and label == WORSENING:
        return (
            f"{verb} for the {ordinal(km.months_worse)} {km.period_word} running, "
            f"to {value} {when}{_year_clause(km)}"
        )
    return f"{verb} to {value} {when}, from {before} {_previous_when(km)}{_year_clause(km)}"


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
    periods = f"{km.period_word}s"
    # A quarterly KPI's SPC point is the last quarter end: name it when it is not this month.
    lead, this = "", "this is"
    if km.spc_elsewhere:
        lead = f"at the latest {km.period_word} end ({pd.Timestamp(km.spc_period_end):%B %Y}), "
        this = f"{lead}it was"
    if rule == "shift":
        side = "above" if km.spc_direction == "high" else "below"
        n = max(km.spc_run, 7)
        text = (
            f"the last {number_word(n)} {periods} are all {side} the average of "
            f"{format_value(km.spc_mean, fmt)}, a shift rather than noise"
        )
    elif rule == "trend":
        moves = max(km.spc_run, 6)
        verb = "risen" if km.spc_direction == "high" else "fallen"
        text = f"it has {verb} {number_word(moves)} {periods} in a row, a trend rather than noise"
    elif rule == "outside_limits":
        high = km.spc_direction == "high"
        shown = format_value(km.spc_upper if high else km.spc_lower, fmt)
        # A value that prints the same as the limit is only just beyond it: say so.
        just = "just " if not lead and shown == format_value(km.value, fmt) else ""
        where = "above the upper" if high else "below the lower"
        return f"{this} {just}{where} process limit of {shown}, too far out to be noise" + _trial(
            km, periods
        )
    elif rule == "two_of_three":
        which = "upper" if km.spc_direction == "high" else "lower"
        limit = km.spc_upper if km.spc_direction == "high" else km.spc_lower
        text = (
            f"two of the last three {periods} are close to the {which} process limit of "
            f"{format_value(limit, fmt)}, an early warning rather than noise"
        )
    elif rule == COMMON_CAUSE:
        if _missing(km.spc_lower) or _missing(km.spc_upper):
            return None
        # KPI values are never negative, nor percentages above 100: say the range they
        # can actually take.
        low = max(float(km.spc_lower), 0.0)
        high = min(float(km.spc_upper), 100.0) if fmt == "percent" else float(km.spc_upper)
        low_text, high_text = format_value(low, fmt), format_value(high, fmt)
        if low_text == high_text:
            text = f"it has not varied from {low_text}, so there is no range to judge it by"
        else:
            text = (
                f"it is within the expected range of {low_text} to {high_text}, "
                "common cause variation"
            )
    else:
        raise ValueError(f"unknown SPC rule {rule!r}")
    return lead + text + _trial(km, periods)


def _trial(km: KpiMonth, periods: str) -> str:
    return f", on trial limits (fewer than 12 {periods} of data)" if km.spc_trial else ""


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

    Parts, in order: the value and how it moved on the previous period, by the
    travel verdict the table shows ("rose"/"fell" with the earlier figure, "for
    the nth month running" when it has worsened more than once, "was little
    changed" within the travel threshold, "was unchanged" when the figures print
    the same), with the year-earlier figure beside it; the target (meeting, just
    below/above for Amber, below/above for Red, with the months off target); the
    SPC reading; and the quartile band when it is D or has moved up. Every
    number is printed by :func:`pmf_lib.formatting.format_value`.

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
    Re-referrals within 12 months fell to 18.0% in June 2025, from 19.5% in May 2025, meeting \
the 22% target; this is below the lower process limit of 18.2%, too far out to be noise; it \
has moved up from quartile C to B against comparators.
    """
    head = f"{km.title} {_movement(km)}"
    target = _target_clause(km)
    if target:
        head += f", {target}"
    parts = [head] + [c for c in (_spc_clause(km), _quartile_clause(km)) if c]
    return "; ".join(parts) + "."
