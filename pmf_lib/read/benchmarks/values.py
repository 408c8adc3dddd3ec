"""Published figures as numbers: suppression codes, year ends and the store's table layouts.

Every reader of the benchmarks package reads a figure with :func:`parse_value`
(or its vectorised :func:`parse_series`): a number, or NaN with the published
suppression code kept (:data:`SUPPRESSION_CODES`) -- never zero. A year label
becomes the date the year ends with :func:`year_end`. The four tables' columns
(:data:`TABLES`) are described in :mod:`pmf_lib.read.benchmarks`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from pmf_lib.errors import PmfError
from pmf_lib.textio import read_text

SUPPRESSION_CODES: dict[str, str] = {
    "c": "confidential",
    "k": "rounds to zero",
    "u": "low reliability",
    "x": "not available",
    "z": "not applicable",
    "low": "too few to publish",
    "-": "not available (LAIT)",
    "..": "not available",
    ":": "not available",
    "": "blank",
}
"""Published codes for a missing figure, and what each means."""

YEAR_END: dict[str, tuple[int, int]] = {
    "financial year": (3, 31),
    "annual": (3, 31),
    "annual (end of sept)": (9, 30),
    "academic year": (8, 31),
    "calendar year": (12, 31),
    "annual - january": (1, 31),
}
"""(month, day) a LAIT ``Year_Type`` year ends on."""

MEASURE_COLUMNS = [
    "code",
    "title",
    "measure",
    "topic",
    "polarity",
    "unit",
    "source_table",
    "year_type",
    "no_quartile",
    "dps",
    "source",
]
VALUE_COLUMNS = [
    "measure",
    "year",
    "year_end",
    "level",
    "la_code",
    "name",
    "region",
    "value",
    "suppression",
    "source",
]
NEIGHBOUR_COLUMNS = [
    "model",
    "la_code",
    "la_name",
    "region",
    "sn_rank",
    "neighbour",
    "neighbour_name",
    "closeness",
    "inherited_from",
]
POPULATION_COLUMNS = ["year", "level", "la_code", "name", "children"]
TABLES = ("measures", "values", "neighbours", "population")


def read_published_csv(path: Path, what: str = "the file", **kwargs) -> pd.DataFrame:
    """A published CSV as strings, decoded by :func:`pmf_lib.textio.read_text`.

    UTF-8 (with or without a byte-order mark), else Windows-1252; a missing,
    empty, binary or unparseable file is one :class:`PmfError` naming it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "f.csv"
    >>> _ = p.write_bytes("\\ufeffla_name,value\\nSouthend-on-Sea,007\\n".encode())
    >>> read_published_csv(p).to_dict("records")
    [{'la_name': 'Southend-on-Sea', 'value': '007'}]
    """
    text = read_text(path)
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, **kwargs)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise PmfError(f"cannot read {what}: {e}", file=path) from None


def require_columns(d: pd.DataFrame, need: Iterable[str], path) -> None:
    """A :class:`PmfError` naming every column of ``need`` that ``d`` lacks.

    Examples
    --------
    >>> try:
    ...     require_columns(pd.DataFrame(columns=["a"]), ["a", "b", "c"], "f.csv")
    ... except PmfError as e:
    ...     print(e)
    f.csv, row 1: missing column(s) b, c
    """
    missing = [c for c in need if c not in d.columns]
    if missing:
        raise PmfError(f"missing column(s) {', '.join(missing)}", file=path, location="row 1")


def parse_value(raw, *, file, location: str, field: str) -> tuple[float, str | None]:
    """A published figure as ``(value, suppression code)``.

    Numbers (commas allowed) give ``(number, None)``; a suppression code gives
    ``(nan, code)``; anything else is a :class:`PmfError` naming where it was.

    Examples
    --------
    >>> parse_value("12.5", file="f.csv", location="row 2", field="x")
    (12.5, None)
    >>> parse_value(" c ", file="f.csv", location="row 2", field="x")
    (nan, 'c')
    >>> parse_value("1,234", file="f.csv", location="row 2", field="x")
    (1234.0, None)
    """
    if raw is None or (isinstance(raw, float) and np.isnan(raw)):
        return float("nan"), ""
    if isinstance(raw, int | float | np.integer | np.floating):
        return float(raw), None
    text = str(raw).strip()
    code = text.lower()
    if code in SUPPRESSION_CODES:
        return float("nan"), code
    try:
        return float(text.replace(",", "")), None
    except ValueError:
        raise PmfError(
            f"not a number or a known suppression code "
            f"({', '.join(repr(c) for c in SUPPRESSION_CODES if c)}): {text!r}",
            file=file,
            location=location,
            field=field,
        ) from None


def parse_series(raw: pd.Series, *, file, field: str, rows=None, row_offset: int = 2):
    """Vectorised :func:`parse_value`: (values float array, suppression object array).

    ``rows`` gives each value's row number in the file (for messages); by default
    a value's position plus ``row_offset``.

    Examples
    --------
    >>> v, s = parse_series(pd.Series(["1,234", " x ", "7"]), file="f.csv", field="v")
    >>> v.tolist(), s.tolist()
    ([1234.0, nan, 7.0], [None, 'x', None])
    >>> try:
    ...     parse_series(pd.Series(["1", "n/a"]), file="f.csv", field="v", rows=[5, 9])
    ... except PmfError as e:
    ...     print(e.location, e.field)
    row 9 v
    """
    text = raw.astype("string").str.strip()
    values = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
    missing = values.isna()
    codes = text.str.lower().fillna("")
    known = codes.isin(list(SUPPRESSION_CODES))
    bad = missing & ~known
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        row = int(rows[pos]) if rows is not None else pos + row_offset
        parse_value(raw.iloc[pos], file=file, location=f"row {row}", field=field)
    supp = codes.where(missing, None).astype(object)
    supp = supp.where(missing, None)
    return values.to_numpy(dtype=float), supp.to_numpy(dtype=object)


def year_end(label: str, year_type: str | None) -> pd.Timestamp:
    """The date a published year ends, from its label and LAIT ``Year_Type``.

    The last year in the label is taken (``2024-25``, ``2015/16``, ``2014-16``
    and ``2013/14-15/16`` all end in their last year); the year type gives the
    month and day (31 March unless known otherwise).

    Examples
    --------
    >>> year_end("2025", "Financial Year").date()
    datetime.date(2025, 3, 31)
    >>> year_end("2024-25", "Financial Year").date()
    datetime.date(2025, 3, 31)
    >>> year_end("2025", "Annual (end of Sept)").date()
    datetime.date(2025, 9, 30)
    >>> year_end("2013/14-15/16", "Academic Year").date()
    datetime.date(2016, 8, 31)
    """
    nums = re.findall(r"\d+", str(label))
    if not nums or len(nums[0]) != 4:
        return pd.NaT
    first, last = int(nums[0]), nums[-1]
    year = int(last) if len(last) == 4 else (first // 100) * 100 + int(last[-2:])
    if year < first:
        year += 100
    month, day = YEAR_END.get(str(year_type or "").strip().lower(), (3, 31))
    return pd.Timestamp(year, month, day)


def check_unique(values: pd.DataFrame, path) -> None:
    """A :class:`PmfError` when a measure's year is given twice for one area.

    Examples
    --------
    >>> v = pd.DataFrame({"measure": ["LAC", "LAC"], "year": ["2025", "2025"],
    ...                   "la_code": [938, 938]})
    >>> try:
    ...     check_unique(v, "f.csv")
    ... except PmfError as e:
    ...     print(e)
    f.csv: measure LAC year 2025 is given more than once for LA 938
    """
    dup = values.duplicated(["measure", "year", "la_code"], keep=False)
    if dup.any():
        first = values[dup].iloc[0]
        raise PmfError(
            f"measure {first['measure']} year {first['year']} is given more than once "
            f"for LA {first['la_code']}",
            file=path,
        )


def tidy_values(values: pd.DataFrame) -> pd.DataFrame:
    """``values`` rows in the store's column order, sorted, with the store's dtypes."""
    v = values[VALUE_COLUMNS].sort_values(["measure", "year", "la_code"], kind="stable")
    v = v.reset_index(drop=True)
    v["la_code"] = v["la_code"].astype("int64")
    v["value"] = v["value"].astype("float64")
    v["year_end"] = v["year_end"].astype("datetime64[s]")
    for c in ("measure", "year", "level", "name", "region", "suppression", "source"):
        v[c] = v[c].astype(object).where(v[c].notna(), None)
    return v
