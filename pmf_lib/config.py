"""Load and validate ``parameters/config.yaml`` before any work is done.

Every key is checked: an unknown or misspelt key, a value of the wrong type or a
data file that does not exist is one :class:`~pmf_lib.errors.PmfError` naming the
config file and the key (``data.cin_census``), never a traceback half way
through a run. Relative paths are resolved against the directory that holds the
config file.

The file is read as every settings file is (:func:`pmf_lib.textio.load_yaml`):
UTF-8, UTF-8 with a byte-order mark or Windows-1252; an impossible date names
the line and key; YAML aliases have an expansion budget; a value shown in an
error is cut short. Area and council ids name files and folders, so they are
slugs (:func:`slug_problem`); a KPI appears once per area; a logo must be a
PNG, SVG, JPEG or GIF image by its contents (:func:`image_type`).
"""

from __future__ import annotations

import glob
import re
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from pmf_lib.errors import PmfError
from pmf_lib.textio import load_yaml, short_repr
from pmf_lib.yamlio import plain_message, validation_error

DEFAULT_CONFIG = Path("parameters/config.yaml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Council(_Strict):
    """The council the reports are for."""

    code: int = Field(description="DfE local authority number (old LA code), e.g. 938")
    name: str = Field(description="Name shown on every report")
    logo: str | None = Field(None, description="Path to a PNG/SVG logo embedded in reports")


def _as_list(v):
    return [v] if isinstance(v, str) else v


class LocalSources(_Strict):
    """The council's local datasets (templates from ``pmf templates``); each optional."""

    contacts: list[str] = []
    early_help: list[str] = []
    complaints: list[str] = []
    lado: list[str] = []
    conferencing: list[str] = []
    qa_audits: list[str] = []
    improvement_actions: list[str] = []
    survey_responses: list[str] = []
    momo_statements: list[str] = []
    participation_events: list[str] = []
    budget_monitoring: list[str] = []
    placement_costs: list[str] = []
    workforce_development: list[str] = []

    _lists = field_validator("*", mode="before")(classmethod(lambda cls, v: _as_list(v)))


class DataSources(_Strict):
    """Where each data source lives: a file, a directory or a glob (or a list of them)."""

    ssda903: list[str] = Field(
        [], description="SSDA903 CSV tables or XML exports (optional only with annex_a)"
    )
    cin_census: list[str] = Field(
        [], description="CIN census XML files (optional only with annex_a)"
    )
    population: str = Field(description="ONS-format population 0-17 CSV")
    annex_a: list[str] = Field(
        [],
        description="Ofsted Annex A workbooks (optional; alone, the KPIs they support are "
        "computed from them)",
    )
    workforce_census: list[str] = Field([], description="CSWW census XML (optional)")
    workforce_monthly: list[str] = Field([], description="monthly workforce CSV/xlsx (optional)")
    local: LocalSources = LocalSources()

    _lists = field_validator(
        "ssda903", "cin_census", "annex_a", "workforce_census", "workforce_monthly", mode="before"
    )(classmethod(lambda cls, v: _as_list(v)))


class SourceSettings(_Strict):
    """Which source's figure is headline where Annex A and the national returns both give one."""

    headline: Literal["national", "annex_a"] = Field(
        "national",
        description="national: the SSDA903/CIN census figure (Annex A fills only what they "
        "lack); annex_a: the Annex A figure wherever its lists give one",
    )


class SpcSettings(_Strict):
    """Statistical process control options (NHS England's Making Data Count)."""

    baseline_points: int | None = Field(
        None, ge=12, description="fix limits from the first n points of each segment (>= 12)"
    )
    screen_outliers: bool = Field(False, description="screen moving-range outliers (off as MDC)")
    rebase: dict[str, list[date]] = Field(
        {}, description="KPI id -> dates from which its limits are recalculated"
    )


class BenchmarkSettings(_Strict):
    """Which benchmark store and statistical neighbour model/statistic to use."""

    store: str | None = Field(None, description="benchmark store directory (default: shipped)")
    sn_model: Literal["2021", "2025"] = "2025"
    sn_stat: Literal["mean", "median"] = "mean"


class DataQualitySettings(_Strict):
    """Thresholds for a KPI's data quality confidence (share of records in error)."""

    high: float = Field(0.01, ge=0, le=1, description="at most this share in error: High")
    medium: float = Field(0.05, ge=0, le=1, description="at most this share in error: Medium")
    missing_columns: Literal["error", "run_anyway"] = Field(
        "error",
        description="a local dataset or workforce file lacking a required column: 'error' "
        "stops pmf run and pmf validate naming the file and column; 'run_anyway' runs, every "
        "KPI over that dataset missing and rated Low",
    )


class SuppressionSettings(_Strict):
    """Small-number suppression in members' and public reports (``pmf_lib.assess.disclosure``)."""

    max_count: int = Field(
        4, ge=1, le=20, description="the largest count withheld (1 to max_count; some councils 5)"
    )
    wording: str | None = Field(
        None,
        min_length=1,
        max_length=60,
        description="what a withheld figure reads (default: suppressed (fewer than max_count+1))",
    )


class StoreSettings(_Strict):
    """The store of every published figure and its ``pmf serve`` address (``docs/store.md``)."""

    path: str | None = Field(
        None,
        description="the internal store (default: <outputs>/pmf.sqlite); the members' store is "
        "beside it, named <name>-members.sqlite",
    )
    explore_url: str | None = Field(
        None,
        pattern=r"^https?://[^\s\"'<>]+$",
        description="the address of this audience's database in pmf serve (e.g. "
        "https://pmf.intranet/pmf); reports link each measure to it ('Explore this "
        "measure'); null: no link",
    )

    def explore_href(self, kpi_id: str) -> str | None:
        """The link to a KPI's published figures in ``pmf serve`` (None: no address set).

        Examples
        --------
        >>> StoreSettings(explore_url="https://pmf.intranet/pmf/").explore_href("cla_count")
        'https://pmf.intranet/pmf/figures?kpi_id=cla_count'
        >>> StoreSettings().explore_href("cla_count") is None
        True
        """
        if not self.explore_url:
            return None
        return f"{self.explore_url.rstrip('/')}/figures?kpi_id={kpi_id}"


class Area(_Strict):
    """A service area: its title and the KPIs its report shows, in order."""

    title: str
    kpis: list[str] = Field(min_length=1)
    head_of_service: str | None = None

    @field_validator("kpis")
    @classmethod
    def _each_kpi_once(cls, v: list[str]) -> list[str]:
        twice = sorted({k for k in v if v.count(k) > 1})
        if twice:
            raise ValueError(
                f"KPI(s) listed more than once: {', '.join(twice)} (each appears once per area)"
            )
        return v


class ScorecardGroup(_Strict):
    """A heading of a scorecard and the KPIs under it, in order."""

    heading: str = Field(description="the group's heading, e.g. Outcomes or Workforce")
    kpis: list[str] = Field(min_length=1, description="KPI ids, each in a configured area")


class Scorecard(_Strict):
    """A quarterly scorecard (``scorecards.<id>``): the KPIs a council chooses for a meeting.

    Give either ``kpis`` (one list) or ``groups`` (headings, each with its KPIs); a KPI
    appears once per scorecard. ``quarters`` is how many quarter ends it shows as columns
    (the current quarter to date follows when the month is not a quarter end).

    Examples
    --------
    >>> s = Scorecard(title="Balanced", meeting="Cabinet, quarterly",
    ...               groups=[{"heading": "Outcomes", "kpis": ["cla_rate_10k"]},
    ...                       {"heading": "Workforce", "kpis": ["sw_vacancy_rate_pct"]}])
    >>> s.kpi_ids(), s.quarters
    (['cla_rate_10k', 'sw_vacancy_rate_pct'], 5)
    >>> Scorecard(title="P", meeting="DLT", kpis=["cla_count"]).sections()
    [(None, ['cla_count'])]
    """

    title: str = Field(description="the report's title")
    meeting: str = Field(description="who reads it, at which meeting and how often")
    kpis: list[str] = Field([], description="KPI ids, each in a configured area (or groups)")
    groups: list[ScorecardGroup] = Field([], description="headings with their KPIs (or kpis)")
    quarters: int = Field(5, ge=2, le=12, description="quarter ends shown as columns")

    @model_validator(mode="after")
    def _kpis_or_groups(self) -> Scorecard:
        if bool(self.kpis) == bool(self.groups):
            raise ValueError("give either kpis (one list) or groups (headings with kpis)")
        ids = self.kpi_ids()
        twice = sorted({k for k in ids if ids.count(k) > 1})
        if twice:
            raise ValueError(
                f"KPI(s) listed more than once: {', '.join(twice)} (each appears once "
                "per scorecard)"
            )
        return self

    def sections(self) -> list[tuple[str | None, list[str]]]:
        """``(heading, kpi ids)`` in order; one section headed None without groups."""
        if self.groups:
            return [(g.heading, list(g.kpis)) for g in self.groups]
        return [(None, list(self.kpis))]

    def kpi_ids(self) -> list[str]:
        """Every KPI of the scorecard, in order."""
        return [k for _, ids in self.sections() for k in ids]


class VoiceSettings(_Strict):
    """The voice of children and families (issue 16): the council's own timescales."""

    response_working_days: int = Field(
        5,
        ge=1,
        le=60,
        description="a Mind of My Own statement is answered on time within this many working days",
    )


class FinanceSettings(_Strict):
    """Finance (issue 16): the weekly cost over which a placement is high cost."""

    high_cost_weekly_threshold: float | None = Field(
        None,
        gt=0,
        description="a placement costing more than this per week (GBP) is high cost (its "
        "bi-monthly review list, the share above it); null: no threshold, neither is shown",
    )


class WorkforceStandards(_Strict):
    """The whole workforce picture (issue 16): the council's own supervision and caseload
    standards, which the workforce development KPIs follow (``compute/kpis/workforce.py``)."""

    supervision_days: int = Field(
        28,
        ge=1,
        le=366,
        description="a social worker's supervision is in time when the last one was held at "
        "most this many calendar days before the month end",
    )
    caseload_threshold: int = Field(
        20,
        ge=1,
        le=200,
        description="a case-holding social worker holding more cases than this is over the "
        "council's caseload threshold",
    )


class CouncilEntry(_Strict):
    """One council of a multi-council config: its identity and its data."""

    code: int = Field(description="DfE local authority number (its benchmark identity)")
    name: str = Field(description="Name shown on every report")
    logo: str | None = Field(None, description="Path to a PNG/SVG logo embedded in reports")
    data: DataSources


#: An id that names a file or folder (council, area, report): a slug, at most 64 characters.
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def slug_problem(value: str, what: str, names: str = "its report files") -> str | None:
    """Why ``value`` cannot name a file or folder (None when it is a slug).

    Examples
    --------
    >>> slug_problem("front_door", "area id") is None
    True
    >>> slug_problem("./../../x", "area id")
    "area id './../../x' is not allowed: an id is 1-64 lower-case letters, digits, - and _, \
starting with a letter or digit (it names its report files)"
    """
    if isinstance(value, str) and _SLUG.fullmatch(value):
        return None
    return (
        f"{what} {short_repr(value)} is not allowed: an id is 1-64 lower-case letters, digits, "
        f"- and _, starting with a letter or digit (it names {names})"
    )


def _council_form_problem(raw: dict) -> tuple[str, str] | None:
    """(key, message) when a config mixes or lacks the single/multi-council forms."""
    has_one, has_many = raw.get("council") is not None, raw.get("councils") is not None
    if has_one and has_many:
        return "councils", "give either council (one council) or councils (several), not both"
    if not has_one and not has_many:
        return "council", "required key is missing (or give councils: for several councils)"
    if has_many and raw.get("data") is not None:
        return "data", "with councils:, each council has its own data (councils.<id>.data)"
    if has_one and raw.get("data") is None:
        return "data", "required key is missing"
    return None


#: Ofsted's ILACS judgement areas, as ``ilacs:`` names them (titles: pmf_lib.assess.annual).
IlacsHeading = Literal["help_and_protection", "children_in_care", "care_leavers", "leaders"]


class Config(_Strict):
    """The validated contents of a pmf config file.

    Either ``council`` and ``data`` (one council; the usual form), or
    ``councils``: a mapping of council ids to :class:`CouncilEntry` (several
    councils sharing areas, targets and settings; :meth:`for_council` gives each
    one's single-council config, whose outputs go to ``outputs/<id>/``).
    """

    council: Council | None = None
    data: DataSources | None = None
    councils: dict[str, CouncilEntry] | None = Field(
        None, description="several councils: id -> code, name, logo, data"
    )
    areas: dict[str, Area] = Field(min_length=1)
    outputs: str = "outputs"
    audience: Literal["internal", "members", "public"] = "internal"
    targets: str | None = Field(None, description="targets file (null: no targets)")
    kpi_catalogue: str | None = Field(
        None, description="KPI catalogue with analyst-editable titles (null: library titles)"
    )
    spc: SpcSettings = SpcSettings()
    benchmarks: BenchmarkSettings = BenchmarkSettings()
    data_quality: DataQualitySettings = DataQualitySettings()
    sources: SourceSettings = SourceSettings()
    suppression: SuppressionSettings = SuppressionSettings()
    store: StoreSettings = StoreSettings()
    voice: VoiceSettings = VoiceSettings()
    finance: FinanceSettings = FinanceSettings()
    workforce_standards: WorkforceStandards = WorkforceStandards()
    scorecards: dict[str, Scorecard] = Field(
        {}, description="quarterly scorecards: id -> title, meeting, KPIs or groups, quarters"
    )
    ilacs: dict[str, list[IlacsHeading]] = Field(
        {},
        description="annual evidence packs: area id -> its ILACS headings (assess.annual)",
    )
    base_dir: Path = Field(Path("."), exclude=True)

    @field_validator("areas")
    @classmethod
    def _area_ids_are_slugs(cls, v: dict[str, Area]) -> dict[str, Area]:
        for area_id in v:
            problem = slug_problem(area_id, "area id")
            if problem:
                raise ValueError(problem)
        return v

    @field_validator("scorecards")
    @classmethod
    def _scorecard_kpis_shown(cls, v: dict[str, Scorecard], info: ValidationInfo):
        """Scorecard ids are slugs (they name report files); each KPI is in a configured area."""
        areas = info.data.get("areas") or {}
        shown = {k for a in areas.values() for k in a.kpis}
        for sid, card in v.items():
            problem = slug_problem(sid, "scorecard id")
            if problem:
                raise ValueError(problem)
            missing = [k for k in card.kpi_ids() if k not in shown]
            if areas and missing:
                raise ValueError(
                    f"scorecard {sid}: KPI(s) {', '.join(short_repr(k) for k in missing[:5])} "
                    "not in any configured area (add them to an area's kpis, or check the "
                    "spelling; docs/kpis.md lists every KPI)"
                )
        return v

    @field_validator("councils")
    @classmethod
    def _council_ids_are_slugs(cls, v: dict[str, CouncilEntry] | None):
        for cid in v or {}:
            problem = slug_problem(cid, "council id", "the council's output folder")
            if problem:
                raise ValueError(problem)
        return v

    @model_validator(mode="after")
    def _one_council_form(self) -> Config:
        problem = _council_form_problem(
            {"council": self.council, "councils": self.councils, "data": self.data}
        )
        if problem:
            raise ValueError(f"{problem[0]}: {problem[1]}")
        return self

    @property
    def multi(self) -> bool:
        """True for a ``councils:`` config."""
        return self.councils is not None

    def council_ids(self) -> list[str]:
        """The council ids of a multi-council config (empty for a single council)."""
        return list(self.councils or {})

    def for_council(self, council_id: str) -> Config:
        """One council's single-council config; its outputs go to ``<outputs>/<id>``.

        Examples
        --------
        >>> c = Config(councils={"north": {"code": 938, "name": "N", "data": {
        ...     "ssda903": "n/903", "cin_census": "n/cin", "population": "n/p.csv"}}},
        ...     areas={"x": {"title": "X", "kpis": ["referrals_count"]}})
        >>> one = c.for_council("north")
        >>> one.council.name, one.outputs, one.multi
        ('N', 'outputs/north', False)
        """
        if not self.councils or council_id not in self.councils:
            have = ", ".join(self.council_ids()) or "none (a single-council config)"
            raise PmfError(
                f"unknown council {council_id!r}; the config has {have}", field="councils"
            )
        entry = self.councils[council_id]
        return self.model_copy(
            update={
                "council": Council(code=entry.code, name=entry.name, logo=entry.logo),
                "data": entry.data,
                "councils": None,
                "outputs": str(Path(self.outputs) / council_id),
            }
        )

    def resolve(self, path: str) -> Path:
        """A config path made absolute against the config file's directory."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else (self.base_dir / p).resolve()

    def files(self, source: str) -> list[Path]:
        """The files of a data source, sorted: ``ssda903``, ``cin_census``, ``annex_a``,
        ``workforce_census``, ``workforce_monthly`` or ``local.<dataset>``."""
        found: set[Path] = set()
        holder, _, name = source.rpartition(".")
        patterns = getattr(self.data.local if holder == "local" else self.data, name)
        for pattern in patterns:
            p = self.resolve(pattern)
            if p.is_dir():
                found.update(f for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
            else:
                matches = glob.glob(str(p), recursive=True)
                found.update(Path(f) for f in matches if Path(f).is_file())
        return sorted(found)

    @property
    def population_file(self) -> Path:
        return self.resolve(self.data.population)

    @property
    def outputs_dir(self) -> Path:
        return self.resolve(self.outputs)

    @property
    def targets_file(self) -> Path | None:
        return self.resolve(self.targets) if self.targets else None

    def optional_sources(self) -> list[str]:
        """The optional sources configured with at least one pattern."""
        names = [
            n for n in ("annex_a", "workforce_census", "workforce_monthly") if getattr(self.data, n)
        ]
        names += [f"local.{n}" for n in LocalSources.model_fields if getattr(self.data.local, n)]
        return names


_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def image_type(path: str | Path) -> str | None:
    """The MIME type of a PNG, SVG, JPEG or GIF file, from its contents (None otherwise).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.svg").write_text('<?xml version="1.0"?>\\n<svg xmlns="x"></svg>')
    >>> _ = (d / "b.png").write_text("not really a PNG")
    >>> image_type(d / "a.svg"), image_type(d / "b.png")
    ('image/svg+xml', None)
    """
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return None
    for magic, mime in _IMAGE_MAGIC:
        if head.startswith(magic):
            return mime
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith((b"<svg", b"<?xml", b"<!doctype svg", b"<!--")) and b"<svg" in text:
        return "image/svg+xml"
    return None


def _wording(err: dict) -> str:
    """A pydantic error in words for the person editing the config (see :mod:`pmf_lib.yamlio`).

    Examples
    --------
    >>> _wording({"type": "extra_forbidden", "msg": "Extra inputs are not permitted"})
    'unknown key (not a pmf setting; check its spelling)'
    """
    return plain_message(err, "unknown key (not a pmf setting; check its spelling)")


def load_config(path: str | Path = DEFAULT_CONFIG, *, check_files: bool = True) -> Config:
    """Read and validate a config file.

    Parameters
    ----------
    path : str or Path
        The YAML config file.
    check_files : bool
        Also check that every data source matches at least one existing file.

    Raises
    ------
    PmfError
        Naming the file and the key for the first problem found.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "config.yaml").write_text(
    ...     "council: {code: 938, name: Demo}\\n"
    ...     "data: {ssda903: a, cin_census: b, population: p.csv}\\n"
    ...     "areas: {front_door: {title: Front door, kpis: [referrals_count]}}\\n"
    ...     "colour: blue\\n")
    >>> try:
    ...     load_config(d / "config.yaml", check_files=False)
    ... except PmfError as e:
    ...     print(e.field, "-", e.message)
    colour - unknown key (not a pmf setting; check its spelling)
    """
    path = Path(path)
    if not path.is_file():
        raise PmfError("config file not found", file=path)
    raw = load_yaml(path)
    if not isinstance(raw, dict):
        raise PmfError("expected a mapping of settings at the top level", file=path)
    problem = _council_form_problem(raw)
    if problem:
        raise PmfError(problem[1], file=path, field=problem[0])
    try:
        config = Config(**raw, base_dir=path.parent.resolve())
    except ValidationError as e:
        raise validation_error(e, path, message=_wording, count_others=True) from None
    if check_files and config.multi:
        for cid in config.council_ids():
            try:
                _check_files(config.for_council(cid), path)
            except PmfError as e:
                key = e.field or ""
                if key.startswith(("data.", "council.")):
                    key = f"councils.{cid}.{key.removeprefix('council.')}"
                raise PmfError(e.message, file=path, field=key) from None
    elif check_files:
        _check_files(config, path)
    return config


def _check_files(config: Config, path: Path) -> None:
    for source in ("ssda903", "cin_census"):
        if not getattr(config.data, source):
            if config.data.annex_a:
                continue  # Annex A alone (or beside one national return)
            raise PmfError(
                "required key is missing (or give data.annex_a: the council's Annex A)",
                file=path,
                field=f"data.{source}",
            )
        if not config.files(source):
            raise PmfError(
                f"no files match {getattr(config.data, source)}",
                file=path,
                field=f"data.{source}",
            )
    for source in config.optional_sources():
        if not config.files(source):
            raise PmfError(
                "no files match the configured pattern(s)", file=path, field=f"data.{source}"
            )
    if config.kpi_catalogue and not config.resolve(config.kpi_catalogue).is_file():
        raise PmfError(
            f"file not found: {config.resolve(config.kpi_catalogue)}",
            file=path,
            field="kpi_catalogue",
        )
    if config.targets_file and not config.targets_file.is_file():
        raise PmfError(f"file not found: {config.targets_file}", file=path, field="targets")
    if not config.population_file.is_file():
        raise PmfError(
            f"file not found: {config.population_file}", file=path, field="data.population"
        )
    if config.council.logo:
        logo = config.resolve(config.council.logo)
        if not logo.is_file():
            raise PmfError("logo file not found", file=path, field="council.logo")
        if image_type(logo) is None:
            raise PmfError(
                f"the logo {logo.name} is not a PNG, SVG, JPEG or GIF image",
                file=path,
                field="council.logo",
            )
