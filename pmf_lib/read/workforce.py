"""Social-work workforce: the DfE children's social work workforce census XML and
the council's monthly workforce CSV.

The census (CSWW, as at 30 September) has a header, one ``LALevelVacancies``
block and one ``CSWWWorker`` per worker; :func:`read_workforce_census` returns a
``workers`` table (one row per worker, the census's own element names) and an
``la_level`` table (one row per file). Element values are parsed against the
types of the 2022 schema: an unreadable value is kept as sent in ``raw`` (for
validation to report, with its element path) and is missing in ``workers``.

The monthly CSV (team, FTE in post, agency FTE, vacancies, starters, leavers,
sickness days, cases held) is read with the packaged ``workforce_monthly``
schema by :func:`read_workforce_monthly`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from lxml import etree

from pmf_lib.codes import WORKFORCE_ETHNICITY_CODES
from pmf_lib.errors import PmfError
from pmf_lib.read.local import ReadTable, read_table
from pmf_lib.textio import open_source

# Element -> type, from the CSWW 2022 schema (CSWW_schema_2022.xsd).
WORKER_FIELDS: dict[str, str] = {
    "AgencyWorker": "code",
    "SWENo": "string",
    "FTE": "float",
    "PersonBirthDate": "date",
    "GenderCurrent": "code",
    "Ethnicity": "code",
    "QualInst": "string",
    "QualLevel": "code",
    "StepUpGrad": "code",
    "OrgRole": "code",
    "RoleStartDate": "date",
    "StartOrigin": "code",
    "RoleEndDate": "date",
    "LeaverDestination": "code",
    "ReasonLeave": "code",
    "FTE30": "float",
    "Cases30": "int",
    "WorkingDaysLost": "float",
    "ContractWeeks": "float",
    "FrontlineGrad": "code",
    "Absat30Sept": "code",
    "ReasonAbsence": "code",
    "CFKSSstatus": "code",
}
LA_FIELDS: dict[str, str] = {
    "NumberOfVacancies": "float",
    "NoAgencyFTE": "float",
    "NoAgencyHeadcount": "int",
}
# Code lists of the schema's enumerations.
WORKER_CODES: dict[str, tuple[str, ...]] = {
    "AgencyWorker": ("0", "1"),
    "GenderCurrent": ("0", "1", "2", "9"),
    "Ethnicity": WORKFORCE_ETHNICITY_CODES,
    "QualLevel": ("1", "2", "3"),
    "StepUpGrad": ("0", "1"),
    "FrontlineGrad": ("0", "1"),
    "Absat30Sept": ("0", "1"),
    "OrgRole": tuple(str(i) for i in range(1, 7)),
    "StartOrigin": tuple(str(i) for i in range(1, 11)),
    "LeaverDestination": tuple(str(i) for i in range(1, 10)),
    "ReasonLeave": tuple(str(i) for i in range(1, 11)),
    "ReasonAbsence": ("MAT", "OTH", "PUB", "SIC", "TRN", "UNA", "UNP"),
    "CFKSSstatus": ("1", "2", "3", "4", "5"),
}
_DTYPES = {
    "string": "string",
    "code": "string",
    "date": "datetime64[ns]",
    "int": "Int64",
    "float": "Float64",
}


@dataclass
class WorkforceCensus:
    """One or more CSWW census files.

    ``workers``: one row per ``CSWWWorker`` with the :data:`WORKER_FIELDS`
    columns plus ``element`` (its path, e.g. ``CSWWWorker[3]``),
    ``collection_year``, ``reference_date``, ``la_code`` and ``source_file``.
    ``raw``: the same rows and columns with each value as sent.
    ``la_level``: one row per file with the vacancy and agency totals.
    """

    workers: pd.DataFrame
    raw: pd.DataFrame
    la_level: pd.DataFrame
    files: list[str] = field(default_factory=list)


def _parse(text: str | None, kind: str, codes: tuple[str, ...] | None = None):
    if text is None or not text.strip():
        return None
    t = text.strip()
    try:
        if kind == "date":
            return pd.Timestamp(dt.datetime.strptime(t, "%Y-%m-%d"))  # xs:date
        if kind == "int":
            return int(t)
        if kind == "float":
            return float(t)
    except ValueError:
        return None
    if kind == "code" and codes is not None and t not in codes:
        return None
    return t


def _parse_census_file(path: Path):
    if not path.is_file():
        raise PmfError("file not found", file=path)
    try:
        with open_source(path) as f:  # opened once, hashed as it is read
            tree = etree.parse(f, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as e:
        raise PmfError(
            f"not well-formed XML ({e.msg})", file=path, location=f"line {e.lineno}"
        ) from None
    root = tree.getroot()
    ns = root.nsmap.get(None)
    q = (lambda tag: f"{{{ns}}}{tag}") if ns else (lambda tag: tag)
    if etree.QName(root).localname != "Message" or root.find(q("CSWWWorker")) is None:
        raise PmfError(
            "not a workforce census file (expected <Message> with <CSWWWorker> elements)",
            file=path,
            location=f"<{etree.QName(root).localname}>",
        )
    year_text = root.findtext(f"{q('Header')}/{q('CollectionDetails')}/{q('Year')}")
    ref_text = root.findtext(f"{q('Header')}/{q('CollectionDetails')}/{q('ReferenceDate')}")
    la_code = root.findtext(f"{q('Header')}/{q('Source')}/{q('LEA')}")
    ref = _parse(ref_text, "date")
    if ref is None:
        raise PmfError(
            f"missing or invalid reference date {ref_text!r}",
            file=path,
            location="Header/CollectionDetails/ReferenceDate",
            field="ReferenceDate",
        )
    year = int(year_text) if year_text and year_text.strip().isdigit() else ref.year
    prov = {
        "collection_year": year,
        "reference_date": ref,
        "la_code": la_code.strip() if la_code else None,
        "source_file": str(path),
    }
    workers, raws = [], []
    for i, w in enumerate(root.iterfind(q("CSWWWorker")), start=1):
        typed, raw = {}, {}
        for name, kind in WORKER_FIELDS.items():
            text = w.findtext(q(name))
            raw[name] = text.strip() if text and text.strip() else None
            typed[name] = _parse(text, kind, WORKER_CODES.get(name))
        typed["element"] = raw["element"] = f"CSWWWorker[{i}]"
        workers.append({**typed, **prov})
        raws.append(raw)
    la_el = root.find(q("LALevelVacancies"))
    la = {
        name: _parse(la_el.findtext(q(name)) if la_el is not None else None, kind)
        for name, kind in LA_FIELDS.items()
    }
    return workers, raws, {**la, **prov}


def read_workforce_census(paths) -> WorkforceCensus:
    """Read CSWW census XML files.

    Raises
    ------
    PmfError
        Naming the file (and line or element) that is not a readable census.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "csww.xml"
    >>> _ = p.write_text('''<Message><Header><CollectionDetails><Year>2024</Year>
    ... <ReferenceDate>2024-09-30</ReferenceDate></CollectionDetails>
    ... <Source><LEA>938</LEA></Source></Header>
    ... <LALevelVacancies><NumberOfVacancies>4.5</NumberOfVacancies><NoAgencyFTE>3</NoAgencyFTE>
    ... <NoAgencyHeadcount>3</NoAgencyHeadcount></LALevelVacancies>
    ... <CSWWWorker><AgencyWorker>0</AgencyWorker><SWENo>SW1</SWENo><FTE>0.8</FTE>
    ... <Cases30>lots</Cases30></CSWWWorker></Message>''')
    >>> c = read_workforce_census(p)
    >>> float(c.workers.loc[0, "FTE"]), c.workers.loc[0, "Cases30"], c.raw.loc[0, "Cases30"]
    (0.8, <NA>, 'lots')
    >>> float(c.la_level.loc[0, "NumberOfVacancies"])
    4.5
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    workers, raws, las, files = [], [], [], []
    for p in paths:
        w, r, la = _parse_census_file(Path(p))
        workers += w
        raws += r
        las.append(la)
        files.append(str(p))
    prov_types = {
        "collection_year": "Int64",
        "reference_date": "datetime64[ns]",
        "la_code": "string",
        "source_file": "string",
    }
    wtypes = {
        **{k: _DTYPES[v] for k, v in WORKER_FIELDS.items()},
        "element": "string",
        **prov_types,
    }
    wdf = pd.DataFrame(workers, columns=list(wtypes))
    wdf = pd.DataFrame(
        {
            c: pd.array(wdf[c].tolist(), dtype=t)
            if t != "datetime64[ns]"
            else pd.to_datetime(wdf[c]).astype(t)
            for c, t in wtypes.items()
        }
    )
    raw = pd.DataFrame(raws, columns=list(WORKER_FIELDS) + ["element"]).astype("string")
    ltypes = {**{k: _DTYPES[v] for k, v in LA_FIELDS.items()}, **prov_types}
    ldf = pd.DataFrame(las, columns=list(ltypes))
    ldf = pd.DataFrame(
        {
            c: pd.array(ldf[c].tolist(), dtype=t)
            if t != "datetime64[ns]"
            else pd.to_datetime(ldf[c]).astype(t)
            for c, t in ltypes.items()
        }
    )
    return WorkforceCensus(workers=wdf, raw=raw, la_level=ldf, files=files)


def read_workforce_monthly(paths, *, strict_columns: bool = True) -> list[ReadTable]:
    """Read monthly workforce CSV/xlsx files (schema ``workforce_monthly``).

    ``month`` is moved to its month end, so any date in the month may be given. A
    required column missing is an error unless ``strict_columns`` is false
    (:func:`~pmf_lib.read.local.read_table`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "wf.csv"
    >>> _ = p.write_text("Month,Team,FTE in post,Agency FTE,Vacancies FTE,Starters,Leavers,"
    ...                  "Sickness days,Cases held\\n2025-03-01,Duty,10.5,2,1.5,1,0,4,180\\n")
    >>> t = read_workforce_monthly(p)[0]
    >>> str(t.data.loc[0, "month"].date()), float(t.data.loc[0, "fte_in_post"])
    ('2025-03-31', 10.5)
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out = []
    for p in paths:
        t = read_table(
            p, "workforce_monthly", source="workforce_monthly", strict_columns=strict_columns
        )
        t.data["month"] = t.data["month"] + pd.offsets.MonthEnd(0)
        out.append(t)
    return out
