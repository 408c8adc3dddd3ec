"""Ofsted Annex A (ILACS) workbooks: lists 1 to 11 into canonical tables.

The spec (``schemas/annex_a.yml``) is pmf's own, derived from liia-tools' Annex A
specification (Social Finance Digital Labs, MIT licence). Councils' workbooks
vary, and the reader copes with what they actually send:

* sheets are found by name (``List 1``, ``list1``, ``List 01 - Contacts``);
  other sheets (cover notes, lookups) are ignored and reported in ``ignored_sheets``;
* the header row may sit below title rows, headings may be reworded
  (``Age`` for ``Age of Child (Years)``) and columns may come in any order;
* coded values are normalised to canonical codes: ``a) Male`` and ``Male`` give
  ``M``, ``q) 6: Police`` gives ``6``, ``f) U6: Foster placement - not FFA``
  gives ``U6``;
* dates may be Excel dates, Excel serial numbers or text; blank rows are skipped;
* the date the lists were extracted is read from a cover sheet's row labelled
  ``Extract date`` (or ``Date of extract``, ``As at``, ``Reference date``)
  followed by a date; without one it is the latest date in the lists
  (:attr:`AnnexA.extract_date`, also in each list frame's
  ``attrs["annex_a_extract_date"]``).

Workbooks are read in openpyxl's read-only mode; a second pass for formulas
saved without their values is made only when the workbook holds formulas.

A value that cannot be read stays in the list's ``raw`` frame for validation to
report; nothing is dropped.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import openpyxl
import pandas as pd

from pmf_lib.errors import PmfError
from pmf_lib.read.local import SCHEMA_DIR, ReadTable, TableSchema, frame_from_rows, schema_from_dict
from pmf_lib.textio import load_yaml, read_bytes

ANNEX_A_LISTS = tuple(f"list_{n}" for n in range(1, 12))


@dataclass
class AnnexA:
    """One Annex A workbook: a :class:`ReadTable` per list found."""

    file: str
    lists: dict[str, ReadTable] = field(default_factory=dict)
    missing_lists: list[str] = field(default_factory=list)
    ignored_sheets: list[str] = field(default_factory=list)
    extract_date: pd.Timestamp | None = None

    def __getitem__(self, name: str):
        return self.lists[name].data


@lru_cache(maxsize=1)
def annex_a_spec() -> tuple[dict[str, TableSchema], dict[str, list[re.Pattern]]]:
    """The schema of each list and the sheet-name patterns that find it."""
    path = SCHEMA_DIR / "annex_a.yml"
    spec = load_yaml(path)
    code_lists = spec["code_lists"]
    schemas, sheets = {}, {}
    for name, lst in spec["lists"].items():
        cols = {}
        for cname, c in lst["columns"].items():
            c = dict(c)
            if isinstance(c.get("codes"), str):
                c["codes"] = code_lists[c["codes"]]
            cols[cname] = c
        schemas[name] = schema_from_dict(
            {
                "name": name,
                "title": lst["title"],
                "columns": cols,
                "keys": lst.get("keys", []),
                "child_id": lst.get("child_id"),
                "attribution": spec.get("attribution", ""),
            },
            where=str(path),
        )
        sheets[name] = [re.compile(p, re.IGNORECASE) for p in lst["sheet_patterns"]]
    return schemas, sheets


def workbook_bytes(path: str | Path) -> bytes:
    """An xlsx workbook's bytes, read once (:func:`pmf_lib.textio.read_bytes`, hashed
    when the month's read records), or a PmfError naming it."""
    path = Path(path)
    if not path.is_file():
        raise PmfError("file not found", file=path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise PmfError(
            f"not an .xlsx workbook (a {path.suffix or 'suffix-less'} file): save it from "
            "Excel as .xlsx",
            file=path,
        )
    try:
        return read_bytes(path)
    except OSError as e:
        raise PmfError(f"cannot open the file ({e.strerror})", file=path) from None


def open_workbook(
    path: str | Path, *, read_only: bool = False, data: bytes | None = None
) -> openpyxl.Workbook:
    """Open an xlsx workbook for reading cached values, or raise a PmfError naming it.

    ``read_only`` opens it in openpyxl's streaming mode (much faster for long
    lists; the caller closes it). ``data``: its bytes already read
    (:func:`workbook_bytes`); default: read them now.
    """
    path = Path(path)
    data = workbook_bytes(path) if data is None else data
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions
            return openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=read_only)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as e:
        raise PmfError(
            f"not a readable .xlsx workbook ({type(e).__name__}: {e})", file=path
        ) from None


_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet of the workbook holds a formula (an ``<f>`` element)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    if _FORMULA.search(z.read(name)):
                        return True
    except (zipfile.BadZipFile, OSError):
        return True
    return False


def _formula_cells(data: bytes) -> dict[str, dict[tuple[int, int], str]]:
    """Formulas whose cached value is missing, by sheet: ``{(row, col): '=H2+5'}``."""
    if not _has_formulas(data):
        return {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=False, read_only=True)
    out: dict[str, dict[tuple[int, int], str]] = {}
    try:
        for ws in wb.worksheets:
            cells = {}
            for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
                for c, v in enumerate(row, start=1):
                    if isinstance(v, str) and v.startswith("="):
                        cells[(r, c)] = v
            if cells:
                out[ws.title] = cells
    finally:
        wb.close()
    return out


_EXTRACT_LABEL = re.compile(
    r"^\s*(extract(ion)?\s+date|date\s+of\s+(the\s+)?(extract|return)|as\s+at|reference\s+date)",
    re.IGNORECASE,
)


def extract_date_in(rows: list[list]) -> pd.Timestamp | None:
    """The date in a cover sheet's ``Extract date`` row (the first date after the label).

    Examples
    --------
    >>> import datetime
    >>> extract_date_in([["Annex A"], ["Extract date", datetime.date(2026, 10, 31)]])
    Timestamp('2026-10-31 00:00:00')
    >>> extract_date_in([["As at:", "31/10/2026"]]), extract_date_in([["Notes"]])
    (Timestamp('2026-10-31 00:00:00'), None)
    """
    for row in rows:
        for i, v in enumerate(row):
            if isinstance(v, str) and _EXTRACT_LABEL.match(v):
                for w in row[i + 1 :]:
                    if w is None or w == "":
                        continue
                    d = pd.to_datetime(w, dayfirst=True, errors="coerce")
                    if isinstance(w, (int, float)) and not isinstance(w, bool):
                        d = pd.Timestamp("1899-12-30") + pd.Timedelta(days=float(w))
                    if pd.notna(d):
                        return pd.Timestamp(d).normalize()
    return None


def _latest_date(lists: dict[str, ReadTable]) -> pd.Timestamp | None:
    """The latest date in any list's date columns other than birth dates."""
    latest = None
    for t in lists.values():
        for c in t.schema.columns:
            if c.type == "date" and c.name != "dob" and c.name in t.data:
                m = t.data[c.name].max()
                if pd.notna(m) and (latest is None or m > latest):
                    latest = pd.Timestamp(m)
    return latest


def sheet_list(title: str) -> str | None:
    """The Annex A list a sheet name refers to, if any.

    Examples
    --------
    >>> [sheet_list(s) for s in ("List 1", "list10 - Adoption", "List 12", "Notes")]
    ['list_1', 'list_10', None, None]
    """
    _, sheets = annex_a_spec()
    for name, patterns in sheets.items():
        if any(p.search(title) for p in patterns):
            return name
    return None


def read_annex_a(path: str | Path) -> AnnexA:
    """Read an Annex A workbook.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` workbook.

    Returns
    -------
    AnnexA
        ``lists['list_1']`` ... for each list found: ``data`` with the canonical
        columns of ``schemas/annex_a.yml`` plus ``row`` and ``source_file``,
        ``raw`` with the values as sent.

    Raises
    ------
    PmfError
        If the file is not a readable workbook, no sheet is an Annex A list,
        or a list's sheet has no recognisable header row.
    """
    path = Path(path)
    data = workbook_bytes(path)  # opened once: the values, then any formulas, from its bytes
    wb = open_workbook(path, read_only=True, data=data)
    try:
        sheets = [(ws.title, [list(r) for r in ws.iter_rows(values_only=True)]) for ws in wb]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as e:
        raise PmfError(
            f"not a readable .xlsx workbook ({type(e).__name__}: {e})", file=path
        ) from None
    finally:
        wb.close()
    schemas, _ = annex_a_spec()
    result = AnnexA(file=str(path))
    formulas: dict | None = None
    cover = None
    for title, rows in sheets:
        name = sheet_list(title)
        if name is None or name in result.lists:
            result.ignored_sheets.append(title)
            if cover is None and name is None:
                cover = extract_date_in(rows[:50])
            continue
        # a formula saved without its value (never recalculated) is kept as its
        # text, so validation reports it instead of it reading as blank
        if formulas is None:
            formulas = _formula_cells(data)
        for (r, c), text in formulas.get(title, {}).items():
            if r - 1 < len(rows) and c - 1 < len(rows[r - 1]) and rows[r - 1][c - 1] is None:
                rows[r - 1][c - 1] = text
        result.lists[name] = frame_from_rows(
            rows, schemas[name], file=path, source=f"annex_a/{name}", sheet=title
        )
    if not result.lists:
        raise PmfError(
            "no Annex A list sheets found (expected sheets named 'List 1' to "
            f"'List 11'; found {', '.join(repr(s) for s in wb.sheetnames)})",
            file=path,
        )
    result.missing_lists = [n for n in ANNEX_A_LISTS if n not in result.lists]
    result.extract_date = cover if cover is not None else _latest_date(result.lists)
    for t in result.lists.values():
        t.data.attrs["annex_a_extract_date"] = result.extract_date
    return result
