"""The reporting schedule (``parameters/schedule.yaml``): what is due when (stage-neutral).

The schedule is the frameworks' calendar: the **meetings** of the four-week cycle, the
**reports** pmf publishes for them and the **other business** they schedule (a target
review, the high-cost placement review, the annual self-evaluation). Each report and item
has a ``frequency`` and the months it is due in (:func:`due_months`), a meeting and the
week of the cycle it goes to, its audiences and its owner.

The four-week cycle of a report month (:func:`cycle_weeks`): week 1 begins on the day the
month's reports are published, the 4th working day of the following month (README, "The
monthly cycle"); weeks 2-4 begin 7, 14 and 21 days later. A meeting held on a set weekday
(``day``) falls on the first such day on or after its week's first day.

Months a frequency is due in when an entry names none (:data:`DEFAULT_MONTHS`):

* monthly: every month;
* bi-monthly: every other month from February (February, April, ..., December): each
  report covers the two months just ended (January-February, March-April, ...);
* quarterly: the quarter ends (March, June, September, December);
* six-monthly: March and September, the financial year's end and half year (Kent's
  six-monthly review of targets);
* annual: March, the financial year's end.

An entry's own ``months`` must number as many as its frequency has a year (12, 6, 4, 2
or 1): ``frequency: quarterly, months: [3]`` is refused, it is an annual report.

Decisions about what is due are made here, once; the plan of a month's batch
(:func:`pmf_lib.publish.plan.plan_reports`) and the schedule page
(:mod:`pmf_lib.render.schedule`) both read them.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from pmf_lib.config import Config
from pmf_lib.dates import bank_holidays
from pmf_lib.errors import PmfError
from pmf_lib.yamlio import load_model, plain_message

FREQUENCIES = ("monthly", "bi-monthly", "quarterly", "six-monthly", "annual")
Frequency = Literal["monthly", "bi-monthly", "quarterly", "six-monthly", "annual"]
#: How many months a year each frequency is due in.
PER_YEAR = {"monthly": 12, "bi-monthly": 6, "quarterly": 4, "six-monthly": 2, "annual": 1}
#: The months each frequency is due in when an entry names none (see the module's text).
DEFAULT_MONTHS = {
    "monthly": tuple(range(1, 13)),
    "bi-monthly": (2, 4, 6, 8, 10, 12),
    "quarterly": (3, 6, 9, 12),
    "six-monthly": (3, 9),
    "annual": (3,),
}
AUDIENCES = ("internal", "members", "public")
Audience = Literal["internal", "members", "public"]
Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
#: The working day of the month after the report month on which reports are published.
PUBLICATION_WORKING_DAY = 4


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Meeting(_Strict):
    """A meeting of the cycle: its title, usual week (1-4) and, optionally, weekday."""

    title: str
    week: int = Field(ge=1, le=4)
    day: Weekday | None = None


class Scheduled(_Strict):
    """What reports and other business share: when, where, for whom and whose."""

    title: str
    frequency: Frequency
    months: list[int] | None = None
    meeting: str | None = None
    week: int | None = Field(default=None, ge=1, le=4)
    audience: list[Audience] = Field(default_factory=lambda: list(AUDIENCES))
    owner: str = ""

    @field_validator("months")
    @classmethod
    def _months(cls, v: list[int] | None) -> list[int] | None:
        if v is None:
            return v
        bad = [m for m in v if not 1 <= m <= 12]
        if bad:
            raise ValueError(f"month {bad[0]} is not 1-12")
        if len(set(v)) != len(v):
            raise ValueError(f"a month is listed twice: {sorted(v)}")
        return sorted(v)


class ReportEntry(Scheduled):
    """A report pmf publishes: its ``kind`` (the plan's registry) and the kind's parameters."""

    kind: str
    area: str | None = None
    scorecard: str | None = None


class Item(Scheduled):
    """Other business the framework schedules (no report of its own)."""


class Schedule(_Strict):
    """The reporting schedule: ``meetings`` (id -> meeting), ``reports`` and ``items``."""

    publication_working_day: int = Field(default=PUBLICATION_WORKING_DAY, ge=1, le=10)
    meetings: dict[str, Meeting] = Field(default_factory=dict)
    reports: list[ReportEntry] = Field(default_factory=list)
    items: list[Item] = Field(default_factory=list)


def default_schedule() -> Schedule:
    """The schedule of a council without ``schedule.yaml``: pmf's monthly reports and the
    four quarterly area reports, with no meetings.

    Examples
    --------
    >>> [(r.kind, r.frequency) for r in default_schedule().reports][3:5]
    [('highlight', 'monthly'), ('quarterly', 'quarterly')]
    """
    monthly = [
        ("dashboard", "Children's Social Care Indicators"),
        ("area", "Service area reports (one per area)"),
        ("exceptions", "Exceptions and good practice"),
        ("highlight", "Highlight reports (one per area)"),
    ]
    quarterly = [
        ("lado", "LADO quarterly report"),
        ("complaints", "Complaints and compliments quarterly report"),
        ("conferencing", "Conferencing and reviewing quarterly report"),
        ("quality_assurance", "Quality assurance audits quarterly report"),
    ]
    reports = [ReportEntry(kind=k, title=t, frequency="monthly") for k, t in monthly]
    reports += [
        ReportEntry(kind="quarterly", title=t, frequency="quarterly", area=a) for a, t in quarterly
    ]
    reports.append(ReportEntry(kind="schedule", title="Reporting schedule", frequency="monthly"))
    return Schedule(reports=reports)


def read_schedule(path: str | Path | None) -> Schedule:
    """Read and check a schedule file (absent or None: :func:`default_schedule`).

    Checks beyond the model: every ``meeting`` is one of ``meetings``, and an entry's
    ``months`` number as many as its frequency has a year (:data:`PER_YEAR`). Report kinds
    are checked by the plan (:func:`pmf_lib.publish.plan.load_schedule`).

    Raises
    ------
    PmfError
        One line naming the file and the key of an unknown, misspelt or invalid entry.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "schedule.yaml"
    >>> _ = p.write_text("reports:\\n  - {kind: dashboard, title: D, frequency: quarterly, "
    ...                  "months: [3]}\\n")
    >>> try:
    ...     read_schedule(p)
    ... except PmfError as e:
    ...     print(e.field, "-", e.message)  # doctest: +NORMALIZE_WHITESPACE
    reports.0.months - a quarterly entry is due 4 months a year, not 1 ([3]);
    an entry due once a year is annual
    """
    if path is None or not Path(path).is_file():
        return default_schedule()
    path = Path(path)
    schedule = load_model(path, Schedule, message=plain_message)
    for section in ("reports", "items"):
        for i, e in enumerate(getattr(schedule, section)):
            where = f"{section}.{i}"
            if e.meeting is not None and e.meeting not in schedule.meetings:
                known = ", ".join(schedule.meetings) or "none are listed under meetings:"
                raise PmfError(
                    f"unknown meeting {e.meeting!r} (meetings: {known})",
                    file=path,
                    field=f"{where}.meeting",
                )
            if e.months is not None and len(e.months) != PER_YEAR[e.frequency]:
                n = len(e.months)
                fits = next((f for f, k in PER_YEAR.items() if k == n), None)
                hint = f"; an entry due {_times(n)} a year is {fits}" if fits else ""
                raise PmfError(
                    f"a {e.frequency} entry is due {PER_YEAR[e.frequency]} months a year, "
                    f"not {n} ({e.months}){hint}",
                    file=path,
                    field=f"{where}.months",
                )
    return schedule


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def due_months(entry: Scheduled) -> tuple[int, ...]:
    """The months (1-12) an entry is due in: its own, else its frequency's default.

    Examples
    --------
    >>> due_months(Item(title="x", frequency="bi-monthly"))  # from February
    (2, 4, 6, 8, 10, 12)
    >>> due_months(Item(title="x", frequency="six-monthly", months=[10, 4]))
    (4, 10)
    """
    return tuple(entry.months) if entry.months is not None else DEFAULT_MONTHS[entry.frequency]


def is_due(entry: Scheduled, month: str) -> bool:
    """Whether an entry is due in ``month`` (YYYY-MM).

    Examples
    --------
    >>> e = Item(title="x", frequency="quarterly")
    >>> is_due(e, "2026-09"), is_due(e, "2026-10")
    (True, False)
    """
    return int(str(month)[5:7]) in due_months(entry)


def for_audience(entry: Scheduled, audience: str | None) -> bool:
    """Whether an entry is for ``audience`` (None: every entry).

    Examples
    --------
    >>> e = Item(title="x", frequency="monthly", audience=["internal"])
    >>> for_audience(e, "internal"), for_audience(e, "members"), for_audience(e, None)
    (True, False, True)
    """
    return audience is None or audience in entry.audience


def due_reports(schedule: Schedule, month: str, audience: str | None = None) -> list[ReportEntry]:
    """The schedule's reports due in ``month`` for ``audience`` (None: any), in its order.

    Examples
    --------
    >>> [r.kind for r in due_reports(default_schedule(), "2026-10")]
    ['dashboard', 'area', 'exceptions', 'highlight', 'schedule']
    """
    return [r for r in schedule.reports if is_due(r, month) and for_audience(r, audience)]


def entry_week(schedule: Schedule, entry: Scheduled) -> int:
    """The week of the cycle (1-4) an entry goes in: its own, else its meeting's, else 1
    (published, for reading, with no meeting).

    Examples
    --------
    >>> s = Schedule(meetings={"dlt": Meeting(title="DLT", week=3)})
    >>> entry_week(s, Item(title="x", frequency="monthly", meeting="dlt"))
    3
    >>> entry_week(s, Item(title="x", frequency="monthly", meeting="dlt", week=2))
    2
    >>> entry_week(s, Item(title="x", frequency="monthly"))
    1
    """
    if entry.week is not None:
        return entry.week
    if entry.meeting is not None and entry.meeting in schedule.meetings:
        return schedule.meetings[entry.meeting].week
    return 1


def publication_day(month: str, working_day: int = PUBLICATION_WORKING_DAY) -> date:
    """The day a report month's reports are published: the ``working_day``-th working day
    (Monday-Friday, not an England and Wales bank holiday) of the following month.

    Examples
    --------
    >>> # November 2026: Mon 2, Tue 3, Wed 4, Thu 5 (no bank holiday).
    >>> publication_day("2026-10")
    datetime.date(2026, 11, 5)
    >>> # January 2027: Fri 1 is New Year's Day; Mon 4, Tue 5, Wed 6, Thu 7.
    >>> publication_day("2026-12")
    datetime.date(2027, 1, 7)
    """
    y, m = int(month[:4]), int(month[5:7])
    y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    first = np.datetime64(f"{y:04d}-{m:02d}-01", "D")
    day = np.busday_offset(first, working_day - 1, roll="forward", holidays=bank_holidays())
    return day.astype(date)


def cycle_weeks(month: str, working_day: int = PUBLICATION_WORKING_DAY) -> list[date]:
    """The first day of each week (1-4) of a report month's cycle.

    Examples
    --------
    >>> [d.isoformat() for d in cycle_weeks("2026-10")]
    ['2026-11-05', '2026-11-12', '2026-11-19', '2026-11-26']
    """
    start = publication_day(month, working_day)
    return [start + timedelta(days=7 * k) for k in range(4)]


def meeting_day(schedule: Schedule, meeting: str, week: int, month: str) -> date | None:
    """The date a meeting with a set weekday is held in ``week`` of the month's cycle
    (the first such day on or after the week's first day); None without a set weekday.

    Examples
    --------
    >>> s = Schedule(meetings={"dlt": Meeting(title="DLT", week=3, day="Tuesday")})
    >>> meeting_day(s, "dlt", 3, "2026-10")  # week 3 begins Thu 19 November 2026
    datetime.date(2026, 11, 24)
    """
    m = schedule.meetings.get(meeting)
    if m is None or m.day is None:
        return None
    start = cycle_weeks(month, schedule.publication_working_day)[week - 1]
    target = list(calendar.day_name).index(m.day)
    return start + timedelta(days=(target - start.weekday()) % 7)


def when_words(entry: Scheduled) -> str:
    """An entry's months in words.

    Examples
    --------
    >>> when_words(Item(title="x", frequency="monthly"))
    'Every month'
    >>> when_words(Item(title="x", frequency="six-monthly"))
    'March, September'
    """
    months = due_months(entry)
    if len(months) == 12:
        return "Every month"
    return ", ".join(calendar.month_name[m] for m in months)


#: The local datasets a kind reads (``data.local`` in the config): a council supplying
#: none of them has no such report (:func:`unmet`).
KIND_DATA = {
    "finance": ("budget_monitoring", "placement_costs"),
    "high_cost_placements": ("placement_costs",),
    "voice": ("survey_responses", "momo_statements", "participation_events"),
}


def unmet(entry: Scheduled, config: Config | None) -> str | None:
    """Why the council of ``config`` has no report for an entry, or None (it has; None
    config: any council). A shared schedule may name what a council lacks: an area it
    does not configure, a scorecard it does not define, or a kind whose data it does not
    supply (:data:`KIND_DATA`). The plan makes no report for it and the schedule page
    lists it with this reason; items of business always stand.

    Examples
    --------
    >>> from pmf_lib.config import load_config
    >>> c = load_config("parameters/config.yaml", check_files=False)
    >>> unmet(ReportEntry(kind="quarterly", area="lado", title="L", frequency="quarterly"), c)
    >>> unmet(ReportEntry(kind="quarterly", area="nowhere", title="N", frequency="annual"), c)
    "the config has no area 'nowhere'"
    >>> unmet(ReportEntry(kind="scorecard", scorecard="x", title="S", frequency="annual"), c)
    "the config has no scorecard 'x' (under scorecards:)"
    """
    if config is None or isinstance(entry, Item):
        return None
    area = getattr(entry, "area", None)
    if area is not None and area not in config.areas:
        return f"the config has no area {area!r}"
    scorecard = getattr(entry, "scorecard", None)
    if scorecard is not None and scorecard not in (getattr(config, "scorecards", None) or {}):
        return f"the config has no scorecard {scorecard!r} (under scorecards:)"
    needs = KIND_DATA.get(getattr(entry, "kind", ""), ())
    if needs and not any(getattr(config.data.local, n, None) for n in needs):
        return f"the config supplies none of its data (data.local: {', '.join(needs)})"
    return None


def financial_year_months(month: str | None) -> list[str]:
    """The twelve months (YYYY-MM) of the financial year (April-March) holding ``month``;
    None: the months ``01``-``12`` of no year, April first (``"--04"`` ...).

    Examples
    --------
    >>> m = financial_year_months("2027-02")
    >>> m[0], m[-1], len(m)
    ('2026-04', '2027-03', 12)
    >>> financial_year_months(None)[:2]
    ['--04', '--05']
    """
    order = [*range(4, 13), *range(1, 4)]
    if month is None:
        return [f"--{m:02d}" for m in order]
    y, m = int(month[:4]), int(month[5:7])
    start = y if m >= 4 else y - 1
    return [f"{start + (k < 4):04d}-{k:02d}" for k in order]


def calendar_rows(
    schedule: Schedule, audience: str | None = None, config: Config | None = None
) -> list[dict]:
    """The year as rows: each report, then each item, for ``audience`` (None: all).

    Each row: ``title``, ``type`` (``report`` or ``item``), ``kind`` (reports; items
    None), ``frequency``, ``when`` (words), ``months`` (the due months, 1-12),
    ``meeting`` (title or None), ``week``, ``owner``, ``audience`` and ``unmet`` (why the
    council of ``config`` has no such report, :func:`unmet`; else None).

    Examples
    --------
    >>> s = Schedule(meetings={"dlt": Meeting(title="DLT", week=3)},
    ...     reports=[ReportEntry(kind="finance", title="F", frequency="monthly", meeting="dlt"),
    ...              ReportEntry(kind="quarterly", area="lado", title="L",
    ...                          frequency="quarterly", audience=["internal"])],
    ...     items=[Item(title="Targets", frequency="six-monthly")])
    >>> [(r["title"], r["months"], r["meeting"], r["week"]) for r in calendar_rows(s, "members")]
    [('F', (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), 'DLT', 3), ('Targets', (3, 9), None, 1)]
    """
    rows = []
    for kind, entries in (("report", schedule.reports), ("item", schedule.items)):
        for e in entries:
            if not for_audience(e, audience):
                continue
            meeting = schedule.meetings.get(e.meeting) if e.meeting else None
            rows.append(
                {
                    "title": e.title,
                    "type": kind,
                    "kind": getattr(e, "kind", None),
                    "frequency": e.frequency,
                    "when": when_words(e),
                    "months": due_months(e),
                    "meeting": meeting.title if meeting else None,
                    "week": entry_week(schedule, e),
                    "owner": e.owner,
                    "audience": list(e.audience),
                    "unmet": unmet(e, config),
                }
            )
    return rows


def agenda(
    schedule: Schedule,
    month: str,
    audience: str | None = None,
    config: Config | None = None,
) -> list[dict]:
    """The cycle of a report month, week by week: what each meeting receives.

    Each week: ``week`` (1-4), ``begins`` (date) and ``meetings``: each ``id`` (None:
    "Not at a meeting", reports published for reading and business with no meeting),
    ``title``, ``date`` (a meeting with a set weekday; else None), ``reports`` and
    ``items`` (each ``title``, ``owner``, ``audience``; reports also ``entry``, their
    index in ``schedule.reports``). Only what
    is due in the month, for ``audience`` (None: all) and, for reports, what the council
    of ``config`` has (:func:`unmet`): the reports are exactly those the month's batch
    publishes.
    Meetings are in the schedule's order; a week with nothing due has no meetings.

    Examples
    --------
    >>> s = Schedule(meetings={"dlt": Meeting(title="DLT", week=3, day="Tuesday")},
    ...     reports=[ReportEntry(kind="dashboard", title="D", frequency="monthly"),
    ...              ReportEntry(kind="finance", title="F", frequency="monthly", meeting="dlt")],
    ...     items=[Item(title="Review", frequency="bi-monthly", meeting="dlt")])
    >>> weeks = agenda(s, "2026-10")  # October is a bi-monthly month (from February)
    >>> [(w["week"], [(m["title"], str(m["date"])) for m in w["meetings"]]) for w in weeks]
    [(1, [('Not at a meeting', 'None')]), (2, []), (3, [('DLT', '2026-11-24')]), (4, [])]
    >>> [r["title"] for r in weeks[2]["meetings"][0]["reports"] + weeks[2]["meetings"][0]["items"]]
    ['F', 'Review']
    """
    starts = cycle_weeks(month, schedule.publication_working_day)
    weeks = []
    for w in range(1, 5):
        groups: dict[str | None, dict] = {}
        order = [None, *schedule.meetings]
        for section in ("reports", "items"):
            for i, e in enumerate(getattr(schedule, section)):
                if not (is_due(e, month) and for_audience(e, audience)) or unmet(e, config):
                    continue
                if entry_week(schedule, e) != w:
                    continue
                key = e.meeting
                if key not in groups:
                    m = schedule.meetings.get(key) if key else None
                    groups[key] = {
                        "id": key,
                        "title": m.title if m else "Not at a meeting",
                        "date": meeting_day(schedule, key, w, month) if key else None,
                        "reports": [],
                        "items": [],
                    }
                row = {"title": e.title, "owner": e.owner, "audience": list(e.audience)}
                if section == "reports":
                    row["entry"] = i
                groups[key][section].append(row)
        meetings = [groups[k] for k in order if k in groups]
        weeks.append({"week": w, "begins": starts[w - 1], "meetings": meetings})
    return weeks
