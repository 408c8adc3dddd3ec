"""The workforce area report's caseload distribution: a chart and a table by team.

The caseload distribution is published as nested counts
(:data:`pmf_lib.compute.kpis.workforce.CASELOAD_BANDS`): the case-holding social
workers, and those holding more than 10, 15, 20 and 25 cases, each a KPI with its
team breakdown, beside the share over the council's threshold and the median.
This module draws them exactly as the month's tables give them (for members and
the public, the suppressed view: a withheld figure has no bar and reads the
configured wording); it works nothing out and decides nothing.

The service area notebook calls :func:`caseload_distribution` for every area; it
shows nothing for an area whose report lists none of the caseload KPIs.

Examples
--------
>>> chart = caseload_chart(["All", "More than 10 cases"], [40.0, float("nan")],
...                        [False, True], "at 31 October 2026", "fewer than 5 staff")
>>> chart.png[:4], chart.alt.split(": ")[1]
(b'\\x89PNG', 'All 40; More than 10 cases withheld (fewer than 5 staff), no bar drawn.')
"""

from __future__ import annotations

from IPython.display import HTML
from markupsafe import Markup, escape

from pmf_lib.compute.kpis.workforce import CASELOAD_BANDS
from pmf_lib.formatting import format_value, is_missing
from pmf_lib.render.breakdown_charts import BreakdownChart, breakdown_chart
from pmf_lib.render.format import window_label

#: The distribution's KPIs, widest first, with the label of each bar and column.
DISTRIBUTION = (("wf_case_holders_count", "All case-holding social workers"),) + tuple(
    (f"wf_caseload_over_{edge}_count", f"More than {edge} cases") for edge in CASELOAD_BANDS
)
#: Beside the bands in the team table: the share over the council's threshold.
OVER_THRESHOLD = "wf_caseload_over_threshold_pct"
MEDIAN = "wf_caseload_median"


def caseload_chart(
    labels: list[str], values: list[float], hidden: list[bool], window: str, withheld: str
) -> BreakdownChart | None:
    """A bar per band of the distribution, in band order (None: nothing to draw)."""
    return breakdown_chart(
        "Case-holding social workers",
        "Caseload",
        window,
        "count",
        labels,
        values,
        hidden,
        withheld=withheld,
    )


def _figure_text(data, value, unit: str, hidden: bool) -> str:
    if hidden:
        return data.withheld_text
    if is_missing(value):
        return "–"
    return format_value(float(value), unit)


def team_rows(data, kpi_ids: list[str]) -> tuple[list[str], list[dict]]:
    """The team table: a column per KPI shown, a row per team, figures as published.

    Returns the column KPIs and one ``{"team", "cells"}`` row per team, in the
    order of the case holders' breakdown (teams, then "Not known").
    """
    b = data.month_breakdowns()
    if b.empty:
        return [], []
    teams = b[(b["dimension"] == "team") & (b["window"] == "snapshot")]
    columns = [k for k in kpi_ids if (teams["kpi_id"] == k).any()]
    if not columns:
        return [], []
    order = [str(g) for g in teams.loc[teams["kpi_id"] == columns[0], "group"]]
    rows = []
    for team in order:
        cells = []
        for k in columns:
            hit = teams[(teams["kpi_id"] == k) & (teams["group"].astype(str) == team)]
            if hit.empty:
                cells.append("–")
                continue
            r = hit.iloc[0]
            hidden = bool(r["suppressed"]) if "suppressed" in hit.columns else False
            cells.append(_figure_text(data, r["value"], data.metas[k].unit, hidden))
        rows.append({"team": team, "cells": cells})
    return columns, rows


def caseload_distribution(data, kpi_ids: list[str]) -> HTML:
    """The caseload distribution section of an area report (empty for other areas).

    ``data`` is the report's :class:`~pmf_lib.render.month.MonthData`, ``kpi_ids``
    the KPIs its area shows. Shown when they include the distribution's KPIs: a
    chart of the case-holding social workers and those over each band edge at the
    month end, the median and the share over the council's threshold in words, and
    a table of the same by team.
    """
    shown = [k for k, _ in DISTRIBUTION if k in kpi_ids]
    if not shown:
        return HTML("")
    labels = [label for k, label in DISTRIBUTION if k in shown]
    values, hidden = [], []
    for k in shown:
        r = data.row(k) if k in data.assessed.index else None
        hide = bool(r is not None and r.get("suppressed", False))
        hidden.append(hide)
        values.append(float("nan") if r is None or hide else float(r["value"]))
    window = window_label("snapshot", data.period_end)
    from pmf_lib.assess.disclosure import subject_noun

    withheld = f"fewer than {data.disclosure.max_count + 1} {subject_noun(['workforce'])}"
    chart = caseload_chart(labels, values, hidden, window, withheld)
    facts = []
    for k in (MEDIAN, OVER_THRESHOLD):
        if k in kpi_ids and k in data.metas:
            r = data.row(k)
            hide = bool(r.get("suppressed", False))
            text = _figure_text(data, r.get("value"), data.metas[k].unit, hide)
            facts.append(f"{data.metas[k].title}: {text}")
    columns, rows = team_rows(data, [*shown, OVER_THRESHOLD])
    parts = [
        '<section class="pmf-caseloads" id="caseload-distribution" '
        'aria-labelledby="caseload-distribution-title">',
        '<h2 id="caseload-distribution-title">Caseload distribution</h2>',
        f"<p>Case-holding social workers {escape(window)}, and how many hold more than "
        f"each number of cases (each bar counts the workers in the bars below it too).</p>",
    ]
    if chart is not None:
        parts.append(
            f'<figure class="pmf-breakdown-chart">{Markup(chart.to_html())}'
            f"<figcaption>Case-holding social workers by caseload ({escape(window)}): "
            f"the figures of the table below, council-wide.</figcaption></figure>"
        )
    else:
        parts.append('<p class="pmf-note">No caseload figures to chart this month.</p>')
    if facts:
        parts.append("<ul>" + "".join(f"<li>{escape(f)}</li>" for f in facts) + "</ul>")
    if rows:
        head = "".join(
            f'<th scope="col">{escape(dict(DISTRIBUTION).get(k, data.metas[k].title))}</th>'
            for k in columns
        )
        body = "".join(
            f'<tr><th scope="row">{escape(r["team"])}</th>'
            + "".join(f"<td>{escape(c)}</td>" for c in r["cells"])
            + "</tr>"
            for r in rows
        )
        parts.append(
            '<table class="pmf-table pmf-breakdown-table">'
            f"<caption>Caseload distribution by team ({escape(window)})</caption>"
            f'<thead><tr><th scope="col">Team</th>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )
    if data.suppressing:
        from pmf_lib.render.blocks import suppressed_note

        parts.append(f'<p class="pmf-note">{escape(suppressed_note(data, kpi_ids=shown))}</p>')
    parts.append("</section>")
    return HTML("\n".join(parts))
