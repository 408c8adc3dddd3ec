"""The month's own pages and the page listing every month.

In each month's folder the batch writes, beside the reports:

* ``index.html`` — the managers' landing page: this month's reds, exceptions and
  good practice (read from the month's assessed table, ``kpis.parquet``: the
  judgements are made once, in assess), the reports grouped by the meeting that
  reads them and a table of who reads what;
* ``run.html`` — the run log: each report's status and seconds, and the run's
  times (linked from the index);
* ``glossary.html`` — the plain-English glossary (:mod:`pmf_lib.render.glossary`).

These pages are in the reports' own page template
(:func:`pmf_lib.render.export.standalone_page`), with the same navigation bar
(:func:`nav_links`): the month's index, the dashboard, the glossary and, for a
report, its previous edition. ``outputs/index.html`` lists every month.

Every page is self-contained: inline styles, no scripts, and a
Content-Security-Policy that forbids loading anything from outside.

Examples
--------
>>> page = month_index_html(
...     council="Demo County Council", month="2026-10",
...     reports=[{"area": "front_door", "title": "Front door", "status": "ok",
...               "seconds": 3.2, "error": None, "href": "front_door.html"}],
...     started="2026-11-02T09:00:00", finished="2026-11-02T09:00:05")
>>> '<a href="front_door.html">Front door</a>' in page, "<script" in page, "Seconds" in page
(True, False, False)
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import jinja2
import pandas as pd
from markupsafe import Markup

from pmf_lib import __version__
from pmf_lib.publish.atomic import write_text_atomic
from pmf_lib.render.export import CSP, standalone_page
from pmf_lib.render.format import format_date, format_month_long

TEMPLATES = Path(__file__).resolve().parent / "templates"
MONTH_DIR = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
INDEX, RUN_LOG, GLOSSARY, DASHBOARD = "index.html", "run.html", "glossary.html", "dashboard.html"
#: How many months back a report's previous edition is looked for (a quarterly
#: report's is three months back).
PREVIOUS_EDITION_MONTHS = 12

#: The meetings that read the month's reports, in the order the page lists them:
#: each a title, what it uses the reports for, and the report kinds it reads
#: (:data:`pmf_lib.publish.plan.KINDS`).
MEETINGS = (
    {
        "id": "meeting-leadership",
        "title": "Senior and Divisional Leadership Teams (SLT and DLT)",
        "purpose": "The month's overview: every measure on one line with its rating, trend and "
        "comparators, and the counts of reds, exceptions and good practice.",
        "kinds": ("dashboard",),
    },
    {
        "id": "meeting-board",
        "title": "Performance Assurance and Action Board",
        "purpose": "Each exception and piece of good practice with its chart, then each service "
        "area's highlight report with its Head of Service's commentary: the order of the "
        "board pack (pmf pack).",
        "kinds": ("exceptions", "highlight"),
    },
    {
        "id": "meeting-finance",
        "title": "Directorate Leadership Team: finance and performance",
        "purpose": "Budget and outturn beside the performance measures, unit costs against "
        "comparators, and (every two months, internal only) the review of high-cost "
        "placements.",
        "kinds": ("finance", "high_cost_placements"),
    },
    {
        "id": "meeting-scorecards",
        "title": "Scorecards (DLT, Corporate Management Team and Cabinet)",
        "purpose": "The measures each scorecard names, quarter by quarter, with targets, "
        "ratings and comparators.",
        "kinds": ("scorecard",),
    },
    {
        "id": "meeting-quarterly",
        "title": "Quarterly reports",
        "purpose": "Reports produced at quarter ends (LADO, complaints and compliments, "
        "conferencing and reviewing, quality assurance audits, what children and families "
        "told us), and the schedule saying when each is due, at which meeting.",
        "kinds": ("quarterly", "voice", "schedule"),
    },
    {
        "id": "meeting-annual",
        "title": "Improvement Board: the annual self-evaluation",
        "purpose": "Each service area's evidence pack under Ofsted's ILACS headings: three "
        "years' trends, comparators, audit findings, improvement actions and commentary.",
        "kinds": ("annual",),
    },
    {
        "id": "meeting-areas",
        "title": "Service area reports (Heads of Service and team managers)",
        "purpose": "Each area's measures in full: charts with process limits, breakdowns, "
        "commentary, improvement actions and the definition of every measure.",
        "kinds": ("area",),
    },
)

#: The group of reports of a kind no meeting of :data:`MEETINGS` lists.
OTHER_REPORTS = {
    "id": "meeting-other",
    "title": "Other reports",
    "purpose": "Reports the schedule publishes this month for no meeting listed above.",
    "kinds": (),
}

AUDIENCE_TEXT = {
    "internal": "This is the internal edition: it shows every figure, including those built "
    "on very few children. Reports for elected members and the public come from a run "
    "with the members' or public audience, which withholds them.",
    "members": "This is the elected members' edition: every figure built on very few "
    "children is withheld, and so is anything from which it could be worked out.",
    "public": "This is the public edition: every figure built on very few children is "
    "withheld, and so is anything from which it could be worked out.",
}


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _when(iso: str | None) -> str:
    if not iso:
        return "–"
    ts = pd.Timestamp(iso)
    return f"{format_date(ts)} {ts:%H:%M}"


def _month_long(month: str) -> str:
    return format_month_long(pd.Timestamp(month) + pd.offsets.MonthEnd(0))


# ---- navigation ------------------------------------------------------------------------
def previous_edition(
    outputs_dir: str | Path, month: str, report_id: str, months: int = PREVIOUS_EDITION_MONTHS
) -> dict | None:
    """The latest earlier month (up to ``months`` back) with ``<report_id>.html``.

    Returns ``{"href": "../YYYY-MM/<id>.html", "month": "YYYY-MM", "label": ...}`` or None.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> (out / "2026-07").mkdir(); _ = (out / "2026-07" / "lado.html").write_text("x")
    >>> previous_edition(out, "2026-10", "lado")["href"]
    '../2026-07/lado.html'
    >>> previous_edition(out, "2026-10", "front_door") is None
    True
    """
    outputs_dir = Path(outputs_dir)
    start = pd.Period(month, freq="M")
    for back in range(1, months + 1):
        m = str(start - back)
        if (outputs_dir / m / f"{report_id}.html").is_file():
            return {"href": f"../{m}/{report_id}.html", "month": m, "label": _month_long(m)}
    return None


def nav_links(
    month: str,
    *,
    current: str | None = None,
    report_id: str | None = None,
    outputs_dir: str | Path | None = None,
) -> list[dict]:
    """The navigation bar of a page in a month's folder: ``href``, ``text``, ``current``.

    The month's index, the dashboard and the glossary; for a report
    (``report_id``), its previous edition when one exists in ``outputs_dir``.
    ``current`` is the file name of the page itself (its link is marked current).

    Examples
    --------
    >>> [(n["href"], n["current"]) for n in nav_links("2026-10", current="dashboard.html")]
    [('index.html', False), ('dashboard.html', True), ('glossary.html', False)]
    >>> nav_links("2026-10")[0]["text"]
    'All reports for October 2026'
    """
    links = [
        {"href": INDEX, "text": f"All reports for {_month_long(month)}"},
        {"href": DASHBOARD, "text": "Dashboard"},
        {"href": GLOSSARY, "text": "Glossary"},
    ]
    if report_id and outputs_dir is not None:
        prev = previous_edition(outputs_dir, month, report_id)
        if prev:
            links.append({"href": prev["href"], "text": f"Previous edition: {prev['label']}"})
    return [{**link, "current": link["href"] == current} for link in links]


# ---- this month's reds, exceptions and good practice ------------------------------------
def read_assessed(path: str | Path) -> pd.DataFrame | None:
    """The month's assessed table (``kpis.parquet``), or None when it is not there."""
    path = Path(path)
    if not path.is_file():
        return None
    return pd.read_parquet(path)


def _flags(value) -> list[str]:
    from pmf_lib.assess.exceptions import FLAG_LABELS

    if not isinstance(value, str):
        return []
    return [FLAG_LABELS.get(f, f) for f in value.split("; ") if f]


def month_highlights(
    assessed: pd.DataFrame | None,
    *,
    area_titles: dict[str, str] | None = None,
    area_reports: set[str] | frozenset[str] = frozenset(),
) -> dict | None:
    """This month's reds, exceptions and good practice, as the assessed table judged them.

    Nothing is judged here: each list holds the rows whose ``rag`` is ``Red``, whose
    ``exception`` or whose ``good_practice`` is true, in the table's order. A row
    the suppressed view withheld (``suppressed``) is in none of them, as in the
    reports. Each item has ``title``, ``area_title``, ``flags`` (labels),
    ``sentence`` and ``href`` (its chart in its area report, when that report is in
    ``area_reports``; else None).

    Returns None when there is no assessed table.

    Examples
    --------
    >>> t = pd.DataFrame({"kpi_id": ["a", "b", "c"], "title": ["A", "B", "C"],
    ...                   "area": ["x", "x", "y"], "rag": ["Red", "Green", "Red"],
    ...                   "exception": [True, False, True],
    ...                   "exception_flags": ["red", "", "red; quartile_d"],
    ...                   "good_practice": [False, True, False],
    ...                   "good_practice_flags": ["", "special_cause_improvement", ""],
    ...                   "sentence": ["A rose.", "B fell.", "C rose."],
    ...                   "suppressed": [False, False, True]})
    >>> h = month_highlights(t, area_titles={"x": "Area X"}, area_reports={"x"})
    >>> [(r["title"], r["href"]) for r in h["reds"]]  # C is withheld
    [('A', 'x.html#chart-a')]
    >>> h["good"][0]["flags"], h["good"][0]["area_title"]
    (['Special cause improvement'], 'Area X')
    """
    if assessed is None:
        return None
    area_titles = area_titles or {}
    t = assessed
    shown = ~t["suppressed"].fillna(False).astype(bool) if "suppressed" in t else True

    def items(mask, flag_column: str) -> list[dict]:
        out = []
        for _, r in t[mask & shown].iterrows():
            area = str(r.get("area") or "")
            out.append(
                {
                    "kpi_id": r["kpi_id"],
                    "title": str(r.get("title") or r["kpi_id"]),
                    "area_title": area_titles.get(area, area),
                    "flags": _flags(r.get(flag_column)),
                    "sentence": str(r.get("sentence") or ""),
                    "href": f"{area}.html#chart-{r['kpi_id']}" if area in area_reports else None,
                }
            )
        return out

    def truthy(column: str) -> pd.Series:
        if column not in t:
            return pd.Series(False, index=t.index)
        return t[column].fillna(False).astype(bool)

    rag = t["rag"] if "rag" in t else pd.Series("", index=t.index)
    return {
        "reds": items(rag.eq("Red"), "exception_flags"),
        "exceptions": items(truthy("exception"), "exception_flags"),
        "good": items(truthy("good_practice"), "good_practice_flags"),
    }


# ---- the month's pages ----------------------------------------------------------------
def _rows(reports: list[dict]) -> list[dict]:
    return [{"previous_date": "", "kind": "area", "skipped": False, **r} for r in reports]


def meeting_groups(reports: list[dict]) -> list[dict]:
    """The reports grouped by :data:`MEETINGS` (a meeting with no report is left out).

    Examples
    --------
    >>> g = meeting_groups([{"title": "D", "kind": "dashboard"}, {"title": "F", "kind": "area"},
    ...                     {"title": "E", "kind": "exceptions"}])
    >>> [(m["id"], [r["title"] for r in m["reports"]]) for m in g]
    [('meeting-leadership', ['D']), ('meeting-board', ['E']), ('meeting-areas', ['F'])]
    """
    rows = _rows(reports)
    groups = []
    for meeting in MEETINGS:
        # In the meeting's order of kinds (the board: exceptions, then highlights).
        chosen = [r for kind in meeting["kinds"] for r in rows if r["kind"] == kind]
        if chosen:
            groups.append({**meeting, "reports": chosen})
    # A kind no meeting lists still has its reports on the page, never dropped.
    listed = {k for meeting in MEETINGS for k in meeting["kinds"]}
    others = [r for r in rows if r["kind"] not in listed]
    if others:
        groups.append({**OTHER_REPORTS, "reports": others})
    return groups


def audience_rows(
    reports: list[dict], *, dq_href: str | None, audience: str, lists_href: str | None = None
) -> list[dict]:
    """Who reads what: per reader, the links (``href``, ``text``) to their reports.

    ``lists_href`` is the month's action lists page (internal audiences only).
    """

    def links(*kinds: str) -> list[dict]:
        return [
            {"href": r["href"], "text": r["title"]}
            for kind in kinds
            for r in _rows(reports)
            if r["kind"] == kind and r.get("href")
        ]

    rows = [
        {"who": "Senior and divisional leaders", "links": links("dashboard")},
        {
            "who": "Board members",
            "links": links("exceptions"),
            "note": "and each area's highlight report (listed above); `pmf pack` prints the "
            "dashboard, the exceptions report and the highlight reports as one PDF.",
        },
        {
            "who": "Heads of Service and team managers",
            "links": [{"href": lists_href, "text": "Action lists (contains personal data)"}]
            if lists_href
            else [],
            "note": "Their own area's service area report and highlight report (listed above), "
            "and the commentary file they write for it each month.",
        },
        {
            "who": "Elected members",
            "links": [{"href": GLOSSARY, "text": "Glossary"}]
            + (links("dashboard", "exceptions", "highlight") if audience != "internal" else []),
            "note": ""
            if audience != "internal"
            else "They read the members' edition, in which small numbers are withheld; "
            "the glossary explains every term.",
        },
        {
            "who": "Analysts",
            "links": ([{"href": dq_href, "text": "Data quality report"}] if dq_href else [])
            + [{"href": RUN_LOG, "text": "Run log"}],
        },
    ]
    return [{"note": "", **r} for r in rows if r["links"] or r.get("note")]


def month_index_html(
    *,
    council: str,
    month: str,
    reports: list[dict],
    started: str,
    finished: str,
    show_table: bool = True,
    dq_href: str | None = None,
    highlights: dict | None = None,
    audience: str = "internal",
    logo: str | Path | None = None,
    lists_href: str | None = None,
) -> str:
    """The month's landing page: reds and exceptions, then reports by meeting and reader.

    Parameters
    ----------
    council : str
        The council's name.
    month : str
        ``YYYY-MM``.
    reports : list of dict
        Per report: ``title``, ``kind`` (:data:`pmf_lib.publish.plan.KINDS`;
        default ``area``), ``status`` ("ok"/"failed"), ``error``, ``href`` (the
        report to link, or None) and, for a failed report whose earlier version
        is still published, ``previous_date``.
    started, finished : str
        ISO times of the run (the footer; the run log page has the detail).
    show_table : bool
        Link the tidy KPI table (``kpis.csv``): only for internal audiences, as
        it holds the figures before small numbers are withheld.
    dq_href : str, optional
        The month's data quality report (internal audiences only).
    highlights : dict, optional
        :func:`month_highlights` of the month's assessed table.
    audience : str
        ``internal``, ``members`` or ``public``: said at the top of the page.
    logo : path, optional
        The council's logo.
    lists_href : str, optional
        The month's action lists page (internal audiences only: child ids).
    """
    n_ok = sum(r["status"] == "ok" for r in reports)
    month_long = _month_long(month)
    hrefs = {r.get("kind", "area"): r.get("href") for r in reports}
    body = (
        _env()
        .get_template("month_index.html.j2")
        .render(
            month_long=month_long,
            period_end_text=format_date(pd.Timestamp(month) + pd.offsets.MonthEnd(0)),
            reports=reports,
            groups=meeting_groups(reports),
            audiences=audience_rows(
                reports, dq_href=dq_href, audience=audience, lists_href=lists_href
            ),
            audience_text=AUDIENCE_TEXT.get(audience, ""),
            highlights=highlights,
            exceptions_href=hrefs.get("exceptions"),
            dashboard_href=hrefs.get("dashboard"),
            dq_href=dq_href,
            n_ok=n_ok,
            n_failed=len(reports) - n_ok,
            show_table=show_table,
            run_href=RUN_LOG,
            glossary_href=GLOSSARY,
        )
    )
    return standalone_page(
        body,
        council=council,
        title=f"Reports for {month_long}",
        contents=_contents(body),
        nav=nav_links(month, current=INDEX),
        logo=logo,
        footer=f"{council}. Run started {_when(started)}, finished {_when(finished)}. "
        f"Produced by pmf {__version__}.",
    )


def run_log_html(
    *,
    council: str,
    month: str,
    reports: list[dict],
    started: str,
    finished: str,
    log_name: str | None = None,
    logo: str | Path | None = None,
) -> str:
    """The run log page: every report's status and seconds, by kind, and the run's times.

    Examples
    --------
    >>> page = run_log_html(council="Demo", month="2026-10", started="2026-11-02T09:00:00",
    ...     finished="2026-11-02T09:00:05", reports=[{"title": "Front door", "status": "ok",
    ...     "seconds": 3.25, "error": None, "href": "front_door.html"}])
    >>> "Seconds" in page, ">3.2<" in page, 'href="run.json"' in page
    (True, True, True)
    """
    from pmf_lib.publish.plan import KIND_TITLES, KINDS

    rows = _rows(reports)
    groups = [
        {"title": KIND_TITLES[k], "reports": [r for r in rows if r["kind"] == k]}
        for k in KINDS
        if any(r["kind"] == k for r in rows)
    ]
    n_ok = sum(r["status"] == "ok" for r in rows)
    month_long = _month_long(month)
    body = (
        _env()
        .get_template("run_log.html.j2")
        .render(
            month_long=month_long,
            groups=groups,
            n=len(rows),
            n_ok=n_ok,
            n_failed=len(rows) - n_ok,
            started=_when(started),
            finished=_when(finished),
            seconds=sum(float(r.get("seconds") or 0) for r in rows),
            log_name=log_name,
        )
    )
    return standalone_page(
        body,
        council=council,
        title=f"Run log, {month_long}",
        nav=nav_links(month, current=RUN_LOG),
        logo=logo,
        footer=f"{council}. Produced by pmf {__version__}.",
    )


def glossary_html(
    *, council: str, month: str, values: dict[str, str], logo: str | Path | None = None
) -> str:
    """The glossary page of a month (``values``: :func:`pmf_lib.render.glossary.glossary_values`).

    Examples
    --------
    >>> from pmf_lib.render.glossary import glossary_values
    >>> page = glossary_html(council="Demo", month="2026-10", values=glossary_values())
    >>> 'id="term-hit-and-miss"' in page, 'href="index.html"' in page
    (True, True)
    """
    from pmf_lib.render.glossary import TITLE, glossary_body, load_glossary

    body, contents = glossary_body(load_glossary(), values)
    return standalone_page(
        body,
        council=council,
        title=TITLE,
        contents=contents,
        nav=nav_links(month, current=GLOSSARY),
        logo=logo,
        footer=f"{council}. Produced by pmf {__version__}.",
    )


def write_month_pages(
    config,
    out_dir: str | Path,
    *,
    month: str,
    reports: list[dict],
    started: str,
    finished: str,
    run_id: str | None = None,
    log_name: str | None = None,
) -> Path:
    """Write the month's ``index.html``, ``run.html`` and ``glossary.html``; the index's path.

    ``reports`` are the batch's rows (:func:`month_index_html`); the reds and
    exceptions are read from the month's assessed table in ``out_dir``. Each page
    is written atomically and, with a ``run_id``, stamped with it.
    """
    from pmf_lib.publish.manifest import stamp_html
    from pmf_lib.render.glossary import values_for_config

    out_dir = Path(out_dir)
    council = config.council.name
    logo = config.resolve(config.council.logo) if config.council.logo else None

    def write(page: str, name: str) -> Path:
        return write_text_atomic(stamp_html(page, run_id) if run_id else page, out_dir / name)

    area_reports = {r["id"] for r in reports if r.get("kind") == "area" and r.get("href")}
    highlights = month_highlights(
        read_assessed(out_dir / "kpis.parquet"),
        area_titles={a: config.areas[a].title for a in config.areas},
        area_reports=area_reports,
    )
    internal = config.audience == "internal"
    write(
        glossary_html(council=council, month=month, values=values_for_config(config), logo=logo),
        GLOSSARY,
    )
    write(
        run_log_html(
            council=council,
            month=month,
            reports=reports,
            started=started,
            finished=finished,
            log_name=log_name,
            logo=logo,
        ),
        RUN_LOG,
    )
    return write(
        month_index_html(
            council=council,
            month=month,
            reports=reports,
            started=started,
            finished=finished,
            show_table=internal,
            # The data quality report (``pmf validate``) lists child ids: linked only
            # for an internal audience, and only when it has been written.
            dq_href="data_quality.html"
            if internal and (out_dir / "data_quality.html").is_file()
            else None,
            highlights=highlights,
            audience=config.audience,
            logo=logo,
            # The action lists hold child ids: linked only for an internal audience.
            lists_href="action_lists.html"
            if internal and (out_dir / "action_lists.html").is_file()
            else None,
        ),
        INDEX,
    )


_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>', re.DOTALL)


def _contents(body: str) -> list[dict]:
    """The page's ``<h2 id=...>`` headings as contents entries (the text unescaped once)."""
    return [{"id": m.group(1), "text": Markup(m.group(2)).striptags()} for m in _H2.finditer(body)]


# ---- every month ---------------------------------------------------------------------
def months_published(outputs_dir: Path) -> list[dict]:
    """Every month directory with an ``index.html``, latest first, with its run's counts."""
    months = []
    if not outputs_dir.is_dir():
        return months
    for d in sorted(outputs_dir.iterdir(), reverse=True):
        if not (d.is_dir() and MONTH_DIR.match(d.name) and (d / "index.html").is_file()):
            continue
        ok = failed = 0
        finished = None
        try:
            run = json.loads((d / "run.json").read_text(encoding="utf-8"))
            statuses = [r.get("status") for r in run.get("reports", [])]
            ok, failed = statuses.count("ok"), statuses.count("failed")
            finished = run.get("finished")
        except (OSError, ValueError, AttributeError):
            pass  # a month without a readable manifest is still listed
        months.append(
            {
                "href": f"{d.name}/index.html",
                "label": _month_long(d.name),
                "ok": ok,
                "failed": failed,
                "finished": _when(finished),
            }
        )
    return months


def root_index_html(*, council: str, outputs_dir: Path) -> str:
    """The page listing every published month under ``outputs_dir``, latest first."""
    return (
        _env()
        .get_template("root_index.html.j2")
        .render(
            council=council,
            csp=CSP,
            version=__version__,
            months=months_published(Path(outputs_dir)),
            generated=_when(datetime.now().isoformat()),
        )
    )


def write_root_index(*, council: str, outputs_dir: Path) -> Path:
    """Write ``outputs_dir/index.html`` (atomically) and return its path."""
    outputs_dir = Path(outputs_dir)
    page = root_index_html(council=council, outputs_dir=outputs_dir)
    return write_text_atomic(page, outputs_dir / "index.html")
