"""The index pages: one per month linking its reports, and one listing every month.

Both are self-contained like the reports: inline styles, no scripts, and a
Content-Security-Policy that forbids loading anything from outside.

Examples
--------
>>> page = month_index_html(
...     council="Demo County Council", month="2026-10",
...     reports=[{"area": "front_door", "title": "Front door", "status": "ok",
...               "seconds": 3.2, "error": None, "href": "front_door.html"}],
...     started="2026-11-02T09:00:00", finished="2026-11-02T09:00:05")
>>> '<a href="front_door.html">Front door</a>' in page, "<script" in page
(True, False)
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import jinja2
import pandas as pd

from pmf_lib import __version__
from pmf_lib.publish.atomic import write_text_atomic
from pmf_lib.render.export import CSP
from pmf_lib.render.format import format_date, format_month_long

TEMPLATES = Path(__file__).resolve().parent / "templates"
MONTH_DIR = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


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


def month_index_html(
    *,
    council: str,
    month: str,
    reports: list[dict],
    started: str,
    finished: str,
    show_table: bool = True,
    dq_href: str | None = None,
) -> str:
    """The month's index page: its reports grouped by kind, each with its status.

    Parameters
    ----------
    council : str
        The council's name.
    month : str
        ``YYYY-MM``.
    reports : list of dict
        Per area: ``title``, ``status`` ("ok"/"failed"), ``seconds``, ``error``,
        ``href`` (the report to link, or None) and, for a failed area whose
        earlier report is still published, ``previous_date``.
    started, finished : str
        ISO times of the run.
    show_table : bool
        Link the tidy KPI table (``kpis.csv``): only for internal audiences, as
        it holds the figures before small numbers are withheld.
    dq_href : str, optional
        The month's data quality report, linked at the top of the page.

    Each report dict may carry ``kind`` (see :data:`pmf_lib.publish.plan.KINDS`;
    default ``area``): the page has a table per kind, in that order.
    """
    from pmf_lib.publish.plan import KIND_TITLES, KINDS

    end = pd.Timestamp(month) + pd.offsets.MonthEnd(0)
    n_ok = sum(r["status"] == "ok" for r in reports)
    return (
        _env()
        .get_template("month_index.html.j2")
        .render(
            council=council,
            csp=CSP,
            version=__version__,
            month_long=format_month_long(end),
            period_end_text=format_date(end),
            reports=[{"previous_date": "", **r} for r in reports],
            groups=[
                {
                    "title": KIND_TITLES[k],
                    "reports": [
                        {"previous_date": "", **r} for r in reports if r.get("kind", "area") == k
                    ],
                }
                for k in KINDS
                if any(r.get("kind", "area") == k for r in reports)
            ],
            dq_href=dq_href,
            n_ok=n_ok,
            n_failed=len(reports) - n_ok,
            started=_when(started),
            finished=_when(finished),
            show_table=show_table,
        )
    )


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
                "label": format_month_long(pd.Timestamp(d.name) + pd.offsets.MonthEnd(0)),
                "ok": ok,
                "failed": failed,
                "finished": _when(finished),
            }
        )
    return months


def root_index_html(*, council: str, outputs_dir: Path) -> str:
    """The page listing every published month under ``outputs_dir``."""
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
