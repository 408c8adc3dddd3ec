"""The dashboard's scorecard: every KPI on one line, grouped by service area.

Each line shows the KPI's latest value, a sparkline of its last 13 points, its
target and RAG rating, direction of travel, SPC variation and assurance, the
England and statistical-neighbour figures, the quartile band and the data quality
confidence. Every judgement is read from the month's assessed table (through
:meth:`pmf_lib.render.month.MonthData.kpi_facts`, which reads the members'
suppressed view); the sparkline draws the points of the published SPC table
(``spc.parquet``) and decides nothing. Less-used figures (region, neighbours'
median, rank, numerator and denominator) are in each area's report, which every
KPI's title links to.

Examples
--------
>>> import pandas as pd
>>> ends = pd.date_range("2025-10-31", periods=13, freq="ME")
>>> pts = pd.DataFrame({"period_end": ends, "value": [float(v) for v in range(60, 73)]})
>>> sparkline_alt("Visits on time", pts, "percent")
'Last 13 months of Visits on time: 60.0% in Oct 2025, 72.0% in Oct 2026 (lowest 60.0%, \
highest 72.0%).'
"""

from __future__ import annotations

import base64
import io
from html import escape

import pandas as pd
from markupsafe import Markup
from matplotlib.figure import Figure

from pmf_lib.render.charts import OKABE_ITO, _quantized
from pmf_lib.render.format import format_month, format_value, is_missing

#: Points a sparkline shows (13 months: this month and the same month a year earlier).
SPARK_POINTS = 13
#: The sparkline's size on the page, CSS pixels (drawn at twice that for print).
SPARK_WIDTH, SPARK_HEIGHT = 96, 24

_CADENCE_NOUN = {
    "monthly": "months",
    "rolling": "months",
    "quarterly": "quarters",
    "annual": "years",
}


def spark_points(rows: pd.DataFrame, period_end, n: int = SPARK_POINTS) -> pd.DataFrame:
    """The last ``n`` points of a KPI's chart rows up to ``period_end``.

    ``rows`` are the KPI's rows of the SPC table (``period_end``, ``value``; a
    withheld or missing point has no value). Returns ``period_end`` and
    ``value``, oldest first.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"period_end": pd.date_range("2026-01-31", periods=5, freq="ME"),
    ...                      "value": [1.0, 2.0, None, 4.0, 5.0]})
    >>> spark_points(rows, "2026-04-30", n=3)["value"].tolist()
    [2.0, nan, 4.0]
    """
    if rows is None or rows.empty:
        return pd.DataFrame({"period_end": pd.Series(dtype="datetime64[ns]"), "value": []})
    r = rows.assign(period_end=pd.to_datetime(rows["period_end"]).dt.normalize())
    r = r[r["period_end"] <= pd.Timestamp(period_end)].sort_values("period_end")
    return r[["period_end", "value"]].tail(n).reset_index(drop=True)


def sparkline_alt(
    title: str,
    points: pd.DataFrame,
    unit: str,
    cadence: str = "monthly",
    *,
    withheld_at=(),
    withheld: str = "",
) -> str:
    """Alt text naming what a sparkline shows: its span, first and latest values, range.

    ``withheld_at``: the dates of points withheld for members' suppression, and
    ``withheld`` why (e.g. ``fewer than 5 children``); any other point without a
    value has no figure.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"period_end": pd.to_datetime(["2026-09-30", "2026-10-31"]),
    ...                   "value": [12.0, None]})
    >>> sparkline_alt("Referrals", p, "count", withheld_at=[pd.Timestamp("2026-10-31")],
    ...               withheld="fewer than 5 referrals")
    'Last 2 months of Referrals: 12 in Sep 2026, withheld in Oct 2026 (lowest 12, highest 12). \
1 point withheld (fewer than 5 referrals).'
    >>> sparkline_alt("Referrals", p.iloc[:0], "count")
    'No points to draw for Referrals.'
    """
    if points.empty or points["value"].notna().sum() == 0:
        return f"No points to draw for {title}."
    noun = _CADENCE_NOUN.get(cadence, "periods")
    hidden = {pd.Timestamp(d).normalize() for d in withheld_at}
    ends = [pd.Timestamp(d).normalize() for d in points["period_end"]]
    values = list(points["value"])

    def at(i: int) -> str:
        v = values[i]
        if not is_missing(v):
            text = format_value(v, unit)
        else:
            text = "withheld" if ends[i] in hidden else "no figure"
        return f"{text} in {format_month(ends[i])}"

    n = len(points)
    text = f"Last {n} {noun if n > 1 else noun[:-1]} of {title}: "
    text += at(0) if n == 1 else f"{at(0)}, {at(n - 1)}"
    shown = points["value"].dropna()
    text += (
        f" (lowest {format_value(shown.min(), unit)}, highest {format_value(shown.max(), unit)})."
    )
    gone = [i for i, v in enumerate(values) if is_missing(v)]
    held = sum(1 for i in gone if ends[i] in hidden)
    blank = len(gone) - held
    if held:
        text += f" {held} point{'s' if held > 1 else ''} withheld"
        text += f" ({withheld})." if withheld else "."
    if blank:
        text += f" {blank} point{'s' if blank > 1 else ''} without a figure."
    return text


def sparkline_png(values: list[float]) -> bytes:
    """A small line of the values (gaps where a value is missing), the latest marked.

    Drawn with matplotlib's object-oriented API at twice its page size, one
    colour, no axes: the line only shows the shape; the scorecard's other
    columns give the figures and judgements.

    Examples
    --------
    >>> sparkline_png([1.0, 3.0, None, 2.0])[:4]
    b'\\x89PNG'
    """
    scale = 2
    fig = Figure(figsize=(SPARK_WIDTH / 48, SPARK_HEIGHT / 48), dpi=48 * scale)
    ax = fig.add_axes((0.03, 0.12, 0.90, 0.76))
    ys = [float("nan") if is_missing(v) else float(v) for v in values]
    xs = list(range(len(ys)))
    ax.plot(xs, ys, color=OKABE_ITO["blue"], linewidth=1.4, solid_capstyle="round")
    known = [(x, y) for x, y in zip(xs, ys, strict=True) if y == y]
    if known:
        ax.plot(*known[-1], marker="o", markersize=3.2, color=OKABE_ITO["black"])
        lo = min(y for _, y in known)
        hi = max(y for _, y in known)
        pad = (hi - lo) * 0.12 or max(abs(hi) * 0.05, 1.0)
        ax.set_ylim(lo - pad, hi + pad)
    ax.set_xlim(-0.4, max(len(ys) - 1, 1) + 0.4)
    ax.set_axis_off()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None}, transparent=False)
    return _quantized(buf.getvalue(), colours=16)


def sparkline_html(points: pd.DataFrame, alt: str) -> str:
    """The sparkline as an ``<img>`` (a ``data:`` URI) with its alt text ("" for no points).

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"period_end": pd.to_datetime(["2026-10-31"]), "value": [None]})
    >>> sparkline_html(p, "No points")
    ''
    """
    if points.empty or points["value"].notna().sum() == 0:
        return ""
    png = sparkline_png(list(points["value"]))
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return (
        f'<img class="pmf-spark" src="{uri}" width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" '
        f'alt="{escape(alt)}">'
    )


def area_report(area: str) -> str:
    """The file name of an area's monthly report in the month folder.

    Examples
    --------
    >>> area_report("front_door")
    'front_door.html'
    """
    return f"{area}.html"


def scorecard_row(data, kpi_id: str) -> dict:
    """One KPI's scorecard line: :meth:`MonthData.kpi_facts` plus sparkline, baseline, links.

    ``data`` is a :class:`pmf_lib.render.month.MonthData`. Every figure and
    judgement is the assessed table's as the audience may see it (the suppressed
    view for members and the public: a withheld figure reads the configured
    wording and its rating, direction, SPC icons and quartile read "Withheld").
    """
    from pmf_lib.render.suppress import Disclosure, subject_noun

    m = data.metas[kpi_id]
    facts = data.kpi_facts(kpi_id)
    r = data.row(kpi_id)
    points = spark_points(data.chart_rows(kpi_id), data.period_end)
    sh = data.history
    hidden = []
    if "suppressed" in sh.columns and len(points):
        rows = data.chart_rows(kpi_id)
        window = str(rows["window"].iloc[0]) if len(rows) else None
        hidden = list(
            sh.loc[
                (sh["kpi_id"] == kpi_id)
                & (sh["window"] == window)
                & sh["suppressed"].fillna(False).astype(bool),
                "period_end",
            ]
        )
    why = (
        f"fewer than {(data.rules or Disclosure()).max_count + 1} {subject_noun([m.area])}"
        if hidden
        else ""
    )
    alt = sparkline_alt(m.title, points, m.unit, m.cadence, withheld_at=hidden, withheld=why)
    baseline = r.get("target_baseline")
    return {
        **facts,
        "area": m.area,
        "chart_href": f"{area_report(m.area)}#chart-{kpi_id}",
        "definition_href": f"{area_report(m.area)}#definition-{kpi_id}",
        "spark": Markup(sparkline_html(points, alt)),
        "spark_alt": alt,
        "baseline": "" if is_missing(baseline) else format_value(baseline, m.unit),
    }


def scorecard_areas(data) -> list[dict]:
    """The scorecard's groups: each configured service area with its KPIs' lines."""
    return [
        {
            "id": area_id,
            "title": area.title,
            "href": area_report(area_id),
            "rows": [scorecard_row(data, k) for k in area.kpis],
        }
        for area_id, area in data.config.areas.items()
    ]


def detail_row(data, kpi_id: str) -> dict:
    """The figures the scorecard leaves to the area report, for one KPI.

    Numerator and denominator, the statistical neighbours' median and the rank
    among English councils (the regional figure is in the area's table of
    measures), each as the assessed table (the suppressed view for members and
    the public) holds it: a withheld figure's
    numerator and denominator read the configured wording, and what the view
    blanked reads "–".
    """
    m = data.metas[kpi_id]
    r = data.row(kpi_id)
    sup = bool(r.get("suppressed", False))

    def fig(key: str, unit: str) -> str:
        if sup and key in ("numerator", "denominator"):
            return data.withheld_text
        v = r.get(key)
        return "–" if is_missing(v) else format_value(v, unit)

    rank, of = r.get("rank"), r.get("rank_of")
    return {
        "kpi_id": kpi_id,
        "title": m.title,
        "window": data.kpi_facts(kpi_id)["window"],
        "numerator": fig("numerator", "fte" if m.unit == "fte" else "count"),
        "denominator": fig("denominator", "count") if m.denominator else "–",
        "sn_median": fig("sn_median", m.unit),
        "rank": "–" if is_missing(rank) or is_missing(of) else f"{int(rank)} of {int(of)}",
    }
