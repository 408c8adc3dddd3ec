"""The reporting schedule page: the year as a calendar and the month's agenda.

What is due when is decided in :mod:`pmf_lib.schedule` (:func:`~pmf_lib.schedule.calendar_rows`,
:func:`~pmf_lib.schedule.agenda`), the rules the month's plan reads too; this module
draws them. The calendar is a table (no script): a row per report or item, a column per
month of the financial year, each due month marked with a dot and the word "due" for
screen readers (and on paper in greyscale the dot reads as well as a colour would). The
agenda lists, week by week of the cycle, each meeting with the reports and business it
receives, their owners and audiences.
"""

from __future__ import annotations

import calendar
from pathlib import Path

from IPython.display import HTML

from pmf_lib.config import Config, load_config
from pmf_lib.render.blocks import render
from pmf_lib.render.format import format_date
from pmf_lib.schedule import (
    FREQUENCIES,
    Schedule,
    agenda,
    calendar_rows,
    financial_year_months,
    read_schedule,
)

_AUDIENCE_WORDS = {"internal": "Internal", "members": "Members", "public": "Public"}


def _weekday_date(day) -> str:
    return f"{calendar.day_name[day.weekday()]} {format_date(day)}"


def page_context(schedule: Schedule, config: Config, month: str) -> dict:
    """Everything the page shows, as plain values (``month``: YYYY-MM or ``"latest"``).

    Examples
    --------
    >>> from pmf_lib.schedule import Item, Meeting, ReportEntry
    >>> s = Schedule(meetings={"dlt": Meeting(title="DLT", week=3, day="Tuesday")},
    ...     reports=[ReportEntry(kind="finance", title="F", frequency="monthly", meeting="dlt")],
    ...     items=[Item(title="Targets", frequency="six-monthly", owner="Head of P")])
    >>> c = load_config("parameters/config.yaml", check_files=False)
    >>> ctx = page_context(s, c, "2026-09")
    >>> [(m["label"], m["year"]) for m in ctx["months"]][8:10], ctx["months"][5]["current"]
    ([('Dec', '2026'), ('Jan', '2027')], True)
    >>> [(r["title"], "".join("x" if d else "." for d in r["due"])) for r in ctx["rows"]]
    [('F', 'xxxxxxxxxxxx'), ('Targets', '.....x.....x')]
    >>> ctx["published"], [m["when"] for w in ctx["weeks"] for m in w["meetings"]]
    ('Tuesday 6 October 2026', [None, 'Tuesday 20 October 2026'])
    """
    latest = month == "latest"
    months = financial_year_months(None if latest else month)
    rows = calendar_rows(schedule, config.audience, config)
    months_info = [
        {
            "label": calendar.month_abbr[int(m[-2:])],
            "year": "" if latest else m[:4],
            "long": calendar.month_name[int(m[-2:])] + ("" if latest else f" {m[:4]}"),
            "current": m == month,
        }
        for m in months
    ]
    for r in rows:
        r["due"] = [int(m[-2:]) in r["months"] for m in months]
        r["audience_words"] = ", ".join(_AUDIENCE_WORDS[a] for a in r["audience"])
    rows.sort(key=lambda r: (r["type"] != "report", FREQUENCIES.index(r["frequency"])))
    groups = [
        {"title": title, "rows": [r for r in rows if r["type"] == kind and not r["unmet"]]}
        for kind, title in (
            ("report", "Reports pmf publishes"),
            ("item", "Other business the schedule sets (no report of its own)"),
        )
    ]
    groups.append(
        {
            "title": "In the schedule but not published for this council",
            "rows": [r for r in rows if r["unmet"]],
        }
    )
    ctx = {
        "council": config.council.name,
        "audience": _AUDIENCE_WORDS[config.audience],
        "latest": latest,
        "months": months_info,
        "rows": rows,
        "groups": [g for g in groups if g["rows"]],
        "weeks": [],
        "published": None,
        "month_long": None,
    }
    if latest:
        return ctx
    weeks = agenda(schedule, month, config.audience, config)
    for w in weeks:
        w["begins_words"] = _weekday_date(w["begins"])
        for m in w["meetings"]:
            m["when"] = _weekday_date(m["date"]) if m["date"] else None
            for r in m["reports"] + m["items"]:
                r["audience_words"] = ", ".join(_AUDIENCE_WORDS[a] for a in r["audience"])
    ctx["weeks"] = weeks
    ctx["published"] = weeks[0]["begins_words"]
    ctx["month_long"] = f"{calendar.month_name[int(month[5:7])]} {month[:4]}"
    return ctx


def _context(schedule: Schedule | str | Path | None, config: Config | str | Path, month: str):
    if not isinstance(schedule, Schedule):
        schedule = read_schedule(schedule)
    if not isinstance(config, Config):
        config = load_config(config, check_files=False)
    return page_context(schedule, config, month)


def schedule_agenda(
    schedule: Schedule | str | Path | None, config: Config | str | Path, month: str
) -> HTML:
    """This month's agenda: week by week of the cycle, each meeting with the reports and
    business it takes, their owners and audiences (``month`` ``"latest"``: a note that no
    month was chosen). ``schedule`` and ``config`` may be paths (a schedule path that does
    not exist, or None: the default schedule).

    Examples
    --------
    >>> h = schedule_agenda("parameters/schedule.yaml", "parameters/config.yaml", "2026-10").data
    >>> "<script" in h, "Directorate Leadership Team, Tuesday 24 November 2026" in h
    (False, True)
    """
    return render("reporting_schedule.html.j2", part="agenda", **_context(schedule, config, month))


def schedule_calendar(
    schedule: Schedule | str | Path | None, config: Config | str | Path, month: str
) -> HTML:
    """The year as a calendar: a row per report and per item of business, a column per
    month of the financial year holding ``month`` (``"latest"``: April to March of no year).

    Examples
    --------
    >>> h = schedule_calendar(None, "parameters/config.yaml", "latest").data
    >>> "LADO quarterly report" in h, '<th scope="col" class="pmf-sched-month">Apr</th>' in h
    (True, True)
    """
    return render("reporting_schedule.html.j2", part="year", **_context(schedule, config, month))
