"""The action lists page (``action_lists.html``) and each list's CSV table.

Draws the lists :mod:`pmf_lib.assess.action_lists` decides; nothing is judged
here. The page is self-contained and works offline: sortable, filterable tables
by one script (``templates/action_lists/action_lists.js``) inlined and allowed by
its SHA-256 hash in the page's Content-Security-Policy (no ``'unsafe-inline'``
for scripts; nothing loaded from anywhere). Its title, a banner and its footer
say it contains personal data.

Examples
--------
>>> csv_name("assessments")
'action_lists_assessments.csv'
>>> "script-src 'sha256-" in page_csp(), "'unsafe-inline'" in page_csp().split("script-src")[1]
(True, False)
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from pmf_lib import __version__
from pmf_lib.assess.action_lists import ROW_COLUMNS, TAIL_COLUMNS, ActionList
from pmf_lib.render.format import format_date

ASSETS = Path(__file__).resolve().parent / "templates" / "action_lists"
PAGE = "action_lists.html"
PERSONAL_DATA = (
    "Contains personal data: child-level lists for the council's own staff. Do not publish, "
    "forward outside the council or print for members."
)
TITLE_SUFFIX = "(contains personal data)"
HEADINGS = {
    "team": "Team",
    "worker": "Allocated worker",
    "child_id": "Child id",
    "status": "Status",
    "counted_in_kpi": "In the figure",
}


def script_text() -> str:
    """The page's one script, exactly as inlined (its hash is in the CSP)."""
    return (ASSETS / "action_lists.js").read_text(encoding="utf-8")


def script_hash(text: str | None = None) -> str:
    """The CSP source for the script: ``'sha256-<base64 digest>'``.

    Examples
    --------
    >>> script_hash("x")  # sha256("x") is 2d711642...4881 in hex
    "'sha256-LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE='"
    """
    text = script_text() if text is None else text
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def page_csp() -> str:
    """The page's Content-Security-Policy: the reports' policy, the script allowed by hash."""
    return (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
        f"script-src {script_hash()}; connect-src 'none'; object-src 'none'; "
        "frame-src 'none'; base-uri 'none'; form-action 'none'"
    )


def csv_name(list_id: str) -> str:
    """The CSV file of a list, beside the page."""
    return f"action_lists_{list_id}.csv"


def csv_frame(lst: ActionList) -> pd.DataFrame:
    """A list's rows as its CSV: the list, its KPI and report date on every row.

    Examples
    --------
    >>> from pmf_lib.assess.action_lists import SPECS
    >>> from pmf_lib.compute.registry import Figure
    >>> rows = pd.DataFrame({"team": ["A"], "worker": ["W"], "child_id": ["c1"],
    ...     "as_at": pd.to_datetime(["2026-03-31"]), "working_days": [149.0],
    ...     "status": ["Not in touch"], "counted_in_kpi": [True]})
    >>> lst = ActionList(SPECS["care_leavers"], pd.Timestamp("2026-10-31"), rows, Figure(1, 9))
    >>> list(csv_frame(lst).columns)[:4]
    ['list_id', 'kpi_id', 'period_end', 'team']
    """
    out = lst.rows.copy()
    out.insert(0, "period_end", lst.period_end.date().isoformat())
    out.insert(0, "kpi_id", lst.spec.kpi_id)
    out.insert(0, "list_id", lst.spec.id)
    for c, _ in lst.spec.dates:
        out[c] = pd.to_datetime(out[c]).dt.strftime("%Y-%m-%d")
    return out


def _window_text(kind: str, end: pd.Timestamp) -> str:
    if kind == "month":
        return f"the month to {format_date(end)}"
    if kind == "quarter":
        return f"the three months to {format_date(end)}"
    return f"at {format_date(end)}"


def _cell(value, column: str) -> dict:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return {"text": "", "sort": "", "number": column == "working_days"}
    if isinstance(value, pd.Timestamp):
        return {"text": format_date(value), "sort": value.date().isoformat(), "number": False}
    if column == "working_days":
        return {"text": f"{int(value)}", "sort": f"{int(value)}", "number": True}
    if column == "counted_in_kpi":
        return {"text": "yes" if value else "no", "sort": None, "number": False}
    return {"text": str(value), "sort": None, "number": False}


def _view(lst: ActionList) -> dict:
    from pmf_lib.compute.registry import all_kpis

    spec = lst.spec
    date_cols = [c for c, _ in spec.dates]
    columns = [*ROW_COLUMNS, *date_cols, *TAIL_COLUMNS]
    labels = {**HEADINGS, **dict(spec.dates), "working_days": spec.working_days}
    kpi_breaches = lst.kpi_breaches
    if not lst.supplied or pd.isna(kpi_breaches):
        reconcile = "the figure is missing (its data is not supplied)."
        shown = ""
    else:
        shown = f"{int(kpi_breaches):,}"
        reconcile = (
            f"{lst.breach_count:,} rows are counted in the figure, which counts "
            f"{shown} breaches of {int(lst.kpi_figure.denominator or 0):,}."
        )
    rows = [
        [_cell(v, c) for v, c in zip(r, columns, strict=True)]
        for r in lst.rows[columns].itertuples(index=False, name=None)
    ]
    return {
        "id": spec.id,
        "title": spec.title,
        "rule": spec.rule,
        "kpi_id": spec.kpi_id,
        "kpi_title": all_kpis()[spec.kpi_id].meta.title,
        "window_text": _window_text(spec.window, lst.period_end),
        "breach_count": f"{lst.breach_count:,}",
        "kpi_breaches": shown,
        "reconciles": lst.reconciles,
        "supplied": lst.supplied,
        "reconcile_text": reconcile,
        "notes": lst.notes,
        "csv": csv_name(spec.id),
        "headings": [{"text": labels[c], "number": c == "working_days"} for c in columns],
        "rows": rows,
        "teams": lst.by_team().to_dict("records"),
    }


def action_lists_html(
    lists: list[ActionList],
    *,
    council: str,
    month: str,
    nav: list[dict] | None = None,
    generated: datetime | None = None,
) -> str:
    """The month's action lists page.

    Examples
    --------
    >>> from pmf_lib.assess.action_lists import SPECS
    >>> from pmf_lib.compute.registry import Figure
    >>> rows = pd.DataFrame({"team": ["A"], "worker": ["W"], "child_id": ["c<1>"],
    ...     "as_at": pd.to_datetime(["2026-03-31"]), "working_days": [149.0],
    ...     "status": ["Not in touch"], "counted_in_kpi": [True]})
    >>> lst = ActionList(SPECS["care_leavers"], pd.Timestamp("2026-10-31"), rows, Figure(1, 9))
    >>> page = action_lists_html([lst], council="Demo", month="2026-10")
    >>> "<title>Action lists for October 2026 (contains personal data)" in page
    True
    >>> "c&lt;1&gt;" in page, "data-sort=\\"2026-03-31\\"" in page
    (True, True)
    """
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(ASSETS), str(ASSETS.parent / "pmf")]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    from pmf_lib.render.export import STYLESHEET

    end = pd.Timestamp(month) + pd.offsets.MonthEnd(0)
    month_long = end.strftime("%B %Y")
    when = (generated or datetime.now()).strftime("%d %B %Y at %H:%M").lstrip("0")
    return env.get_template("page.html.j2").render(
        csp=Markup(page_csp()),
        version=__version__,
        council=council,
        title=f"Action lists for {month_long} {TITLE_SUFFIX}",
        stylesheet=Markup(STYLESHEET.read_text(encoding="utf-8")),
        own_css=Markup((ASSETS / "action_lists.css").read_text(encoding="utf-8")),
        nav=nav or [],
        personal_data=PERSONAL_DATA,
        period_end_text=format_date(end),
        lists=[_view(lst) for lst in lists],
        footer=f"{council}. {PERSONAL_DATA} Produced by pmf {__version__} on {when}.",
        script=Markup(script_text()),
    )
