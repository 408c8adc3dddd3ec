"""Read SSDA903 (children looked after) returns: CSV tables or the XML export.

CSV: one file per 903 table. The table is told by the file name (``header.csv``,
``episodes.csv``, ``Episodes_2025.csv``, ``sw_episodes.csv``, ``DoLo.csv``,
``placed_for_adoption.csv``...), otherwise by the columns in its header row.

XML: the ``<EXPSSDA903><CHILD><HEADER>...</HEADER><EPISODE>...</EPISODE></CHILD>``
export. ``CHILDID`` becomes ``CHILD`` and the episode's ``PL`` becomes ``PLACE``;
the header's repeating groups (``AREVIEW``, ``AMISSING``, ``AD_PLACED``,
``PERMANENCE``, ``OC2``) and its adoption, UASC and care-leaver fields fill the
reviews, missing, placed_for_adoption, previous_permanence, oc2, ad1, uasc and
oc3 tables.

Collection year: from the file name or its folder's name (``ssda903/2025/
episodes.csv``, ``Episodes_2025.csv``, ``2024-25/``); otherwise the collection
year holding the latest episode date (``DECOM``/``DEC``, not after today) among
the files of the same folder that carry no year; with no episodes, the latest
event date of any table (not a birth date, nor the UASC ``DUC``, nor after today).
A year-to-date folder or file name (the year still running) has no known
reference date (NaT); a finished year's reference date is its 31 March.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from lxml import etree

from pmf_lib.errors import PmfError
from pmf_lib.read._parse import (
    FileResult,
    clean,
    collection_year_of,
    localname,
    merge_history,
    parse_date,
    parse_date_column,
    read_csv,
    returns_frame,
    to_datetime,
    xml_error,
    xml_root_name,
    year_from_path,
)
from pmf_lib.read.tables import DATE, S903_COLUMNS, S903_KEYS, Ssda903

# File-name stems (lower case, separators and years removed) that name each table.
_NAMES = {
    "header": "header",
    "headers": "header",
    "episodes": "episodes",
    "episode": "episodes",
    "reviews": "reviews",
    "review": "reviews",
    "uasc": "uasc",
    "oc2": "oc2",
    "oc3": "oc3",
    "missing": "missing",
    "ad1": "ad1",
    "placedforadoption": "placed_for_adoption",
    "placed": "placed_for_adoption",
    "previouspermanence": "previous_permanence",
    "prevperm": "previous_permanence",
    "permanence": "previous_permanence",
    "swepisodes": "sw_episodes",
    "socialworkerepisodes": "sw_episodes",
    "dolo": "dolo",
    "deprivationofliberty": "dolo",
}
_NOISE = {"ssda903", "903", "ssda", "cla", "lac"}
# Dates that are not events of the year (or lie in the future by design).
_NOT_EVENTS = {"DOB", "MC_DOB", "DUC"}
_REQUIRED = {name: keys for name, keys in S903_KEYS.items()}


def read_ssda903(paths: Iterable[Path]) -> Ssda903:
    """Read SSDA903 files (CSV tables and/or XML exports) into one history.

    Parameters
    ----------
    paths : iterable of Path
        The files, in any mix of years. Several years are merged: a record
        (natural keys in ``S903_KEYS``) present in more than one file is taken
        from the file with the later collection year.

    Returns
    -------
    Ssda903
        The canonical tables and ``returns`` (one row per file).

    Raises
    ------
    PmfError
        For the first file that cannot be read whole, naming the file, the row
        or element and the field. Nothing is returned from a partial read.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp()) / "2025"
    >>> d.mkdir()
    >>> _ = (d / "episodes.csv").write_text(
    ...     "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC\\n"
    ...     "C1,01/05/2024,S,C2,N1,U1,PR1,,\\n")
    >>> cla = read_ssda903([d / "episodes.csv"])
    >>> cla.episodes[["CHILD", "DECOM", "PLACE", "collection_year"]].values.tolist()
    [['C1', Timestamp('2024-05-01 00:00:00'), 'U1', 2025]]
    >>> str(cla.returns["reference_date"].iloc[0].date())
    '2025-03-31'
    """
    paths = [Path(p) for p in paths]
    results: list[FileResult] = []
    for path in paths:
        suffix = path.suffix.lower()
        if suffix == ".csv":
            results.append(_read_csv_file(path))
        elif suffix == ".xml":
            results.append(_read_xml_file(path))
        else:
            raise PmfError(
                "not an SSDA903 file: expected a .csv table or an .xml export", file=path
            )
    _assign_years(results)
    out = Ssda903()
    out.tables = merge_history(results, S903_COLUMNS, S903_KEYS)
    out.returns = returns_frame(results)
    return out


# ---- collection years -------------------------------------------------------
def _latest_event(result: FileResult, tables: Iterable[str]) -> pd.Timestamp | None:
    today = pd.Timestamp.today().normalize()
    latest = None
    for name, df in result.tables.items():
        if name not in tables:
            continue
        for col, dtype in S903_COLUMNS[name].items():
            if dtype != DATE or col in _NOT_EVENTS or col not in df:
                continue
            s = df[col]
            s = s[s <= today]
            if len(s) and s.notna().any():
                m = s.max()
                latest = m if latest is None else max(latest, m)
    return latest


def _assign_years(results: list[FileResult]) -> None:
    """Set each file's collection year, reference date and provenance columns."""
    today = pd.Timestamp.today().normalize()
    groups: dict[Path, list[FileResult]] = {}
    for r in results:
        year = year_from_path(r.path)
        if year is not None:
            r.collection_year = year
            march = pd.Timestamp(year=year, month=3, day=31)
            # 31 March for a year that has ended; a year still running is a
            # year-to-date extract whose extract date the file does not say.
            r.reference_date = march if march <= today else None
        else:
            key = r.path.parent if r.path.suffix.lower() == ".csv" else r.path
            groups.setdefault(key, []).append(r)
    for members in groups.values():
        # Episodes define the return's year; other tables only when there are none.
        dates = [d for d in (_latest_event(r, ["episodes"]) for r in members) if d is not None]
        if not dates:
            dates = [d for d in (_latest_event(r, S903_COLUMNS) for r in members) if d is not None]
        if not dates:
            raise PmfError(
                "cannot tell which collection year this file belongs to (no year in its "
                "name or folder, and no event dates to infer it from): put it in a folder "
                "named by year, e.g. ssda903/2025/",
                file=members[0].path,
            )
        year = collection_year_of(max(dates))
        for r in members:
            r.collection_year = year
            r.reference_date = None
    for r in results:
        for df in r.tables.values():
            df["collection_year"] = r.collection_year
            df["source_file"] = str(r.path)


# ---- CSV --------------------------------------------------------------------
def table_for_file_name(path: Path) -> str | None:
    """The 903 table a file's name stands for, or None.

    Examples
    --------
    >>> table_for_file_name(Path("Episodes_2025.csv")), table_for_file_name(Path("DoLo.csv"))
    ('episodes', 'dolo')
    >>> table_for_file_name(Path("903_placed-for-adoption_2024-25.csv"))
    'placed_for_adoption'
    >>> table_for_file_name(Path("placed_for_adoption_errors.csv")) is None
    True
    """
    tokens = [t for t in re.split(r"[^0-9a-z]+", path.stem.lower()) if t]
    tokens = [t for t in tokens if not t.isdigit() and t not in _NOISE]
    return _NAMES.get("".join(tokens))


def table_for_columns(columns: Iterable[str]) -> str | None:
    """The 903 table whose columns best match a header row, or None if unclear.

    Examples
    --------
    >>> table_for_columns(["CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED"])
    'placed_for_adoption'
    >>> table_for_columns(["CHILD", "NAME"]) is None
    True
    """
    cols = set(columns)
    scores = []
    for name, spec in S903_COLUMNS.items():
        fields = {c for c in spec if c not in ("collection_year", "source_file")}
        if not set(S903_KEYS[name]) <= cols:
            continue
        scores.append((len(cols & fields) / len(cols | fields), name))
    scores.sort(reverse=True)
    if not scores or scores[0][0] < 0.5 or (len(scores) > 1 and scores[1][0] == scores[0][0]):
        return None
    return scores[0][1]


def _read_csv_file(path: Path) -> FileResult:
    data = read_csv(path, upper=True)
    name = table_for_file_name(path) or table_for_columns(data.columns)
    if name is None:
        raise PmfError(
            "cannot tell which SSDA903 table this is: name the file after the table "
            "(header.csv, episodes.csv, reviews.csv, ...) or give it that table's columns "
            f"(found {', '.join(data.columns) or 'none'})",
            file=path,
        )
    spec = S903_COLUMNS[name]
    for col in _REQUIRED[name]:
        if col not in data.columns:
            raise PmfError(
                f"required column missing from the {name} table "
                f"(columns found: {', '.join(data.columns)})",
                file=path,
                location=f"row {data.header_line}",
                field=col,
            )
    lines = data.lines
    frame: dict[str, object] = {}
    for col, values in data.columns.items():
        if col in ("COLLECTION_YEAR", "SOURCE_FILE"):
            continue
        if spec.get(col) == DATE:
            frame[col] = parse_date_column(
                values, file=path, field=col, locate=lambda i: f"row {lines[i]}"
            )
        else:
            frame[col] = pd.Series(values, dtype="string")
    df = pd.DataFrame(frame, index=pd.RangeIndex(len(lines)))
    return FileResult(path, {name: df}, None, None, None, len(df))


# ---- XML --------------------------------------------------------------------
# Header fields that fill the single-row-per-child tables, when any is present.
_HEADER_TABLE = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
_GROUPED = {
    "uasc": ("DUC",),
    "ad1": ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"),
    "oc3": ("IN_TOUCH", "ACTIV", "ACCOM"),
}
# Repeating/child groups of <HEADER>: element -> table.
_SUBGROUPS = {
    "AREVIEW": "reviews",
    "AMISSING": "missing",
    "AD_PLACED": "placed_for_adoption",
    "PERMANENCE": "previous_permanence",
    "OC2": "oc2",
}
_RENAME = {"CHILDID": "CHILD", "PL": "PLACE"}
_DATE_FIELDS = {c for spec in S903_COLUMNS.values() for c, t in spec.items() if t == DATE}


class _XmlRows:
    """Rows being collected from a 903 XML file, with dates checked as they come."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: dict[str, list[dict[str, str | None]]] = {n: [] for n in S903_COLUMNS}

    def fields(self, el, where: str) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for sub in el.iterchildren(etree.Element):
            tag = localname(sub.tag)
            if len(sub):
                continue  # a group: handled by the caller
            tag = _RENAME.get(tag, tag)
            out[tag] = self.value(sub, tag, where)
        return out

    def value(self, el, tag: str, where: str) -> str | None:
        text = clean(el.text)
        if text is not None and tag in _DATE_FIELDS:
            try:
                return parse_date(text)
            except ValueError as e:
                raise PmfError(
                    str(e), file=self.path, location=f"{where}, line {el.sourceline}", field=tag
                ) from None
        return text


def _read_xml_file(path: Path) -> FileResult:
    root = xml_root_name(path)
    if root != "EXPSSDA903":
        raise PmfError(
            f"not an SSDA903 XML export: the root element is <{root}>, expected <EXPSSDA903>",
            file=path,
            location="line 1",
        )
    acc = _XmlRows(path)
    n = 0
    try:
        for _, child in etree.iterparse(
            str(path),
            events=("end",),
            tag="{*}CHILD",
            resolve_entities=False,
            no_network=True,
            huge_tree=True,
        ):
            n += 1
            _read_child(acc, child, f"CHILD[{n}]")
            child.clear()
            while child.getprevious() is not None:
                del child.getparent()[0]
    except (etree.LxmlError, OSError) as e:
        raise xml_error(path, e) from None
    if n == 0:
        raise PmfError("no <CHILD> elements in the export", file=path, field="CHILD")
    tables = {}
    for name, rows in acc.rows.items():
        if rows:
            tables[name] = _frame(rows, S903_COLUMNS[name])
    return FileResult(path, tables, None, None, None, n)


def _read_child(acc: _XmlRows, child, where: str) -> None:
    header = None
    episodes = []
    for el in child.iterchildren(etree.Element):
        tag = localname(el.tag)
        if tag == "HEADER":
            header = el
        elif tag == "EPISODE":
            episodes.append(el)
    if header is None:
        raise PmfError(
            "required element missing",
            file=acc.path,
            location=f"{where}, line {child.sourceline}",
            field="HEADER",
        )
    hwhere = f"{where}/HEADER"
    fields = acc.fields(header, hwhere)
    child_id = fields.get("CHILD")
    if child_id is None:
        raise PmfError(
            "required element missing or empty",
            file=acc.path,
            location=f"{hwhere}, line {header.sourceline}",
            field="CHILDID",
        )
    acc.rows["header"].append({k: fields.get(k) for k in _HEADER_TABLE})
    base = {"CHILD": child_id, "DOB": fields.get("DOB")}
    for table, tags in _GROUPED.items():
        if any(fields.get(t) is not None for t in tags):
            row = dict(base, **{t: fields.get(t) for t in tags})
            if table == "uasc":
                row["SEX"] = fields.get("SEX")
            acc.rows[table].append(row)
    counts: dict[str, int] = {}
    for el in header.iterchildren(etree.Element):
        tag = localname(el.tag)
        table = _SUBGROUPS.get(tag)
        if table is None or not len(el):
            continue
        counts[tag] = counts.get(tag, 0) + 1
        sub = acc.fields(el, f"{hwhere}/{tag}[{counts[tag]}]")
        acc.rows[table].append(dict(base, **sub))
    for i, ep in enumerate(episodes, 1):
        ewhere = f"{where}/EPISODE[{i}]"
        row = acc.fields(ep, ewhere)
        if row.get("DECOM") is None:
            raise PmfError(
                "required element missing or empty",
                file=acc.path,
                location=f"{ewhere}, line {ep.sourceline}",
                field="DECOM",
            )
        row["CHILD"] = child_id
        acc.rows["episodes"].append(row)


def _frame(rows: list[dict[str, str | None]], spec: dict[str, str]) -> pd.DataFrame:
    df = pd.DataFrame.from_records(rows)
    for col in df.columns:
        if spec.get(col) == DATE:
            df[col] = to_datetime(df[col].tolist())
        else:
            df[col] = df[col].astype("string")
    return df
