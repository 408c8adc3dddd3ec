"""Which reports a month's batch produces: the plan the batch runner executes.

Each :class:`ReportSpec` is one notebook run and one published HTML file. The
batch runner (:mod:`pmf_lib.publish.batch`) knows nothing of report kinds: it
executes every spec of :func:`plan_reports` with the common parameters
(:data:`COMMON_PARAMETERS`) plus the spec's own, and lists the results in the
month's index grouped by ``kind``.

The plan is exactly the reports the schedule (``parameters/schedule.yaml``, beside
the config; :mod:`pmf_lib.schedule`) says are due in the month for the run's
audience. Each schedule entry names a ``kind`` of :data:`REGISTRY`, which says
which notebook runs, the index's heading, whether there is one report per area and
which commentary and schedule files it reads. The shipped schedule has, every
month, the dashboard, each area's report, the exceptions report, each area's
highlight report and the schedule page; at quarter ends the quarterly area reports;
and the finance, high-cost placements, scorecard, voice and annual reports in the
months it names.

Commentary files live in ``parameters/commentary/YYYY-MM/<area>.md`` (beside the
config, so that ``make clean`` never deletes what Heads of Service wrote); the
plan passes that directory to the reports that show commentary, and names in
each spec's ``inputs`` the files that report reads: an area's file feeds its
area report, its highlight report, its quarterly report, its annual pack (24
months of them) and the dashboard (which shows every area's). The batch
fingerprints each input's content, so writing or editing one commentary file
re-runs exactly the reports it feeds. The plan also checks every commentary file
of the month before any work
(:func:`check_commentary`): a bad one is one line naming the file and field.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from pathlib import Path

from pmf_lib.config import Config
from pmf_lib.errors import PmfError
from pmf_lib.schedule import (
    ReportEntry,
    Schedule,
    due_months,
    due_reports,
    read_schedule,
    unmet,
)

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
#: How many months of an area's commentary an annual report reads (as inputs): 24, so
#: that any year to 31 March it shows is covered, whatever month it is published in.
YEAR_COMMENTARY = 24


@dataclass(frozen=True)
class Kind:
    """A kind of report: the registry's entry (:data:`REGISTRY`).

    Attributes
    ----------
    notebook : str
        The notebook's file name in :data:`NOTEBOOKS`.
    index_title : str
        The heading of the kind's group in the month's index and run log.
    id : str
        The report's id (file stem); ``{area}`` or ``{scorecard}`` in it is the entry's.
    per_area : bool
        One report per area: the entry's ``area``, else every configured area.
    title : str or None
        A per-area report's title when the entry names no area (``{area}`` is the
        area's title); an entry naming its area (or a kind not per area) uses its own.
    commentary : str or None
        The commentary files it reads (its parameter ``commentary_dir`` is the month's
        folder): ``"all"`` every area's, ``"area"`` its area's, ``"year"`` its area's of
        the :data:`YEAR_COMMENTARY` months to the report month; None: none.
    reads_schedule : bool
        Whether it reads ``schedule.yaml`` (then one of its inputs).
    schedule_parameter : bool
        Whether it is passed the schedule file as ``schedule_path``.
    parameters : tuple of str
        The kind's parameters the entry must give (``scorecard``).
    """

    notebook: str
    index_title: str
    id: str
    per_area: bool = False
    title: str | None = None
    commentary: str | None = None
    reads_schedule: bool = False
    schedule_parameter: bool = False
    parameters: tuple[str, ...] = ()


#: Every kind of report, in the order of the month's index. A schedule entry's ``kind``
#: is one of these; its notebook must exist. The batch passes each report the
#: :data:`COMMON_PARAMETERS` and: ``area`` (per-area kinds), ``commentary_dir`` (kinds
#: reading commentary), ``scorecard`` (scorecards), ``schedule_path`` (the schedule page).
REGISTRY: dict[str, Kind] = {
    "dashboard": Kind("dashboard.ipynb", "Dashboard", "dashboard", commentary="all"),
    "area": Kind(
        "service_area_report.ipynb",
        "Service area reports",
        "{area}",
        per_area=True,
        title="{area}",
        commentary="area",
    ),
    "exceptions": Kind("exceptions_report.ipynb", "Exceptions report", "exceptions"),
    "highlight": Kind(
        "highlight_report.ipynb",
        "Highlight reports",
        "highlight_{area}",
        per_area=True,
        title="{area}: highlight report",
        commentary="area",
    ),
    "quarterly": Kind(
        "quarterly_report.ipynb",
        "Quarterly reports",
        "quarterly_{area}",
        per_area=True,
        title="{area}: quarterly report",
        commentary="area",
        reads_schedule=True,
    ),
    "finance": Kind("finance_report.ipynb", "Finance and performance", "finance_report"),
    "high_cost_placements": Kind(
        "high_cost_placements.ipynb", "High-cost placements review", "high_cost_placements"
    ),
    "scorecard": Kind(
        "scorecard_report.ipynb", "Scorecards", "scorecard_{scorecard}", parameters=("scorecard",)
    ),
    "voice": Kind("voice_report.ipynb", "Voice of children and families", "voice_report"),
    "annual": Kind(
        "annual_evidence_pack.ipynb",
        "Annual self-evaluation evidence packs",
        "annual_{area}",
        per_area=True,
        title="{area}: annual self-evaluation evidence pack",
        commentary="year",
    ),
    "schedule": Kind(
        "reporting_schedule.ipynb",
        "Reporting schedule",
        "schedule",
        reads_schedule=True,
        schedule_parameter=True,
    ),
}
KINDS = tuple(REGISTRY)
KIND_TITLES = {k: v.index_title for k, v in REGISTRY.items()}
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
    entry : int or None
        The index of the schedule's ``reports`` entry it comes from (None: not planned
        from a schedule, e.g. :func:`area_reports`).
    """

    id: str
    title: str
    kind: str
    notebook: Path
    parameters: dict = field(default_factory=dict)
    inputs: tuple[Path, ...] = ()
    entry: int | None = None


def schedule_path(config: Config) -> Path:
    """The schedule file beside the config."""
    return config.base_dir / SCHEDULE_FILE


def load_schedule(path: str | Path | None) -> Schedule:
    """Read and check a schedule file (absent or None: the default
    :func:`pmf_lib.schedule.default_schedule`), and each report's kind against
    :data:`REGISTRY`.

    Raises
    ------
    PmfError
        One line naming the file and key of an unknown, misspelt or invalid entry
        (:func:`pmf_lib.schedule.read_schedule`), an unknown kind, a kind whose notebook
        is missing, a kind parameter missing or given to a kind without it.

    Examples
    --------
    >>> s = load_schedule(None)
    >>> [(r.kind, r.area) for r in s.reports if r.kind == "quarterly"][:2]
    [('quarterly', 'lado'), ('quarterly', 'complaints')]
    """
    schedule = read_schedule(path)
    for i, r in enumerate(schedule.reports):
        check_entry(r, path, f"reports.{i}")
    _check_ids(schedule, path)
    return schedule


def _check_ids(schedule: Schedule, path: str | Path | None) -> None:
    """Two entries that would give one report id in a month, for one audience, are refused
    (naming the second): e.g. ``highlight`` for every area and ``highlight`` for lado."""
    ids: dict[tuple, int] = {}  # (month, audience, id) -> entry
    every: dict[tuple, int] = {}  # (month, audience, kind) -> a per-area entry for every area
    named: dict[tuple, int] = {}  # (month, audience, kind) -> a per-area entry naming its area
    for i, r in enumerate(schedule.reports):
        kind = REGISTRY[r.kind]
        all_areas = kind.per_area and r.area is None
        rid = kind.id.format(area=r.area or "", scorecard=r.scorecard or "")
        for m in due_months(r):
            for a in r.audience:
                k = (m, a, r.kind)
                if all_areas:
                    other = every.get(k, named.get(k))
                    every.setdefault(k, i)
                else:
                    other = ids.get((m, a, rid), every.get(k) if kind.per_area else None)
                    ids.setdefault((m, a, rid), i)
                    if kind.per_area:
                        named.setdefault(k, i)
                if other is not None:
                    what = f"{r.kind} reports" if kind.per_area else f"the report {rid!r}"
                    raise PmfError(
                        f"reports.{other} already gives {what} in {calendar.month_name[m]} "
                        f"for the {a} audience; give this entry other months, another "
                        "area or scorecard, or another audience",
                        file=path,
                        field=f"reports.{i}",
                    )


def check_entry(entry: ReportEntry, path: str | Path | None, where: str) -> None:
    """Check one report entry against :data:`REGISTRY` (see :func:`load_schedule`).

    Examples
    --------
    >>> check_entry(ReportEntry(kind="weekly", title="W", frequency="monthly"), None, "reports.0")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pmf_lib.errors.PmfError: field reports.0.kind: unknown report kind 'weekly' (kinds: ...)
    """
    kind = REGISTRY.get(entry.kind)
    if kind is None:
        raise PmfError(
            f"unknown report kind {entry.kind[:40]!r} (kinds: {', '.join(KINDS)})",
            file=path,
            field=f"{where}.kind",
        )
    notebook = NOTEBOOKS / kind.notebook
    if not notebook.is_file():
        raise PmfError(
            f"kind {entry.kind!r} needs the notebook {kind.notebook}, which is not in {NOTEBOOKS}",
            file=path,
            field=f"{where}.kind",
        )
    if entry.area is not None and not kind.per_area:
        raise PmfError(
            f"a {entry.kind} report is not per area: it takes no area",
            file=path,
            field=f"{where}.area",
        )
    if entry.scorecard is None and "scorecard" in kind.parameters:
        raise PmfError(
            f"a {entry.kind} report names its scorecard (an id under scorecards: in the config)",
            file=path,
            field=f"{where}.scorecard",
        )
    if entry.scorecard is not None and "scorecard" not in kind.parameters:
        raise PmfError(
            f"a {entry.kind} report takes no scorecard", file=path, field=f"{where}.scorecard"
        )


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
    """Every report of the month's batch, in index order: exactly the schedule's reports
    due in the month for the run's audience (``config.audience``).

    Each due entry (:func:`pmf_lib.schedule.due_reports`) is one report, or, for a kind
    per area (:data:`REGISTRY`), one per area: the entry's ``area``, else every
    configured area. An entry for what the council lacks (an area or scorecard it does
    not configure, a kind whose data it does not supply: :func:`pmf_lib.schedule.unmet`)
    plans nothing; the schedule page says why. ``areas`` limits the
    per-area reports; the other kinds always cover every area. The reports are in the
    order of :data:`KINDS`, each kind's in the schedule's order (areas in the config's).
    The schedule is read from ``schedule.yaml`` beside the config unless given.

    Each spec's ``inputs`` name the commentary files it reads (the dashboard: every
    area's) and, for the schedule page and the quarterly reports, the schedule file.
    Every commentary file of the month is checked first (:func:`check_commentary`).

    Raises
    ------
    PmfError
        For a bad month, an unknown area in ``areas``, a bad schedule or commentary
        file, or two due reports with one id (the key of the second entry is named).

    Examples
    --------
    >>> from pmf_lib.config import load_config
    >>> c = load_config("parameters/config.yaml", check_files=False)
    >>> specs = plan_reports(c, "2026-09", ["lado"], load_schedule(None))  # pmf's default
    >>> [s.kind for s in specs]
    ['dashboard', 'area', 'exceptions', 'highlight', 'quarterly', 'schedule']
    >>> [[p.name for p in s.inputs] for s in specs[1:]]
    [['lado.md'], [], ['lado.md'], ['lado.md', 'schedule.yaml'], ['schedule.yaml']]
    """
    if not _MONTH_RE.fullmatch(str(month)):
        raise PmfError(f"expected a month as YYYY-MM, got {month!r}", field="month")
    ids = _check_areas(config, areas)
    schedule_file = schedule_path(config).resolve()
    if schedule is None:
        schedule = load_schedule(schedule_file)
    else:
        for i, r in enumerate(schedule.reports):
            check_entry(r, None, f"reports.{i}")
        _check_ids(schedule, None)
    check_commentary(config, month)
    index = {id(r): i for i, r in enumerate(schedule.reports)}
    specs: list[ReportSpec] = []
    seen: dict[str, int] = {}
    for entry in due_reports(schedule, month, config.audience):
        i = index[id(entry)]
        for spec in _entry_specs(config, month, ids, entry, i, schedule_file):
            if spec.id in seen:
                raise PmfError(
                    f"a second report with the id {spec.id!r} is due in {month} (the first "
                    f"is reports.{seen[spec.id]}); give one its own area or scorecard",
                    file=schedule_file,
                    field=f"reports.{i}",
                )
            seen[spec.id] = i
            specs.append(spec)
    return sorted(specs, key=lambda s: KINDS.index(s.kind))


def _entry_specs(
    config: Config, month: str, ids: list[str], entry: ReportEntry, i: int, schedule_file: Path
) -> list[ReportSpec]:
    """The reports of one due schedule entry (see :func:`plan_reports`)."""
    kind = REGISTRY[entry.kind]
    notebook = NOTEBOOKS / kind.notebook
    comments = str(commentary_dir(config, month))
    if unmet(entry, config):
        return []
    if kind.per_area:
        if entry.area is not None:
            targets = [entry.area] if entry.area in ids else []
        else:
            targets = ids
    else:
        targets = [None]
    out = []
    for area in targets:
        params: dict = {}
        if area is not None:
            params["area"] = area
        if entry.scorecard is not None:
            params["scorecard"] = entry.scorecard
        inputs: tuple[Path, ...] = ()
        if kind.commentary is not None:
            params["commentary_dir"] = comments
            inputs = _commentary_inputs(config, month, kind.commentary, area)
        if kind.schedule_parameter:
            params["schedule_path"] = str(schedule_file)
        if kind.reads_schedule:
            inputs = (*inputs, schedule_file)
        fill = {"area": area or "", "scorecard": entry.scorecard or ""}
        if area is not None and entry.area is None and kind.title:
            title = kind.title.format(area=config.areas[area].title)
        else:
            title = entry.title
        out.append(
            ReportSpec(kind.id.format(**fill), title, entry.kind, notebook, params, inputs, entry=i)
        )
    return out


def _commentary_inputs(
    config: Config, month: str, which: str, area: str | None
) -> tuple[Path, ...]:
    if which == "all":
        return commentary_files(config, month, list(config.areas))
    if area is None:
        return ()
    if which == "year":
        n = int(month[:4]) * 12 + int(month[5:7]) - 1  # months since year 0
        months = [f"{k // 12:04d}-{k % 12 + 1:02d}" for k in range(n - YEAR_COMMENTARY + 1, n + 1)]
        return tuple(p for mm in months for p in commentary_files(config, mm, [area]))
    return commentary_files(config, month, [area])
