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
A lone year names the year the collection *ends* (``2025`` is 2024-25).

A year taken from a name is checked against the file's contents, and a file
whose contents belong to another year is refused with one line naming the file,
the row and the field, never silently moved a year:

* episodes: no ``DECOM`` or ``DEC`` after the year's 31 March (DfE rules 354, 385)
  and at least one episode open on or after its 1 April. A file named for the year
  its collection *starts*, as some councils and tools do (``2017-episodes.csv`` for
  2017-18), has episodes starting after the 31 March its name gives; the message
  says so and gives the name to use. Dates after today are left to validation;
* OC3: every young person aged 17 to 22 at the year's 31 March (the year holds
  their 17th-21st birthday; DfE rule 391);
* OC2: every child aged 1 to 17 at the year's 31 March (looked after for the 12
  months to that date, so born before the year began, and not yet 18).

Reference date: SSDA903 files carry none, and a folder name is not one. A return
(the files of one folder and year, or one XML export) runs to 31 March of its
collection year when that year has ended and the return's events (any date but a
birth date or ``DUC``, not after today) reach its final month, March; otherwise
it runs to its latest event date, the earliest day the extract can have been
taken. With no event dates at all it is unknown (NaT). :func:`data_extent` gives
the dates the whole history covers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from lxml import etree

from pmf_lib.age import age_on
from pmf_lib.errors import PmfError
from pmf_lib.read._parse import (
    FileResult,
    clean,
    collection_year_of,
    localname,
    merge_history,
    open_xml,
    parse_date,
    parse_date_column,
    read_csv,
    returns_frame,
    to_datetime,
    xml_error,
    xml_root_name,
    year_from_path,
    year_in_name,
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
# Columns a file of each table must have: its natural keys, less the provenance
# columns the reader adds (``collection_year`` keys the per-year cohort tables).
_PROVENANCE = ("collection_year", "source_file")
_REQUIRED = {n: [k for k in keys if k not in _PROVENANCE] for n, keys in S903_KEYS.items()}
# Ages at the collection year's 31 March that each annual table's people can have.
_AGES = {
    "oc3": (17, 22, "the return holds care leavers whose 17th to 21st birthday falls in the year"),
    "oc2": (1, 17, "the return holds children looked after for the 12 months to 31 March"),
}


@dataclass
class _Read(FileResult):
    """A file's tables, with each row's place in the file (``row 7``, ``CHILD[2]/...``)."""

    where: dict[str, list[str]] = field(default_factory=dict)


def read_ssda903(paths: Iterable[Path]) -> Ssda903:
    """Read SSDA903 files (CSV tables and/or XML exports) into one history.

    Parameters
    ----------
    paths : iterable of Path
        The files, in any mix of years. Several years are merged: a record
        (natural keys in ``S903_KEYS``) present in more than one file is taken
        from the file with the later collection year. The per-year cohort tables
        (OC2, OC3, previous permanence) are keyed on the child and the collection
        year, so every year keeps its own cohort.

    Returns
    -------
    Ssda903
        The canonical tables and ``returns`` (one row per file).

    Raises
    ------
    PmfError
        For the first file that cannot be read whole, or whose contents belong to
        another collection year than its name gives, naming the file, the row or
        element and the field. Nothing is returned from a partial read.

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

    The return's events end on 1 May 2024, so it runs to that date (not to the
    31 March its folder name gives):

    >>> str(cla.returns["reference_date"].iloc[0].date())
    '2024-05-01'
    """
    paths = [Path(p) for p in paths]
    results: list[_Read] = []
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
def _latest_event(
    result: FileResult, tables: Iterable[str], until: pd.Timestamp | None = None
) -> pd.Timestamp | None:
    """The latest event date of the file's tables, not after today (nor ``until``)."""
    today = pd.Timestamp.today().normalize()
    if until is not None:
        today = min(today, until)
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


def _assign_years(results: list[_Read]) -> None:
    """Set each file's collection year, reference date and provenance columns."""
    groups: dict[tuple[Path, int], list[_Read]] = {}
    unnamed: dict[Path, list[_Read]] = {}
    for r in results:
        key = r.path.parent if r.path.suffix.lower() == ".csv" else r.path
        year = year_from_path(r.path)
        if year is not None:
            _check_year(r, year)
            r.collection_year = year
            groups.setdefault((key, year), []).append(r)
        else:
            unnamed.setdefault(key, []).append(r)
    for key, members in unnamed.items():
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
        groups.setdefault((key, year), []).extend(members)
    for (_, year), members in groups.items():
        ref = _reference_date(members, year)
        for r in members:
            r.reference_date = ref
    for r in results:
        for df in r.tables.values():
            df["collection_year"] = r.collection_year
            df["source_file"] = str(r.path)


def _reference_date(members: list[_Read], year: int) -> pd.Timestamp | None:
    """The date a return (the files of one folder and year) runs to, from its contents.

    Examples
    --------
    >>> ep = pd.DataFrame({"DECOM": pd.to_datetime(["2024-05-01", "2025-03-12"])})
    >>> r = _Read(Path("2025/episodes.csv"), {"episodes": ep}, None, None, None, 2)
    >>> str(_reference_date([r], 2025).date())  # events reach March: the whole year
    '2025-03-31'
    >>> r.tables["episodes"] = ep.iloc[:1]
    >>> str(_reference_date([r], 2025).date())  # a year-to-date extract
    '2024-05-01'
    >>> _reference_date([_Read(Path("2025/oc2.csv"), {}, None, None, None, 0)], 2025) is None
    True
    """
    today = pd.Timestamp.today().normalize()
    end = pd.Timestamp(year=year, month=3, day=31)
    latest = [_latest_event(r, S903_COLUMNS, until=end) for r in members]
    latest = [d for d in latest if d is not None]
    if not latest:
        return None
    last = max(latest)
    if end <= today and last >= pd.Timestamp(year=year, month=3, day=1):
        return end
    return last


def data_extent(cla: Ssda903) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The dates the SSDA903 history covers: ``(first, last)``, ``NaT`` when unknown.

    ``first`` is 1 April of the earliest collection year read; ``last`` is the
    latest reference date of the returns (see the module docstring), the day up
    to which the data is known to be complete. Neither comes from a folder name.

    Examples
    --------
    >>> cla = Ssda903()
    >>> cla.returns = pd.DataFrame({
    ...     "collection_year": pd.array([2024, 2025], dtype="Int64"),
    ...     "reference_date": pd.to_datetime(["2024-03-31", "2024-12-20"])})
    >>> [str(d.date()) for d in data_extent(cla)]
    ['2023-04-01', '2024-12-20']
    >>> data_extent(Ssda903())
    (NaT, NaT)
    """
    years = pd.to_numeric(cla.returns["collection_year"], errors="coerce").dropna()
    first = pd.Timestamp(year=int(years.min()) - 1, month=4, day=1) if len(years) else pd.NaT
    last = pd.to_datetime(cla.returns["reference_date"]).max()
    return first, (pd.NaT if pd.isna(last) else pd.Timestamp(last))


def _span(year: int) -> str:
    return f"{year - 1}-{year % 100:02d}"


def _named(path: Path) -> str:
    """The part of the path (file or folder name) the collection year was read from."""
    return next(p for p in (path.name, path.parent.name) if year_in_name(p) is not None)


def _check_year(r: _Read, year: int) -> None:
    """Refuse a file whose contents belong to another collection year than its name gives.

    Examples
    --------
    >>> ep = pd.DataFrame({"DECOM": pd.to_datetime(["2017-06-01", "2018-02-14"]),
    ...                    "DEC": pd.to_datetime([None, None])})
    >>> r = _Read(Path("2017-episodes.csv"), {"episodes": ep}, None, None, None, 2,
    ...           where={"episodes": ["row 2", "row 3"]})
    >>> _check_year(r, 2018)  # 2017-18: fine
    >>> try:
    ...     _check_year(r, 2017)
    ... except PmfError as e:
    ...     print(e.location, e.field, "|", e.message.split("; ")[1].split(":")[0])
    row 2 DECOM | this looks like the 2017-18 return named for the year its collection starts
    """
    start = pd.Timestamp(year=year - 1, month=4, day=1)
    end = pd.Timestamp(year=year, month=3, day=31)
    named = _named(r.path)
    where = r.where
    ep = r.tables.get("episodes")
    if ep is not None and len(ep):
        today = pd.Timestamp.today().normalize()
        cols = [c for c in ("DECOM", "DEC") if c in ep]
        for col in cols:
            late = ((ep[col] > end) & (ep[col] <= today)).fillna(False).to_numpy()
            if not late.any():
                continue
            i = int(late.argmax())
            dates = pd.concat([ep[c] for c in cols])
            dates = dates[dates <= today]
            fits_next = bool((dates <= pd.Timestamp(year=year + 1, month=3, day=31)).all())
            starts = ep["DECOM"][ep["DECOM"] <= today] if "DECOM" in ep else dates.iloc[0:0]
            # a whole year's shift: many episodes (a quarter or more) start after the end
            shifted = fits_next and len(starts) and (starts > end).mean() >= 0.25
            rename = f"name it {year + 1} or {_span(year + 1)}"
            if shifted:
                hint = (
                    f"this looks like the {_span(year + 1)} return named for the year its "
                    f"collection starts: {rename}"
                )
            elif fits_next:
                hint = (
                    f"if this is the {_span(year + 1)} return, named for the year its collection "
                    f"starts, {rename}; otherwise correct the date"
                )
            else:
                hint = (
                    f"a {_span(year)} return holds no episode starting or ceasing after "
                    f"31/03/{year}: correct the date or put the file under its own year"
                )
            raise PmfError(
                f"{ep[col].iloc[i]:%d/%m/%Y} is after 31/03/{year}, the end of collection "
                f"year {_span(year)} that the name {named!r} gives; {hint}",
                file=r.path,
                location=_where(where, "episodes", i),
                field=col,
            )
        if "DEC" in ep and ep["DEC"].notna().all() and (ep["DEC"] < start).all():
            i = int(ep["DEC"].to_numpy().argmax())
            raise PmfError(
                f"every episode ceased before 01/04/{year - 1} (the latest on "
                f"{ep['DEC'].iloc[i]:%d/%m/%Y}), so none falls in collection year "
                f"{_span(year)} that the name {named!r} gives: put the file under the "
                "year it was collected for",
                file=r.path,
                location=_where(where, "episodes", i),
                field="DEC",
            )
    for table, (low, high, why) in _AGES.items():
        df = r.tables.get(table)
        if df is None or not len(df) or "DOB" not in df:
            continue
        age = age_on(df["DOB"], end)
        bad = ((age < low) | (age > high)).fillna(False).to_numpy()
        if not bad.any():
            continue
        i = int(bad.argmax())
        nxt = age_on(df["DOB"], pd.Timestamp(year=year + 1, month=3, day=31))
        fits_next = bool(nxt.dropna().between(low, high).all())
        hint = (
            f"; this looks like the {_span(year + 1)} return named for the year its collection "
            f"starts: name it {year + 1} or {_span(year + 1)}"
            if fits_next and (age < low).any()
            else ""
        )
        raise PmfError(
            f"{table.upper()} birth date {df['DOB'].iloc[i]:%d/%m/%Y} gives age "
            f"{int(age.iloc[i])} at 31/03/{year}, outside {low}-{high} ({why}), in collection "
            f"year {_span(year)} that the name {named!r} gives{hint}",
            file=r.path,
            location=_where(where, table, i),
            field="DOB",
        )


def _where(where: dict[str, list[str]], table: str, i: int) -> str | None:
    rows = where.get(table)
    return rows[i] if rows is not None and i < len(rows) else None


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
        if not set(_REQUIRED[name]) <= cols:
            continue
        scores.append((len(cols & fields) / len(cols | fields), name))
    scores.sort(reverse=True)
    if not scores or scores[0][0] < 0.5 or (len(scores) > 1 and scores[1][0] == scores[0][0]):
        return None
    return scores[0][1]


def _read_csv_file(path: Path) -> _Read:
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
    return _Read(path, {name: df}, None, None, None, len(df), {name: [f"row {n}" for n in lines]})


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
        self.where: dict[str, list[str]] = {n: [] for n in S903_COLUMNS}

    def add(self, table: str, row: dict[str, str | None], where: str) -> None:
        self.rows[table].append(row)
        self.where[table].append(where)

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


def _read_xml_file(path: Path) -> _Read:
    with open_xml(path) as f:  # opened once: the root sniffed, then parsed from the start
        return _read_xml(path, f)


def _read_xml(path: Path, f) -> _Read:
    root = xml_root_name(path, f)
    f.seek(0)
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
            f,
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
    where = {name: w for name, w in acc.where.items() if w}
    return _Read(path, tables, None, None, None, n, where)


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
    hline = f"{hwhere}, line {header.sourceline}"
    acc.add("header", {k: fields.get(k) for k in _HEADER_TABLE}, hline)
    base = {"CHILD": child_id, "DOB": fields.get("DOB")}
    for table, tags in _GROUPED.items():
        if any(fields.get(t) is not None for t in tags):
            row = dict(base, **{t: fields.get(t) for t in tags})
            if table == "uasc":
                row["SEX"] = fields.get("SEX")
            acc.add(table, row, hline)
    counts: dict[str, int] = {}
    for el in header.iterchildren(etree.Element):
        tag = localname(el.tag)
        table = _SUBGROUPS.get(tag)
        if table is None or not len(el):
            continue
        counts[tag] = counts.get(tag, 0) + 1
        sub_where = f"{hwhere}/{tag}[{counts[tag]}]"
        sub = acc.fields(el, sub_where)
        acc.add(table, dict(base, **sub), f"{sub_where}, line {el.sourceline}")
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
        acc.add("episodes", row, f"{ewhere}, line {ep.sourceline}")


def _frame(rows: list[dict[str, str | None]], spec: dict[str, str]) -> pd.DataFrame:
    df = pd.DataFrame.from_records(rows)
    for col in df.columns:
        if spec.get(col) == DATE:
            df[col] = to_datetime(df[col].tolist())
        else:
            df[col] = df[col].astype("string")
    return df
