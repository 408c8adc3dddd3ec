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

Files are streamed with ``lxml.etree.iterparse`` and each ``<Child>`` is cleared
once read, so a national-scale file needs little memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from lxml import etree

from pmf_lib.errors import PmfError
from pmf_lib.read._parse import (
    FileResult,
    collection_year_of,
    localname,
    merge_history,
    normalise_flag,
    parse_date,
    read_files,
    returns_frame,
    to_datetime,
    xml_error,
    xml_root_name,
    year_from_path,
)
from pmf_lib.read.tables import CIN_COLUMNS, CIN_KEYS, DATE, INT, CinCensus

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
    root = xml_root_name(path)
    if root != "Message":
        raise PmfError(
            f"not a CIN census file: the root element is <{root}>, expected <Message>",
            file=path,
            location="line 1",
        )
    reader = _Reader(path)
    try:
        for _, el in etree.iterparse(
            str(path),
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
    year, ref = _year(path, reader.reference_date, tables)
    for df in tables.values():
        df["collection_year"] = year
        df["source_file"] = str(path)
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
