"""Read CIN census XML returns (2021-22 to 2025-26 layouts) into canonical tables.

One ``<Message>`` per file: ``<Header>`` (``CollectionDetails/ReferenceDate``,
``Source/LEA``) then ``<Children>/<Child>``, each with ``ChildIdentifiers``,
``ChildCharacteristics`` and one or more ``CINdetails`` (a referral) holding
``Assessments``, ``CINPlanDates``, ``Section47``, ``ChildProtectionPlans``
(with ``Reviews``) and, from 2025-26, ``PreProceedingsandFGDM`` blocks.

* ``GenderCurrent`` (to 2024-25) and ``Sex`` (2025-26 on) both become ``Sex``.
* ``ReferralNFA``, ``ICPCnotRequired`` and the FGDM flags become ``"1"``/``"0"``.
* Assessment factors are joined with ``","``.
* The collection year is the one holding ``ReferenceDate`` (a year-to-date
  extract dated 2026-10-31 belongs to 2026-27, collection year 2027).
* Unknown elements are ignored; values are kept as sent (validation judges
  them) except dates, which must be real dates.

Two ways of reading a file, giving the same tables:

* the fast path (:func:`_read_file_fast`), for a file in plain XML
  (:mod:`pmf_lib.read._xmlscan`: tags without attributes or prefixes, no comments,
  entities or CDATA, as councils' systems write the return). The file is read in
  blocks of whole ``<Child>`` elements; lxml parses each block only to check it is
  well-formed (no tree is built) while NumPy and Arrow find the tags and take the
  values column by column, with no Python work per element. Each distinct date,
  number or flag text is checked once, by the same functions as below.
* the element reader (:func:`_read_file_lxml`), for anything else and for every
  file the fast path finds a fault in: ``lxml.etree.iterparse``, each ``<Child>``
  cleared once read. Its errors name the element path, line and field, so a bad
  file always gets the element reader's message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from lxml import etree

from pmf_lib.errors import PmfError
from pmf_lib.read._parse import (
    FileResult,
    collection_year_of,
    localname,
    merge_history,
    normalise_flag,
    open_xml,
    parse_date,
    read_files,
    returns_frame,
    to_datetime,
    xml_error,
    xml_root_name,
    year_from_path,
)
from pmf_lib.read._xmlscan import Scan, is_plain, scan
from pmf_lib.read.tables import CIN_COLUMNS, CIN_KEYS, DATE, INT, STR, CinCensus

_FIELDS = {
    name: [c for c in spec if c not in ("collection_year", "source_file")]
    for name, spec in CIN_COLUMNS.items()
}
_DATES = {c for spec in CIN_COLUMNS.values() for c, t in spec.items() if t == DATE}
_INTS = {c for spec in CIN_COLUMNS.values() for c, t in spec.items() if t == INT}
_FLAGS = {"ReferralNFA", "ICPCnotRequired", "FGDMMeetingOffer", "FGDMMeetingFac"}
_KIND_DATE, _KIND_INT, _KIND_FLAG = 1, 2, 3
_KIND = {
    **{t: _KIND_DATE for t in _DATES},
    **{t: _KIND_INT for t in _INTS},
    **{t: _KIND_FLAG for t in _FLAGS},
}
# Elements holding other elements (blocks and lists), by local name.
_GROUPS = {
    "ChildIdentifiers",
    "ChildCharacteristics",
    "Disabilities",
    "CINdetails",
    "Assessments",
    "FactorsIdentifiedAtAssessment",
    "CINPlanDates",
    "Section47",
    "ChildProtectionPlans",
    "Reviews",
    "PreProceedingsandFGDM",
    "CollectionDetails",
    "Source",
}
_ELEMENT = etree.Element


def read_cin_census(paths: Iterable[Path], *, workers: int = 1) -> CinCensus:
    """Read CIN census XML files into one history.

    Parameters
    ----------
    paths : iterable of Path
        CIN census XML files of any years, including year-to-date extracts.
        A record present in several files (natural keys in ``CIN_KEYS``) is
        taken from the file with the later collection year (then the later
        reference date), so a year-to-date extract overrides the annual return.
    workers : int
        Processes reading files side by side (default 1: one after another here).
        About halves the time of several big files on 2 cores; the calling
        script needs an ``if __name__ == "__main__":`` guard
        (see :func:`pmf_lib.read._parse.read_files`).

    Returns
    -------
    CinCensus
        The canonical tables (``CIN_COLUMNS``) and ``returns``: one row per file
        with its collection year, reference date, LA code and number of children.

    Raises
    ------
    PmfError
        For the first file that cannot be read whole, naming the file, the
        element path and line, and the field.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "cin.xml"
    >>> _ = p.write_text(
    ...     "<Message><Header><CollectionDetails><ReferenceDate>2026-10-31</ReferenceDate>"
    ...     "</CollectionDetails><Source><LEA>938</LEA></Source></Header><Children><Child>"
    ...     "<ChildIdentifiers><LAchildID>A1</LAchildID><Sex>2</Sex></ChildIdentifiers>"
    ...     "<CINdetails><CINreferralDate>2026-05-01</CINreferralDate>"
    ...     "<ReferralNFA>true</ReferralNFA></CINdetails></Child></Children></Message>")
    >>> cin = read_cin_census([p])
    >>> cin.referrals[["LAchildID", "ReferralNFA", "collection_year"]].values.tolist()
    [['A1', '1', 2027]]
    >>> cin.returns[["la_code", "rows"]].values.tolist()
    [['938', 1]]
    """
    results = read_files(_read_file, [Path(p) for p in paths], workers)
    out = CinCensus()
    out.tables = merge_history(results, CIN_COLUMNS, CIN_KEYS)
    out.returns = returns_frame(results)
    return out


class _Reader:
    """Collects the rows of one CIN census file, checking values as it goes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: dict[str, list[tuple]] = {name: [] for name in CIN_COLUMNS}
        self.reference_date: str | None = None
        self.la_code: str | None = None
        self.children = 0
        self.dates: dict[str, str] = {}

    # -- values -------------------------------------------------------------
    def fail(self, message: str, where: str, el, field: str | None = None) -> PmfError:
        return PmfError(
            message, file=self.path, location=f"{where}, line {el.sourceline}", field=field
        )

    def leaves(self, el, where: str) -> tuple[dict[str, str | None], list]:
        """An element's simple children as tag -> checked value, and its group children.

        The hot loop of the reader: kept to dictionary look-ups, with repeated
        date texts parsed once (a file holds a few thousand distinct dates).
        """
        values: dict[str, str | None] = {}
        groups = []
        kinds = _KIND
        dates = self.dates
        for sub in el.iterchildren(_ELEMENT):
            tag = sub.tag
            if tag[0] == "{":
                tag = localname(tag)
            if tag in _GROUPS:
                groups.append((tag, sub))
                continue
            text = sub.text
            if text is not None:
                text = text.strip() or None
                if text is not None:
                    kind = kinds.get(tag)
                    if kind is not None:
                        # a date seen before: its checked form, without a call
                        iso = dates.get(text) if kind == _KIND_DATE else None
                        text = iso or self.convert(kind, text, where, sub, tag)
            values[tag] = text
        return values, groups

    def convert(self, kind: int, text: str, where: str, el, tag: str):
        if kind == _KIND_DATE:
            iso = self.dates.get(text)
            if iso is None:
                try:
                    iso = self.dates[text] = parse_date(text)
                except ValueError as e:
                    raise self.fail(str(e), where, el, tag) from None
            return iso
        if kind == _KIND_INT:
            try:
                return int(text)
            except ValueError:
                raise self.fail(f"not a whole number: {text!r}", where, el, tag) from None
        return normalise_flag(text)

    # -- header -------------------------------------------------------------
    def header(self, el) -> None:
        for sub in el.iterchildren(_ELEMENT):
            tag = localname(sub.tag)
            if tag == "CollectionDetails":
                vals, _ = self.leaves(sub, "Header/CollectionDetails")
                self.reference_date = vals.get("ReferenceDate") or self.reference_date
            elif tag == "Source" and self.la_code is None:
                vals, _ = self.leaves(sub, "Header/Source")
                lea = vals.get("LEA")
                self.la_code = str(lea) if lea is not None else None

    # -- child --------------------------------------------------------------
    def child(self, child) -> None:
        self.children += 1
        where = f"Child[{self.children}]"
        ids: dict[str, str | None] = {}
        chars: dict[str, str | None] = {}
        details = []
        disabilities: list[str] = []
        ids_el = None
        for el in child.iterchildren(_ELEMENT):
            tag = el.tag if el.tag[0] != "{" else localname(el.tag)
            if tag == "CINdetails":
                details.append(el)
            elif tag == "ChildIdentifiers":
                ids_el = el
                ids, _ = self.leaves(el, f"{where}/ChildIdentifiers")
            elif tag == "ChildCharacteristics":
                chars, groups = self.leaves(el, f"{where}/ChildCharacteristics")
                for gtag, group in groups:
                    if gtag == "Disabilities":
                        for d in group.iterchildren(_ELEMENT):
                            text = (d.text or "").strip()
                            if text:
                                disabilities.append(text)
        child_id = ids.get("LAchildID")
        if child_id is None:
            if ids_el is None:
                raise self.fail("required element missing", where, child, "ChildIdentifiers")
            raise self.fail(
                "required element missing or empty",
                f"{where}/ChildIdentifiers",
                ids_el,
                "LAchildID",
            )
        sex = ids.get("Sex")
        if sex is None:
            sex = ids.get("GenderCurrent")
        self.rows["children"].append(
            (
                child_id,
                ids.get("UPN"),
                ids.get("PersonBirthDate"),
                ids.get("ExpectedPersonBirthDate"),
                sex,
                ids.get("PersonDeathDate"),
                chars.get("Ethnicity"),
                ids.get("UASC") if ids.get("UASC") is not None else chars.get("UASC"),
                ids.get("FormerUPN"),
                ids.get("UPNunknown"),
            )
        )
        for d in disabilities:
            self.rows["disabilities"].append((child_id, d))
        for k, el in enumerate(details, 1):
            self.details(child_id, el, f"{where}/CINdetails[{k}]")

    def details(self, child_id: str, el, where: str) -> None:
        vals, groups = self.leaves(el, where)
        ref = vals.get("CINreferralDate")
        if ref is None:
            raise self.fail("required element missing or empty", where, el, "CINreferralDate")
        self.rows["referrals"].append(
            (
                child_id,
                ref,
                vals.get("ReferralSource"),
                vals.get("PrimaryNeedCode"),
                vals.get("CINclosureDate"),
                vals.get("ReasonForClosure"),
                vals.get("DateOfInitialCPC"),
                vals.get("ReferralNFA"),
            )
        )
        counts: dict[str, int] = {}
        for tag, group in groups:
            counts[tag] = counts.get(tag, 0) + 1
            gwhere = f"{where}/{tag}[{counts[tag]}]"
            if tag == "Assessments":
                self.assessment(child_id, ref, group, gwhere)
            elif tag == "CINPlanDates":
                v, _ = self.leaves(group, gwhere)
                self.rows["cin_plans"].append(
                    (child_id, ref, v.get("CINPlanStartDate"), v.get("CINPlanEndDate"))
                )
            elif tag == "Section47":
                v, _ = self.leaves(group, gwhere)
                self.rows["section47"].append(
                    (
                        child_id,
                        ref,
                        v.get("S47ActualStartDate"),
                        v.get("InitialCPCtarget"),
                        v.get("DateOfInitialCPC"),
                        v.get("ICPCnotRequired"),
                    )
                )
            elif tag == "ChildProtectionPlans":
                self.cp_plan(child_id, ref, group, gwhere)
            elif tag == "PreProceedingsandFGDM":
                v, _ = self.leaves(group, gwhere)
                self.rows["pre_proceedings"].append(
                    (child_id, ref, *(v.get(c) for c in _FIELDS["pre_proceedings"][2:]))
                )

    def assessment(self, child_id: str, ref: str, el, where: str) -> None:
        v, groups = self.leaves(el, where)
        factors = []
        for tag, group in groups:
            if tag == "FactorsIdentifiedAtAssessment":
                for f in group.iterchildren(_ELEMENT):
                    text = (f.text or "").strip()
                    if text:
                        factors.append(text)
        self.rows["assessments"].append(
            (
                child_id,
                ref,
                v.get("AssessmentActualStartDate"),
                v.get("AssessmentInternalReviewDate"),
                v.get("AssessmentAuthorisationDate"),
                ",".join(factors) if factors else None,
            )
        )

    def cp_plan(self, child_id: str, ref: str, el, where: str) -> None:
        v, groups = self.leaves(el, where)
        start = v.get("CPPstartDate")
        self.rows["cp_plans"].append(
            (
                child_id,
                ref,
                start,
                v.get("CPPendDate"),
                v.get("InitialCategoryOfAbuse"),
                v.get("LatestCategoryOfAbuse"),
                v.get("NumberOfPreviousCPP"),
            )
        )
        k = 0
        for tag, group in groups:
            if tag != "Reviews":
                continue
            k += 1
            for rev in group.iterchildren(_ELEMENT):
                if localname(rev.tag) != "CPPreviewDate":
                    continue
                text = (rev.text or "").strip()
                if not text:
                    continue
                date = self.convert(_KIND_DATE, text, f"{where}/Reviews[{k}]", rev, "CPPreviewDate")
                self.rows["cp_reviews"].append((child_id, start, date))


def _read_file(path: Path) -> FileResult:
    """One file: the fast path if it is plain XML without faults, else the element reader.

    The file is opened once (:func:`~pmf_lib.read._parse.open_xml`): its root
    sniffed, then each reader reads it from the start.
    """
    with open_xml(path) as f:
        root = xml_root_name(path, f)
        if root != "Message":
            raise PmfError(
                f"not a CIN census file: the root element is <{root}>, expected <Message>",
                file=path,
                location="line 1",
            )
        f.seek(0)
        result = _read_file_fast(path, f)
        if result is None:
            f.seek(0)
            result = _read_file_lxml(path, f)
        return result


def _read_file_lxml(path: Path, source=None) -> FileResult:
    """The element reader: every element through lxml (any XML; exact error locations).

    ``source``: the file already open at its start; default: open ``path``.
    """
    reader = _Reader(path)
    try:
        for _, el in etree.iterparse(
            str(path) if source is None else source,
            events=("end",),
            tag=("{*}Header", "{*}Child"),
            resolve_entities=False,
            no_network=True,
            huge_tree=True,
        ):
            if localname(el.tag) == "Header":
                reader.header(el)
            else:
                reader.child(el)
            el.clear()
            while el.getprevious() is not None:
                del el.getparent()[0]
    except (etree.LxmlError, OSError) as e:
        raise xml_error(path, e) from None
    if reader.children == 0:
        raise PmfError("no <Child> elements in the file", file=path, field="Child")

    tables = {name: _frame(rows, name) for name, rows in reader.rows.items()}
    return _result(path, reader, tables)


def _result(path: Path, reader: _Reader, tables: dict[str, pd.DataFrame]) -> FileResult:
    year, ref = _year(path, reader.reference_date, tables)
    source = pa.scalar(str(path), pa.large_string())
    for df in tables.values():
        # in their canonical dtypes (Int64, string), built whole rather than broadcast
        df["collection_year"] = pd.array(np.full(len(df), year, np.int64), dtype=INT)
        df["source_file"] = pd.array(pa.repeat(source, len(df)), dtype=STR)
    return FileResult(path, tables, year, ref, reader.la_code, reader.children)


def _frame(rows: list[tuple], name: str) -> pd.DataFrame:
    """A table from its row tuples, each column converted once to its canonical dtype."""
    cols = _FIELDS[name]
    spec = CIN_COLUMNS[name]
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(cols)
    data = {}
    for c, values in zip(cols, columns, strict=True):
        if spec[c] == DATE:
            data[c] = to_datetime(values)
        else:
            data[c] = pd.array(values, dtype=spec[c])
    return pd.DataFrame(data, index=pd.RangeIndex(len(rows)))


def _year(path: Path, reference: str | None, tables: dict[str, pd.DataFrame]):
    """Collection year and reference date: ReferenceDate, else the path, else the data."""
    if reference is not None:
        ref = pd.Timestamp(reference)
        return collection_year_of(ref), ref
    year = year_from_path(path)
    today = pd.Timestamp.today().normalize()
    if year is not None:
        march = pd.Timestamp(year=year, month=3, day=31)
        return year, (march if march <= today else None)
    latest = None
    for name, df in tables.items():
        for c, t in CIN_COLUMNS[name].items():
            if t != DATE or c in ("PersonBirthDate", "ExpectedPersonBirthDate") or not len(df):
                continue
            s = df[c][df[c] <= today]
            if s.notna().any():
                latest = s.max() if latest is None else max(latest, s.max())
    if latest is None:
        raise PmfError(
            "cannot tell which collection year this file belongs to: no "
            "Header/CollectionDetails/ReferenceDate, no year in its name or folder, and no "
            "dates to infer it from",
            file=path,
            field="ReferenceDate",
        )
    return collection_year_of(latest), None


# ---- the fast path: plain XML, column by column ------------------------------------
_BLOCK = 1 << 23  # bytes read (and checked by lxml) at a time: 8 MB
_PROLOG = re.compile(rb"(?:\xef\xbb\xbf)?(?:<\?xml([^>]*)\?>)?\s*<Message(?:\s[^>]*)?>")
_ENCODING = re.compile(rb"encoding\s*=\s*[\"']([^\"']*)[\"']")
_END = re.compile(rb"\s*</Children>\s*</Message>\s*")
_OPEN_CHILDREN, _CHILD_END = b"<Children>", b"</Child>"
_HEAD_MAX = 1 << 24  # a longer header than this is left to the element reader
_PA_TYPE = {DATE: pa.timestamp("ns"), INT: pa.int64()}
_KIND_TYPE = {1: pa.timestamp("ns"), 2: pa.int64(), 3: pa.large_string()}  # by _KIND_*
# where each table's fields are, below <Child> (the element reader's layout)
_UNDER_DETAILS = {
    "Assessments": "assessments",
    "CINPlanDates": "cin_plans",
    "Section47": "section47",
    "ChildProtectionPlans": "cp_plans",
    "PreProceedingsandFGDM": "pre_proceedings",
}
_IDS_FIELDS = ["UPN", "PersonBirthDate", "ExpectedPersonBirthDate", "Sex", "GenderCurrent"]
_IDS_FIELDS += ["PersonDeathDate", "UASC", "FormerUPN", "UPNunknown"]


class _Fault(Exception):
    """Something the fast path leaves to the element reader (which gives the error, if any)."""


_FAST_FAULTS = (etree.LxmlError, OSError, ValueError, OverflowError, _Fault, PmfError)
_FAST_FAULTS += (pa.ArrowException,)


class _Null:
    """An lxml parser target that keeps nothing: the parse only checks well-formedness."""

    def close(self) -> None:
        return None


class _WellFormed:
    """lxml's check that the file is well-formed, fed block by block on its own thread.

    libxml2 parses without Python's global lock, so the check runs beside the
    NumPy scan of the same bytes (on a machine with two cores, in about the time
    of the longer of the two). :meth:`result` waits for it and raises what lxml
    raised, so a file that is not well-formed is refused as before.

    Examples
    --------
    >>> w = _WellFormed()
    >>> w.feed(b"<a><b>1</b>"); w.feed(b"</a>"); w.result()
    >>> w = _WellFormed()
    >>> w.feed(b"<a><b>1</a>")
    >>> try:
    ...     w.result()
    ... except etree.XMLSyntaxError:
    ...     print("refused")
    refused
    """

    def __init__(self) -> None:
        import queue
        import threading

        self._parser = etree.XMLParser(
            target=_Null(), resolve_entities=False, no_network=True, huge_tree=True
        )
        self._blocks: queue.Queue = queue.Queue(maxsize=8)
        self._error: BaseException | None = None
        self._ended = False
        self._thread = threading.Thread(target=self._run, name="pmf-cin-wellformed", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        # Every block is taken off the queue until the reader's end mark, even after a
        # fault (the reader may still be feeding), so neither side ever waits for ever.
        failed = False
        while (block := self._blocks.get()) is not None:
            if failed:
                continue
            try:
                self._parser.feed(block)
            except BaseException as e:  # raised in the reading thread by result()
                self._error, failed = e, True
        if not failed:
            try:
                self._parser.close()
            except BaseException as e:
                self._error = e

    def feed(self, block: bytes) -> None:
        """Queue the next block (waits while eight are queued)."""
        self._blocks.put(block)

    def result(self) -> None:
        """Wait for the parse of every block fed; raise lxml's error if it failed."""
        self.result_quietly()
        if self._error is not None:
            raise self._error

    def result_quietly(self) -> None:
        """End the parse and its thread (once; a reader giving up early calls this)."""
        if not self._ended:
            self._ended = True
            self._blocks.put(None)
        self._thread.join()


def _read_file_fast(path: Path, source=None) -> FileResult | None:
    """The file's tables by the fast path, or None to read it with the element reader.

    ``source``: the file already open at its start; default: open ``path``.

    None for anything not plain XML in the usual layout (``<Message>``, at most one
    ``<Header>``, ``<Children>`` of ``<Child>`` elements) and for any fault in the
    file (not well-formed, a bad date or number, a missing identifier or referral
    date, a field given twice in one block); the element reader then reports the
    fault as it always has, or reads what the fast path does not handle.
    """
    parser = _WellFormed()
    reader = _Reader(path)
    columns = _Columns()
    try:
        with open(path, "rb") if source is None else nullcontext(source) as f:
            head = b""
            while _OPEN_CHILDREN not in head and len(head) < _HEAD_MAX:
                block = f.read(_BLOCK)
                if not block:
                    break
                parser.feed(block)
                head += block
            start = _start(head, reader)
            if start is None:
                return None
            pending = head[start:]  # read, not yet scanned
            while True:
                # the whole <Child> elements read so far are scanned; the rest waits
                cut = pending.rfind(_CHILD_END)
                if cut >= 0:
                    cut += len(_CHILD_END)
                    if not columns.add(pending[:cut]):
                        return None
                    pending = pending[cut:]
                block = f.read(_BLOCK)
                if not block:
                    break
                parser.feed(block)
                pending += block
        parser.result()
    except _FAST_FAULTS:
        return None
    finally:
        parser.result_quietly()
    if not _END.fullmatch(pending) or columns.children == 0:
        return None
    reader.children = columns.children
    try:
        tables = columns.tables()
    except _FAST_FAULTS:
        return None
    return _result(path, reader, tables)


def _start(data: bytes, reader: _Reader) -> int | None:
    """Where the ``<Child>`` elements start; the header read into ``reader``.

    None unless the file opens with an XML declaration (UTF-8) and ``<Message>``,
    then at most one ``<Header>`` (read by the element reader's code) and nothing
    else before ``<Children>``.
    """
    m = _PROLOG.match(data)
    if m is None:
        return None
    if m.group(1) is not None:
        enc = _ENCODING.search(m.group(1))
        if enc is not None and enc.group(1).lower() not in (b"utf-8", b"utf8"):
            return None
    at = data.find(_OPEN_CHILDREN, m.end())
    if at < 0:
        return None
    head = data[m.end() : at]
    if not is_plain(head) or head.count(b"<Header>") > 1 or b"<Child>" in head:
        return None
    root = etree.fromstring(b"<Message>" + head + b"</Message>")
    if any(localname(el.tag) != "Header" for el in root):
        return None
    for el in root:
        reader.header(el)
    return at + len(_OPEN_CHILDREN)


class _Columns:
    """The tables' columns, block by block, as Arrow arrays."""

    def __init__(self) -> None:
        self.parts: dict[str, dict[str, list]] = {
            name: {c: [] for c in cols} for name, cols in _FIELDS.items()
        }
        self.children = 0
        self.dates: dict[str, int] = {}  # date text -> its checked date (ns since 1970)

    def add(self, data: bytes) -> bool:
        """Add a run of whole ``<Child>`` elements; False if it is not plain XML."""
        s = scan(data)
        if s is None:
            return False
        block = _Block(s, self.dates)
        for name, cols in block.tables().items():
            for c, values in cols.items():
                self.parts[name][c].append(values)
        self.children += block.n_children
        return True

    def tables(self) -> dict[str, pd.DataFrame]:
        out = {}
        for name, cols in self.parts.items():
            spec = CIN_COLUMNS[name]
            data = {}
            n = 0
            for c, chunks in cols.items():
                arr = pa.concat_arrays(chunks) if chunks else pa.array([], _arrow_type(spec[c]))
                n = len(arr)
                data[c] = _pandas(arr, spec[c])
            out[name] = pd.DataFrame(data, index=pd.RangeIndex(n))
        return out


def _arrow_type(dtype: str) -> pa.DataType:
    return _PA_TYPE.get(dtype, pa.large_string())


def _pandas(arr: pa.Array, dtype: str):
    """A column in its canonical dtype, as the element reader's ``_frame`` gives it."""
    if dtype == DATE:
        return pd.Series(arr.to_numpy(zero_copy_only=False), dtype=DATE)
    if dtype == INT:
        mask = arr.is_null().to_numpy(zero_copy_only=False)
        values = pc.fill_null(arr, 0).to_numpy(zero_copy_only=False).astype("int64")
        return pd.arrays.IntegerArray(values, mask)
    return pd.array(arr, dtype=dtype)


class _Block:
    """One run of ``<Child>`` elements: each table's columns, found in the scan's arrays.

    Mirrors :class:`_Reader`: a field is a child element of its block that is not
    itself a block (``_GROUPS``); every date, number and flag anywhere in the run
    is checked and converted as the element reader does. A field twice in one
    block, a second ``ChildIdentifiers`` or ``ChildCharacteristics``, a ``<Child>``
    or ``<Header>`` below the top, or a missing identifier or referral date is a
    :class:`_Fault`.

    Records (elements of one kind, e.g. the ``CINdetails`` of the children) are
    sorted arrays of element numbers, with a number for each (its row, or the
    row it belongs to).
    """

    def __init__(self, s: Scan, dates: dict) -> None:
        self.s = s
        self.dates = dates
        self.converted: dict[str, tuple[np.ndarray, pa.Array]] = {}
        if s.code_of("Header") >= 0:
            raise _Fault("Header below the top")
        self.child = s.starts("Child")
        if (s.level == 0).sum() != len(self.child) or (s.level[self.child] != 0).any():
            raise _Fault("not a run of <Child> elements")
        self.n_children = len(self.child)
        self.all = self.text(np.arange(len(s)))  # every element's stripped text
        # every date, number and flag anywhere is checked and converted (as the
        # element reader checks them), each kind in one go
        self.typed = np.full(len(s), -1, np.int64)  # element -> place among its kind's
        self.kinds: dict[int, pa.Array] = {}
        kinds = np.array([_KIND.get(n, 0) for n in s.names], np.int64)[s.code]
        for kind in (_KIND_DATE, _KIND_INT, _KIND_FLAG):
            elements = np.flatnonzero(kinds == kind)
            if len(elements):
                self.typed[elements] = np.arange(len(elements))
                self.kinds[kind] = self.convert(kind, self.all.take(pa.array(elements)))

    # -- arrays ---------------------------------------------------------------
    @staticmethod
    def lookup(records: np.ndarray, number: np.ndarray, elements: np.ndarray) -> np.ndarray:
        """The number of each of ``elements`` among ``records`` (-1 if not a record)."""
        if len(records) == 0:
            return np.full(len(elements), -1, np.int64)
        at = np.minimum(np.searchsorted(records, elements), len(records) - 1)
        return np.where(records[at] == elements, number[at], -1)

    def below(self, tag: str | None, records: np.ndarray, number: np.ndarray | None = None):
        """Elements named ``tag`` (any name if None) whose parent is one of ``records``,
        and that record's number (default: its row)."""
        s = self.s
        elements = np.arange(len(s)) if tag is None else s.starts(tag)
        if number is None:
            number = np.arange(len(records))
        got = self.lookup(records, number, s.parent[elements])
        keep = got >= 0
        return elements[keep], got[keep]

    def values(self, tag: str) -> tuple[np.ndarray, pa.Array]:
        """Every element named ``tag`` and its value (stripped text, converted by kind)."""
        got = self.converted.get(tag)
        if got is None:
            elements = self.s.starts(tag)
            kind = _KIND.get(tag)
            if kind is None:
                values = self.all.take(pa.array(elements, pa.int64()))
            elif len(elements):
                values = self.kinds[kind].take(pa.array(self.typed[elements]))
            else:
                values = pa.array([], _KIND_TYPE[kind])
            got = self.converted[tag] = (elements, values)
        return got

    def text(self, elements: np.ndarray) -> pa.Array:
        t = self.s.text(elements)
        if t is None:
            raise _Fault("carriage return inside a value")
        return t

    def convert(self, kind: int, text: pa.Array) -> pa.Array:
        """Texts of one kind converted as the element reader converts them, each
        distinct text once (ValueError: a bad date or number, a fault)."""
        enc = pc.dictionary_encode(text)
        vocab = enc.dictionary.to_pylist()
        if kind == _KIND_DATE:
            dates = self.dates
            lut = [dates.get(t) for t in vocab]
            for i, t in enumerate(vocab):
                if lut[i] is None:  # a date text not seen before in the file
                    iso = parse_date(t)
                    lut[i] = dates[t] = np.datetime64(iso, "ns").astype(np.int64)
            lut = pa.array(np.array(lut, np.int64)).cast(pa.timestamp("ns"))
        elif kind == _KIND_INT:
            lut = pa.array([int(t) for t in vocab], pa.int64())
        else:
            lut = pa.array([normalise_flag(t) for t in vocab], pa.large_string())
        return lut.take(enc.indices)

    def field(self, tag: str, records: np.ndarray, n: int, number=None) -> pa.Array:
        """Field ``tag`` of ``records`` by row (``number``: each record's row, default
        its position; ``n`` rows), null where absent."""
        elements, values = self.values(tag)
        if number is None:
            number = np.arange(len(records))
        row = self.lookup(records, number, self.s.parent[elements])
        keep = np.flatnonzero(row >= 0)
        row = row[keep]
        if len(row) > 1 and (np.diff(row) <= 0).any():
            raise _Fault(f"{tag} twice in one block")
        index = np.full(n, -1, np.int64)
        index[row] = keep
        return values.take(pa.array(index, mask=index < 0))

    # -- tables ---------------------------------------------------------------
    def tables(self) -> dict[str, dict[str, pa.Array]]:
        n_child = self.n_children
        child = self.child
        out: dict[str, dict[str, pa.Array]] = {}

        # ChildIdentifiers and ChildCharacteristics: at most one each per child, so
        # their fields are numbered by the child's row
        ids, ids_child = self.below("ChildIdentifiers", child)
        chars, chars_child = self.below("ChildCharacteristics", child)
        for number in (ids_child, chars_child):
            if len(number) > 1 and (np.diff(number) <= 0).any():
                raise _Fault("a second ChildIdentifiers or ChildCharacteristics")
        child_id = self.field("LAchildID", ids, n_child, ids_child)
        if child_id.null_count:
            raise _Fault("a child without LAchildID")
        f = {t: self.field(t, ids, n_child, ids_child) for t in _IDS_FIELDS}
        out["children"] = {
            "LAchildID": child_id,
            "UPN": f["UPN"],
            "PersonBirthDate": f["PersonBirthDate"],
            "ExpectedPersonBirthDate": f["ExpectedPersonBirthDate"],
            "Sex": pc.coalesce(f["Sex"], f["GenderCurrent"]),
            "PersonDeathDate": f["PersonDeathDate"],
            "Ethnicity": self.field("Ethnicity", chars, n_child, chars_child),
            "UASC": pc.coalesce(f["UASC"], self.field("UASC", chars, n_child, chars_child)),
            "FormerUPN": f["FormerUPN"],
            "UPNunknown": f["UPNunknown"],
        }

        # Disabilities: any element in a <Disabilities> of the characteristics
        dis, dis_child = self.below("Disabilities", chars, chars_child)
        items, number = self.below(None, dis, dis_child)
        out["disabilities"] = self.items(items, number, child_id, "Disability")

        # CINdetails: one referral each
        ref, ref_child = self.below("CINdetails", child)
        n_ref = len(ref)
        ref_date = self.field("CINreferralDate", ref, n_ref)
        if ref_date.null_count:
            raise _Fault("a CINdetails without CINreferralDate")
        ref_id = child_id.take(pa.array(ref_child))
        out["referrals"] = {"LAchildID": ref_id, "CINreferralDate": ref_date}
        for c in _FIELDS["referrals"][2:]:
            out["referrals"][c] = self.field(c, ref, n_ref)

        # the blocks of a CINdetails
        records = {}
        for tag, name in _UNDER_DETAILS.items():
            rec, ref_row = self.below(tag, ref)
            at = pa.array(ref_row)
            records[name] = rec
            cols = {"LAchildID": ref_id.take(at), "CINreferralDate": ref_date.take(at)}
            for c in _FIELDS[name][2:]:
                if c != "AssessmentFactors":
                    cols[c] = self.field(c, rec, len(rec))
            out[name] = cols

        # assessment factors: any element in a <FactorsIdentifiedAtAssessment>, joined
        n_ass = len(records["assessments"])
        fac, fac_ass = self.below("FactorsIdentifiedAtAssessment", records["assessments"])
        items, number = self.below(None, fac, fac_ass)
        text = self.all.take(pa.array(items, pa.int64()))
        keep = pc.is_valid(text).to_numpy(zero_copy_only=False)
        number, text = number[keep], text.filter(pa.array(keep))
        offsets = np.searchsorted(number, np.arange(n_ass + 1))
        lists = pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), text.cast(pa.string()))
        joined = pc.binary_join(lists, ",").cast(pa.large_string())
        none = pa.array(np.diff(offsets) == 0)
        out["assessments"]["AssessmentFactors"] = pc.if_else(
            none, pa.scalar(None, pa.large_string()), joined
        )

        # reviews: <CPPreviewDate> in a <Reviews> of a child protection plan
        plans = out["cp_plans"]
        rev, rev_plan = self.below("Reviews", records["cp_plans"])
        items, number = self.below("CPPreviewDate", rev, rev_plan)
        elements, dates = self.values("CPPreviewDate")
        date = dates.take(pa.array(np.searchsorted(elements, items)))
        keep = pc.is_valid(date)
        at = pa.array(number).filter(keep)
        out["cp_reviews"] = {
            "LAchildID": plans["LAchildID"].take(at),
            "CPPstartDate": plans["CPPstartDate"].take(at),
            "CPPreviewDate": date.filter(keep),
        }
        return out

    def items(self, items: np.ndarray, number: np.ndarray, child_id: pa.Array, column: str):
        """Rows (LAchildID, text) for the non-empty texts of list items."""
        text = self.all.take(pa.array(items, pa.int64()))
        keep = pc.is_valid(text)
        return {
            "LAchildID": child_id.take(pa.array(number).filter(keep)),
            column: text.filter(keep),
        }
