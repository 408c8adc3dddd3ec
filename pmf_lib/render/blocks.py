"""The HTML blocks the reports share, drawn from a month's published tables.

Each block is a function of a :class:`~pmf_lib.render.month_data.MonthTables`
(the month's tables, already in the audience's suppressed view) and returns an
:class:`IPython.display.HTML`: headline tiles, the KPI table, SPC charts and
their captions, commentary, improvement actions, definitions and breakdowns.
Every figure, rating, icon, flag and sentence is read from the tables the
assess stage made; a block only formats and lays them out (a withheld figure
reads the configured wording). :class:`pmf_lib.render.month.MonthData` gives
them to the notebooks as methods.

Examples
--------
>>> rag_class("Red"), rag_class("No target")
('red', 'no-target')
>>> variation_badge("special cause concern")["text"]
'Special cause concern'
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2
import pandas as pd
from IPython.display import HTML
from markupsafe import Markup

from pmf_lib.assess.assessed import headline_window
from pmf_lib.assess.exceptions import FLAG_LABELS
from pmf_lib.compute.registry import KpiMeta
from pmf_lib.render.charts import no_spc_text, spc_chart
from pmf_lib.render.format import (
    MISSING,
    POLARITY_TEXT,
    UNIT_NAMES,
    format_change,
    format_date,
    format_month,
    format_value,
    is_missing,
    window_label,
)
from pmf_lib.render.month_data import CHART_MONTHS, MonthTables
from pmf_lib.render.suppress import WITHHELD, subject_noun

TEMPLATES = Path(__file__).resolve().parent / "templates"

#: Variation icon label -> (CSS class, symbol). The symbol is decoration: the text says it.
VARIATION_BADGES = {
    "special cause improvement": ("improvement", "▲"),
    "special cause concern": ("concern", "▼"),
    "common cause": ("common", "●"),
    "special cause high": ("neutral", "▲"),
    "special cause low": ("neutral", "▼"),
}
ASSURANCE_BADGES = {
    "consistently passing": ("passing", "P"),
    "consistently failing": ("failing", "F"),
    "hit and miss": ("hitmiss", "?"),
}
TRAVEL_CLASSES = {
    "Improving": "improving",
    "Worsening": "worsening",
    "No change": "nochange",
    "Up": "neutral",
    "Down": "neutral",
}

#: The KPI whose ethnicity breakdown is the reference make-up (all children in need).
ETHNICITY_REFERENCE_KPI = "cin_count"

#: Headings of the breakdown dimensions.
DIMENSION_LABELS = {
    "age_band": "Age band",
    "sex": "Sex",
    "ethnicity": "Ethnicity (DfE major group)",
    "team": "Team",
}

_BREAKDOWNS_TEMPLATE = """\
{% if items %}
<div class="pmf-breakdowns">
{% for k in items %}
<section class="pmf-breakdown" id="breakdown-{{ k.id }}"\
 aria-labelledby="breakdown-{{ k.id }}-title">
<h3 id="breakdown-{{ k.id }}-title">{{ k.title }}: {{ k.window }}</h3>
{% for t in k.tables %}
{% if t.withheld_all %}
<p class="pmf-note">{{ t.withheld_all }}</p>
{% else %}
<table class="pmf-table pmf-breakdown-table">
<caption>{{ k.title }} by {{ t.dimension | lower }} ({{ k.window }})</caption>
<thead><tr><th scope="col">{{ t.dimension }}</th><th scope="col">{{ k.unit | capitalize }}</th>\
{% if t.is_count %}<th scope="col">Share of total</th>{% endif %}</tr></thead>
<tbody>
{% for r in t.rows %}
<tr><th scope="row">{{ r.group }}</th><td>{{ r.figure }}</td>\
{% if t.is_count %}<td>{{ r.share }}</td>{% endif %}</tr>
{% endfor %}
</tbody>
</table>
{% for c in t.charts %}
<figure class="pmf-breakdown-chart">
{{ c.img }}
<figcaption>{{ c.caption }}</figcaption>
</figure>
{% endfor %}
{% endif %}
{% endfor %}
</section>
{% endfor %}
{% if note %}<p class="pmf-note">{{ note }}</p>{% endif %}
</div>
{% else %}
<p class="pmf-note">No breakdowns are available for these measures this month.</p>
{% endif %}
"""


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES / "fragments")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, **context) -> HTML:
    """A fragment template rendered as an :class:`IPython.display.HTML` (values escaped).

    Examples
    --------
    >>> "<script>" in render("commentary.html.j2", area_title="<script>", commentary=None,
    ...                      sections=[], h=3).data
    False
    """
    return HTML(_env().get_template(name).render(**context))


def rag_class(rag) -> str:
    """The CSS class suffix of a RAG rating.

    Examples
    --------
    >>> rag_class("Amber"), rag_class(None)
    ('amber', 'none')
    """
    return str(rag or "none").lower().replace(" ", "-")


def _sentence_case(text) -> str:
    if not isinstance(text, str) or not text:
        return MISSING
    return text[0].upper() + text[1:]


def variation_badge(label) -> dict:
    """An SPC variation icon as text, class and decorative symbol.

    Examples
    --------
    >>> variation_badge("common cause")
    {'text': 'Common cause', 'cls': 'common', 'symbol': '●'}
    >>> variation_badge(None)["text"]
    'Not enough data'
    """
    if not isinstance(label, str) or label not in VARIATION_BADGES:
        return {"text": "Not enough data", "cls": "none", "symbol": "–"}
    cls, symbol = VARIATION_BADGES[label]
    return {"text": _sentence_case(label), "cls": cls, "symbol": symbol}


def assurance_badge(label) -> dict:
    """An SPC assurance icon as text, class and decorative symbol.

    Examples
    --------
    >>> assurance_badge("hit and miss")["cls"], assurance_badge(float("nan"))["cls"]
    ('hitmiss', 'none')
    """
    if not isinstance(label, str) or label not in ASSURANCE_BADGES:
        return {"text": "No target or not enough data", "cls": "none", "symbol": "–"}
    cls, symbol = ASSURANCE_BADGES[label]
    return {"text": _sentence_case(label), "cls": cls, "symbol": symbol}


def value_text(data: MonthTables, value, unit: str, suppressed: bool = False) -> str:
    """A figure as shown: the configured wording when withheld, else formatted."""
    return data.withheld_text if suppressed else format_value(value, unit)


def _withheld_phrase(data: MonthTables, m: KpiMeta) -> str:
    """What a withheld point of the KPI's chart stands for ("fewer than 5 children")."""
    return f"fewer than {data.disclosure.max_count + 1} {subject_noun([m.area])}"


def suppressed_note(
    data: MonthTables, areas: list[str] | None = None, kpi_ids: list[str] | None = None
) -> str:
    """The note explaining withheld figures, naming what the figures count.

    ``areas`` (configured area ids, default all) or ``kpi_ids``: the KPIs
    whose subject ("children", "referrals", ...) the note names.
    """
    return data.disclosure.note(subject_noun(data.areas_of(data.report_kpis(areas, kpi_ids))))


# ---- rows for tables -------------------------------------------------------------
def kpi_facts(data: MonthTables, kpi_id: str) -> dict:
    """Everything a table row shows for one KPI, formatted.

    A withheld figure reads the configured wording, and its rating, direction,
    SPC icons and quartile read "Withheld" (the suppressed view has blanked them).
    """
    r = data.row(kpi_id)
    m = data.metas[kpi_id]
    sup = bool(r.get("suppressed", False))
    label = r.get("previous_label")
    change = "" if sup else format_change(r.get("previous_change"), m.unit)
    comps = {}
    for key in ("england", "region", "sn"):
        v = r.get(key)
        comps[key] = MISSING if is_missing(v) else format_value(v, m.unit)
    quartile = r.get("quartile")
    dq = r.get("dq_confidence")
    flags = [f for f in str(r.get("exception_flags") or "").split("; ") if f]
    good = [f for f in str(r.get("good_practice_flags") or "").split("; ") if f]
    facts = {
        "kpi_id": kpi_id,
        "title": m.title,
        "window": window_label(r["window"], data.period_end),
        "value": value_text(data, r["value"], m.unit, sup),
        "target": MISSING if is_missing(r.get("target")) else format_value(r["target"], m.unit),
        "baseline": ""
        if is_missing(r.get("target_baseline"))
        else format_value(r["target_baseline"], m.unit),
        "review_by": ""
        if is_missing(r.get("target_review_by"))
        else format_date(r["target_review_by"]),
        "rag": str(r.get("rag") or "No target"),
        "rag_class": rag_class(r.get("rag")),
        "travel": str(label) if isinstance(label, str) else "Not available",
        "travel_class": TRAVEL_CLASSES.get(label, "na"),
        "travel_symbol": str(r.get("previous_symbol") or ""),
        "travel_change": "" if change == MISSING else change,
        "variation": variation_badge(r.get("variation")),
        "assurance": assurance_badge(r.get("assurance")),
        "england": comps["england"],
        "region": comps["region"],
        "sn": comps["sn"],
        "quartile": quartile if isinstance(quartile, str) and quartile else MISSING,
        "dq": dq if isinstance(dq, str) and dq else "Not assessed",
        "exception": bool(r.get("exception", False)),
        "good_practice": bool(r.get("good_practice", False)),
        "flags": [FLAG_LABELS.get(f, f) for f in flags],
        "good_flags": [FLAG_LABELS.get(f, f) for f in good],
        "sentence": str(r.get("sentence") or ""),
        "suppressed": sup,
    }
    if sup:
        withheld = {"text": WITHHELD, "cls": "none", "symbol": "–"}
        facts.update(
            rag=WITHHELD,
            rag_class="withheld",
            travel=WITHHELD,
            travel_class="na",
            travel_symbol="",
            travel_change="",
            variation=withheld,
            assurance=dict(withheld),
            quartile=WITHHELD,
            exception=False,
            good_practice=False,
            flags=[],
            good_flags=[],
        )
    return facts


def flagged(
    data: MonthTables, areas: list[str] | None = None
) -> tuple[list[dict], list[dict], list[dict]]:
    """Reds, exceptions and good practice (as :func:`kpi_facts`) for areas (default all).

    The assessed table's RAG and flags, as read: this sorts rows, it rates nothing.
    """
    reds, exceptions, good = [], [], []
    for area in areas if areas is not None else list(data.config.areas):
        for kid in data.area_kpis(area):
            f = {**kpi_facts(data, kid), "area": area, "area_title": data.area_title(area)}
            if f["rag"] == "Red":
                reds.append(f)
            if f["exception"]:
                exceptions.append(f)
            if f["good_practice"]:
                good.append(f)
    return reds, exceptions, good


# ---- charts ----------------------------------------------------------------------
def chart(data: MonthTables, kpi_id: str, *, months: int = CHART_MONTHS):
    """The KPI's chart drawn from the published SPC table, or None with no points.

    The points, means, limits, verdicts and targets are the SPC table's
    (``spc.parquet``; made once by assess); this only draws them, with the
    comparators of the KPI's assessed row.
    """
    m = data.metas[kpi_id]
    c = data.chart_rows(kpi_id)
    if c.empty or c["value"].notna().sum() == 0:
        return None
    window = str(c["window"].iloc[0])
    return spc_chart(
        c,
        title=f"{m.title} ({window_label(window, c['period_end'].iloc[-1])})",
        unit=m.unit,
        period_end=data.period_end,
        months=data.chart_span(kpi_id, months),
        comparators=data.comparators(kpi_id),
        suppressed=data.withheld_periods(kpi_id, window),
        withheld=_withheld_phrase(data, m),
    )


def chart_caption(data: MonthTables, kpi_id: str) -> str:
    """What a KPI's chart shows: unit, window, points at its cadence, limits, polarity."""
    m = data.metas[kpi_id]
    c = data.chart_rows(kpi_id)
    window = str(c["window"].iloc[0]) if len(c) else headline_window(m)
    last = c["period_end"].iloc[-1] if len(c) else data.period_end
    text = f"{UNIT_NAMES[m.unit].capitalize()}, {window_label(window, last)}."
    points = {
        "quarterly": " One point a quarter, at the quarter ends.",
        "annual": f" One point a year, as at {pd.Timestamp(last):%-d %B} (an annual return).",
    }
    text += points.get(m.cadence, "")
    if len(c) and str(c["chart"].iloc[0]) == "spc":
        trial = bool(c.loc[c["upper"].notna(), "trial"].astype(bool).any())
        if trial:
            text += " Trial limits: fewer than 12 points in a period."
        if c["segment"].nunique() > 1:
            starts = sorted(set(c["segment_start"]))[1:]
            text += " Limits recalculated from " + ", ".join(format_month(d) for d in starts) + "."
    elif len(c):
        note = c["note"].dropna()
        text += no_spc_text(str(note.iloc[-1])) if len(note) else ""
    return f"{text} {POLARITY_TEXT[m.polarity]}."


# ---- shared blocks ---------------------------------------------------------------
def title_block(
    data: MonthTables,
    title: str,
    subtitle: str,
    facts: dict[str, str] | None = None,
    areas: list[str] | None = None,
) -> HTML:
    """A report's heading: council, title, the month and a few facts.

    ``areas``: the service areas the report shows (default all), whose subject
    ("children", "referrals", ...) the suppression note names.
    """
    return render(
        "report_title.html.j2",
        council=data.config.council.name,
        title=title,
        subtitle=subtitle,
        facts={
            **(facts or {}),
            "Figures to": format_date(data.period_end),
            "Audience": data.config.audience.capitalize(),
        },
        suppressing=data.suppressing,
        suppressed_note=suppressed_note(data, areas),
    )


def tiles(data: MonthTables, kpi_ids: list[str]) -> HTML:
    """Headline tiles: each KPI's figure, RAG and direction of travel in words."""
    return render("tiles.html.j2", tiles=[kpi_facts(data, k) for k in kpi_ids])


def kpi_table(data: MonthTables, kpi_ids: list[str], caption: str) -> HTML:
    """The dashboard's row per KPI for some KPIs."""
    return render("kpi_table.html.j2", rows=[kpi_facts(data, k) for k in kpi_ids], caption=caption)


def charts(data: MonthTables, kpi_ids: list[str], *, months: int = CHART_MONTHS) -> HTML:
    """An SPC chart per KPI with a caption and its sentence.

    A KPI with no chart says why: its figures withheld (members or public; none of
    its series shown), or no figures yet.
    """
    items = []
    for kid in kpi_ids:
        c = chart(data, kid, months=months)
        rows = data.chart_rows(kid)
        # no point shown, and some withheld (the others missing): its figures are withheld
        held = c is None and len(rows) > 0
        held = held and bool(data.withheld_periods(kid, str(rows["window"].iloc[0])))
        items.append(
            {
                "kpi_id": kid,
                "title": data.metas[kid].title,
                "img": Markup(c.to_html()) if c else None,
                "withheld": data.withheld_text if held else None,
                "caption": chart_caption(data, kid),
                "sentence": kpi_facts(data, kid)["sentence"],
            }
        )
    return render("spc_charts.html.j2", charts=items)


def commentary_block(data: MonthTables, area: str, *, heading_level: int = 3) -> HTML:
    """The Head of Service's commentary for an area, rendered safely."""
    c = data.commentary(area)
    return render(
        "commentary.html.j2",
        area_title=data.area_title(area),
        commentary=c,
        sections=[s for s in c.sections if s.filled],
        h=heading_level,
    )


def _action_status(r) -> str:
    """An open action's status as it stood at the month end (closed since: said so)."""
    now = str(r.status).replace("_", " ").capitalize()
    if not bool(r.closed_since):
        return now
    return f"Open then; {now.lower()} {format_date(r.completed_date)}"


def _actions_area_name(data: MonthTables, area) -> str:
    """An action log's area as a page names it (its title when configured)."""
    if is_missing(area):
        return "actions with no area"
    return data.config.areas[area].title if area in data.config.areas else str(area)


def actions(data: MonthTables, area: str) -> dict:
    """The area's open and overdue improvement actions at the month end, formatted.

    The rows and their states are the published action table's
    (:meth:`~pmf_lib.render.month_data.MonthTables.action_rows`; made by
    :mod:`pmf_lib.assess.actions` with the computation behind
    ``actions_open_count`` and ``actions_overdue_pct``, so a page never lists
    other actions than its figures count). For members or the public the table
    has decided which areas' lists are withheld
    (:func:`~pmf_lib.assess.actions.withhold_lists`): ``withheld`` (nothing
    listed: the page reads the configured wording, never "no open actions"),
    ``withheld_areas`` (the areas not listed beside the rows shown) and no
    owners.
    """
    sel = data.action_rows(area)
    titles = {k: m.title for k, m in data.metas.items()}

    def rows(part: pd.DataFrame) -> list[dict]:
        return [
            {
                "id": r.action_id,
                "kpi": titles.get(r.kpi_id, r.kpi_id),
                "action": r.action,
                "owner": r.owner,
                "due": format_date(r.due_date),
                "status": _action_status(r),
            }
            for r in part.itertuples(index=False)
        ]

    open_, overdue = rows(sel["open"]), rows(sel["overdue"])
    held = [_actions_area_name(data, a) for a in sel["withheld"].get("area", [])]
    return {
        "month": data.month_long,
        "configured": sel["configured"],
        "unknown": sel["unknown"],
        "open": open_,
        "overdue": overdue,
        "withheld": bool(held) and not open_ and not overdue,
        "withheld_areas": held if open_ or overdue else [],
        "wording": data.withheld_text,
        "owners": data.rules is None,
    }


def actions_block(data: MonthTables, area: str) -> HTML:
    """The area's open and overdue improvement actions (:func:`actions`)."""
    return render("actions.html.j2", **actions(data, area))


def definitions(data: MonthTables, kpi_ids: list[str]) -> HTML:
    """Each KPI's definition (the registry's words)."""
    items = []
    for kid in kpi_ids:
        m = data.metas[kid]
        items.append(
            {
                "id": kid,
                "title": m.title,
                "definition": m.definition,
                "numerator": m.numerator,
                "denominator": m.denominator or "None: the measure is a count",
                "unit": UNIT_NAMES[m.unit].capitalize(),
                "windows": "; ".join(window_label(w, data.period_end) for w in m.windows),
                "polarity": POLARITY_TEXT[m.polarity],
                "source": m.source,
                "comparator": m.comparator,
                # "Explore this measure": its figures in pmf serve, where configured.
                "explore": data.config.store.explore_href(kid),
            }
        )
    return render("definitions.html.j2", items=items)


# ---- breakdowns ------------------------------------------------------------------
def _hidden(part: pd.DataFrame) -> list[bool]:
    if "suppressed" in part.columns:
        return [bool(x) for x in part["suppressed"].fillna(False)]
    return [False] * len(part)


def _area_title(data: MonthTables, group) -> str:
    """A configured area's title for a breakdown group holding its id (others as they are)."""
    return data.area_title(str(group)) if str(group) in data.config.areas else str(group)


def breakdown_items(data: MonthTables, kpi_ids: list[str]) -> list[dict]:
    """Each KPI's breakdowns at the period end in its headline window, as shown.

    One item per KPI with breakdown rows: its title, window label and one
    table per dimension (rows of group, figure and, for counts, share of
    the total). For members and the public the breakdowns are the suppressed
    view's (:func:`~pmf_lib.assess.disclosure.suppress_breakdowns`): a
    withheld cell and its share read the configured wording.
    """
    items = []
    for kid in kpi_ids:
        parts = data.breakdown_parts(kid)
        if not parts:
            continue
        m = data.metas[kid]
        tables = []
        for dim, part in parts:
            if dim == "area":  # the log names areas by id: show each area's title
                part = part.assign(group=[_area_title(data, g) for g in part["group"]])
            groups = [str(g) for g in part["group"]]
            values = [float(v) for v in part["value"]]
            label = DIMENSION_LABELS.get(dim, dim.replace("_", " ").capitalize())
            hidden = _hidden(part)
            if hidden and all(hidden):  # a table of nothing but the wording says nothing
                wording = data.rules.text if data.rules else WITHHELD
                by = label[:1].lower() + label[1:]
                tables.append(
                    {
                        "dimension": label,
                        "withheld_all": f"{m.title} by {by}: every group's figure is withheld "
                        f"({wording}), so no table or chart is shown.",
                    }
                )
                continue
            tables.append(
                {
                    "dimension": label,
                    "withheld_all": None,
                    "is_count": m.unit == "count",
                    "rows": breakdown_rows(data, m.unit, groups, values, part),
                    "charts": breakdown_charts(data, m, dim, label, part),
                }
            )
        items.append(
            {
                "id": kid,
                "title": m.title,
                "window": window_label(headline_window(m), data.period_end),
                "unit": UNIT_NAMES[m.unit],
                "tables": tables,
            }
        )
    return items


def breakdown_charts(
    data: MonthTables, m: KpiMeta, dim: str, label: str, part: pd.DataFrame
) -> list[dict]:
    """The charts beside one breakdown table, drawn from the figures the table shows.

    A bar per group (teams sorted, with their spread; a percentage, mean or rate
    against the KPI's overall figure); for a count by ethnic group also
    each group's share beside its share of all children in need in the CIN census
    (``cin_count``'s breakdown; no population by ethnicity is read:
    ``docs/deviations.md``). Withheld cells get no bar.
    """
    from pmf_lib.render.breakdown_charts import breakdown_chart, make_up_chart, shares_of

    groups = [str(g) for g in part["group"]]
    values = [float(v) for v in part["value"]]
    hidden = _hidden(part)
    window = window_label(headline_window(m), data.period_end)
    withheld = _withheld_phrase(data, m)
    overall = data.shown_value(m.id) if m.unit != "count" else None
    out = []
    bars = breakdown_chart(
        m.title,
        label,
        window,
        m.unit,
        groups,
        values,
        hidden,
        overall=overall,
        withheld=withheld,
        sort=dim == "team",
    )
    if bars is not None:
        by = label[:1].lower() + label[1:]
        caption = f"{m.title} by {by} ({window}): the figures in the table above."
        if dim == "team":
            caption += " Teams sorted from the highest, to show the spread between them."
        if overall is not None:
            everyone = format_value(overall, m.unit)
            caption += f" The dashed line is the overall figure ({everyone})."
        out.append({"img": Markup(bars.to_html()), "caption": caption})
    if dim == "ethnicity" and m.unit == "count" and m.id != ETHNICITY_REFERENCE_KPI:
        ref = data.reference_breakdown(ETHNICITY_REFERENCE_KPI, "ethnicity")
        if len(ref):
            ref_hidden = _hidden(ref)
            ref_vals = [float(v) for v in ref["value"]]
            ref_shares = (
                [float(x) for x in ref["share"]]
                if "share" in ref.columns
                else shares_of(ref_vals, ref_hidden)
            )
            reference = {
                str(g): v
                for g, v, h in zip(ref["group"], ref_shares, ref_hidden, strict=True)
                if not h
            }
            own = (
                [float(x) for x in part["share"]]
                if "share" in part.columns
                else shares_of(values, hidden)
            )
            mix = make_up_chart(m.title, window, groups, own, hidden, reference, withheld=withheld)
            if mix is not None:
                out.append(
                    {
                        "img": Markup(mix.to_html()),
                        "caption": "Disproportionality: each ethnic group's share of "
                        f"{m.title.lower()} beside its share of all children in need "
                        "(CIN census). The inputs hold no population by ethnic group, so "
                        "rates per 10,000 by ethnic group cannot be shown.",
                    }
                )
    return out


def breakdown_rows(data: MonthTables, unit: str, groups, values, part: pd.DataFrame) -> list[dict]:
    """One breakdown table's rows: group, figure and (for counts) share, as shown."""
    hidden = _hidden(part)
    if unit == "count":
        if "share" in part.columns:
            shares = [float(x) for x in part["share"]]
        else:
            total = sum(v for v in values if not is_missing(v))
            shares = [
                100.0 * v / total if total and not is_missing(v) else float("nan") for v in values
            ]
        return [
            {
                "group": g,
                "figure": value_text(data, v, "count", h),
                "share": value_text(data, sh, "percent", h),
            }
            for g, v, sh, h in zip(groups, values, shares, hidden, strict=True)
        ]
    return [
        {"group": g, "figure": value_text(data, v, unit, h), "share": ""}
        for g, v, h in zip(groups, values, hidden, strict=True)
    ]


def breakdowns_block(data: MonthTables, kpi_ids: list[str]) -> HTML:
    """Tables of each KPI's figure by age band, sex, ethnicity or team (empty: none)."""
    return HTML(
        _env()
        .from_string(_BREAKDOWNS_TEMPLATE)
        .render(
            items=breakdown_items(data, kpi_ids),
            note=suppressed_note(data, kpi_ids=kpi_ids) if data.suppressing else "",
        )
    )
