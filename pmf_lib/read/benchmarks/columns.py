"""The Explore Education Statistics columns imported, read from a data file.

The table of columns (which CSV column of which file is which measure) is data,
not code: ``ees_columns.yaml`` beside this module, shipped as package data
(``pyproject.toml``'s ``[tool.setuptools.package-data]``) and found with
:mod:`importlib.resources`, so an installed pmf reads it without the checkout.
Its comments describe each key.

:func:`load_ees_columns` reads it with :func:`pmf_lib.yamlio.load_model` and
checks every entry (:class:`EesColumn`): the keys it must have and no others, a
polarity of ``High``, ``Low`` or ``-``, a year type :func:`~.values.year_end`
knows (else its years would silently end on 31 March), and each code once per
file. The first problem is one :class:`~pmf_lib.errors.PmfError` naming the file
and the key path (``files.c1_.2.polarity``).

Examples
--------
>>> [c.code for c in EES_COLUMNS if c.file == "b1_"]
['EES_CIN_At31', 'EES_CIN_Started', 'EES_CIN_AwaitingAssessment']
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from pmf_lib.read.benchmarks.values import YEAR_END
from pmf_lib.yamlio import load_model, plain_message

EES_COLUMNS_FILE = Path(str(resources.files("pmf_lib.read.benchmarks") / "ees_columns.yaml"))
"""The shipped table of columns."""

POLARITIES = ("High", "Low", "-")


def _polarity(v: str) -> str:
    if v not in POLARITIES:
        raise ValueError(f"polarity must be High, Low or '-', not {v!r}")
    return v


def _year_type(v: str) -> str:
    if v.strip().lower() not in YEAR_END:
        known = ", ".join(sorted(YEAR_END))
        raise ValueError(f"unknown year_type {v!r} (expected one of, in any case: {known})")
    return v


Text = Annotated[str, Field(min_length=1)]
Polarity = Annotated[str, AfterValidator(_polarity)]
YearType = Annotated[str, AfterValidator(_year_type)]


class EesColumn(BaseModel):
    """One Explore Education Statistics column mapped to a measure code.

    ``where`` holds ``(column, value)`` filters: only rows with those values
    give the figure (in the YAML file, a mapping ``{column: value}``).

    Examples
    --------
    >>> c = EesColumn(file="c1_", column="rereferral_percent", code="ReReferral",
    ...               title="Re-referrals (%)", polarity="Low", unit="%",
    ...               year_type="Financial Year", where={"time_identifier": "Financial year"})
    >>> c.where
    (('time_identifier', 'Financial year'),)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    file: Text  # file-name prefix, e.g. "b1_"
    column: Text
    code: Text
    title: Text
    polarity: Polarity
    unit: str
    year_type: YearType
    where: tuple[tuple[str, str], ...] = ()

    @field_validator("where", mode="before")
    @classmethod
    def _pairs(cls, v):
        return tuple(v.items()) if isinstance(v, dict) else v


class _Entry(BaseModel):
    """An entry of the file: an :class:`EesColumn` without its file (its group's key)."""

    model_config = ConfigDict(extra="forbid")

    column: Text
    code: Text
    title: Text
    polarity: Polarity
    unit: str
    year_type: YearType
    where: dict[str, str] = {}


class _ColumnsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    files: dict[Text, list[_Entry]]

    @field_validator("files")
    @classmethod
    def _each_code_once(cls, files: dict[str, list[_Entry]]) -> dict[str, list[_Entry]]:
        for prefix, entries in files.items():
            if not entries:
                raise ValueError(f"file {prefix!r} lists no columns")
            codes = [e.code for e in entries]
            twice = sorted({c for c in codes if codes.count(c) > 1})
            if twice:
                raise ValueError(f"code(s) {', '.join(twice)} given twice for file {prefix!r}")
        return files


def load_ees_columns(path: str | Path = EES_COLUMNS_FILE) -> tuple[EesColumn, ...]:
    """The columns a table file lists, in its order, each checked.

    Raises
    ------
    PmfError
        For a file that cannot be read or is not YAML, or the first entry that
        is not a valid column, naming the file and the key path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "ees_columns.yaml"
    >>> _ = p.write_text("files:\\n  c1_:\\n    - {column: rereferral_percent, "
    ...     "code: ReReferral, title: Re-referrals, polarity: Low, unit: '%', "
    ...     "year_type: Financial Year}\\n")
    >>> [(c.file, c.code) for c in load_ees_columns(p)]
    [('c1_', 'ReReferral')]
    >>> from pmf_lib.errors import PmfError
    >>> _ = p.write_text(p.read_text().replace("polarity: Low", "polarity: low"))
    >>> try:
    ...     load_ees_columns(p)
    ... except PmfError as e:
    ...     print(e.field, "-", e.message)
    files.c1_.0.polarity - polarity must be High, Low or '-', not 'low'
    """
    table = load_model(Path(path), _ColumnsFile, message=plain_message)
    return tuple(
        EesColumn(file=prefix, **e.model_dump())
        for prefix, entries in table.files.items()
        for e in entries
    )


EES_COLUMNS: tuple[EesColumn, ...] = load_ees_columns()
"""Every Explore Education Statistics column imported, with its measure code."""

EES_PREFIXES = tuple(dict.fromkeys(c.file for c in EES_COLUMNS))
"""The file-name prefixes of the files imported."""
