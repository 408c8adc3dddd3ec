"""Trend charts: a PNG per KPI, embedded in the HTML with alt text that says what it shows.

Charts use matplotlib's object-oriented API (no pyplot state, no GUI backend),
the Okabe–Ito colour-blind-safe palette, and never rely on colour alone: the
headline series is a solid line with markers, the single-month series dashed.

Examples
--------
>>> import pandas as pd
>>> months = pd.date_range("2025-10-31", "2026-10-31", freq="ME")   # 13 month ends
>>> s = pd.Series([84.0] + [80.0] * 11 + [71.2], index=months)
>>> alt_text("Assessments in 45 working days", s, "percent", "2026-10-31", months=13)
'Line chart of Assessments in 45 working days over 13 months to Oct 2026; latest 71.2%, \
down from 84.0% a year earlier.'
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass
from html import escape

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from pmf_lib.assess.spc_table import NOTE_WITHHELD
from pmf_lib.assess.travel import (
    DEFAULT_THRESHOLDS,
    DISPLAY_DECIMALS,
    NO_CHANGE,
    Thresholds,
    direction,
    year_earlier_month_end,
)
from pmf_lib.render.format import format_month, format_number, format_value, is_missing

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
}
PALETTE = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky")]

_AXIS_DECIMALS = {
    "count": 0,
    "percent": 0,
    "rate_10k": 1,
    "days": 0,
    "fte": 1,
    "mean": 1,
    "ratio": 2,
}


def no_spc_text(note: str | None, *, colon: bool = False) -> str:
    """Why a chart has no process limits, as its caption and alt text say it.

    A chart whose limits are withheld for members (:data:`NOTE_WITHHELD`) keeps
    the SPC readings of its shown points (made on the whole series in the assess
    stage), so it is not "no SPC": only the mean and limits are not drawn.

    Examples
    --------
    >>> no_spc_text("fewer than 12 points")
    ' A trend line only, no SPC (fewer than 12 points).'
    >>> no_spc_text(None)
    ' A trend line only, no SPC.'
    >>> no_spc_text(NOTE_WITHHELD)[:60]
    ' The SPC mean and process limits are not shown: a figure in '
    """
    if note == NOTE_WITHHELD:
        return (
            " The SPC mean and process limits are not shown: a figure in the series is "
            "withheld (small numbers). The SPC readings of the points shown stand."
        )
    if not note:
        return " A trend line only, no SPC."
    detail = f": {note}" if colon else f" ({note})"
    return f" A trend line only, no SPC{detail}."


@dataclass(frozen=True)
class Chart:
    """A rendered chart: PNG bytes and the alt text describing it."""

    png: bytes
    alt: str

    @property
    def data_uri(self) -> str:
        """The PNG as a ``data:`` URI (reports load nothing from outside)."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")

    def to_html(self) -> str:
        """An ``<img>`` element with the alt text.

        Examples
        --------
        >>> Chart(b"\\x89PNG", 'A "chart"').to_html()
        '<img class="pmf-chart" src="data:image/png;base64,iVBORw==" alt="A &quot;chart&quot;">'
        """
        return f'<img class="pmf-chart" src="{self.data_uri}" alt="{escape(self.alt)}">'


def _window_months(period_end, months: int) -> pd.DatetimeIndex:
    end = pd.Timestamp(period_end).normalize()
    first = end.replace(day=1) - pd.DateOffset(months=months - 1)
    return pd.date_range(first + pd.offsets.MonthEnd(0), end, freq="ME")


def _series_in(series: pd.Series, period_end, months: int) -> pd.Series:
    s = series.copy()
    s.index = pd.to_datetime(s.index).normalize()
    return s.reindex(_window_months(period_end, months)).astype(float)


def against_year_earlier(latest: float, earlier: float, unit: str, thresholds) -> str:
    """The alt text's phrase for a latest figure against the one a year earlier.

    "No change" is travel's own verdict on the displayed figures
    (:func:`pmf_lib.assess.travel.direction`), so the alt text never calls a move
    the tables show as unchanged "up" or "down".

    Examples
    --------
    >>> from pmf_lib.assess.travel import DEFAULT_THRESHOLDS
    >>> against_year_earlier(71.25, 71.3, "percent", DEFAULT_THRESHOLDS)
    'about the same as 71.3% a year earlier'
    >>> against_year_earlier(80.0, 70.0, "percent", DEFAULT_THRESHOLDS)
    'up from 70.0% a year earlier'
    >>> against_year_earlier(5.0, float("nan"), "count", DEFAULT_THRESHOLDS)
    'no figure a year earlier'
    """
    if is_missing(earlier):
        return "no figure a year earlier"
    same = direction(
        latest,
        earlier,
        unit=unit,
        polarity="neutral",
        thresholds=thresholds,
        decimals=DISPLAY_DECIMALS.get(unit),
    )
    if same.label == NO_CHANGE:
        return f"about the same as {format_value(earlier, unit)} a year earlier"
    if latest > earlier:
        return f"up from {format_value(earlier, unit)} a year earlier"
    return f"down from {format_value(earlier, unit)} a year earlier"


def alt_text(
    title: str,
    series: pd.Series,
    unit: str,
    period_end,
    *,
    months: int = 24,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    extra: str = "",
) -> str:
    """Alt text for a trend chart: what it shows, the latest value and the trend.

    Parameters
    ----------
    title : str
        The measure's name (with its window if that matters).
    series : pandas.Series
        Values indexed by period end.
    unit : str
        The KPI unit (formats the values).
    period_end : date-like
        The latest month shown.
    months : int
        How many months the chart spans.
    thresholds : Thresholds
        Within these, the value is "about the same as" a year earlier.
    extra : str
        A further sentence (e.g. about a second line).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([float("nan")], index=pd.to_datetime(["2026-10-31"]))
    >>> alt_text("Referrals", s, "count", "2026-10-31", months=3)
    'Line chart of Referrals over 3 months to Oct 2026; no figure for Oct 2026 and none a \
year earlier.'
    """
    s = _series_in(series, period_end, months)
    end = pd.Timestamp(period_end)
    latest = s.iloc[-1]
    year = year_earlier_month_end(end)
    earlier = series_value(series, year)
    head = f"Line chart of {title} over {months} months to {format_month(end)}"
    if is_missing(latest):
        now = f"no figure for {format_month(end)}"
    else:
        now = f"latest {format_value(latest, unit)}"
    if is_missing(earlier):
        trend = "none a year earlier" if is_missing(latest) else "no figure a year earlier"
    elif is_missing(latest):
        trend = f"{format_value(earlier, unit)} a year earlier"
    else:
        trend = against_year_earlier(latest, earlier, unit, thresholds)
    gaps = int(s.isna().sum()) - int(is_missing(latest))
    joiner = " and " if is_missing(latest) else ", "
    text = f"{head}; {now}{joiner}{trend}."
    if 0 < gaps < months - 1:
        text += f" {gaps} earlier month{'s' if gaps != 1 else ''} have no figure."
    if extra:
        text += " " + extra
    return text


def series_value(series: pd.Series, when) -> float:
    """The series' value at period end ``when`` (NaN when absent)."""
    s = series.copy()
    s.index = pd.to_datetime(s.index).normalize()
    v = s.get(pd.Timestamp(when).normalize(), float("nan"))
    return float("nan") if is_missing(v) else float(v)


def trend_chart(
    series: pd.Series,
    *,
    title: str,
    unit: str,
    period_end,
    months: int = 24,
    secondary: pd.Series | None = None,
    series_label: str = "",
    secondary_label: str = "",
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Chart:
    """A line chart of a KPI over ``months`` months to ``period_end``.

    Parameters
    ----------
    series : pandas.Series
        The headline values indexed by period end (other months are ignored).
    title : str
        The measure's name, used in the alt text.
    unit : str
        The KPI's unit (formats the axis and the alt text).
    period_end : date-like
        The last month shown.
    months : int
        The span of the chart (default 24).
    secondary : pandas.Series, optional
        A second series (e.g. single months beside a rolling 12 months), dashed.
    series_label, secondary_label : str
        Legend labels (a legend is drawn only when there is a secondary series).
    thresholds : Thresholds
        Passed to :func:`alt_text`.

    Returns
    -------
    Chart

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([10.0, 12.0], index=pd.to_datetime(["2026-09-30", "2026-10-31"]))
    >>> c = trend_chart(s, title="Referrals", unit="count", period_end="2026-10-31", months=2)
    >>> c.png[:4], c.alt
    (b'\\x89PNG', 'Line chart of Referrals over 2 months to Oct 2026; latest 12, no figure a \
year earlier.')
    """
    s = _series_in(series, period_end, months)
    fig = Figure(figsize=(7.2, 2.7), dpi=110, layout="constrained")
    ax = fig.add_subplot()
    x = s.index
    ax.plot(
        x,
        s.to_numpy(),
        color=PALETTE[0],
        linewidth=2,
        marker="o",
        markersize=3,
        label=series_label or None,
    )
    extra = ""
    if secondary is not None:
        s2 = _series_in(secondary, period_end, months)
        ax.plot(
            x,
            s2.to_numpy(),
            color=PALETTE[1],
            linewidth=1.3,
            linestyle="--",
            label=secondary_label or None,
        )
        if secondary_label:
            extra = f"A dashed line shows {secondary_label.lower()}."
    if not is_missing(s.iloc[-1]):
        ax.plot([x[-1]], [s.iloc[-1]], marker="o", markersize=7, color=PALETTE[0])
        ax.annotate(
            format_value(s.iloc[-1], unit),
            (x[-1], s.iloc[-1]),
            xytext=(6, 6),
            textcoords="offset points",
            fontsize=9,
            color="#1a1a1a",
        )
    ax.xaxis.set_major_formatter(FuncFormatter(_month_tick))
    ticks = x[:: -max(1, (len(x) + 7) // 8)][::-1] if len(x) else x  # always the latest month
    ax.set_xticks(ticks)
    ax.tick_params(labelsize=8.5, colors="#333333")
    if unit in ("count", "percent", "rate_10k") and not s.dropna().empty and s.min() >= 0:
        ax.set_ylim(bottom=0)
    if unit == "percent" and not s.dropna().empty and s.max() > 90:
        ax.set_ylim(top=100)
    _y_axis(ax, unit)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if secondary is not None and (series_label or secondary_label):
        ax.legend(fontsize=8.5, frameon=False, loc="upper left", bbox_to_anchor=(0, 1.2), ncols=2)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return Chart(
        buf.getvalue(),
        alt_text(
            title, series, unit, period_end, months=months, thresholds=thresholds, extra=extra
        ),
    )


def _y_axis(ax, unit: str) -> None:
    """Y ticks in the unit's format, with as many decimals as the tick step needs.

    A 0.5-point step on a percentage axis is labelled 88.5%, not "89%" twice.
    """
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=unit == "count"))
    places = _AXIS_DECIMALS.get(unit, 1)
    ticks = [t for t in ax.get_yticks() if math.isfinite(t)]
    if len(ticks) > 1 and unit != "count":
        step = min(abs(b - a) for a, b in zip(ticks, ticks[1:], strict=False) if b != a)
        while places < 3 and round(step, places) != round(step, places + 3):
            places += 1
    if unit in ("gbp", "gbp_mean"):  # pounds, whole: £1,250 and -£25 (issue 16, finance)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_value(v, unit)))
        return
    suffix = "%" if unit == "percent" else ""
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v, places) + suffix))


def _month_tick(value, _pos) -> str:
    from matplotlib.dates import num2date

    return num2date(value).strftime("%b\n%Y")


#: Comparator lines on SPC charts: label -> (colour, line style).
COMPARATOR_STYLES = {
    "England": (OKABE_ITO["black"], (0, (1, 2))),
    "Region": (OKABE_ITO["purple"], (0, (4, 2, 1, 2))),
    "Statistical neighbours": (OKABE_ITO["green"], (0, (6, 3))),
}

#: Special-cause markers by the published verdict: (colour, marker, legend text). Colour AND
#: shape differ, and the legend says it in words.
VERDICT_MARKERS = {
    "special cause improvement": (OKABE_ITO["sky"], "^", "Special cause improvement"),
    "special cause concern": (OKABE_ITO["orange"], "v", "Special cause concern"),
    "special cause high": (OKABE_ITO["purple"], "D", "Special cause (neither better nor worse)"),
    "special cause low": (OKABE_ITO["purple"], "D", "Special cause (neither better nor worse)"),
}

#: What one point of a chart is, by the KPI's cadence (singular, plural).
POINT_NAMES = {
    "monthly": ("month", "months"),
    "rolling": ("month", "months"),
    "quarterly": ("quarter", "quarters"),
    "annual": ("year", "years"),
}

_MONTHLY_GRID = ("monthly", "rolling")


def points_shown(chart: pd.DataFrame, period_end, months: int) -> pd.DataFrame:
    """The published SPC-table rows a chart of ``months`` months to ``period_end`` draws.

    Monthly (and rolling) charts are put on every month end of the span, so a
    missing month is a gap; quarterly and annual charts keep their own points
    (quarter ends, year ends), which are joined by the line.

    Examples
    --------
    >>> import pandas as pd
    >>> q = pd.DataFrame({"period_end": pd.to_datetime(["2025-12-31", "2026-03-31",
    ...                                                 "2026-06-30", "2026-09-30"]),
    ...                   "value": [1.0, 2.0, 3.0, 4.0], "cadence": "quarterly"})
    >>> [str(d.date()) for d in points_shown(q, "2026-10-31", 9).index]
    ['2026-03-31', '2026-06-30', '2026-09-30']
    """
    end = pd.Timestamp(period_end).normalize()
    grid = _window_months(end, months)
    c = chart.copy()
    c.index = pd.DatetimeIndex(pd.to_datetime(c["period_end"]).dt.normalize())
    c = c[~c.index.duplicated()]
    cadence = str(c["cadence"].iloc[0]) if len(c) and "cadence" in c else "monthly"
    if cadence in _MONTHLY_GRID:
        out = c.reindex(grid)
        for col in ("cadence", "chart", "kpi_id", "window"):
            if col in c:
                out[col] = c[col].iloc[0] if len(c) else None
        return out
    return c[(c.index >= grid[0]) & (c.index <= end)]


def _cadence(chart: pd.DataFrame) -> str:
    if "cadence" in chart and chart["cadence"].notna().any():
        return str(chart["cadence"].dropna().iloc[0])
    return "monthly"


def _is_spc(chart: pd.DataFrame) -> bool:
    if "chart" in chart and chart["chart"].notna().any():
        return str(chart["chart"].dropna().iloc[0]) == "spc"
    return "upper" in chart and chart["upper"].notna().any()


def spc_alt_text(
    title: str,
    chart: pd.DataFrame,
    unit: str,
    period_end,
    *,
    months: int,
    suppressed=(),
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    withheld: str = "fewer than 5 children",
) -> str:
    """Alt text for a chart drawn from the SPC table: what is drawn, and only that.

    It names the points (months, quarters or years), the latest value and the
    change from a year earlier, the mean and limits of the latest segment as
    drawn (trial limits said so; a trend line says it has none and why), the
    special-cause points marked, the target and withheld points.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"period_end": pd.to_datetime(["2026-09-30", "2026-10-31"]),
    ...                   "value": [10.0, float("nan")], "mean": 10.0, "upper": 14.0,
    ...                   "lower": 6.0, "target": float("nan"), "chart": "spc",
    ...                   "cadence": "monthly", "trial": True, "segment": 0})
    >>> spc_alt_text("Referrals", c, "count", "2026-10-31", months=2,
    ...              suppressed=[pd.Timestamp("2026-10-31")])
    'SPC chart of Referrals over 2 months to Oct 2026; the figure for Oct 2026 is withheld \
(fewer than 5 children). Mean 10, trial process limits 6 to 14 (fewer than 12 points).'
    """
    end = pd.Timestamp(period_end).normalize()
    hidden = {pd.Timestamp(d).normalize() for d in suppressed}
    shown = points_shown(chart, end, months)
    cadence = _cadence(chart)
    one, many = POINT_NAMES.get(cadence, ("month", "months"))
    values = shown["value"].astype(float).where(~shown.index.isin(list(hidden)))
    is_spc = _is_spc(chart)
    kind = "SPC chart" if is_spc else "Trend chart"
    n = len(shown)
    last = shown.index[-1] if n else end
    head = f"{kind} of {title} over {n} {one if n == 1 else many} to {format_month(last)}"
    if last in hidden:
        text = f"{head}; the figure for {format_month(last)} is withheld ({withheld})."
    elif n == 0 or is_missing(values.iloc[-1]):
        text = f"{head}; no figure for {format_month(last)}."
    else:
        latest = float(values.iloc[-1])
        year = year_earlier_month_end(last)
        earlier = float(values.get(year, float("nan"))) if year in values.index else float("nan")
        trend = against_year_earlier(latest, earlier, unit, thresholds)
        text = f"{head}; latest {format_value(latest, unit)}, {trend}."
    n_hidden = len({d for d in hidden if d != last and d in set(shown.index)})
    if n_hidden:
        text += (
            f" {n_hidden} earlier {one if n_hidden == 1 else many} "
            f"{'is' if n_hidden == 1 else 'are'} withheld ({withheld}) and not "
            "plotted."
        )
    drawn = shown[shown["upper"].notna()] if "upper" in shown else shown.iloc[0:0]
    if is_spc and len(drawn):
        seg = drawn[drawn["segment"] == drawn["segment"].iloc[-1]] if "segment" in drawn else drawn
        s0 = seg.iloc[-1]
        trial = bool(s0.get("trial", False))
        limits = "trial process limits" if trial else "process limits"
        text += (
            f" Mean {format_value(s0['mean'], unit)}, {limits} "
            f"{format_value(s0['lower'], unit)} to {format_value(s0['upper'], unit)}"
        )
        if trial:
            text += " (fewer than 12 points)"
        if "segment" in drawn and drawn["segment"].nunique() > 1:
            text += f", recalculated from {format_month(seg.index[0])}"
            for _, rows in list(_segment_runs(drawn))[:-1]:
                r0 = rows.iloc[-1]
                text += (
                    f"; before that, mean {format_value(r0['mean'], unit)}, "
                    f"{'trial ' if bool(r0.get('trial', False)) else ''}process limits "
                    f"{format_value(r0['lower'], unit)} to {format_value(r0['upper'], unit)} "
                    f"({format_month(rows.index[0])} to {format_month(rows.index[-1])})"
                )
        text += "."
    elif not is_spc:
        note = None
        if "note" in chart and chart["note"].notna().any():
            note = str(chart["note"].dropna().iloc[-1])
        text += no_spc_text(note, colon=True)
    if "verdict" in shown:
        marked = shown[shown["verdict"].isin(list(VERDICT_MARKERS)) & values.notna()]
        counts: dict[str, int] = {}
        for v in marked["verdict"]:
            label = VERDICT_MARKERS[v][2].lower()
            counts[label] = counts.get(label, 0) + 1
        for label, k in counts.items():
            text += f" {k} {one if k == 1 else many} marked {label}."
    if "target" in shown and n and not is_missing(shown["target"].iloc[-1]):
        text += f" Target {format_value(shown['target'].iloc[-1], unit)}."
    return text


def _segment_runs(shown: pd.DataFrame):
    """(segment, rows) for each segment shown, in time order."""
    if "segment" not in shown:
        yield 0, shown
        return
    seg = shown["segment"]
    for s in pd.unique(seg.dropna()):
        yield s, shown[seg == s]


def draw_spc_chart(
    chart: pd.DataFrame,
    *,
    unit: str,
    period_end,
    months: int = 24,
    comparators: dict[str, float] | None = None,
    suppressed=(),
) -> Figure:
    """The matplotlib figure of a chart drawn from SPC-table rows (see :func:`spc_chart`).

    Each line carries a ``gid`` naming what it is (``value``, ``mean-<segment>``,
    ``upper-<segment>``, ``lower-<segment>``, ``target``, ``marker-<verdict>``,
    ``comparator-<label>``), so a test can check it draws exactly the published
    figures.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"period_end": pd.date_range("2026-04-30", periods=7, freq="ME"),
    ...                   "value": [5.0, 6.0, 5.0, 6.0, 5.0, 6.0, 9.0], "mean": 6.0,
    ...                   "upper": 8.5, "lower": 3.5, "segment": 0, "trial": True,
    ...                   "chart": "spc", "cadence": "monthly",
    ...                   "verdict": ["common cause"] * 6 + ["special cause concern"]})
    >>> fig = draw_spc_chart(c, unit="count", period_end="2026-10-31", months=7)
    >>> sorted(l.get_gid() for l in fig.axes[0].lines)
    ['lower-0', 'marker-special cause concern', 'mean-0', 'upper-0', 'value']
    """
    end = pd.Timestamp(period_end).normalize()
    hidden = {pd.Timestamp(d).normalize() for d in suppressed}
    shown = points_shown(chart, end, months)
    is_spc = _is_spc(chart)
    fig = Figure(figsize=(7.2, 2.9), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    x = shown.index
    values = shown["value"].astype(float).where(~shown.index.isin(list(hidden)))
    ax.plot(
        x,
        values.to_numpy(),
        color=PALETTE[0],
        linewidth=2,
        marker="o",
        markersize=3,
        label="Value",
        gid="value",
    )
    if is_spc and "upper" in shown:
        labelled: set[str] = set()
        for seg, rows in _segment_runs(shown):
            if rows["upper"].isna().all():
                continue
            trial = bool(rows["trial"].astype(bool).any()) if "trial" in rows else False
            lim_label = "Trial limits (fewer than 12 points)" if trial else "Process limits"
            xs = rows.index
            for name, style, colour, label in (
                ("mean", "-", "#555555", "Mean"),
                ("upper", "--" if not trial else ":", "#777777", lim_label),
                ("lower", "--" if not trial else ":", "#777777", None),
            ):
                ax.plot(
                    xs,
                    rows[name].astype(float).to_numpy(),
                    color=colour,
                    linewidth=1.2 if name != "mean" else 1,
                    linestyle=style,
                    label=label if label and label not in labelled else None,
                    gid=f"{name}-{int(seg)}",
                )
                if label:
                    labelled.add(label)
    if "verdict" in shown:
        done: set[str] = set()
        for verdict, (colour, marker, label) in VERDICT_MARKERS.items():
            hit = (shown["verdict"] == verdict).to_numpy() & values.notna().to_numpy()
            if not hit.any():
                continue
            ax.plot(
                x[hit],
                values[hit].to_numpy(),
                linestyle="none",
                marker=marker,
                markersize=8,
                markerfacecolor=colour,
                markeredgecolor="#1a1a1a",
                markeredgewidth=0.8,
                label=label if label not in done else None,
                gid=f"marker-{verdict}",
            )
            done.add(label)
    if "target" in shown and shown["target"].notna().any():
        ax.step(
            x,
            shown["target"].astype(float).to_numpy(),
            where="mid",
            color=PALETTE[3],
            linewidth=1.6,
            label="Target",
            gid="target",
        )
    for label, value in (comparators or {}).items():
        if is_missing(value):
            continue
        colour, dash = COMPARATOR_STYLES.get(label, ("#333333", ":"))
        ax.axhline(
            float(value),
            color=colour,
            linestyle=dash,
            linewidth=1.2,
            label=label,
            gid=f"comparator-{label}",
        )
    if len(values) and not is_missing(values.iloc[-1]):
        ax.annotate(
            format_value(values.iloc[-1], unit),
            (x[-1], values.iloc[-1]),
            xytext=(6, 6),
            textcoords="offset points",
            fontsize=9,
            color="#1a1a1a",
        )
    _y_axis(ax, unit)
    ax.xaxis.set_major_formatter(FuncFormatter(_month_tick))
    ticks = x[:: -max(1, (len(x) + 7) // 8)][::-1] if len(x) else x
    ax.set_xticks(ticks)
    ax.tick_params(labelsize=8.5, colors="#333333")
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(fontsize=7.5, frameon=False, loc="upper left", bbox_to_anchor=(0, 1.28), ncols=4)
    return fig


def spc_chart(
    chart: pd.DataFrame,
    *,
    title: str,
    unit: str,
    period_end,
    months: int = 24,
    comparators: dict[str, float] | None = None,
    suppressed=(),
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    withheld: str = "fewer than 5 children",
) -> Chart:
    """A KPI's chart, drawn from its rows of the published SPC table.

    It decides nothing: the points, each segment's mean and limits, the
    special-cause verdicts and the targets are the SPC table's
    (:func:`pmf_lib.assess.spc_table.spc_table`, ``outputs/YYYY-MM/spc.parquet``).
    An SPC chart (``chart == "spc"``) draws the mean and limits of each rebased
    segment, trial limits dotted and labelled; a trend chart (a rolling window,
    or too few points for SPC) draws the values only, with no limits and no
    "process limits" text. Special-cause improvement and concern are marked in
    different colours and shapes, named in the legend.

    Parameters
    ----------
    chart : pandas.DataFrame
        One KPI's rows of the SPC table: ``period_end``, ``value``, ``cadence``,
        ``chart``, ``segment``, ``mean``, ``upper``, ``lower``, ``trial``,
        ``verdict``, ``note`` and optionally ``target``.
    title, unit, period_end, months
        As :func:`trend_chart` (quarterly and annual charts keep their own points
        within the span).
    comparators : dict, optional
        Label (``England``, ``Region``, ``Statistical neighbours``) to value: drawn as
        horizontal lines, each its own colour and dash pattern, and labelled.
    suppressed : iterable of dates
        Points withheld for small numbers: not plotted, and said so in the alt text.
    withheld : str
        Why they are withheld, for the alt text (the config's threshold and what the
        KPI counts, e.g. ``fewer than 5 referrals``).

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"period_end": pd.date_range("2026-08-31", periods=3, freq="ME"),
    ...                   "value": [10.0, 12.0, 11.0], "mean": float("nan"),
    ...                   "upper": float("nan"), "lower": float("nan"), "chart": "trend",
    ...                   "cadence": "rolling", "segment": 0, "trial": False,
    ...                   "verdict": None, "note": "rolling window", "target": 12.0})
    >>> ch = spc_chart(c, title="Visits", unit="count", period_end="2026-10-31", months=3,
    ...                comparators={"England": 9.0})
    >>> ch.png[:4], ch.alt
    (b'\\x89PNG', 'Trend chart of Visits over 3 months to Oct 2026; latest 11, no figure a year \
earlier. A trend line only, no SPC: rolling window. Target 12. Comparator lines: England 9.')
    """
    fig = draw_spc_chart(
        chart,
        unit=unit,
        period_end=period_end,
        months=months,
        comparators=comparators,
        suppressed=suppressed,
    )
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    png = _quantized(buf.getvalue())
    alt = spc_alt_text(
        title,
        chart,
        unit,
        period_end,
        months=months,
        suppressed=suppressed,
        thresholds=thresholds,
        withheld=withheld,
    )
    extra = [
        f"{k} {format_value(v, unit)}" for k, v in (comparators or {}).items() if not is_missing(v)
    ]
    if extra:
        alt += " Comparator lines: " + "; ".join(extra) + "."
    return Chart(png, alt)


def _quantized(png: bytes, colours: int = 64) -> bytes:
    """The PNG with an adaptive palette: a third of the size, keeping reports under 2 MB."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        out = io.BytesIO()
        im.convert("RGB").quantize(colours).save(out, format="PNG", optimize=True)
    return out.getvalue()
