"""Tabular files described by a YAML schema: local datasets, the workforce CSV, Annex A.

A schema (``pmf_lib/read/schemas/<name>.yml``) lists each column with its type
(``string``, ``date``, ``int``, ``float`` or ``code``), whether it is required,
the headings councils use for it and, for coded columns, the canonical codes
with the labels and patterns that map a council's values onto them. It also
names the natural key and the column holding the child's id, if any.

Reading is lenient cell by cell and strict file by file:

* a file that cannot be opened or has no recognisable header row raises
  :class:`~pmf_lib.errors.PmfError` naming the file;
* every non-blank data row is kept, with its row number in the file; a value
  that cannot be parsed (a bad date, an unknown code, text in a number column)
  becomes missing in ``data`` and stays, as sent, in ``raw``, so validation
  reports it against the row and field instead of it vanishing;
* a required column that is absent is an error (:class:`~pmf_lib.errors.PmfError`
  naming the file and the column), since every KPI over the dataset would
  otherwise read it as empty and report 0; :func:`frame_from_rows` itself only
  lists it in ``missing_columns`` (Annex A lists, read leniently, keep that);
* an optional column that is absent is listed in ``absent_columns`` (and in the
  frame's ``attrs["absent_columns"]``), so a KPI can tell "not supplied" from
  "blank".

A date column marked ``future: true`` in the schema holds planned dates (a due
date, a planned review date) that may lie after the extract date; validation
does not call those "in the future" (rule S06).

Dates may be ISO (``2024-05-01``), UK (``01/05/2024``, ``1-5-2024``), Excel
cells or Excel serial numbers (``45413``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from pmf_lib.atomic import write_text_atomic
from pmf_lib.errors import PmfError
from pmf_lib.textio import load_yaml, read_text

SCHEMA_DIR = Path(__file__).with_name("schemas")
TYPES = ("string", "date", "int", "float", "code")
DTYPES = {
    "string": "string",
    "code": "string",
    "date": "datetime64[ns]",
    "int": "Int64",
    "float": "Float64",
}

#: The local datasets a council may supply, in template order.
LOCAL_DATASETS = (
    "contacts",
    "early_help",
    "complaints",
    "lado",
    "conferencing",
    "qa_audits",
    "improvement_actions",
    "survey_responses",
    "momo_statements",
    "participation_events",
    "budget_monitoring",
    "placement_costs",
    "workforce_development",
)

_LETTER_PREFIX = re.compile(r"^\s*([a-z]{1,2})\)\s*", re.IGNORECASE)
_CODE_TOKEN = re.compile(r"^\s*([A-Za-z0-9]{1,6})\s*(?::|\s-\s|\s–\s)")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def _norm(text: str) -> str:
    """Casefolded text with straight quotes and single spaces (for matching labels)."""
    text = str(text).replace("\u2018", "'").replace("\u2019", "'").replace("\xa0", " ")
    return re.sub(r"\s+", " ", text).strip().casefold()


def _regex(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)


@dataclass(frozen=True)
class Code:
    """One canonical code of a coded column and how council values map onto it."""

    code: str
    label: str = ""
    letter: str | None = None
    patterns: tuple[re.Pattern, ...] = ()


@dataclass(frozen=True)
class Column:
    """One column of a schema."""

    name: str
    type: str = "string"
    required: bool = False
    header: str = ""
    header_patterns: tuple[re.Pattern, ...] = ()
    codes: tuple[Code, ...] = ()
    description: str = ""
    example: str = ""
    future: bool = False  # a planned date (due, planned review): may lie after the extract

    def matches_header(self, heading: str) -> bool:
        h = _norm(heading)
        if h in (_norm(self.name), _norm(self.header)):
            return True
        return any(p.search(h) for p in self.header_patterns)

    def to_code(self, value) -> str | None:
        """The canonical code for a value as sent, or None if it matches none.

        Tried in order: the code itself, a label, the ``CODE:`` or ``CODE -``
        token after an optional ``a)`` prefix, the patterns, and lastly the
        ``a)`` letter alone.
        """
        text = str(value).strip()
        if text.endswith(".0") and text[:-2].isdigit():
            text = text[:-2]
        n = _norm(text)
        by_code = {_norm(c.code): c.code for c in self.codes}
        if n in by_code:
            return by_code[n]
        for c in self.codes:
            if c.label and n == _norm(c.label):
                return c.code
        m = _LETTER_PREFIX.match(text)
        rest = text[m.end() :] if m else text
        if m:
            rn = _norm(rest)
            if rn in by_code:
                return by_code[rn]
            for c in self.codes:
                if c.label and rn == _norm(_LETTER_PREFIX.sub("", c.label)):
                    return c.code
        t = _CODE_TOKEN.match(rest)
        if t and _norm(t.group(1)) in by_code:
            return by_code[_norm(t.group(1))]
        for c in self.codes:
            if any(p.search(rest) for p in c.patterns):
                return c.code
        if m:
            letter = m.group(1).casefold()
            for c in self.codes:
                if c.letter and c.letter.casefold() == letter:
                    return c.code
        return None


@dataclass(frozen=True)
class TableSchema:
    """A table's columns, natural key and child-id column."""

    name: str
    title: str
    columns: tuple[Column, ...]
    keys: tuple[str, ...] = ()
    child_id: str | None = None
    description: str = ""
    attribution: str = ""

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def dtypes(self) -> dict[str, str]:
        return {c.name: DTYPES[c.type] for c in self.columns}


@dataclass
class ReadTable:
    """One file read against a schema.

    ``data`` holds the canonical typed columns plus ``row`` (the row number in
    the file, header row included in the count) and ``source_file``; ``raw``
    has the same index and columns with each value as sent (text, ``<NA>`` when
    blank). ``rows_read`` counts the non-blank data rows; every one is in
    ``data``.
    """

    source: str
    file: str
    schema: TableSchema
    data: pd.DataFrame
    raw: pd.DataFrame
    missing_columns: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    absent_columns: list[str] = field(default_factory=list)
    blank_rows: int = 0
    sheet: str | None = None

    @property
    def rows_read(self) -> int:
        return len(self.data)


# ---- schemas -----------------------------------------------------------------


def _parse_codes(spec, where: str) -> tuple[Code, ...]:
    if spec is None:
        return ()
    if isinstance(spec, dict):
        return tuple(Code(str(k), str(v or "")) for k, v in spec.items())
    if isinstance(spec, list):
        out = []
        for entry in spec:
            if isinstance(entry, dict):
                out.append(
                    Code(
                        str(entry["code"]),
                        str(entry.get("label", "") or ""),
                        entry.get("letter"),
                        tuple(_regex(p) for p in entry.get("patterns", []) or []),
                    )
                )
            else:
                out.append(Code(str(entry)))
        return tuple(out)
    raise PmfError("codes must be a list or a mapping", file=where)


def schema_from_dict(spec: dict, *, where: str = "<schema>") -> TableSchema:
    """Build a :class:`TableSchema` from its YAML mapping.

    Examples
    --------
    >>> s = schema_from_dict({"name": "t", "title": "T", "keys": ["id"],
    ...     "columns": {"id": {"required": True},
    ...                 "sex": {"type": "code", "codes": {"M": "Male", "F": "Female"}}}})
    >>> s.column("sex").to_code("female")
    'F'
    """
    try:
        cols = []
        for name, c in (spec.get("columns") or {}).items():
            c = c or {}
            ctype = c.get("type", "string")
            if ctype not in TYPES:
                raise PmfError(
                    f"unknown type {ctype!r} (expected one of {TYPES})",
                    file=where,
                    field=f"columns.{name}.type",
                )
            future = c.get("future", False)
            if not isinstance(future, bool) or (future and ctype != "date"):
                raise PmfError(
                    "future must be true or false, and only on a date column",
                    file=where,
                    field=f"columns.{name}.future",
                )
            cols.append(
                Column(
                    name=str(name),
                    type=ctype,
                    required=bool(c.get("required", False)),
                    header=str(c.get("header", "") or name),
                    header_patterns=tuple(_regex(p) for p in c.get("header_patterns", []) or []),
                    codes=_parse_codes(c.get("codes"), where),
                    description=str(c.get("description", "") or "").strip(),
                    example=str(c.get("example", "") or ""),
                    future=future,
                )
            )
        return TableSchema(
            name=str(spec["name"]),
            title=str(spec.get("title", spec["name"])),
            columns=tuple(cols),
            keys=tuple(spec.get("keys", []) or []),
            child_id=spec.get("child_id"),
            description=str(spec.get("description", "") or ""),
            attribution=str(spec.get("attribution", "") or ""),
        )
    except KeyError as e:
        raise PmfError(f"schema is missing {e.args[0]!r}", file=where) from None
    except re.error as e:
        raise PmfError(f"bad pattern in schema: {e}", file=where) from None


@cache
def load_schema(name: str) -> TableSchema:
    """The packaged schema ``pmf_lib/read/schemas/<name>.yml``.

    Examples
    --------
    >>> load_schema("complaints").keys
    ('complaint_id',)
    """
    path = SCHEMA_DIR / f"{name}.yml"
    if not path.is_file():
        raise PmfError(f"no schema called {name!r}", file=path)
    return schema_from_dict(load_yaml(path) or {}, where=str(path))


# ---- values ------------------------------------------------------------------

_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%d/%m/%y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d %B %Y",
    "%d %b %Y",
)


def parse_date(value) -> pd.Timestamp | None:
    """A date from a cell or text, or None if it is not one.

    Examples
    --------
    >>> parse_date("03/02/2024").date(), parse_date(45323).date(), parse_date("45323").date()
    (datetime.date(2024, 2, 3), datetime.date(2024, 2, 1), datetime.date(2024, 2, 1))
    >>> parse_date("31/02/2024") is None
    True
    """
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    if isinstance(value, (dt.datetime, dt.date, pd.Timestamp)):
        return pd.Timestamp(value).normalize()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _from_serial(float(value))
    text = str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"\d{4,6}(\.\d+)?", text):
        return _from_serial(float(text))
    for fmt in _DATE_FORMATS:
        try:
            return pd.Timestamp(dt.datetime.strptime(text, fmt)).normalize()
        except ValueError:
            continue
    return None


def _from_serial(x: float) -> pd.Timestamp | None:
    # Excel serials from 1 (1900-01-01) to 2958465 (9999-12-31); anything in a
    # plausible range for social care records (1900-2099) is accepted.
    if 1 <= x <= 73050:
        return (_EXCEL_EPOCH + pd.Timedelta(days=int(x))).normalize()
    return None


def _parse_number(value, integer: bool):
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        x = float(value)
    else:
        text = str(value).strip().replace(",", "").replace("£", "")  # finance: "£1,250"
        try:
            x = float(text)
        except ValueError:
            return None
    if pd.isna(x):
        return None
    if integer:
        return int(x) if x == int(x) else None
    return x


def _raw_text(value) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    text = str(value).replace("\xa0", " ").strip()
    return text or None


def parse_value(column: Column, value):
    """The typed value of a cell for ``column``, or None if blank or unparseable."""
    if _raw_text(value) is None:
        return None
    if column.type == "date":
        return parse_date(value)
    if column.type in ("int", "float"):
        return _parse_number(value, column.type == "int")
    if column.type == "code":
        return column.to_code(value)
    return _raw_text(value)


# ---- files -------------------------------------------------------------------


class _CellMemo:
    """A column's cells parsed once each: ``(raw text, typed value)`` by cell.

    A cell is keyed by its type and value, so ``1``, ``1.0`` and ``True``
    (equal in Python) are parsed apart; an unhashable cell is parsed every time.
    The typed value is :func:`parse_value`'s, or for a code column
    :meth:`Column.to_code` of the cell (as :func:`frame_from_rows` always took it).

    Examples
    --------
    >>> m = _CellMemo(Column("d", type="date"))
    >>> m.parse(" 03/02/2024 ")[1].date(), m.parse(None), m.raw(1.0), m.raw(True)
    (datetime.date(2024, 2, 3), (None, None), '1', 'True')
    """

    def __init__(self, column: Column | None):
        self.column = column
        self._parsed: dict = {}
        self._raw: dict = {}

    @staticmethod
    def _key(cell):
        return cell if type(cell) is str else (type(cell), cell)

    def raw(self, cell) -> str | None:
        """:func:`_raw_text` of the cell."""
        try:
            return self._raw[self._key(cell)]
        except KeyError:
            out = self._raw[self._key(cell)] = _raw_text(cell)
            return out
        except TypeError:  # unhashable
            return _raw_text(cell)

    def parse(self, cell) -> tuple:
        """``(raw text, typed value)`` of the cell for this memo's column."""
        try:
            key = self._key(cell)
            return self._parsed[key]
        except KeyError:
            pass
        except TypeError:  # unhashable
            return self._parse(cell)
        out = self._parsed[key] = self._parse(cell)
        return out

    def _parse(self, cell) -> tuple:
        raw = _raw_text(cell)
        if raw is None:
            return None, None
        if self.column.type == "string":  # parse_value's text is the raw text
            return raw, raw
        if self.column.type == "code":
            return raw, self.column.to_code(cell)
        return raw, parse_value(self.column, cell)


def find_header(rows: list[list], schema: TableSchema, *, search: int = 20):
    """The index of the header row and its column mapping ``{position: name}``.

    The header is the first of the first ``search`` rows that names at least
    half of the schema's required columns (at least one column).
    """
    required = [c for c in schema.columns if c.required] or list(schema.columns)
    need = max(1, (len(required) + 1) // 2)
    for i, row in enumerate(rows[:search]):
        mapping = map_headings(row, schema)
        hits = sum(1 for c in required if c.name in mapping.values())
        if hits >= need:
            return i, mapping
    return None, {}


def map_headings(headings: list, schema: TableSchema) -> dict[int, str]:
    """``{position: column name}`` for the headings that name a schema column.

    A heading matches a column by its canonical name, its usual heading or one
    of its heading patterns; each column is taken by its first matching heading.
    """
    out: dict[int, str] = {}
    taken: set[str] = set()
    texts = [_raw_text(h) for h in headings]
    # exact names and headings first, patterns second, so a loose pattern
    # cannot steal a heading that names another column exactly
    for exact in (True, False):
        for pos, h in enumerate(texts):
            if h is None or pos in out:
                continue
            for c in schema.columns:
                if c.name in taken:
                    continue
                hit = (
                    (_norm(h) in (_norm(c.name), _norm(c.header))) if exact else c.matches_header(h)
                )
                if hit:
                    out[pos] = c.name
                    taken.add(c.name)
                    break
    return out


def frame_from_rows(
    rows: list[list],
    schema: TableSchema,
    *,
    file: str | Path,
    source: str,
    first_row_number: int = 1,
    sheet: str | None = None,
) -> ReadTable:
    """Parse rows of cells (header somewhere near the top) into a :class:`ReadTable`.

    Raises
    ------
    PmfError
        If no header row naming the schema's columns is found.
    """
    where = f"sheet {sheet!r}" if sheet else None
    hdr, mapping = find_header(rows, schema)
    if hdr is None:
        expected = ", ".join(c.header for c in schema.columns if c.required)
        raise PmfError(
            f"no header row found (expected columns such as: {expected})", file=file, location=where
        )
    headings = rows[hdr]
    unknown = [
        str(_raw_text(h))
        for p, h in enumerate(headings)
        if p not in mapping and _raw_text(h) is not None
    ]
    missing = [c.name for c in schema.columns if c.required and c.name not in mapping.values()]
    absent = [c.name for c in schema.columns if c.name not in mapping.values()]
    # Column by column: each distinct cell of a column is parsed once (_CellMemo),
    # by the same functions as a cell alone (parse_value, Column.to_code).
    kept, numbers, blanks = [], [], 0
    blank = _CellMemo(None)
    for offset, row in enumerate(rows[hdr + 1 :], start=hdr + 1):
        if _blank_row(row, blank):
            blanks += 1
            continue
        kept.append(row)
        numbers.append(first_row_number + offset)
    # trailing blank rows are padding, not skipped records
    typed, raw = {}, {}
    for pos, name in mapping.items():
        memo = _CellMemo(schema.column(name))
        cells = [r[pos] if pos < len(r) else None for r in kept]
        if all(type(c) is str for c in cells):  # a CSV column: a table of its distinct texts
            parsed = {c: memo.parse(c) for c in set(cells)}
            raw_of = {c: p[0] for c, p in parsed.items()}
            typed_of = {c: p[1] for c, p in parsed.items()}
            raw[name] = list(map(raw_of.__getitem__, cells))
            typed[name] = list(map(typed_of.__getitem__, cells))
        else:
            pairs = [memo.parse(c) for c in cells]
            raw[name] = [p[0] for p in pairs]
            typed[name] = [p[1] for p in pairs]
    data = _conform(typed, len(kept), schema)
    raw = pd.DataFrame(
        {
            c: pd.array(raw[c] if c in raw else [None] * len(kept), dtype="string")
            for c in schema.column_names
        },
        index=pd.RangeIndex(len(kept)),
        columns=schema.column_names,
    )
    data["row"] = pd.array(numbers, dtype="Int64")
    data["source_file"] = pd.array([str(file)] * len(data), dtype="string")
    data.attrs["absent_columns"] = list(absent)
    return ReadTable(
        source=source,
        file=str(file),
        schema=schema,
        data=data,
        raw=raw,
        missing_columns=missing,
        unknown_columns=unknown,
        absent_columns=absent,
        blank_rows=blanks,
        sheet=sheet,
    )


def _blank_row(row: list, memo: _CellMemo) -> bool:
    """Whether every cell of a row is blank (:func:`_raw_text` None).

    Examples
    --------
    >>> m = _CellMemo(None)
    >>> _blank_row(["", " \xa0", None], m), _blank_row(["", 0.0], m), _blank_row([], m)
    (True, False, True)
    """
    try:  # a CSV row (text only): blank when its text is all white space
        return not "".join(row).strip()
    except TypeError:  # a cell that is not text (xlsx)
        return all(memo.raw(v) is None for v in row)


def _conform(typed: dict[str, list], n: int, schema: TableSchema) -> pd.DataFrame:
    """The canonical typed frame from each mapped column's parsed values (None: missing)."""
    out = {}
    for c in schema.columns:
        dtype = DTYPES[c.type]
        if c.name in typed:
            values = typed[c.name]
            if c.type == "date":
                col = pd.Series(values, index=pd.RangeIndex(n))
                out[c.name] = pd.to_datetime(col, errors="coerce").astype(dtype)
            else:
                out[c.name] = pd.array(values, dtype=dtype)
        else:
            out[c.name] = pd.array([pd.NA] * n, dtype=dtype)
    return pd.DataFrame(out, index=pd.RangeIndex(n))


def read_rows(path: str | Path, *, sheet: str | None = None) -> list[list]:
    """All rows of a CSV file or one sheet of an xlsx workbook, as lists of cells.

    Raises
    ------
    PmfError
        If the file is missing, empty, not CSV/xlsx, or cannot be decoded.
    """
    path = Path(path)
    if not path.is_file():
        raise PmfError("file not found", file=path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from pmf_lib.read.annex_a import open_workbook

        wb = open_workbook(path)
        ws = wb[sheet] if sheet else wb.worksheets[0]
        return [list(r) for r in ws.iter_rows(values_only=True)]
    if suffix in (".csv", ".txt"):
        text = read_text(path)
        try:
            return [row for row in csv.reader(io.StringIO(text, newline=""))]
        except csv.Error as e:
            raise PmfError(f"not valid CSV ({e})", file=path) from None
    raise PmfError(f"unsupported file type {suffix!r}: expected .csv or .xlsx", file=path)


class MissingColumnsError(PmfError):
    """A file lacks a required column (validation's rule S01; ``pmf run`` stops at it)."""


def missing_columns_error(t: ReadTable) -> MissingColumnsError:
    """The one-line error for a file lacking required columns (file, header, columns).

    Examples
    --------
    >>> import pandas as pd
    >>> s = load_schema("contacts")
    >>> t = ReadTable("local/contacts", "contacts.csv", s, pd.DataFrame(), pd.DataFrame(),
    ...               missing_columns=["contact_date"])
    >>> str(missing_columns_error(t))
    "contacts.csv, header, field contact_date: required column 'Contact date' is missing"
    """
    headers = ", ".join(repr(t.schema.column(c).header) for c in t.missing_columns)
    what = "column" if len(t.missing_columns) == 1 else "columns"
    verb = "is" if len(t.missing_columns) == 1 else "are"
    return MissingColumnsError(
        f"required {what} {headers} {verb} missing",
        file=t.file,
        location=f"sheet {t.sheet!r} header" if t.sheet else "header",
        field=",".join(t.missing_columns),
    )


def read_table(
    path: str | Path,
    schema: TableSchema | str,
    *,
    source: str | None = None,
    sheet: str | None = None,
    strict_columns: bool = True,
) -> ReadTable:
    """Read one CSV or xlsx file against a schema (or the name of a packaged one).

    A required column that is absent raises :class:`~pmf_lib.errors.PmfError`
    (:func:`missing_columns_error`) unless ``strict_columns`` is false, when it
    is only listed in ``missing_columns`` (its values read as missing).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "lado.csv"
    >>> _ = p.write_text("LADO referral ID,Date received,Outcome,Date closed\\n"
    ...                  "L1,03/02/2025,Substantiated,2025-03-01\\n\\n"
    ...                  "L2,31/02/2025,Made up,\\n")
    >>> t = read_table(p, "lado")
    >>> t.data["outcome"].tolist(), t.data["row"].tolist()
    (['substantiated', <NA>], [2, 4])
    >>> t.data["received_date"].dt.strftime("%Y-%m-%d").tolist()
    ['2025-02-03', nan]
    >>> t.raw.loc[1, "received_date"], t.blank_rows
    ('31/02/2025', 1)
    """
    if isinstance(schema, str):
        schema = load_schema(schema)
    rows = read_rows(path, sheet=sheet)
    t = frame_from_rows(rows, schema, file=path, source=source or schema.name, sheet=sheet)
    if strict_columns and t.missing_columns:
        raise missing_columns_error(t)
    return t


def read_local(dataset: str, paths, *, strict_columns: bool = True) -> list[ReadTable]:
    """Read every file of a local dataset (one of :data:`LOCAL_DATASETS`).

    Raises
    ------
    PmfError
        For an unknown dataset or the first file that cannot be read (a
        required column missing included, unless ``strict_columns`` is false).
    """
    if dataset not in LOCAL_DATASETS and dataset != "workforce_monthly":
        raise PmfError(
            f"unknown local dataset {dataset!r}; expected one of {', '.join(LOCAL_DATASETS)}"
        )
    if isinstance(paths, (str, Path)):
        paths = [paths]
    return [
        read_table(p, dataset, source=f"local/{dataset}", strict_columns=strict_columns)
        for p in paths
    ]


def concat_tables(tables: list[ReadTable]) -> pd.DataFrame:
    """The ``data`` of several reads of one schema stacked (empty frame if none).

    ``attrs["absent_columns"]`` lists the columns absent from any of the files
    and ``attrs["missing_columns"]`` the required ones among them (read with
    ``strict_columns=False``), so the KPIs can tell a column never supplied from
    blank values.
    """
    frames = [t.data for t in tables if len(t.data)]
    if not frames:
        out = tables[0].data.iloc[0:0].copy() if tables else pd.DataFrame()
    else:
        out = pd.concat(frames, ignore_index=True)
    out.attrs = {
        "absent_columns": sorted({c for t in tables for c in t.absent_columns}),
        "missing_columns": sorted({c for t in tables for c in t.missing_columns}),
    }
    return out


# ---- templates -----------------------------------------------------------------


def template_guide(schema: TableSchema) -> str:
    """A short markdown guide to filling in a dataset's template."""
    lines = [
        f"# {schema.title}",
        "",
        schema.description.strip(),
        "",
        f"File: `{schema.name}.csv` (CSV, UTF-8) or an .xlsx workbook with the same "
        "headings in its first sheet. One row per record; the header row names the "
        "columns (order does not matter). Dates as `YYYY-MM-DD` or `DD/MM/YYYY`.",
        "",
    ]
    if schema.keys:
        lines += [
            f"Each record is identified by: {', '.join(f'`{k}`' for k in schema.keys)} "
            "(must be unique).",
            "",
        ]
    lines += ["| column | heading | type | required | meaning |", "|---|---|---|---|---|"]
    for c in schema.columns:
        typ = c.type
        if c.codes:
            typ = "code: " + ", ".join(f"`{k.code}`" for k in c.codes)
        elif c.future:
            typ = "date (planned: may be after today)"
        req = "yes" if c.required else ""
        lines.append(f"| `{c.name}` | {c.header} | {typ} | {req} | {c.description} |")
    lines += [
        "",
        "A required column that is absent stops `pmf run` and `pmf validate` with an error "
        "naming the file and the column. Rows with a missing required value, an unknown "
        "code or a date that cannot be read are listed by `pmf validate` (they are never "
        "dropped silently).",
        "",
    ]
    return "\n".join(lines)


def write_templates(
    out_dir: str | Path, datasets=LOCAL_DATASETS + ("workforce_monthly",)
) -> list[Path]:
    """Write a blank CSV template and a markdown guide for each local dataset.

    Returns the paths written (``<name>.csv`` and ``<name>.md``), each written
    atomically.

    Examples
    --------
    >>> import tempfile
    >>> paths = write_templates(tempfile.mkdtemp(), ["qa_audits"])
    >>> [p.name for p in paths]
    ['qa_audits.csv', 'qa_audits.md']
    >>> paths[0].read_text().strip()
    'Audit ID,Child ID,Audit date,Team,Grade,Auditor'
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise PmfError("not a directory", file=out)
    written = []
    for name in datasets:
        schema = load_schema(name)
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([c.header for c in schema.columns])
        write_text_atomic(buf.getvalue(), out / f"{name}.csv")
        write_text_atomic(template_guide(schema), out / f"{name}.md")
        written += [out / f"{name}.csv", out / f"{name}.md"]
    return written
