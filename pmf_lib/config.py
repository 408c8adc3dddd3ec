"""Load and validate ``parameters/config.yaml`` before any work is done.

Every key is checked: an unknown or misspelt key, a value of the wrong type or a
data file that does not exist is one :class:`~pmf_lib.errors.PmfError` naming the
config file and the key (``data.cin_census``), never a traceback half way
through a run. Relative paths are resolved against the directory that holds the
config file.
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pmf_lib.errors import PmfError

DEFAULT_CONFIG = Path("parameters/config.yaml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Council(_Strict):
    """The council the reports are for."""

    code: int = Field(description="DfE local authority number (old LA code), e.g. 938")
    name: str = Field(description="Name shown on every report")
    logo: str | None = Field(None, description="Path to a PNG/SVG logo embedded in reports")


class DataSources(_Strict):
    """Where each data source lives: a file, a directory or a glob (or a list of them)."""

    ssda903: list[str] = Field(description="SSDA903 CSV tables or XML exports")
    cin_census: list[str] = Field(description="CIN census XML files")
    population: str = Field(description="ONS-format population 0-17 CSV")

    @field_validator("ssda903", "cin_census", mode="before")
    @classmethod
    def _as_list(cls, v):
        return [v] if isinstance(v, str) else v


class Area(_Strict):
    """A service area: its title and the KPIs its report shows, in order."""

    title: str
    kpis: list[str] = Field(min_length=1)
    head_of_service: str | None = None


class Config(_Strict):
    """The validated contents of a pmf config file."""

    council: Council
    data: DataSources
    areas: dict[str, Area] = Field(min_length=1)
    outputs: str = "outputs"
    audience: Literal["internal", "members", "public"] = "internal"
    base_dir: Path = Field(Path("."), exclude=True)

    def resolve(self, path: str) -> Path:
        """A config path made absolute against the config file's directory."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else (self.base_dir / p).resolve()

    def files(self, source: str) -> list[Path]:
        """The files of a data source (``ssda903``, ``cin_census``), sorted."""
        found: set[Path] = set()
        for pattern in getattr(self.data, source):
            p = self.resolve(pattern)
            if p.is_dir():
                found.update(f for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
            else:
                found.update(Path(f) for f in glob.glob(str(p), recursive=True) if Path(f).is_file())
        return sorted(found)

    @property
    def population_file(self) -> Path:
        return self.resolve(self.data.population)

    @property
    def outputs_dir(self) -> Path:
        return self.resolve(self.outputs)


def _key_path(loc: tuple) -> str:
    return ".".join(str(p) for p in loc)


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
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else None
        raise PmfError(f"not valid YAML ({getattr(e, 'problem', e)})", file=path, location=where)
    if not isinstance(raw, dict):
        raise PmfError("expected a mapping of settings at the top level", file=path)
    try:
        config = Config(**raw, base_dir=path.parent.resolve())
    except ValidationError as e:
        err = e.errors()[0]
        key = _key_path(err["loc"])
        if err["type"] == "extra_forbidden":
            msg = "unknown key (not a pmf setting; check its spelling)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        else:
            msg = f"{err['msg']} (got {err.get('input')!r})"
        extra = f" (and {len(e.errors()) - 1} more problem(s))" if len(e.errors()) > 1 else ""
        raise PmfError(msg + extra, file=path, field=key) from None
    if check_files:
        for source in ("ssda903", "cin_census"):
            if not config.files(source):
                raise PmfError(
                    f"no files match {getattr(config.data, source)}",
                    file=path,
                    field=f"data.{source}",
                )
        if not config.population_file.is_file():
            raise PmfError(
                f"file not found: {config.population_file}", file=path, field="data.population"
            )
        if config.council.logo and not config.resolve(config.council.logo).is_file():
            raise PmfError("logo file not found", file=path, field="council.logo")
    return config
