"""Small-number suppression: which published figures are withheld, decided once.

Reports for ``audience: members`` or ``public`` never reveal a count of 1 to
``max_count`` (``suppression.max_count`` in the config; default 4), directly or by
arithmetic. :func:`published_tables` makes that decision once for a month: it
turns the tidy KPI history, the assessed table and the breakdowns into the
*suppressed view* that every report, chart and published CSV reads. Render only
reads its ``suppressed`` flags and shows the configured wording.

The rules:

* **primary** -- a count of 1 to ``max_count`` is withheld (zero identifies nobody
  and is shown); a percentage, rate or average is withheld when its numerator or
  its denominator counts 1 to ``max_count`` (numerators of averages -- ``days``,
  ``mean``, ``ratio`` -- are sums, and ``fte`` is staff: only their denominators
  are checked; a sum of pounds, ``gbp`` or ``gbp_mean``, is withheld when the
  records it sums -- its denominator, e.g. placements -- number 1 to ``max_count``);
* **complement** -- a percentage is withheld when its denominator minus its
  numerator (those *not* counted) is 1 to ``max_count``;
* **derived** -- a withheld figure takes with it everything worked out from it:
  RAG rating, direction of travel and change, SPC variation and assurance,
  quartile band and rank, exception and good-practice flags, its sentence and its
  breakdown; a shown figure loses the change, direction and run lengths that
  would state a withheld earlier figure, and the SPC mean and limits (in its
  sentence and table) when its series has a withheld point (mean times points
  minus the shown points would state it);
* **nesting** -- a count KPI declared ``subset_of`` another (``KpiMeta.subset_of``:
  every child it counts is counted by its parent for the same window and period) is
  withheld when both are shown for a window and period and the parent minus it is
  1 to ``max_count`` (the difference would state those children); so is a shown
  percentage or rate of its area with the same numerator for that window and period,
  and, in the breakdowns, the child's whole table for a dimension where one of its
  groups is so close to the parent's same group (the child's total minus its shown
  groups would state the group);
* **partitions** -- counts declared to add up to a shown total (the complaint and
  compliment themes, :func:`pmf_lib.assess.voice.suppress_partitions`): while the
  withheld ones add up to 1 to ``max_count``, the smallest shown non-zero one is
  withheld too;
* **one series** -- the published history holds only each KPI's headline window
  (the series the reports chart), so no withheld month can be recovered as a
  quarter or a rolling 12 months minus the shown months;
* **breakdowns** -- a group count of 1 to ``max_count`` and its share of the total
  are withheld; while the withheld groups add up to 1 to ``max_count``, the
  smallest shown non-zero group is withheld too (the total minus the shown
  groups would state their sum); a
  percentage by group follows the primary and complement rules, and while the
  withheld groups' numerators, denominators or those not counted add up to 1 to
  ``max_count`` the shown group with the smallest denominator is withheld too (a
  group's percentage times its denominator, which a count by the same groups may
  publish, states its numerator: :func:`suppress_ratio_groups`); a withheld KPI
  figure withholds its whole breakdown; group numerators and denominators are
  never published (summed, they would give the KPI's own).

Examples
--------
>>> rules = Disclosure()
>>> rules.text, rules.is_small(4), rules.is_small(5), rules.is_small(0)
('suppressed (fewer than 5)', True, False, False)
>>> Disclosure(max_count=5).text
'suppressed (fewer than 6)'
>>> row_is_suppressed(3, 13, "percent"), row_is_suppressed(10, 13, "percent")
(True, True)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pmf_lib.assess import exceptions as exc
from pmf_lib.assess.assessed import headline_window
from pmf_lib.compute.registry import KpiMeta

#: The largest count withheld unless the config says otherwise.
DEFAULT_MAX_COUNT = 4
#: Audiences whose outputs withhold small numbers.
SUPPRESSING_AUDIENCES = ("members", "public")
#: What a withheld RAG, direction, SPC icon or quartile reads.
WITHHELD = "Withheld"

_NUMERATOR_NOT_COUNTED = ("days", "mean", "fte", "ratio", "gbp", "gbp_mean")

#: What a service area's figures count, where it is not children.
SUBJECT_NOUNS = {
    "lado": "referrals",
    "complaints": "complaints",
    "workforce": "staff",
    "quality_assurance": "audits",
    "improvement_actions": "actions",
    "conferencing": "children or meetings",
    "voice": "children, families or records",
}

#: Assessed-table columns that are not worked out from the council's own figure
#: (identity, the target in force, national comparators, data quality): kept when
#: the figure is withheld. Every other column is blanked.
KEPT_WHEN_WITHHELD = (
    "kpi_id",
    "title",
    "area",
    "unit",
    "polarity",
    "period_end",
    "window",
    "target",
    "amber_tolerance",
    "target_from",
    "target_baseline",
    "target_set_on",
    "target_review_by",
    "target_review_overdue",
    "travel_window",
    "travel_period_end",
    "previous_end",
    "year_earlier_end",
    "measure",
    "comparator_title",
    "comparator_unit",
    "comparator_polarity",
    "year",
    "la_value",
    "la_suppression",
    "england",
    "england_year",
    "region_name",
    "region",
    "region_year",
    "sn_model",
    "sn_stat",
    "sn",
    "sn_mean",
    "sn_median",
    "sn_count",
    "sn_year",
    "published_quartile",
    "published_rank",
    "published_rank_of",
    "quartile_year",
    "dq_error_share",
    "dq_confidence",
)
_SPC_FIGURES = (
    "spc_mean",
    "spc_upper",
    "spc_lower",
    "spc_close_upper",
    "spc_close_lower",
)
_PREVIOUS = (
    "previous_value",
    "travel_previous_value",
    "previous_label",
    "previous_symbol",
    "previous_change",
)
_YEAR_EARLIER = (
    "year_earlier_value",
    "year_earlier_label",
    "year_earlier_symbol",
    "year_earlier_change",
)
#: Flags that state how earlier months went (withheld when one of them is).
_RUN_FLAGS = ("worsened_3_months",)
#: How far back a run length or a flag may look (months).
_RUN_MONTHS = 12


@dataclass(frozen=True)
class Disclosure:
    """The suppression rule of a members' or public output.

    Attributes
    ----------
    max_count : int
        The largest count withheld (counts 1 to ``max_count``).
    wording : str or None
        What a withheld figure reads (None: ``suppressed (fewer than N)``).
    """

    max_count: int = DEFAULT_MAX_COUNT
    wording: str | None = None

    @classmethod
    def from_config(cls, config) -> Disclosure | None:
        """The config's rule, or None when its audience sees every figure.

        Examples
        --------
        >>> from pmf_lib.config import Area, Config, Council, DataSources
        >>> cfg = Config(council=Council(code=938, name="D"), audience="members",
        ...              data=DataSources(ssda903="a", cin_census="b", population="p"),
        ...              areas={"x": Area(title="X", kpis=["referrals_count"])},
        ...              suppression={"max_count": 5})
        >>> Disclosure.from_config(cfg).text
        'suppressed (fewer than 6)'
        >>> Disclosure.from_config(cfg.model_copy(update={"audience": "internal"})) is None
        True
        """
        if config.audience not in SUPPRESSING_AUDIENCES:
            return None
        s = getattr(config, "suppression", None)
        if s is None:
            return cls()
        return cls(max_count=s.max_count, wording=s.wording)

    @property
    def text(self) -> str:
        """What a withheld figure reads."""
        return self.wording or f"suppressed (fewer than {self.max_count + 1})"

    def is_small(self, value) -> bool:
        """True for a count from 1 to :attr:`max_count` (not 0, not missing)."""
        return is_small(value, self.max_count)

    def note(self, noun: str = "children") -> str:
        """The sentence explaining the wording, for a report's foot or heading.

        Examples
        --------
        >>> Disclosure().note("referrals")[:60]
        '“suppressed (fewer than 5)” means the figure is withheld: it'
        """
        return (
            f"“{self.text}” means the figure is withheld: it counts, or is worked out from, "
            f"between 1 and {self.max_count} {noun}, so few that the people concerned could "
            "be identified. Its rating, direction of travel, SPC reading, quartile and "
            "breakdown are withheld too, and so is any figure that would let it be worked out."
        )


def suppresses(audience: str) -> bool:
    """Whether outputs for ``audience`` withhold small numbers.

    Examples
    --------
    >>> suppresses("internal"), suppresses("members"), suppresses("public")
    (False, True, True)
    """
    return audience in SUPPRESSING_AUDIENCES


def subject_noun(areas: Iterable[str]) -> str:
    """What the figures of some service areas count, in a word or two.

    Examples
    --------
    >>> subject_noun(["lado"]), subject_noun(["front_door", "protection"])
    ('referrals', 'children')
    >>> subject_noun(["lado", "front_door"])
    'children or cases'
    """
    nouns = {SUBJECT_NOUNS.get(a, "children") for a in areas}
    if len(nouns) == 1:
        return nouns.pop()
    return "children or cases"


def is_small(value, max_count: int = DEFAULT_MAX_COUNT) -> bool:
    """True for a count from 1 to ``max_count`` (not for 0 or a missing value).

    Examples
    --------
    >>> is_small(3), is_small(0), is_small(5), is_small(float("nan")), is_small(5, 5)
    (True, False, False, False, True)
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        return False
    return 1 <= v <= max_count


def row_is_suppressed(numerator, denominator, unit: str, max_count: int = DEFAULT_MAX_COUNT):
    """Whether a figure with this numerator, denominator and unit is withheld.

    Examples
    --------
    >>> row_is_suppressed(3, None, "count"), row_is_suppressed(40, 42, "percent")
    (True, True)
    >>> row_is_suppressed(40, 50, "percent"), row_is_suppressed(300, 4, "days")
    (False, True)
    >>> row_is_suppressed(5, 50, "percent", max_count=5)
    True
    """
    den_small = is_small(denominator, max_count)
    if unit in _NUMERATOR_NOT_COUNTED:
        return den_small
    if is_small(numerator, max_count) or den_small:
        return True
    if unit == "percent":
        try:
            rest = float(denominator) - float(numerator)
        except (TypeError, ValueError):
            return False
        return is_small(rest, max_count)
    return False


def suppress_kpi_table(
    table: pd.DataFrame, units: Mapping[str, str], max_count: int = DEFAULT_MAX_COUNT
) -> pd.DataFrame:
    """A tidy KPI table with withheld figures blanked and flagged ``suppressed``.

    A withheld row's ``value``, ``numerator`` and ``denominator`` become NaN.
    ``units`` maps KPI id to unit (a KPI not in it is checked as a count). A row
    already flagged (a published table read back) stays withheld.

    Examples
    --------
    >>> t = pd.DataFrame({"kpi_id": ["n", "n", "p", "p"], "value": [3.0, 40.0, 75.0, 96.0],
    ...                   "numerator": [3.0, 40.0, 3.0, 96.0],
    ...                   "denominator": [float("nan"), float("nan"), 4.0, 100.0]})
    >>> s = suppress_kpi_table(t, {"n": "count", "p": "percent"})
    >>> s["value"].tolist(), s["suppressed"].tolist()
    ([nan, 40.0, nan, nan], [True, False, True, True])
    >>> suppress_kpi_table(s, {"n": "count", "p": "percent"})["suppressed"].tolist()
    [True, False, True, True]
    """
    t = table.copy()
    hit = [
        row_is_suppressed(n, d, units.get(k, "count"), max_count)
        for k, n, d in zip(t["kpi_id"], t["numerator"], t["denominator"], strict=True)
    ]
    mask = pd.Series(hit, index=t.index, dtype=bool)
    if "suppressed" in t.columns:
        mask |= t["suppressed"].fillna(False).astype(bool)
    t.loc[mask, ["value", "numerator", "denominator"]] = float("nan")
    t["suppressed"] = mask.to_numpy()
    return t


def suppress_subsets(
    table: pd.DataFrame, metas: Mapping[str, KpiMeta], max_count: int = DEFAULT_MAX_COUNT
) -> pd.DataFrame:
    """A tidy KPI table with the nesting rule applied: no count stated by a difference.

    For each row of a KPI whose :class:`~pmf_lib.compute.registry.KpiMeta` declares
    ``subset_of``: when the parent's row for the same window and period is in the
    table, both are shown and the parent's value minus the child's is 1 to
    ``max_count``, the child's row is withheld (``value``, ``numerator`` and
    ``denominator`` blanked, ``suppressed`` set), and so is every shown percentage,
    rate or average of the child's area for that window and period whose numerator
    equals the child's count (it would state it). Apply it after
    :func:`suppress_kpi_table` (a row already withheld is neither a child nor a
    parent that can be subtracted). A parent missing from the table is not shown.

    Examples
    --------
    >>> from pmf_lib.compute.registry import KpiMeta
    >>> m = dict(area="a", polarity="neutral", windows=("month",), source="s",
    ...          definition="d", numerator="n")
    >>> metas = {"p": KpiMeta(id="p", title="P", unit="count", **m),
    ...          "c": KpiMeta(id="c", title="C", unit="count", subset_of="p", **m)}
    >>> t = pd.DataFrame({"kpi_id": ["p", "c", "p", "c"], "window": "month",
    ...                   "period_end": pd.to_datetime(["2026-09-30"] * 2 + ["2026-10-31"] * 2),
    ...                   "value": [13.0, 10.0, 13.0, 5.0], "numerator": [13.0, 10.0, 13.0, 5.0],
    ...                   "denominator": float("nan"), "suppressed": False})
    >>> # September: 13 - 10 = 3 counted by P but not by C would be stated, so C is withheld;
    >>> # October: 13 - 5 = 8 states nothing small, so both are shown.
    >>> s = suppress_subsets(t, metas)
    >>> s["suppressed"].tolist(), s["value"].tolist()
    ([False, True, False, False], [13.0, nan, 13.0, 5.0])
    """
    t = table.copy()
    if "suppressed" not in t.columns:
        t["suppressed"] = False
    t["suppressed"] = t["suppressed"].fillna(False).astype(bool)
    children = {k: m.subset_of for k, m in metas.items() if m.subset_of}
    if not children or t.empty:
        return t
    index = t.index
    t = t.reset_index(drop=True)  # positions: a concatenated history repeats labels
    ends = pd.to_datetime(t["period_end"]).dt.normalize()
    keys = list(zip(t["kpi_id"], t["window"], ends, strict=True))
    at = dict(zip(keys, t.index, strict=True))
    shown = ~t["suppressed"]
    value = pd.to_numeric(t["value"], errors="coerce")
    numerator = pd.to_numeric(t["numerator"], errors="coerce")
    ratios: dict[tuple, list] = {}  # (window, end) -> shown non-count rows of configured KPIs
    for (kid, window, end), i in at.items():
        if kid in metas and metas[kid].unit != "count" and shown[i]:
            ratios.setdefault((window, end), []).append(i)
    withhold = []
    for (kid, window, end), i in at.items():
        parent = children.get(kid)
        j = at.get((parent, window, end)) if parent else None
        if j is None or not (shown[i] and shown[j]):
            continue
        if not is_small(value[j] - value[i], max_count):
            continue
        withhold.append(i)
        area = metas[kid].area
        for r in ratios.get((window, end), []):
            if metas[t.at[r, "kpi_id"]].area == area and numerator[r] == value[i]:
                withhold.append(r)
    t.loc[withhold, ["value", "numerator", "denominator"]] = float("nan")
    t.loc[withhold, "suppressed"] = True
    t.index = index
    return t


def suppress_counts(
    counts: Mapping[str, float], max_count: int = DEFAULT_MAX_COUNT
) -> dict[str, bool]:
    """Which groups of a table of counts are withheld (primary and secondary).

    A count of 1 to ``max_count`` is withheld. Then, while the withheld groups
    add up to 1 to ``max_count`` (which the total minus the shown groups would
    state: those children are "not in any shown group"), the smallest shown
    non-zero group is withheld too.

    Examples
    --------
    >>> suppress_counts({"a": 10, "b": 12, "c": 0})
    {'a': False, 'b': False, 'c': False}
    >>> suppress_counts({"a": 10, "b": 12, "c": 2})
    {'a': True, 'b': False, 'c': True}
    >>> suppress_counts({"a": 1, "b": 2, "c": 6, "d": 30})  # 1 + 2 = 3: hide 6 too
    {'a': True, 'b': True, 'c': True, 'd': False}
    """
    hidden = {k: is_small(v, max_count) for k, v in counts.items()}

    def hidden_sum() -> float:
        return sum(float(v) for k, v in counts.items() if hidden[k])

    while is_small(hidden_sum(), max_count):
        others = [(float(v), k) for k, v in counts.items() if not hidden[k] and v and v > 0]
        if not others:
            break
        hidden[min(others)[1]] = True
    return hidden


def suppress_ratio_groups(
    numerators: Mapping,
    denominators: Mapping,
    hidden: Mapping,
    unit: str,
    max_count: int = DEFAULT_MAX_COUNT,
) -> dict:
    """Secondary suppression of a percentage, rate or average broken down by group.

    ``hidden`` says which groups the primary and complement rules withhold. A
    group's figure times its denominator (which another published table may give,
    e.g. the count of the denominator's KPI by the same groups) states its
    numerator, so the KPI's own numerator less the shown groups' would state the
    withheld groups' sum, and likewise for denominators and, for a percentage,
    those not counted. While any of those sums is 1 to ``max_count`` the shown
    group with the smallest denominator is withheld too (for averages and sums
    of money, whose numerators count no one, only denominators are summed).

    Examples
    --------
    >>> # Team A 2 of 10 withheld (2 is small); team B 30 of 40 and C 60 of 80 shown:
    >>> # A's numerator 2 = 92 - 30 - 60, so the next group (B, smallest denominator) goes.
    >>> suppress_ratio_groups({"A": 2, "B": 30, "C": 60}, {"A": 10, "B": 40, "C": 80},
    ...                       {"A": True, "B": False, "C": False}, "percent")
    {'A': True, 'B': True, 'C': False}
    >>> # Nothing withheld: nothing more to withhold.
    >>> suppress_ratio_groups({"A": 6, "B": 30}, {"A": 10, "B": 40},
    ...                       {"A": False, "B": False}, "percent")
    {'A': False, 'B': False}
    """
    out = {k: bool(v) for k, v in hidden.items()}
    counted = unit not in _NUMERATOR_NOT_COUNTED

    def value(x) -> float:
        try:
            v = float(x)
        except (TypeError, ValueError):
            return 0.0
        return 0.0 if np.isnan(v) else v

    def leaks() -> bool:
        gone = [k for k, h in out.items() if h]
        num = sum(value(numerators.get(k)) for k in gone)
        den = sum(value(denominators.get(k)) for k in gone)
        sums = [den] + ([num, den - num] if counted and unit == "percent" else [])
        if counted and unit != "percent":
            sums.append(num)
        return any(is_small(s, max_count) for s in sums)

    while leaks():
        shown = [(value(denominators.get(k)), str(k), k) for k, h in out.items() if not h]
        shown = [s for s in shown if s[0] > 0]
        if not shown:
            break
        out[min(shown)[2]] = True
    return out


def suppress_breakdowns(
    breakdowns: pd.DataFrame,
    metas: Mapping[str, KpiMeta],
    history: pd.DataFrame | None = None,
    max_count: int = DEFAULT_MAX_COUNT,
) -> pd.DataFrame:
    """The breakdowns table as published: a ``share`` of each count, withheld cells blanked.

    Adds ``share`` (a count group's percentage of its table's total, worked out
    before anything is withheld) and ``suppressed``; a withheld row's ``value``
    and ``share`` are NaN. ``numerator`` and ``denominator`` are blanked on every
    row. ``history`` is the suppressed KPI history: a KPI whose own figure is
    withheld there has its whole breakdown withheld, and only the history's series
    (each KPI's charted window) are kept. KPIs not in ``metas`` are dropped (they
    are in no report).

    Examples
    --------
    >>> from pmf_lib.compute.registry import KpiMeta
    >>> m = KpiMeta(id="k", title="K", area="a", unit="count", polarity="neutral",
    ...             windows=("snapshot",), source="s", definition="d", numerator="n")
    >>> b = pd.DataFrame({"kpi_id": "k", "period_end": pd.Timestamp("2026-10-31"),
    ...                   "window": "snapshot", "dimension": "sex",
    ...                   "group": ["Boys", "Girls", "Unknown"], "value": [31.0, 3.0, 6.0],
    ...                   "numerator": [31.0, 3.0, 6.0], "denominator": float("nan")})
    >>> s = suppress_breakdowns(b, {"k": m})
    >>> s["value"].tolist(), s["share"].round(1).tolist(), s["suppressed"].tolist()
    ([31.0, nan, nan], [77.5, nan, nan], [False, True, True])
    """
    if breakdowns is None:
        return None
    b = breakdowns[breakdowns["kpi_id"].isin(list(metas))]
    if history is not None:  # only the published series: no other window to subtract
        series = set(zip(history["kpi_id"], history["window"], strict=True))
        keep = [(k, w) in series for k, w in zip(b["kpi_id"], b["window"], strict=True)]
        b = b[pd.Series(keep, index=b.index, dtype=bool)]
    b = b.copy()
    b["period_end"] = pd.to_datetime(b["period_end"]).dt.normalize()
    already = (
        b["suppressed"].fillna(False).astype(bool)
        if "suppressed" in b.columns
        else pd.Series(False, index=b.index)
    )
    if "share" not in b.columns:
        b["share"] = float("nan")
    hidden_kpi: set = set()
    if history is not None and "suppressed" in history.columns:
        hidden_kpi = _hidden_keys(history)
    hide = pd.Series(False, index=b.index)
    for key, part in b.groupby(["kpi_id", "window", "period_end", "dimension"], sort=False):
        kid, window, end, _ = key
        unit = metas[kid].unit
        if (kid, window, end) in hidden_kpi:
            hide[part.index] = True
            continue
        if unit == "count":
            values = part["value"].astype(float)
            if "share" in breakdowns.columns:
                pass  # a published table read back keeps its shares
            else:
                total = values.sum(skipna=True)
                b.loc[part.index, "share"] = 100.0 * values / total if total else float("nan")
            counts = {i: v for i, v in values.items() if not np.isnan(v)}
            for i, h in suppress_counts(counts, max_count).items():
                hide[i] = h
        else:
            primary = {
                i: row_is_suppressed(n, d, unit, max_count)
                for i, n, d in zip(part.index, part["numerator"], part["denominator"], strict=True)
            }
            numerators = dict(zip(part.index, part["numerator"], strict=True))
            denominators = dict(zip(part.index, part["denominator"], strict=True))
            groups = suppress_ratio_groups(numerators, denominators, primary, unit, max_count)
            for i, h in groups.items():
                hide[i] = h
    hide |= already
    hide |= _nested_groups(b, metas, hide, max_count)
    b.loc[hide, ["value", "share"]] = float("nan")
    b["numerator"] = float("nan")
    b["denominator"] = float("nan")
    b["suppressed"] = hide.to_numpy()
    return b.reset_index(drop=True)


def _nested_groups(
    b: pd.DataFrame, metas: Mapping[str, KpiMeta], hide: pd.Series, max_count: int
) -> pd.Series:
    """Breakdown rows withheld by the nesting rule (see :func:`suppress_breakdowns`).

    A child KPI's group that its ``subset_of`` parent's same group (same window,
    period, dimension) exceeds by 1 to ``max_count``, both shown, withholds the
    child's whole table for that dimension.
    """
    out = pd.Series(False, index=b.index)
    children = {k: m.subset_of for k, m in metas.items() if m.subset_of}
    if not children or b.empty:
        return out
    cols = ["kpi_id", "window", "period_end", "dimension", "group"]
    # by position: a concatenated table may repeat index labels
    at = {k: i for i, k in enumerate(zip(*(b[c] for c in cols), strict=True))}
    value = pd.to_numeric(b["value"], errors="coerce").to_numpy()
    hidden = hide.to_numpy()
    tables = set()
    for (kid, window, end, dim, group), i in at.items():
        parent = children.get(kid)
        j = at.get((parent, window, end, dim, group)) if parent else None
        if j is None or hidden[i] or hidden[j]:
            continue
        if is_small(value[j] - value[i], max_count):
            tables.add((kid, window, end, dim))
    if tables:
        key = zip(b["kpi_id"], b["window"], b["period_end"], b["dimension"], strict=True)
        out[:] = [k in tables for k in key]
    return out


def _hidden_keys(history: pd.DataFrame) -> set:
    h = history[history["suppressed"].astype(bool)]
    ends = pd.to_datetime(h["period_end"]).dt.normalize()
    return set(zip(h["kpi_id"], h["window"], ends, strict=True))


def _blank(a: pd.DataFrame, rows, columns) -> None:
    for col in columns:
        if col not in a.columns or not len(rows):
            continue
        if a[col].dtype == bool:
            a.loc[rows, col] = False
        elif pd.api.types.is_numeric_dtype(a[col]):
            a.loc[rows, col] = np.nan
        else:
            if a[col].dtype != object:
                a[col] = a[col].astype(object)
            a.loc[rows, col] = None


def _get(row: pd.Series, col: str, default=None):
    v = row.get(col, default)
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return default
    return v


def _safe_sentence(row: pd.Series) -> str:
    """The sentence of a shown figure from what is left of its row (no SPC numbers)."""
    target = _get(row, "target")
    km = exc.KpiMonth(
        kpi_id=str(row["kpi_id"]),
        title=str(row["title"]),
        unit=str(row["unit"]),
        polarity=str(row["polarity"]),
        period_end=pd.Timestamp(row["period_end"]),
        value=float(row["value"]),
        previous_value=float(_get(row, "previous_value", np.nan)),
        months_worse=int(_get(row, "months_worse", 0) or 0),
        rag=str(_get(row, "rag", "No target")),
        target=None if target is None else float(target),
        amber_tolerance=_get(row, "amber_tolerance"),
        months_off_target=int(_get(row, "months_off_target", 0) or 0),
        quartile_band=_get(row, "quartile"),
        previous_quartile_band=_get(row, "previous_quartile"),
    )
    return exc.sentence(km)


def withheld_sentence(title: str, period_end, max_count: int, noun: str) -> str:
    """The sentence a withheld figure gets.

    Examples
    --------
    >>> withheld_sentence("LADO referrals open", "2026-10-31", 4, "referrals")
    'The figure for LADO referrals open in October 2026 is withheld: it concerns fewer than 5 \
referrals.'
    """
    when = pd.Timestamp(period_end)
    return (
        f"The figure for {title} in {when:%B %Y} is withheld: it concerns fewer than "
        f"{max_count + 1} {noun}."
    )


def suppress_assessed(
    assessed: pd.DataFrame,
    history: pd.DataFrame,
    metas: Mapping[str, KpiMeta] | None = None,
    max_count: int = DEFAULT_MAX_COUNT,
) -> pd.DataFrame:
    """The assessed table as published: nothing that states or implies a withheld figure.

    ``history`` is the suppressed KPI history (all windows, from
    :func:`suppress_kpi_table`). A row whose figure is withheld keeps only
    :data:`KEPT_WHEN_WITHHELD` (identity, target, national comparators, data
    quality) and gets a sentence saying it is withheld; a shown row loses its
    change and direction against a withheld earlier figure, its run lengths and
    run flags when a month of the run is withheld, its SPC mean and limits when
    its series has a withheld point, and its rolling 12-month figure unless that is
    the window it is shown in. Its sentence is then rewritten without them.

    Examples
    --------
    >>> h = pd.DataFrame({"kpi_id": "k", "window": "month", "suppressed": [True],
    ...                   "period_end": pd.to_datetime(["2026-10-31"])})
    >>> a = pd.DataFrame({"kpi_id": ["k"], "window": ["month"], "title": ["K"],
    ...                   "area": ["lado"], "period_end": pd.to_datetime(["2026-10-31"]),
    ...                   "value": [3.0], "rag": ["Amber"], "target": [22.0],
    ...                   "previous_value": [9.0], "sentence": ["K rose to 3."]})
    >>> s = suppress_assessed(a, h).iloc[0]
    >>> float(s["value"]), s["rag"], float(s["target"]), bool(s["suppressed"])
    (nan, None, 22.0, True)
    >>> s["sentence"]
    'The figure for K in October 2026 is withheld: it concerns fewer than 5 referrals.'
    """
    a = assessed.copy().reset_index(drop=True)
    a["period_end"] = pd.to_datetime(a["period_end"]).dt.normalize()
    hidden = _hidden_keys(history)
    hidden_by_series: dict[tuple, list] = {}
    for kid, window, end in hidden:
        hidden_by_series.setdefault((kid, window), []).append(end)

    def was(kid, window, when) -> bool:
        if when is None or pd.isna(when):
            return False
        return (kid, window, pd.Timestamp(when).normalize()) in hidden

    sup = []
    for _, r in a.iterrows():
        s = was(r["kpi_id"], r["window"], r["period_end"])
        tw = _get(r, "travel_window", r["window"])
        s |= was(r["kpi_id"], tw, _get(r, "travel_period_end", r["period_end"]))
        sup.append(s)
    mask = pd.Series(sup, index=a.index, dtype=bool)
    if "suppressed" in a.columns:  # a published table read back
        mask |= a["suppressed"].fillna(False).astype(bool)
    withheld = a.index[mask]
    _blank(a, withheld, [c for c in a.columns if c not in KEPT_WHEN_WITHHELD])

    rewrite = []
    for i in a.index[~mask]:
        r = a.loc[i]
        kid, window, end = r["kpi_id"], r["window"], r["period_end"]
        tw = _get(r, "travel_window", window)
        changed = False
        if was(kid, tw, _get(r, "previous_end")) or was(kid, window, end - pd.offsets.MonthEnd(1)):
            _blank(a, [i], _PREVIOUS)
            changed = True
        if was(kid, tw, _get(r, "year_earlier_end")):
            _blank(a, [i], _YEAR_EARLIER)
        earlier = [d for d in hidden_by_series.get((kid, window), []) if d < end]
        recent = [d for d in earlier if d >= end - pd.offsets.MonthEnd(_RUN_MONTHS)]
        if recent:
            _blank(a, [i], ("months_worse",))
            if "months_off_target" in a.columns:
                a.loc[i, "months_off_target"] = 0 if a.loc[i, "rag"] == "Green" else 1
            flags = [f for f in str(_get(r, "exception_flags", "")).split("; ") if f]
            kept = [f for f in flags if f not in _RUN_FLAGS]
            if kept != flags and "exception_flags" in a.columns:
                a.loc[i, "exception_flags"] = "; ".join(kept)
                a.loc[i, "exception"] = bool(kept)
            changed = True
        if earlier:
            _blank(a, [i], _SPC_FIGURES)
            changed = True
        if changed:
            rewrite.append(i)
    if "rolling_12m_value" in a.columns:
        a["rolling_12m_value"] = a["rolling_12m_value"].where(a["window"] == "rolling_12m")
    if "own_rolling_12m" in a.columns:
        a["own_rolling_12m"] = a["own_rolling_12m"].where(a["window"] == "rolling_12m")
    if {"target_baseline", "unit"} <= set(a.columns):
        # A baseline is the council's own earlier figure: a count baseline of more than 0
        # and at most max_count (an average month included) is withheld like the count.
        base = pd.to_numeric(a["target_baseline"], errors="coerce")
        small = (a["unit"] == "count") & (base > 0) & (base <= max_count)
        a.loc[small, "target_baseline"] = np.nan
    if "sentence" in a.columns:
        a["sentence"] = a["sentence"].astype(object)
        for i in rewrite:
            if {"title", "unit", "polarity"} <= set(a.columns):
                a.at[i, "sentence"] = _safe_sentence(a.loc[i])
        for i in withheld:
            area = _get(a.loc[i], "area")
            if area is None and metas and a.at[i, "kpi_id"] in metas:
                area = metas[a.at[i, "kpi_id"]].area
            a.at[i, "sentence"] = withheld_sentence(
                a.at[i, "title"], a.at[i, "period_end"], max_count, subject_noun([area or ""])
            )
    a["suppressed"] = mask.to_numpy()
    return a


@dataclass
class PublishedTables:
    """A month's tables as a members' or public output shows them."""

    history: pd.DataFrame
    assessed: pd.DataFrame
    breakdowns: pd.DataFrame | None = None


def published_tables(
    history: pd.DataFrame,
    assessed: pd.DataFrame,
    breakdowns: pd.DataFrame | None,
    metas: Mapping[str, KpiMeta],
    rules: Disclosure | None = None,
) -> PublishedTables:
    """The one suppression decision of a month: the tables every report reads.

    ``history`` (every window), ``assessed`` and ``breakdowns`` as computed (or as
    published: the result read back gives itself). Returns the history of each
    configured KPI's headline window only, with withheld figures blanked and
    flagged; the assessed table with every figure derived from a withheld one
    blanked (:func:`suppress_assessed`); and the breakdowns with withheld cells
    blanked (:func:`suppress_breakdowns`).

    Examples
    --------
    >>> from pmf_lib.compute.registry import KpiMeta
    >>> m = KpiMeta(id="p", title="P", area="front_door", unit="percent",
    ...             polarity="lower_is_better", windows=("month", "rolling_12m"),
    ...             source="s", definition="d", numerator="n", denominator="d")
    >>> ends = pd.to_datetime(["2026-09-30", "2026-10-31"])
    >>> h = pd.DataFrame({"kpi_id": "p", "window": "month", "period_end": ends,
    ...                   "value": [30.0, 100 * 3 / 13], "numerator": [6.0, 3.0],
    ...                   "denominator": [20.0, 13.0]})
    >>> h = pd.concat([h, h.assign(window="rolling_12m", numerator=60.0, denominator=200.0,
    ...                           value=30.0)])
    >>> a = pd.DataFrame({"kpi_id": ["p"], "title": ["P"], "area": ["front_door"],
    ...                   "unit": ["percent"], "polarity": ["lower_is_better"],
    ...                   "period_end": [ends[1]], "window": ["month"], "value": [23.1],
    ...                   "target": [22.0], "rag": ["Amber"], "previous_label": ["Worsening"],
    ...                   "quartile": ["C"], "sentence": ["P fell to 23.1%."]})
    >>> p = published_tables(h, a, None, {"p": m})
    >>> sorted(set(p.history["window"])), p.history["suppressed"].tolist()
    (['month'], [False, True])
    >>> r = p.assessed.iloc[0]
    >>> r["rag"], r["previous_label"], r["quartile"], float(r["target"])
    (None, None, None, 22.0)
    """
    rules = rules or Disclosure()
    units = {k: m.unit for k, m in metas.items()}
    h = history.copy()
    h["period_end"] = pd.to_datetime(h["period_end"]).dt.normalize()
    h = suppress_kpi_table(h, units, rules.max_count)
    h = suppress_subsets(h, metas, rules.max_count)
    from pmf_lib.assess.voice import suppress_partitions  # themes adding up to a total

    h = suppress_partitions(h, max_count=rules.max_count)
    shown_a = suppress_assessed(assessed, h, metas, rules.max_count)
    # The series the reports chart: each KPI's assessed window.
    series = {(k, headline_window(m)) for k, m in metas.items()}
    series |= set(zip(assessed["kpi_id"], assessed["window"], strict=True))
    keep = [(k, w) in series for k, w in zip(h["kpi_id"], h["window"], strict=True)]
    h = h[pd.Series(keep, index=h.index, dtype=bool)].reset_index(drop=True)
    b = suppress_breakdowns(breakdowns, metas, h, rules.max_count)
    return PublishedTables(history=h, assessed=shown_a, breakdowns=b)
