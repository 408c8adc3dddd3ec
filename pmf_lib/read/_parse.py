"""Parsing helpers shared by the readers: text, CSV rows, dates, years, merging.

Everything here turns bad input into :class:`~pmf_lib.errors.PmfError` naming the
file, the row or element and the field, so a reader never lets a pandas or lxml
traceback through.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
from lxml import etree

from pmf_lib import textio
from pmf_lib.errors import PmfError

_YEAR_SPAN = re.compile(r"(?<!\d)(20\d\d)[-_](\d\d)(?!\d)")
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
T = TypeVar("T")
_TRUE = {"1", "true", "t", "yes", "y"}
_FALSE = {"0", "false", "f", "no", "n"}


# ---- years -----------------------------------------------------------------
def year_in_name(name: str) -> int | None:
    """The collection year a file or folder name gives, or None.

    A span such as ``2024-25`` or ``2024_25`` is the collection year ending in
    its second year; otherwise a lone ``20xx`` (not part of a longer number).

    Examples
    --------
    >>> year_in_name("Episodes_2025.csv"), year_in_name("2024-25"), year_in_name("903.csv")
    (2025, 2025, None)
    """
    span = _YEAR_SPAN.search(name)
    if span and (int(span.group(1)) + 1) % 100 == int(span.group(2)):
        return int(span.group(1)) + 1
    found = _YEAR.findall(name)
    return int(found[-1]) if found else None


def year_from_path(path: Path) -> int | None:
    """The collection year in a file's name, else in its folder's name, else None.

    Only the file name and its parent folder are looked at, so a year somewhere
    higher up (a user's home folder, a temporary directory) is never taken.

    Examples
    --------
    >>> year_from_path(Path("ssda903/2025/episodes.csv"))
    2025
    >>> year_from_path(Path("2019/ssda903/Header_2024.csv"))
    2024
    >>> year_from_path(Path("2019/ssda903/header.csv")) is None
    True
    """
    for part in (path.name, path.parent.name):
        year = year_in_name(part)
        if year is not None:
            return year
    return None


def collection_year_of(date) -> int:
    """The collection year (ending 31 March) a date falls in.

    Examples
    --------
    >>> collection_year_of("2026-10-31"), collection_year_of("2026-03-31")
    (2027, 2026)
    """
    ts = pd.Timestamp(date)
    return ts.year if ts.month <= 3 else ts.year + 1


# ---- values ----------------------------------------------------------------
def parse_date(text: str) -> str:
    """A date as ``YYYY-MM-DD`` from ``DD/MM/YYYY`` or ISO ``YYYY-MM-DD``.

    A midnight time or an XML time-zone suffix is allowed after the date.
    Raises ``ValueError`` for anything that is not a real calendar date.

    Examples
    --------
    >>> parse_date("05/12/1993"), parse_date("2024-03-31"), parse_date("2024-03-31Z")
    ('1993-12-05', '2024-03-31', '2024-03-31')
    >>> parse_date("31/02/2024")
    Traceback (most recent call last):
    ...
    ValueError: not a date: '31/02/2024'
    """
    s = text.strip()
    try:
        if len(s) >= 10 and s[4] == "-" and s[7] == "-":
            rest = s[10:]
            if rest and not _ok_date_suffix(rest):
                raise ValueError
            return _in_range(dt.date(int(s[0:4]), int(s[5:7]), int(s[8:10])), text)
        day, month, rest = s.split("/", 2)
        year, _, time = rest.partition(" ")
        if time and time.strip() not in ("00:00", "00:00:00"):
            raise ValueError
        if not (day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4):
            raise ValueError
        return _in_range(dt.date(int(year), int(month), int(day)), text)
    except (ValueError, IndexError) as e:
        if str(e).startswith("date out of range"):
            raise
        raise ValueError(f"not a date: {text!r}") from None


_MIN_YEAR, _MAX_YEAR = 1678, 2261  # what datetime64[ns] can hold


def _in_range(date: dt.date, text: str) -> str:
    if not _MIN_YEAR <= date.year <= _MAX_YEAR:
        raise ValueError(
            f"date out of range: {text!r} (pmf holds dates from {_MIN_YEAR} to {_MAX_YEAR})"
        )
    return date.isoformat()


def _ok_date_suffix(rest: str) -> bool:
    return bool(re.fullmatch(r"(Z|[+-]\d\d:\d\d|[T ]00:00(:00(\.0+)?)?(Z|[+-]\d\d:\d\d)?)", rest))


def to_datetime(values: Sequence[str | None]) -> pd.Series:
    """ISO date strings (already checked by :func:`parse_date`) or None to datetime64[ns]."""
    return pd.Series(pd.to_datetime(pd.Series(values, dtype=object), format="%Y-%m-%d")).astype(
        "datetime64[ns]"
    )


def normalise_flag(value: str | None) -> str | None:
    """``true``/``false``/``1``/``0`` (any case, also yes/no) to ``"1"``/``"0"``.

    Any other value is returned as sent, for validation to report.

    Examples
    --------
    >>> normalise_flag("false"), normalise_flag("1"), normalise_flag("maybe"), normalise_flag(None)
    ('0', '1', 'maybe', None)
    """
    if value is None:
        return None
    low = value.strip().lower()
    if low in _TRUE:
        return "1"
    if low in _FALSE:
        return "0"
    return value


def clean(text: str | None) -> str | None:
    """Stripped text, or None when empty."""
    if text is None:
        return None
    s = text.strip()
    return s or None


# ---- text and CSV ----------------------------------------------------------
def read_text(path: Path) -> str:
    """A text file's contents: UTF-8 (with or without BOM), else Windows-1252.

    The one decoding every file pmf reads goes through (:func:`pmf_lib.textio.read_text`).

    Raises
    ------
    PmfError
        For a missing, empty or binary file, or one in an unreadable encoding.
    """
    return textio.read_text(path)


@dataclass
class CsvData:
    """A CSV file as stripped strings: column names, columns and each row's line number."""

    columns: dict[str, list[str | None]]
    lines: list[int]
    header_line: int = 1

    def __len__(self) -> int:
        return len(self.lines)


def read_csv(path: Path, *, upper: bool = False) -> CsvData:
    """Read a CSV into stripped string columns (empty cells None), keeping line numbers.

    Blank lines are skipped. Column names are stripped (upper-cased when
    ``upper``). A row with a different number of fields from the header, a
    duplicate or empty column name (with data under it) is a PmfError naming
    the row (the line number in the file; the header is row 1).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("CHILD, DOB\\n 1 ,01/02/2020\\n\\n2,\\n")
    >>> d = read_csv(p)
    >>> d.columns, d.lines
    ({'CHILD': ['1', '2'], 'DOB': ['01/02/2020', None]}, [2, 4])
    """
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
        start = reader.line_num
        while not any(h.strip() for h in header):
            header = next(reader)
            start = reader.line_num
    except StopIteration:
        raise PmfError("the file is empty (no header row)", file=path) from None
    except csv.Error as e:
        raise PmfError(
            f"not a readable CSV ({e})", file=path, location=f"row {reader.line_num}"
        ) from None
    names = [h.strip().upper() if upper else h.strip() for h in header]
    seen: set[str] = set()
    for n in names:
        if n and n in seen:
            raise PmfError("the column appears twice", file=path, location=f"row {start}", field=n)
        seen.add(n)
    width = len(names)
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for row in reader:
            if not any(c.strip() for c in row):
                continue
            if len(row) != width:
                raise PmfError(
                    f"{len(row)} fields where the header has {width}",
                    file=path,
                    location=f"row {reader.line_num}",
                )
            rows.append(row)
            lines.append(reader.line_num)
    except csv.Error as e:
        raise PmfError(
            f"not a readable CSV ({e})", file=path, location=f"row {reader.line_num}"
        ) from None
    columns: dict[str, list[str | None]] = {}
    for i, name in enumerate(names):
        values = [clean(r[i]) for r in rows]
        if not name:
            filled = next((j for j, v in enumerate(values) if v is not None), None)
            if filled is not None:
                raise PmfError(
                    f"data under a column with no name (column {i + 1})",
                    file=path,
                    location=f"row {lines[filled]}",
                )
            continue
        columns[name] = values
    return CsvData(columns, lines, start)


def parse_date_column(values: list[str | None], *, file: Path, field: str, locate) -> pd.Series:
    """Parse a column of DD/MM/YYYY or ISO dates; the first bad one is a PmfError.

    ``locate(i)`` gives the location text (``"row 5"``) of value ``i``.
    """
    s = pd.Series(values, dtype=object)
    present = s.notna()
    out = pd.to_datetime(s, format="%d/%m/%Y", errors="coerce")
    low, high = pd.Timestamp(f"{_MIN_YEAR}-01-01"), pd.Timestamp(f"{_MAX_YEAR}-12-31")
    todo = present & (out.isna() | (out < low) | (out > high))
    if todo.any():
        out = out.where(~todo).astype("datetime64[ns]")
        for i in todo[todo].index:
            try:
                out.iat[i] = pd.Timestamp(parse_date(values[i]))
            except ValueError as e:
                raise PmfError(str(e), file=file, location=locate(i), field=field) from None
    return out.astype("datetime64[ns]")


# ---- XML -------------------------------------------------------------------
def localname(tag: str) -> str:
    """An element tag without its namespace."""
    return tag.rpartition("}")[2] if tag[:1] == "{" else tag


def open_xml(path: Path) -> textio.SourceFile:
    """An XML file opened once (:func:`pmf_lib.textio.open_source`, hashed as it is read).

    Its reader sniffs the root element from it (:func:`xml_root_name`), rewinds
    and parses it, without opening the file again.
    """
    try:
        return textio.open_source(path)
    except OSError as e:
        raise PmfError(f"cannot open the file ({e.strerror})", file=path) from None


def xml_root_name(path: Path, source=None) -> str:
    """The local name of an XML file's root element; PmfError if it is not XML at all.

    ``source``: the file already open (:func:`open_xml`; the caller rewinds it
    after); default: open ``path``.
    """
    try:
        size = path.stat().st_size
    except OSError as e:
        raise PmfError(f"cannot open the file ({e.strerror})", file=path) from None
    if size == 0:
        raise PmfError("the file is empty", file=path)
    try:
        for _, el in etree.iterparse(
            str(path) if source is None else source,
            events=("start",),
            resolve_entities=False,
            no_network=True,
        ):
            return localname(el.tag)
    except (etree.LxmlError, OSError) as e:
        raise xml_error(path, e) from None
    raise PmfError("the file is empty (no XML element)", file=path)


def xml_error(path: Path, e: Exception) -> PmfError:
    """A PmfError for an lxml parse (or read) error, with its line number when known."""
    if isinstance(e, OSError) and not isinstance(e, etree.LxmlError):
        return PmfError(f"cannot read the file ({e})", file=path)
    line = getattr(e, "lineno", None) or None
    msg = getattr(e, "msg", None) or str(e)
    if "Document is empty" in msg or "Start tag expected" in msg and line in (None, 1):
        detail = f"not an XML file ({msg})"
    else:
        detail = f"not well-formed XML ({msg})"
    return PmfError(detail, file=path, location=f"line {line}" if line else None)


# ---- several files -----------------------------------------------------------
def read_files(read_one: Callable[[Path], T], paths: list[Path], workers: int = 1) -> list[T]:
    """``read_one(path)`` for each path, in order; with ``workers > 1`` in worker processes.

    Worker processes are started with "spawn" (a fresh interpreter each, safe
    from any threads of the caller), so a script using them must guard its main
    code with ``if __name__ == "__main__":``.

    Parameters
    ----------
    read_one : callable
        A module-level function reading one file (it is sent to worker processes).
    paths : list of Path
    workers : int
        Processes reading files side by side (1: read here, one after another).

    Raises
    ------
    PmfError
        The error of the first file in ``paths`` order that cannot be read, as when
        reading one by one.

    Examples
    --------
    >>> read_files(str, [Path("a.csv"), Path("b.csv")])
    ['a.csv', 'b.csv']
    """
    workers = max(1, min(int(workers), len(paths)))
    if workers == 1:
        return [read_one(p) for p in paths]
    # "spawn": a fresh interpreter per worker, safe from any threads of the caller
    # (notebook kernels, progress bars) that a forked copy would inherit half-held.
    pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"))
    try:
        futures = [pool.submit(read_one, p) for p in paths]
        return [f.result() for f in futures]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# ---- merging years ---------------------------------------------------------
@dataclass
class FileResult:
    """What one file gave: its tables and the facts for the ``returns`` table."""

    path: Path
    tables: dict[str, pd.DataFrame]
    collection_year: int | None
    reference_date: pd.Timestamp | None
    la_code: str | None
    rows: int


def merge_history(
    results: list[FileResult],
    table_columns: dict[str, dict[str, str]],
    keys: dict[str, list[str]],
) -> dict[str, pd.DataFrame]:
    """Stack every file's tables into one history, de-duplicated on the natural keys.

    For each natural key, the rows of the winning file are kept: the file with the
    later ``collection_year``, then the later reference date, then the one later in
    the input order. Rows repeated within one file are all kept (validation
    reports them), so nothing is dropped except a record superseded by a later file.

    Examples
    --------
    >>> from pmf_lib.read.tables import conform
    >>> cols = {"ID": "string", "V": "Int64"}
    >>> def result(year, ids, vs):
    ...     df = conform(pd.DataFrame({"ID": ids, "V": vs}), cols)
    ...     return FileResult(Path(f"{year}.csv"), {"t": df}, year, None, None, len(df))
    >>> old, new = result(2025, ["a", "b", "b"], [1, 2, 3]), result(2026, ["b", "c"], [4, 5])
    >>> merge_history([new, old], {"t": cols}, {"t": ["ID"]})["t"].values.tolist()
    [['a', 1], ['b', 4], ['c', 5]]
    """
    from pmf_lib.read.tables import conform, empty_table

    order = sorted(
        range(len(results)),
        key=lambda i: (
            results[i].collection_year or 0,
            results[i].reference_date
            if results[i].reference_date is not None
            else pd.Timestamp.min,
            i,
        ),
    )
    merged: dict[str, pd.DataFrame] = {}
    for name, columns in table_columns.items():
        frames, ranks = [], []
        for r, i in enumerate(order):
            df = results[i].tables.get(name)
            if df is not None and len(df):
                frames.append(df)
                ranks.append(np.full(len(df), r, np.int64))
        if not frames:
            merged[name] = empty_table(columns)
            continue
        if len(frames) > 1:
            df = pd.concat(frames, ignore_index=True)
            keep = _latest(df, keys[name], np.concatenate(ranks))
            if not keep.all():
                df = df[keep].reset_index(drop=True)
        else:
            df = frames[0].reset_index(drop=True)
        merged[name] = df if _canonical(df, columns) else conform(df, columns)
    return merged


def _latest(df: pd.DataFrame, keys: list[str], rank: np.ndarray) -> np.ndarray:
    """Rows whose rank is the highest among the rows with their key (missing values
    in a key are a value like any other)."""
    codes = None
    for k in keys:
        c, uniques = pd.factorize(df[k], use_na_sentinel=False)
        # combined and renumbered densely, so codes stay below the number of rows
        codes = c if codes is None else pd.factorize(codes * len(uniques) + c)[0]
    best = np.full(int(codes.max()) + 1, -1, np.int64)
    np.maximum.at(best, codes, rank)
    return rank == best[codes]


def _canonical(df: pd.DataFrame, columns: dict[str, str]) -> bool:
    """Whether ``conform`` would leave the table as it is (columns and dtypes)."""
    return list(df.columns) == list(columns) and all(
        df[c].dtype == pd.api.types.pandas_dtype(t) for c, t in columns.items()
    )


def returns_frame(results: list[FileResult]) -> pd.DataFrame:
    """The ``returns`` table: one row per file read."""
    from pmf_lib.read.tables import RETURNS_COLUMNS, conform, empty_table

    if not results:
        return empty_table(RETURNS_COLUMNS)
    df = pd.DataFrame(
        {
            "source_file": [str(r.path) for r in results],
            "collection_year": [r.collection_year for r in results],
            "reference_date": [r.reference_date for r in results],
            "la_code": [r.la_code for r in results],
            "rows": [r.rows for r in results],
        }
    )
    df["reference_date"] = pd.to_datetime(df["reference_date"])
    return conform(df, RETURNS_COLUMNS)
