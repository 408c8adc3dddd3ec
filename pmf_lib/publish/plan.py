"""Which reports a month's batch produces: the plan the batch runner executes.

Each :class:`ReportSpec` is one notebook run and one published HTML file. The
batch runner (:mod:`pmf_lib.publish.batch`) knows nothing of report kinds: it
executes every spec of :func:`plan_reports` with the common parameters
(:data:`COMMON_PARAMETERS`) plus the spec's own, and lists the results in the
month's index grouped by ``kind``.

Every month: the dashboard, each area's report, the exceptions report, each
area's highlight report and the schedule page; in the months the schedule
(``parameters/schedule.yaml``, beside the config) names, the quarterly reports.

Commentary files live in ``parameters/commentary/YYYY-MM/<area>.md`` (beside the
config, so that ``make clean`` never deletes what Heads of Service wrote); the
plan passes that directory to the reports that show commentary, and names in
each spec's ``inputs`` the files that report reads: an area's file feeds its
area report, its highlight report, its quarterly report and the dashboard (which
shows every area's). The batch fingerprints each input's content, so writing or
editing one commentary file re-runs exactly the reports it feeds. The plan also
checks every commentary file of the month before any work
(:func:`check_commentary`): a bad one is one line naming the file and field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from pmf_lib.config import Config
from pmf_lib.errors import PmfError
from pmf_lib.yamlio import load_model

ROOT = Path(__file__).resolve().parents[2]


def notebooks_dir() -> Path:
    """The report notebooks: installed with the package, else the checkout's ``notebooks/``.

    A wheel carries them as package data in ``pmf_lib/notebooks/`` (``setup.py``
    maps the checkout's ``notebooks/`` there); an editable install or a plain
    checkout reads ``notebooks/`` beside ``pmf_lib``, their one source.

    Examples
    --------
    >>> (notebooks_dir() / "service_area_report.ipynb").is_file()
    True
    """
    from importlib.resources import files

    installed = files("pmf_lib").joinpath("notebooks")
    if installed.is_dir():
        return Path(str(installed))
    return ROOT / "notebooks"


NOTEBOOKS = notebooks_dir()
SCHEDULE_FILE = "schedule.yaml"
COMMENTARY_DIR = "commentary"
KINDS = ("dashboard", "area", "exceptions", "highlight", "quarterly", "schedule")
KIND_TITLES = {
    "dashboard": "Dashboard",
    "area": "Service area reports",
    "exceptions": "Exceptions report",
    "highlight": "Highlight reports",
    "quarterly": "Quarterly reports",
    "schedule": "Reporting schedule",
}
_MONTH_RE = re.compile(r"\d{4}-(0[1-9]|1[0-2])")

#: Parameters every report notebook declares; the batch fills them for each run:
#: ``month`` (YYYY-MM), ``config_path`` (the month's resolved config copy),
#: ``kpi_table`` (the tidy KPI history, ``kpi_history.parquet``) and
#: ``assessed_table`` (the month's assessed table, ``kpis.parquet``).
COMMON_PARAMETERS = ("month", "config_path", "kpi_table", "assessed_table")


@dataclass(frozen=True)
class ReportSpec:
    """One report of a month's batch.

    Attributes
    ----------
    id : str
        File stem of the outputs (``<id>.html``, ``<id>.ipynb``); unique in a month.
    title : str
        Shown in the month's index.
    kind : str
        One of :data:`KINDS` (the index groups by it).
    notebook : Path
        The notebook to run.
    parameters : dict
        Parameters beyond :data:`COMMON_PARAMETERS` (e.g. ``{"area": "front_door"}``).
    inputs : tuple of Path
        Files this report reads beyond the batch's common inputs (the data, config,
        targets, catalogue, logo and library): its commentary files and, for the
        schedule page and quarterly reports, ``schedule.yaml``. A file named here
        need not exist: its absence is part of the report's fingerprint too.
    """

    id: str
    title: str
    kind: str
    notebook: Path
    parameters: dict = field(default_factory=dict)
    inputs: tuple[Path, ...] = ()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QuarterlyEntry(_Strict):
    """A quarterly report: its area, title and (optionally) its own months."""

    area: str
    title: str
    months: list[int] | None = None


class QuarterlySchedule(_Strict):
    months: list[int] = Field(default_factory=lambda: [3, 6, 9, 12])
    reports: list[QuarterlyEntry] = Field(default_factory=list)


class Schedule(_Strict):
    """The reporting schedule (``parameters/schedule.yaml``)."""

    quarterly: QuarterlySchedule = QuarterlySchedule(
        reports=[
            QuarterlyEntry(area="lado", title="LADO quarterly report"),
            QuarterlyEntry(area="complaints", title="Complaints and compliments quarterly report"),
            QuarterlyEntry(
                area="conferencing", title="Conferencing and reviewing quarterly report"
            ),
            QuarterlyEntry(
                area="quality_assurance", title="Quality assurance audits quarterly report"
            ),
        ]
    )


def schedule_path(config: Config) -> Path:
    """The schedule file beside the config."""
    return config.base_dir / SCHEDULE_FILE


def load_schedule(path: str | Path | None) -> Schedule:
    """Read and check a schedule file (absent or None: the default, quarter ends).

    Raises
    ------
    PmfError
        Naming the key of an unknown, misspelt or invalid entry, or a month outside 1-12.

    Examples
    --------
    >>> s = load_schedule(None)
    >>> s.quarterly.months, [r.area for r in s.quarterly.reports][:2]
    ([3, 6, 9, 12], ['lado', 'complaints'])
    """
    if path is None or not Path(path).is_file():
        return Schedule()
    path = Path(path)
    schedule = load_model(path, Schedule)
    for i, r in enumerate(schedule.quarterly.reports):
        bad = [m for m in (r.months or []) + schedule.quarterly.months if not 1 <= m <= 12]
        if bad:
            raise PmfError(f"month {bad[0]} is not 1-12", file=path, field=f"quarterly.reports.{i}")
    return schedule


def quarterly_due(schedule: Schedule, config: Config, month: str) -> list[QuarterlyEntry]:
    """The quarterly reports due in ``month`` for areas the config has.

    Examples
    --------
    >>> from pmf_lib.config import load_config
    >>> c = load_config("parameters/config.yaml", check_files=False)
    >>> [r.area for r in quarterly_due(load_schedule(None), c, "2026-09")]
    ['lado', 'complaints', 'conferencing', 'quality_assurance']
    >>> quarterly_due(load_schedule(None), c, "2026-10")
    []
    """
    m = int(month[5:7])
    return [
        r
        for r in schedule.quarterly.reports
        if r.area in config.areas and m in (r.months or schedule.quarterly.months)
    ]


def schedule_rows(schedule: Schedule, config: Config, month: str) -> list[dict]:
    """The schedule as rows for its page: ``title``, ``when`` (words), ``now`` (due this month)."""
    import calendar

    if month == "latest":  # no month chosen: the page lists the schedule without "this month"
        due_now = None
    else:
        due_now = {r.area for r in quarterly_due(schedule, config, month)}
    rows = [
        {
            "title": "Children's Social Care Indicators (dashboard)",
            "when": "Every month",
            "now": True,
        },
        {"title": "Service area reports (one per area)", "when": "Every month", "now": True},
        {"title": "Exceptions and good practice (board)", "when": "Every month", "now": True},
        {"title": "Highlight reports (one per area)", "when": "Every month", "now": True},
    ]
    for r in schedule.quarterly.reports:
        if r.area not in config.areas:
            continue
        months = r.months or schedule.quarterly.months
        when = ", ".join(calendar.month_name[m] for m in sorted(months))
        rows.append(
            {"title": r.title, "when": when, "now": None if due_now is None else r.area in due_now}
        )
    rows.append({"title": "This reporting schedule", "when": "Every month", "now": True})
    return rows


def commentary_dir(config: Config, month: str) -> Path:
    """Where the month's commentary files are: ``<config dir>/commentary/YYYY-MM``."""
    return config.base_dir.resolve() / COMMENTARY_DIR / month


def commentary_files(config: Config, month: str, areas: list[str]) -> tuple[Path, ...]:
    """The commentary file of each area in ``areas`` for the month (whether written or not).

    Examples
    --------
    >>> from pmf_lib.config import load_config
    >>> c = load_config("parameters/config.yaml", check_files=False)
    >>> [p.relative_to(c.base_dir).as_posix() for p in commentary_files(c, "2026-10", ["lado"])]
    ['commentary/2026-10/lado.md']
    """
    from pmf_lib.render.commentary import commentary_path

    folder = commentary_dir(config, month)
    return tuple(commentary_path(folder, a) for a in areas)


def check_commentary(config: Config, month: str) -> None:
    """Read every area's commentary file for the month, so a bad one fails before any work.

    Raises
    ------
    PmfError
        Naming the file (and field) of a commentary file that cannot be read, is in
        neither UTF-8 nor Windows-1252, or has bad front matter or sign-off; or a
        ``.md`` file named for no configured area (it would never be published).
    """
    from pmf_lib.render.commentary import read_commentary

    folder = commentary_dir(config, month)
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.md")):
        if path.stem not in config.areas:
            areas = ", ".join(list(config.areas)[:20])
            raise PmfError(
                f"no configured area is called {path.stem[:40]!r}, so this commentary would "
                f"never be published; name the file <area id>.md ({areas})",
                file=path,
            )
    for area in config.areas:
        read_commentary(folder, area, month)


def area_reports(
    config: Config, areas: list[str] | None = None, month: str = ""
) -> list[ReportSpec]:
    """One service area report per configured area (or per id in ``areas``).

    Examples
    --------
    >>> from pmf_lib.config import load_config
    >>> c = load_config("parameters/config.yaml", check_files=False)
    >>> [s.id for s in area_reports(c, ["front_door"])]
    ['front_door']
    """
    ids = _check_areas(config, areas)
    extra = {"commentary_dir": str(commentary_dir(config, month))} if month else {}
    return [
        ReportSpec(
            id=a,
            title=config.areas[a].title,
            kind="area",
            notebook=NOTEBOOKS / "service_area_report.ipynb",
            parameters={"area": a, **extra},
            inputs=commentary_files(config, month, [a]) if month else (),
        )
        for a in ids
    ]


def _check_areas(config: Config, areas: list[str] | None) -> list[str]:
    ids = list(config.areas) if areas is None else list(areas)
    unknown = [a for a in ids if a not in config.areas]
    if unknown:
        raise PmfError(
            f"unknown area(s) {', '.join(unknown)}; configured: {', '.join(config.areas)}",
            field="areas",
        )
    return ids


def plan_reports(
    config: Config, month: str, areas: list[str] | None = None, schedule: Schedule | None = None
) -> list[ReportSpec]:
    """Every report of the month's batch, in index order.

    ``areas`` limits the per-area reports (area, highlight, quarterly); the
    dashboard, exceptions report and schedule always cover every area. The
    schedule is read from ``schedule.yaml`` beside the config unless given.

    Each spec's ``inputs`` name the commentary files it reads (the dashboard:
    every area's) and, for the schedule page and the quarterly reports, the
    schedule file. Every commentary file of the month is checked first
    (:func:`check_commentary`).

    Examples
    --------
    >>> from pmf_lib.config import load_config
    >>> c = load_config("parameters/config.yaml", check_files=False)
    >>> specs = plan_reports(c, "2026-09", ["lado"])
    >>> [s.kind for s in specs]
    ['dashboard', 'area', 'exceptions', 'highlight', 'quarterly', 'schedule']
    >>> [[p.name for p in s.inputs] for s in specs[1:]]
    [['lado.md'], [], ['lado.md'], ['lado.md', 'schedule.yaml'], ['schedule.yaml']]
    """
    if not _MONTH_RE.fullmatch(str(month)):
        raise PmfError(f"expected a month as YYYY-MM, got {month!r}", field="month")
    ids = _check_areas(config, areas)
    schedule = schedule or load_schedule(schedule_path(config))
    check_commentary(config, month)
    comments = str(commentary_dir(config, month))
    schedule_file = schedule_path(config).resolve()
    specs = [
        ReportSpec(
            "dashboard",
            "Children's Social Care Indicators",
            "dashboard",
            NOTEBOOKS / "dashboard.ipynb",
            {"commentary_dir": comments},
            commentary_files(config, month, list(config.areas)),
        )
    ]
    specs += area_reports(config, ids, month)
    specs.append(
        ReportSpec(
            "exceptions",
            "Exceptions and good practice",
            "exceptions",
            NOTEBOOKS / "exceptions_report.ipynb",
        )
    )
    specs += [
        ReportSpec(
            f"highlight_{a}",
            f"{config.areas[a].title}: highlight report",
            "highlight",
            NOTEBOOKS / "highlight_report.ipynb",
            {"area": a, "commentary_dir": comments},
            commentary_files(config, month, [a]),
        )
        for a in ids
    ]
    specs += [
        ReportSpec(
            f"quarterly_{r.area}",
            r.title,
            "quarterly",
            NOTEBOOKS / "quarterly_report.ipynb",
            {"area": r.area, "commentary_dir": comments},
            (*commentary_files(config, month, [r.area]), schedule_file),
        )
        for r in quarterly_due(schedule, config, month)
        if r.area in ids
    ]
    specs.append(
        ReportSpec(
            "schedule",
            "Reporting schedule",
            "schedule",
            NOTEBOOKS / "reporting_schedule.ipynb",
            {"schedule_path": str(schedule_file)},
            (schedule_file,),
        )
    )
    return specs
