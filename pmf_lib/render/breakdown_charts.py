"""Breakdown charts: a KPI by age band, sex, ethnicity or team, drawn with seaborn.

Each chart draws the figures of one breakdown table exactly as the table shows
them (the suppressed view for members and the public; see
:func:`pmf_lib.assess.disclosure.suppress_breakdowns`): a withheld cell has **no
bar**, its row reads "withheld", and the alt text says which groups are withheld
and why. Nothing here decides anything; it draws what it is given.

* :func:`breakdown_chart` — a horizontal bar per group. For a percentage, mean
  or rate a line marks the KPI's overall figure (every group together), so each group reads
  against it; for teams the bars are sorted and the alt text gives the spread
  (lowest, highest, and the gap between them).
* :func:`make_up_chart` — disproportionality by ethnic group: each group's share
  of the KPI's children beside its share of a reference population. The inputs
  (ONS population of children aged 0-17 by council, no ethnic groups) give no
  population by ethnicity, so the reference is the make-up of all children in
  need in the CIN census (``docs/deviations.md``); the chart's title and alt text
  say so.

seaborn (on matplotlib's object-oriented API, no pyplot state) draws the bars in
the Okabe–Ito palette; the reference bars are also hatched, so colour is never
the only difference.

Examples
--------
>>> c = breakdown_chart("Children looked after", "Sex", "At 31 October 2026", "count",
...                     ["Male", "Female", "Not known"], [377.0, 327.0, float("nan")],
...                     [False, False, True], withheld="fewer than 5 children")
>>> c.png[:4]
b'\\x89PNG'
>>> c.alt
'Bar chart of Children looked after by sex (At 31 October 2026): Male 377; Female 327; \
Not known withheld (fewer than 5 children), no bar drawn.'
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from pmf_lib.render.charts import OKABE_ITO, Chart, _quantized
from pmf_lib.render.format import format_value, is_missing

WITHHELD_LABEL = "withheld"
NO_FIGURE = "no figure"
NOT_KNOWN = "Not known"
NO_ETHNICITY_POPULATION = (
    "No population by ethnic group is in the inputs (the ONS estimates are of all children "
    "aged 0 to 17), so no rate per 10,000 by ethnic group can be worked out: each group's "
    "share is set beside its share of all children in need in the CIN census."
)


@dataclass(frozen=True)
class BreakdownChart(Chart):
    """A breakdown chart: PNG, alt text, and the bars drawn, read back from the axes.

    ``drawn`` is one ``(group, value)`` per bar on the axes (for the make-up chart,
    the KPI's bars then the reference's), so a test can see that a withheld
    group has no bar.
    """

    drawn: tuple[tuple[str, float], ...] = ()


def _drawn(ax, order: Sequence[str]) -> tuple[tuple[str, float], ...]:
    out = []
    for container in ax.containers:
        for bar in container:
            w = bar.get_width()
            if not math.isfinite(w):
                continue
            i = int(math.floor(bar.get_y() + bar.get_height() / 2 + 0.5))
            out.append((str(order[i]), float(w)))
    return tuple(out)


def _lower_first(text: str) -> str:
    """``Ethnicity (DfE major group)`` -> ``ethnicity (DfE major group)``."""
    return text[:1].lower() + text[1:]


def _shown(values: Sequence[float], hidden: Sequence[bool]) -> list[bool]:
    return [not h and not is_missing(v) for v, h in zip(values, hidden, strict=True)]


def _figure(rows: int) -> tuple[Figure, object]:
    fig = Figure(figsize=(6.4, 0.9 + 0.34 * max(rows, 2)), dpi=90, layout="constrained")
    ax = fig.subplots()
    return fig, ax


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return _quantized(buf.getvalue(), colours=32)


def _style(ax, unit: str) -> None:
    ax.set_ylabel("")
    ax.tick_params(labelsize=8.5, colors="#333333")
    ax.grid(axis="x", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if unit == "percent":
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:g}%")


def _mark_withheld(ax, order: list[str], hidden_groups: list[str], label=WITHHELD_LABEL) -> None:
    for g in hidden_groups:
        ax.text(0, order.index(g), f" {label}", va="center", fontsize=8, color="#555555")


def breakdown_chart(
    title: str,
    dimension: str,
    window: str,
    unit: str,
    groups: Sequence[str],
    values: Sequence[float],
    hidden: Sequence[bool],
    *,
    overall: float | None = None,
    withheld: str = "fewer than 5 children",
    sort: bool = False,
) -> BreakdownChart | None:
    """A bar per group of one breakdown table (None when no group has a figure to draw).

    Parameters
    ----------
    title, dimension, window : str
        The KPI's title, the breakdown's heading (``Sex``) and the window label.
    unit : str
        The KPI's unit (formats the bars' labels and the alt text).
    groups, values, hidden : sequences
        The table's rows in order; a hidden (withheld) or missing value gets no bar.
    overall : float, optional
        The KPI's overall figure, every group together (a percentage, mean or rate):
        drawn as a line and named in the alt text.
    withheld : str
        Why a withheld group is withheld, for the alt text.
    sort : bool
        Sort the groups by value, largest first (teams), and give the spread.

    Examples
    --------
    >>> c = breakdown_chart("Visits on time", "Team", "October 2026", "percent",
    ...                     ["A", "B", "C"], [80.0, 62.5, float("nan")], [False, False, True],
    ...                     overall=74.0, sort=True)
    >>> print(c.alt)
    Bar chart of Visits on time by team (October 2026), sorted from highest: A 80.0%; B 62.5%; \
C withheld (fewer than 5 children), no bar drawn. Line: overall 74.0%. Spread across the \
2 teams shown: from 62.5% (B) to 80.0% (A), a gap of 17.5 percentage points.
    >>> breakdown_chart("K", "Sex", "w", "count", ["M"], [3.0], [True]) is None
    True
    """
    groups = [str(g) for g in groups]
    values = [float("nan") if is_missing(v) else float(v) for v in values]
    show = _shown(values, hidden)
    if not any(show):
        return None
    order = list(groups)
    if sort:
        ranked = sorted(
            range(len(groups)), key=lambda i: (not show[i], -(values[i] if show[i] else 0))
        )
        order = [groups[i] for i in ranked]
    data = pd.DataFrame(
        {
            "group": [g for g, s in zip(groups, show, strict=True) if s],
            "value": [v for v, s in zip(values, show, strict=True) if s],
        }
    )
    fig, ax = _figure(len(order))
    sns.barplot(
        data=data,
        x="value",
        y="group",
        order=order,
        color=OKABE_ITO["blue"],
        ax=ax,
        orient="h",
        errorbar=None,
        width=0.7,
    )
    for container in ax.containers:
        ax.bar_label(
            container,
            labels=[
                format_value(v, unit)
                for v in data.set_index("group").reindex(
                    [o for o in order if o in set(data["group"])]
                )["value"]
            ],
            padding=3,
            fontsize=8,
        )
    hidden_groups = [g for g, h in zip(groups, hidden, strict=True) if h]
    empty = [g for g, s, h in zip(groups, show, hidden, strict=True) if not s and not h]
    _mark_withheld(ax, order, hidden_groups)
    _mark_withheld(ax, order, empty, NO_FIGURE)
    if overall is not None and not is_missing(overall):
        ax.axvline(
            float(overall),
            color=OKABE_ITO["vermillion"],
            linestyle="--",
            linewidth=1.3,
            label=f"Overall {format_value(overall, unit)}",
        )
        ax.legend(fontsize=7.5, frameon=False, loc="lower right")
    ax.set_xlabel(_axis_label(unit), fontsize=8.5)
    ax.set_xlim(0, max([*data["value"], float(overall or 0)]) * 1.18 or 1)
    _style(ax, unit)
    ax.set_title(f"{title} by {_lower_first(dimension)}", fontsize=10, loc="left")
    drawn = _drawn(ax, order)
    png = _png(fig)
    return BreakdownChart(
        png,
        breakdown_alt_text(
            title,
            dimension,
            window,
            unit,
            order,
            dict(zip(groups, values, strict=True)),
            set(hidden_groups),
            overall=overall,
            withheld=withheld,
            sort=sort,
        ),
        drawn,
    )


def _axis_label(unit: str) -> str:
    from pmf_lib.render.format import UNIT_NAMES

    return UNIT_NAMES.get(unit, unit).capitalize()


def breakdown_alt_text(
    title: str,
    dimension: str,
    window: str,
    unit: str,
    order: Sequence[str],
    values: dict,
    hidden: set,
    *,
    overall=None,
    withheld: str = "fewer than 5 children",
    sort: bool = False,
) -> str:
    """What :func:`breakdown_chart` draws, in words: every group's figure or "withheld".

    A group that is not withheld but has no figure (an empty denominator) reads
    "no figure". The spread of a sorted breakdown (teams) leaves out "Not known".

    Examples
    --------
    >>> breakdown_alt_text("K", "Age band", "w", "count", ["0", "1", "2"],
    ...                    {"0": 2.0, "1": 9.0, "2": float("nan")}, {"0"})
    'Bar chart of K by age band (w): 0 withheld (fewer than 5 children), no bar drawn; 1 9; \
2 no figure, no bar drawn.'
    """
    parts = []
    for g in order:
        if g in hidden:
            parts.append(f"{g} {WITHHELD_LABEL} ({withheld}), no bar drawn")
        elif is_missing(values[g]):
            parts.append(f"{g} {NO_FIGURE}, no bar drawn")
        else:
            parts.append(f"{g} {format_value(values[g], unit)}")
    text = (
        f"Bar chart of {title} by {_lower_first(dimension)} ({window})"
        f"{', sorted from highest' if sort else ''}: " + "; ".join(parts) + "."
    )
    if overall is not None and not is_missing(overall):
        text += f" Line: overall {format_value(overall, unit)}."
    if sort:
        shown = [
            (values[g], g)
            for g in order
            if g not in hidden and not is_missing(values[g]) and g != NOT_KNOWN
        ]
        if len(shown) >= 2:
            (lo, glo), (hi, ghi) = min(shown), max(shown)
            gap = format_value(hi - lo, unit)
            if unit == "percent":
                gap = gap.rstrip("%") + " percentage points"
            text += (
                f" Spread across the {len(shown)} {_lower_first(dimension)}s shown: from "
                f"{format_value(lo, unit)} ({glo}) to {format_value(hi, unit)} ({ghi}), "
                f"a gap of {gap}."
            )
    return text


def make_up_chart(
    title: str,
    window: str,
    groups: Sequence[str],
    shares: Sequence[float],
    hidden: Sequence[bool],
    reference: dict[str, float],
    *,
    reference_label: str = "all children in need (CIN census)",
    withheld: str = "fewer than 5 children",
) -> BreakdownChart | None:
    """Each ethnic group's share of the KPI's children beside its share of a reference.

    ``shares`` are the groups' percentages of the KPI's total (as the breakdown
    table shows them); ``reference`` maps a group to its percentage of the
    reference population (a withheld or missing one: no bar). Returns None when no
    group has a share to draw.

    Examples
    --------
    >>> c = make_up_chart("Children looked after", "At 31 October 2026", ["White", "Mixed"],
    ...                   [84.0, float("nan")], [False, True], {"White": 88.0, "Mixed": 5.5})
    >>> print(c.alt)
    Bar chart of each ethnic group's share of Children looked after (At 31 October 2026) beside \
its share of all children in need (CIN census): White 84.0% against 88.0%; Mixed withheld \
(fewer than 5 children), no bar drawn, against 5.5%. No population by ethnic group is in the \
inputs (the ONS estimates are of all children aged 0 to 17), so no rate per 10,000 by ethnic \
group can be worked out: each group's share is set beside its share of all children in need in \
the CIN census.
    """
    groups = [str(g) for g in groups]
    ref_name = reference_label[:1].upper() + reference_label[1:]
    shares = [float("nan") if is_missing(v) else float(v) for v in shares]
    show = _shown(shares, hidden)
    if not any(show):
        return None
    rows = []
    for g, v, s in zip(groups, shares, show, strict=True):
        if s:
            rows.append({"group": g, "share": v, "of": title})
        r = reference.get(g)
        if r is not None and not is_missing(r):
            rows.append({"group": g, "share": float(r), "of": ref_name})
    data = pd.DataFrame(rows)
    fig, ax = _figure(len(groups) * 2)
    hue_order = [title, ref_name]
    sns.barplot(
        data=data,
        x="share",
        y="group",
        hue="of",
        order=groups,
        hue_order=hue_order,
        palette=[OKABE_ITO["blue"], OKABE_ITO["orange"]],
        ax=ax,
        orient="h",
        errorbar=None,
    )
    for container, hatch in zip(ax.containers, ("", "//"), strict=False):
        for bar in container:
            bar.set_hatch(hatch)
            bar.set_edgecolor("#333333")
            bar.set_linewidth(0.4)
        ax.bar_label(container, fmt="%.1f%%", padding=3, fontsize=7.5)
    for g, s in zip(groups, show, strict=True):
        if not s:
            ax.text(
                0,
                groups.index(g) - 0.2,
                f" {WITHHELD_LABEL}",
                va="center",
                fontsize=8,
                color="#555555",
            )
    legend = ax.legend(fontsize=7.5, frameon=False, loc="lower right", title=None)
    for handle, hatch in zip(legend.legend_handles, ("", "//"), strict=False):
        handle.set_hatch(hatch)
        handle.set_edgecolor("#333333")
    ax.set_xlabel("Share of children (%)", fontsize=8.5)
    top = max(data["share"]) if len(data) else 1
    ax.set_xlim(0, top * 1.2)
    _style(ax, "percent")
    ax.set_title("Share by ethnic group", fontsize=10, loc="left")
    drawn = _drawn(ax, groups)
    png = _png(fig)
    parts = []
    for g, v, s, h in zip(groups, shares, show, hidden, strict=True):
        r = reference.get(g)
        ref = "no reference figure" if r is None or is_missing(r) else format_value(r, "percent")
        own = format_value(v, "percent") if s else f"{WITHHELD_LABEL} ({withheld}), no bar drawn,"
        if not s and not h:
            own = f"{NO_FIGURE}, no bar drawn,"
        parts.append(f"{g} {own} against {ref}")
    alt = (
        f"Bar chart of each ethnic group's share of {title} ({window}) "
        f"beside its share of {reference_label}: "
        + "; ".join(parts)
        + ". "
        + NO_ETHNICITY_POPULATION
    )
    return BreakdownChart(png, alt, drawn)


def shares_of(values: Sequence[float], hidden: Sequence[bool]) -> list[float]:
    """Each group's percentage of the total, with nothing withheld (internal tables).

    Examples
    --------
    >>> shares_of([30.0, 10.0], [False, False])
    [75.0, 25.0]
    """
    total = sum(v for v in values if not is_missing(v))
    return [
        100.0 * v / total if total and not is_missing(v) and not h else math.nan
        for v, h in zip(values, hidden, strict=True)
    ]
