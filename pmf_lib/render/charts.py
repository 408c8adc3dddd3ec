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
from dataclasses import dataclass
from html import escape

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

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
    elif (
        direction(
            latest,
            earlier,
            unit=unit,
            polarity="neutral",
            thresholds=thresholds,
            decimals=DISPLAY_DECIMALS.get(unit),
        ).label
        == NO_CHANGE
    ):
        trend = f"about the same as {format_value(earlier, unit)} a year earlier"
    elif latest > earlier:
        trend = f"up from {format_value(earlier, unit)} a year earlier"
    else:
        trend = f"down from {format_value(earlier, unit)} a year earlier"
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
    places = _AXIS_DECIMALS.get(unit, 1)
    suffix = "%" if unit == "percent" else ""
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v, places) + suffix))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=unit == "count"))
    ax.xaxis.set_major_formatter(FuncFormatter(_month_tick))
    ticks = x[:: -max(1, (len(x) + 7) // 8)][::-1] if len(x) else x  # always the latest month
    ax.set_xticks(ticks)
    ax.tick_params(labelsize=8.5, colors="#333333")
    if unit in ("count", "percent", "rate_10k") and not s.dropna().empty and s.min() >= 0:
        ax.set_ylim(bottom=0)
    if unit == "percent" and not s.dropna().empty and s.max() > 90:
        ax.set_ylim(top=100)
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


def _month_tick(value, _pos) -> str:
    from matplotlib.dates import num2date

    return num2date(value).strftime("%b\n%Y")


#: Comparator lines on SPC charts: label -> (colour, line style).
COMPARATOR_STYLES = {
    "England": (OKABE_ITO["black"], (0, (1, 2))),
    "Region": (OKABE_ITO["purple"], (0, (4, 2, 1, 2))),
    "Statistical neighbours": (OKABE_ITO["green"], (0, (6, 3))),
}


def spc_alt_text(
    title: str,
    chart: pd.DataFrame,
    unit: str,
    period_end,
    *,
    months: int,
    suppressed=(),
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> str:
    """Alt text for an SPC chart: latest value and trend, limits, target and withheld points.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"period_end": pd.to_datetime(["2026-09-30", "2026-10-31"]),
    ...                   "value": [10.0, float("nan")], "mean": 10.0, "upper": 14.0,
    ...                   "lower": 6.0, "target": float("nan")})
    >>> spc_alt_text("Referrals", c, "count", "2026-10-31", months=2,
    ...              suppressed=[pd.Timestamp("2026-10-31")])
    'SPC chart of Referrals over 2 months to Oct 2026; the figure for Oct 2026 is withheld \
(fewer than 5 children). Process limits 6 to 14 around a mean of 10.'
    """
    end = pd.Timestamp(period_end).normalize()
    s = chart.set_index(pd.to_datetime(chart["period_end"]).dt.normalize())["value"]
    hidden = {pd.Timestamp(d).normalize() for d in suppressed}
    s = s.where(~s.index.isin(list(hidden)))  # a withheld figure is never stated
    if end in hidden:
        text = (
            f"SPC chart of {title} over {months} months to {format_month(end)}; the figure for "
            f"{format_month(end)} is withheld (fewer than 5 children)."
        )
    else:
        text = alt_text(title, s, unit, end, months=months, thresholds=thresholds)
        text = "SPC chart" + text[len("Line chart") :]
    n_hidden = len({d for d in hidden if d != end and d in set(_window_months(end, months))})
    if n_hidden:
        text += (
            f" {n_hidden} earlier month{'s are' if n_hidden != 1 else ' is'} withheld (fewer "
            "than 5 children) and not plotted."
        )
    last = chart.iloc[-1] if len(chart) else None
    if last is not None and not is_missing(last.get("mean")):
        text += (
            f" Process limits {format_value(last['lower'], unit)} to "
            f"{format_value(last['upper'], unit)} around a mean of "
            f"{format_value(last['mean'], unit)}."
        )
    if last is not None and not is_missing(last.get("target")):
        text += f" Target {format_value(last['target'], unit)}."
    return text


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
) -> Chart:
    """An SPC (XmR) chart: the values, mean and process limits, target and comparator lines.

    Parameters
    ----------
    chart : pandas.DataFrame
        From :func:`pmf_lib.assess.assessed.spc_series`: ``period_end``, ``value``,
        ``mean``, ``upper``, ``lower``, ``special_cause`` and optionally ``target``.
    title, unit, period_end, months
        As :func:`trend_chart`.
    comparators : dict, optional
        Label (``England``, ``Region``, ``Statistical neighbours``) to value: drawn as
        horizontal lines, each its own colour and dash pattern, and labelled.
    suppressed : iterable of dates
        Points withheld for small numbers: not plotted, and said so in the alt text.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"period_end": pd.date_range("2026-08-31", periods=3, freq="ME"),
    ...                   "value": [10.0, 12.0, 11.0], "mean": 11.0, "upper": 14.0,
    ...                   "lower": 8.0, "special_cause": False, "target": 12.0})
    >>> ch = spc_chart(c, title="Visits", unit="count", period_end="2026-10-31", months=3,
    ...                comparators={"England": 9.5})
    >>> ch.png[:4], "Target 12." in ch.alt
    (b'\\x89PNG', True)
    """
    end = pd.Timestamp(period_end).normalize()
    months_idx = _window_months(end, months)
    c = chart.copy()
    c.index = pd.to_datetime(c["period_end"]).dt.normalize()
    hidden = {pd.Timestamp(d).normalize() for d in suppressed}
    c.loc[c.index.isin(list(hidden)), "value"] = float("nan")
    c = c[~c.index.duplicated()].reindex(months_idx)
    fig = Figure(figsize=(7.2, 2.9), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    x = c.index
    values = c["value"].astype(float)
    ax.plot(
        x, values.to_numpy(), color=PALETTE[0], linewidth=2, marker="o", markersize=3, label="Value"
    )
    if "mean" in c:
        ax.plot(x, c["mean"].astype(float).to_numpy(), color="#555555", linewidth=1, label="Mean")
        ax.plot(
            x,
            c["upper"].astype(float).to_numpy(),
            color="#777777",
            linewidth=1,
            linestyle="--",
            label="Process limits",
        )
        ax.plot(
            x, c["lower"].astype(float).to_numpy(), color="#777777", linewidth=1, linestyle="--"
        )
    if "special_cause" in c:
        sc = c["special_cause"].astype("boolean").fillna(False).astype(bool) & values.notna()
        if sc.any():
            ax.plot(
                x[sc.to_numpy()],
                values[sc].to_numpy(),
                linestyle="none",
                marker="D",
                markersize=6,
                markerfacecolor="none",
                markeredgecolor=PALETTE[1],
                markeredgewidth=1.6,
                label="Special cause",
            )
    if "target" in c and c["target"].notna().any():
        ax.step(
            x,
            c["target"].astype(float).to_numpy(),
            where="mid",
            color=PALETTE[3],
            linewidth=1.6,
            label="Target",
        )
    for label, value in (comparators or {}).items():
        if is_missing(value):
            continue
        colour, dash = COMPARATOR_STYLES.get(label, ("#333333", ":"))
        ax.axhline(float(value), color=colour, linestyle=dash, linewidth=1.2, label=label)
    if len(values) and not is_missing(values.iloc[-1]):
        ax.annotate(
            format_value(values.iloc[-1], unit),
            (x[-1], values.iloc[-1]),
            xytext=(6, 6),
            textcoords="offset points",
            fontsize=9,
            color="#1a1a1a",
        )
    places = _AXIS_DECIMALS.get(unit, 1)
    suffix = "%" if unit == "percent" else ""
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v, places) + suffix))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=unit == "count"))
    ax.xaxis.set_major_formatter(FuncFormatter(_month_tick))
    ticks = x[:: -max(1, (len(x) + 7) // 8)][::-1] if len(x) else x
    ax.set_xticks(ticks)
    ax.tick_params(labelsize=8.5, colors="#333333")
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(fontsize=7.5, frameon=False, loc="upper left", bbox_to_anchor=(0, 1.28), ncols=4)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    png = _quantized(buf.getvalue())
    alt = spc_alt_text(
        title, chart, unit, end, months=months, suppressed=hidden, thresholds=thresholds
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
