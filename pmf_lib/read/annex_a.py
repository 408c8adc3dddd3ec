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
* dates may be Excel dates, Excel serial numbers or text; blank rows are skipped.

A value that cannot be read stays in the list's ``raw`` frame for validation to
report; nothing is dropped.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import openpyxl

from pmf_lib.errors import PmfError
from pmf_lib.read.local import SCHEMA_DIR, ReadTable, TableSchema, frame_from_rows, schema_from_dict
from pmf_lib.textio import load_yaml

ANNEX_A_LISTS = tuple(f"list_{n}" for n in range(1, 12))


@dataclass
class AnnexA:
    """One Annex A workbook: a :class:`ReadTable` per list found."""

    file: str
    lists: dict[str, ReadTable] = field(default_factory=dict)
    missing_lists: list[str] = field(default_factory=list)
    ignored_sheets: list[str] = field(default_factory=list)

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


def open_workbook(path: str | Path) -> openpyxl.Workbook:
    """Open an xlsx workbook for reading cached values, or raise a PmfError naming it."""
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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions
            return openpyxl.load_workbook(path, data_only=True, read_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as e:
        raise PmfError(
            f"not a readable .xlsx workbook ({type(e).__name__}: {e})", file=path
        ) from None


def _formula_cells(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Formulas whose cached value is missing, by sheet: ``{(row, col): '=H2+5'}``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path, data_only=False)
    out: dict[str, dict[tuple[int, int], str]] = {}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    cells[(c.row, c.column)] = c.value
        if cells:
            out[ws.title] = cells
    return out


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
    wb = open_workbook(path)
    schemas, _ = annex_a_spec()
    result = AnnexA(file=str(path))
    formulas: dict | None = None
    for ws in wb.worksheets:
        name = sheet_list(ws.title)
        if name is None or name in result.lists:
            result.ignored_sheets.append(ws.title)
            continue
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        # a formula saved without its value (never recalculated) is kept as its
        # text, so validation reports it instead of it reading as blank
        if formulas is None:
            formulas = _formula_cells(path)
        for (r, c), text in formulas.get(ws.title, {}).items():
            if r - 1 < len(rows) and c - 1 < len(rows[r - 1]) and rows[r - 1][c - 1] is None:
                rows[r - 1][c - 1] = text
        result.lists[name] = frame_from_rows(
            rows, schemas[name], file=path, source=f"annex_a/{name}", sheet=ws.title
        )
    if not result.lists:
        raise PmfError(
            "no Annex A list sheets found (expected sheets named 'List 1' to "
            f"'List 11'; found {', '.join(repr(s) for s in wb.sheetnames)})",
            file=path,
        )
    result.missing_lists = [n for n in ANNEX_A_LISTS if n not in result.lists]
    return result
