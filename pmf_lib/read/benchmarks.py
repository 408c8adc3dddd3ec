"""Import DfE and ONS published benchmarks into one compact store.

The national comparators (England, region, statistical neighbours, quartile
bands and ranks) come from files the Department for Education and the Office
for National Statistics publish, read here in the formats they are published in:

* the **LAIT** "big data set" in long format (``bds_long*.parquet``) and its data
  dictionary (``*data_dictionary*.csv``): the children's social care topics only
  (:data:`CSC_TOPICS`), so the store stays small;
* **Explore Education Statistics** CSVs (``b1_*``, ``c1_*``, ``d3_*``, ``d5_*``,
  ``cla_number_and_rate_*``, ``csww_indicators_*``, ``la_cla_placement_stability*``):
  the columns in :data:`EES_COLUMNS`, each mapped to a measure code. A column
  that duplicates a LAIT measure is mapped to the LAIT code; LAIT is preferred
  where both publish a measure for a year, the EES figures fill years LAIT lacks.
  Columns LAIT has no measure for get codes of our own, prefixed ``EES_``;
* the DfE **statistical neighbour** models (April 2021 and May 2025) in both the
  LAIT xlsx layout (two header rows) and the CSV layouts;
* the **ONS mid-year population** estimates of children aged 0 to 17.

The store (:class:`BenchmarkStore`) has four tables:

``measures``
    code, title, measure, topic, polarity (``High``/``Low``/``-``), unit,
    source_table, year_type, no_quartile, dps, source.
``values``
    measure, year (label as published, e.g. ``2025``), year_end (date the
    year ends: 31 March for financial years and "at 31 March" counts, 30
    September for the workforce census, 31 August for academic years),
    level (``England``/``Region``/``LA``), la_code (old LA number; England is
    970 and regions 980-990 as LAIT numbers them), name, region, value and
    suppression (the published code when the value is missing), source.
``neighbours``
    model (``2021``/``2025``), la_code, la_name, region, sn_rank 1..10,
    neighbour (LA number), neighbour_name, closeness, inherited_from.
``population``
    year, level, la_code, name, children (aged 0-17).

Suppressed or missing figures (:data:`SUPPRESSION_CODES`) become NaN with the
published code kept in ``suppression`` -- never zero.

Reorganised councils (:data:`REORGANISATIONS`): Northamptonshire (928) was
replaced by North (940) and West (941) Northamptonshire on 1 April 2021, and
Cumbria (909) by Cumberland (942) and Westmorland and Furness (943) on 1 April
2023.

* A predecessor's history stays under its own code: its figures are never split
  between, or copied to, its successors, because they describe a different
  area. :func:`la_series` can set a predecessor's years before a successor's
  own series, marked with the predecessor's code in ``from_la_code``, so a
  chart can show the history, labelled.
* A successor without a neighbour list in a model (Cumberland and Westmorland
  and Furness in April 2021, drawn up before they existed) takes its
  predecessor's list, marked ``inherited_from``.
* A neighbour list that names an abolished council keeps it as published (as
  LAIT does): it has no figures after abolition, so it drops out of the
  neighbour mean and median for those years.
* Workforce figures published jointly for North and West Northamptonshire
  (``940 / 941``, one children's trust) are given to both, as LAIT does.

Examples
--------
>>> from pmf_lib.read.benchmarks import load_benchmarks
>>> store = load_benchmarks()
>>> int(store.neighbours.query("model == '2025' and la_code == 938").shape[0])
10
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pmf_lib.atomic import atomic_dir
from pmf_lib.errors import PmfError
from pmf_lib.read.population import read_ons_rows
from pmf_lib.textio import read_text

SNAPSHOT_DIR = Path(__file__).resolve().parents[1] / "data" / "benchmarks"
"""Where the shipped snapshot lives (``pmf_lib/data/benchmarks``)."""

OGL_ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0"
)

CSC_TOPICS = (
    "Children in Need",
    "Child Protection",
    "Children Looked After",
    "Children's Services Workforce",
    "Adoption",
    "Youth Offending",
)
"""LAIT topics imported: children's social care."""

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

ENGLAND = 970
REGION_CODES: dict[str, int] = {
    "north east": 980,
    "north west": 981,
    "yorkshire and the humber": 982,
    "east midlands": 983,
    "west midlands": 984,
    "east of england": 985,
    "london": 986,
    "inner london": 987,
    "london (inner)": 987,
    "outer london": 988,
    "london (outer)": 988,
    "south east": 989,
    "south west": 990,
}
"""Region names (any case, either London spelling) to LAIT's region numbers."""

REGION_NAMES: dict[int, str] = {
    980: "North East",
    981: "North West",
    982: "Yorkshire and the Humber",
    983: "East Midlands",
    984: "West Midlands",
    985: "East of England",
    986: "London",
    987: "London (Inner)",
    988: "London (Outer)",
    989: "South East",
    990: "South West",
}


@dataclass(frozen=True)
class Reorganisation:
    """A council replaced by its successors on a date."""

    predecessor: int
    successors: tuple[int, ...]
    effective: dt.date


REORGANISATIONS = (
    Reorganisation(928, (940, 941), dt.date(2021, 4, 1)),
    Reorganisation(909, (942, 943), dt.date(2023, 4, 1)),
)
"""Northamptonshire (2021) and Cumbria (2023)."""

YEAR_END: dict[str, tuple[int, int]] = {
    "financial year": (3, 31),
    "annual": (3, 31),
    "annual (end of sept)": (9, 30),
    "academic year": (8, 31),
    "calendar year": (12, 31),
    "annual - january": (1, 31),
}
"""(month, day) a LAIT ``Year_Type`` year ends on."""


@dataclass(frozen=True)
class EesColumn:
    """One Explore Education Statistics column mapped to a measure code."""

    file: str  # file-name prefix, e.g. "b1_"
    column: str
    code: str
    title: str
    polarity: str
    unit: str
    year_type: str
    where: tuple[tuple[str, str], ...] = ()  # (column, value) filters


_CLA31 = (("population_type", "Children looked after on 31 March each year"),)
_CLASTART = (("population_type", "Children starting to be looked after each year"),)
_CLACEASE = (("population_type", "Children ceasing to be looked after each year"),)
_STAB3 = (
    ("cla_group", "CLA on 31 March"),
    ("placement_stability", "With 3 or more placements during the year"),
)
_STABLONG = (
    (
        "cla_group",
        "Children looked after continuously for at least 2.5 years on 31 March aged under 16 years",
    ),
    ("placement_stability", "Living with the same carer for at least 2 years"),
)
_FY, _AN, _SEPT = "Financial Year", "Annual", "Annual (end of Sept)"

EES_COLUMNS: tuple[EesColumn, ...] = (
    # b1 children in need (no LAIT equivalent for these three)
    EesColumn(
        "b1_",
        "At31_episodes",
        "EES_CIN_At31",
        "Children in need at 31 March (num)",
        "-",
        "Number of children",
        _AN,
    ),
    EesColumn(
        "b1_",
        "Started_episodes",
        "EES_CIN_Started",
        "Episodes of need starting during the year (num)",
        "-",
        "Number of episodes",
        _FY,
    ),
    EesColumn(
        "b1_",
        "awaiting_assessment",
        "EES_CIN_AwaitingAssessment",
        "Children awaiting assessment at 31 March (num)",
        "-",
        "Number of children",
        _AN,
    ),
    # c1 referrals
    EesColumn(
        "c1_",
        "referral_count",
        "CPP_Total_NumRef",
        "Number of referrals to Children's Social Services",
        "-",
        "Number of children",
        _FY,
    ),
    EesColumn(
        "c1_",
        "rereferral_percent",
        "ReReferral",
        "Re-referrals within 12 months of the previous referral (%)",
        "Low",
        "% of referrals",
        _FY,
    ),
    EesColumn(
        "c1_",
        "no_further_action_percent",
        "CIN_Refferals_NFA",
        "Referrals closed with no further action (%)",
        "-",
        "% of referrals",
        _FY,
    ),
    EesColumn(
        "c1_",
        "not_in_need_percent",
        "Referrals_AssessedNotNeed",
        "Referrals assessed and the child not in need (%)",
        "-",
        "% of referrals",
        _FY,
    ),
    EesColumn(
        "c1_",
        "referral_child_count",
        "EES_Referral_Children",
        "Children referred during the year (num)",
        "-",
        "Number of children",
        _FY,
    ),
    EesColumn(
        "c1_",
        "rereferral_child_percent",
        "EES_ReReferral_Child_pct",
        "Children re-referred within 12 months (%)",
        "Low",
        "% of children",
        _FY,
    ),
    # d3 subsequent plans
    EesColumn(
        "d3_",
        "CPP_start",
        "CPP_Abuse",
        "Child protection plans starting during the year (num)",
        "-",
        "Number of CPP",
        _FY,
    ),
    EesColumn(
        "d3_",
        "CPP_subsequent",
        "ReRegCPR",
        "Plans for a second or subsequent time (num)",
        "-",
        "Number plans",
        _FY,
    ),
    EesColumn(
        "d3_",
        "CPP_subsequent_percent",
        "PrevRegCPR",
        "Plans for a second or subsequent time (%)",
        "Low",
        "% previously plans",
        _FY,
    ),
    # d5 plans at 31 March by duration
    EesColumn(
        "d5_",
        "CPP_At31",
        "CPP_Num",
        "Children subject of a plan at 31 March (num)",
        "-",
        "Number CPP",
        _AN,
    ),
    EesColumn(
        "d5_",
        "2_years_or_more_percent",
        "CPPlans2yrsActive",
        "Plans at 31 March lasting 2 years or more (%)",
        "Low",
        "% of children",
        _FY,
    ),
    EesColumn(
        "d5_",
        "3_months_or_less_percent",
        "EES_CPP_At31_3mOrLess_pct",
        "Plans at 31 March lasting 3 months or less (%)",
        "-",
        "% of children",
        _AN,
    ),
    # children looked after numbers and rates
    EesColumn(
        "cla_number_and_rate",
        "children_count",
        "LACnum",
        "Children looked after (num)",
        "-",
        "Number of Children Looked After",
        _AN,
        _CLA31,
    ),
    EesColumn(
        "cla_number_and_rate",
        "rate_per_10000",
        "LAC",
        "Children looked after rate per 10,000",
        "-",
        "Rate per 10,000",
        _AN,
        _CLA31,
    ),
    EesColumn(
        "cla_number_and_rate",
        "children_count",
        "LACnum_Start",
        "Children who started to be looked after (num)",
        "-",
        "Number of Children Looked After",
        _FY,
        _CLASTART,
    ),
    EesColumn(
        "cla_number_and_rate",
        "rate_per_10000",
        "LAC_Start_Rate",
        "Children starting to be looked after (rate)",
        "-",
        "Rate per 10,000",
        _FY,
        _CLASTART,
    ),
    EesColumn(
        "cla_number_and_rate",
        "children_count",
        "LACceased",
        "Children who ceased to be looked after (num)",
        "-",
        "Number of Children Looked After",
        _FY,
        _CLACEASE,
    ),
    EesColumn(
        "cla_number_and_rate",
        "rate_per_10000",
        "LAC_Cease_Rate",
        "Children ceasing to be looked after (rate)",
        "-",
        "Rate per 10,000",
        _FY,
        _CLACEASE,
    ),
    # social work workforce (30 September)
    EesColumn(
        "csww_indicators",
        "inpost_fte",
        "Work_Force_NoSW",
        "Number of children's social workers (FTE)",
        "-",
        "Social Workers",
        _SEPT,
    ),
    EesColumn(
        "csww_indicators",
        "vacancy_rate_fte",
        "Work_Force_Vac_Rate",
        "Social worker vacancies (%)",
        "Low",
        "% vacancies",
        _SEPT,
    ),
    EesColumn(
        "csww_indicators",
        "turnover_rate_fte",
        "Work_Force_TO_Rate",
        "Social worker turnover (%)",
        "Low",
        "Turnover rate",
        _SEPT,
    ),
    EesColumn(
        "csww_indicators",
        "agency_rate_fte",
        "Work_Force_Agecy_Rate",
        "Agency social workers (%)",
        "Low",
        "% Agency Staff",
        _SEPT,
    ),
    EesColumn(
        "csww_indicators",
        "agency_cover_rate_fte",
        "Work_Force_AgencyCover",
        "Agency social workers covering vacancies (%)",
        "-",
        "% Agency Staff",
        _SEPT,
    ),
    EesColumn(
        "csww_indicators",
        "vacancy_agency_cover_rate_fte",
        "Vacancies_cover",
        "Vacancies covered by agency workers (%)",
        "High",
        "% Vacancies",
        _SEPT,
    ),
    EesColumn(
        "csww_indicators",
        "absence_rate_fte",
        "Work_Force_SWAbsence",
        "Social worker absence rate (%)",
        "Low",
        "Absence Rate",
        _SEPT,
    ),
    EesColumn(
        "csww_indicators",
        "cases",
        "Work_Force_Num_CaseHeld",
        "Number of cases held by LA",
        "-",
        "Number of cases",
        _SEPT,
    ),
    EesColumn(
        "csww_indicators",
        "caseload_fte",
        "Work_Force_AvgNumCase_SW",
        "Average cases per children and family social worker (FTE)",
        "Low",
        "Case Load",
        _SEPT,
    ),
    EesColumn(
        "csww_indicators",
        "starters_fte",
        "Social_Work_Starters",
        "Social workers starting during the year (FTE)",
        "-",
        "Starters FTE",
        _SEPT,
    ),
    EesColumn(
        "csww_indicators",
        "leavers_fte",
        "Social_Work_Leavers",
        "Social workers leaving during the year (FTE)",
        "-",
        "Leavers FTE",
        _SEPT,
    ),
    # placement stability
    EesColumn(
        "la_cla_placement_stability",
        "children_percent",
        "LACStable_2016on",
        "Children looked after at 31 March with three or more placements in the year (%)",
        "Low",
        "% of children",
        _AN,
        _STAB3,
    ),
    EesColumn(
        "la_cla_placement_stability",
        "children_count",
        "LACStableNum_2016on",
        "Children looked after with three or more placements in the year (num)",
        "-",
        "Number of children",
        _AN,
        _STAB3,
    ),
    EesColumn(
        "la_cla_placement_stability",
        "children_percent",
        "LAC_LongStable%",
        "Children looked after 2.5+ years, under 16, with the same carer 2+ years (%)",
        "High",
        "% of children",
        _AN,
        _STABLONG,
    ),
    EesColumn(
        "la_cla_placement_stability",
        "children_count",
        "LAC_LongStableNum",
        "Children looked after 2.5+ years, under 16, with the same carer 2+ years (num)",
        "-",
        "Number of children",
        _AN,
        _STABLONG,
    ),
)
"""Every Explore Education Statistics column imported, with its measure code."""

EES_PREFIXES = tuple(dict.fromkeys(c.file for c in EES_COLUMNS))

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


@dataclass
class BenchmarkStore:
    """The four benchmark tables (see the module docstring for their columns)."""

    measures: pd.DataFrame
    values: pd.DataFrame
    neighbours: pd.DataFrame
    population: pd.DataFrame

    def measure(self, code: str) -> pd.Series:
        """The ``measures`` row for a code; a :class:`PmfError` when it is unknown."""
        rows = self.measures[self.measures["code"] == code]
        if rows.empty:
            raise PmfError(f"unknown benchmark measure {code!r}", field="measure")
        return rows.iloc[0]

    def la_name(self, la_code: int) -> str:
        """The published name of an LA, region or England."""
        rows = self.values.loc[self.values["la_code"] == la_code, "name"]
        if rows.empty:
            rows = self.neighbours.loc[self.neighbours["la_code"] == la_code, "la_name"]
        if rows.empty:
            raise PmfError(f"no benchmark figures for LA {la_code}", field="la_code")
        return str(rows.iloc[-1])

    def la_region(self, la_code: int) -> str:
        """The region name an LA belongs to (LAIT's ``Region``; London split Inner/Outer)."""
        mine = self.values[(self.values["la_code"] == la_code) & (self.values["level"] == "LA")]
        if (mine["source"] == "LAIT").any():  # LAIT splits London into Inner and Outer
            mine = mine[mine["source"] == "LAIT"]
        rows = mine["region"].dropna()
        if rows.empty:
            rows = self.neighbours.loc[self.neighbours["la_code"] == la_code, "region"].dropna()
        if rows.empty:
            raise PmfError(f"no region known for LA {la_code}", field="la_code")
        return str(rows.mode().iloc[0])


# --------------------------------------------------------------------------- values


def _read_csv(path: Path, what: str = "the file", **kwargs) -> pd.DataFrame:
    """A published CSV as strings, decoded by :func:`pmf_lib.textio.read_text`.

    UTF-8 (with or without a byte-order mark), else Windows-1252; a missing,
    empty, binary or unparseable file is one :class:`PmfError` naming it.
    """
    text = read_text(path)
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, **kwargs)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise PmfError(f"cannot read {what}: {e}", file=path) from None


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


def _parse_series(raw: pd.Series, *, file, field: str, rows=None, row_offset: int = 2):
    """Vectorised :func:`parse_value`: (values float array, suppression object array).

    ``rows`` gives each value's row number in the file (for messages); by default
    a value's position plus ``row_offset``.
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


def _level(code: int) -> str:
    if code == ENGLAND:
        return "England"
    if code in REGION_NAMES:
        return "Region"
    return "LA"


# --------------------------------------------------------------------------- LAIT


def read_lait_dictionary(path: str | Path, topics: Iterable[str] = CSC_TOPICS) -> pd.DataFrame:
    """The ``measures`` table from LAIT's data dictionary (CSV), for the given topics.

    A measure listed under several topics (LAIT repeats some) is kept once, its
    topics joined with `` / `` as LAIT shows them; discontinued measures are left
    out as LAIT leaves them out.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "dict.csv"
    >>> _ = p.write_text("Measure_code,Topic,Measure,Chart_title,Measure_short,Polarity,"
    ...     "y_axis_name,Table_status,Year_Type,No_Quartile,dps\\n"
    ...     "271,Child Protection,Re-referrals,Re-referrals (%),ReReferral,Low,%,c1,"
    ...     "Financial Year,,1\\n")
    >>> read_lait_dictionary(p)[["code", "polarity", "no_quartile"]].to_dict("records")
    [{'code': 'ReReferral', 'polarity': 'Low', 'no_quartile': False}]
    """
    path = Path(path)
    d = _read_csv(path, "the LAIT data dictionary")
    need = [
        "Topic",
        "Measure",
        "Chart_title",
        "Measure_short",
        "Polarity",
        "y_axis_name",
        "Table_status",
        "Year_Type",
        "No_Quartile",
    ]
    _require_columns(d, need, path)
    d = d.assign(Measure_short=d["Measure_short"].str.strip(), Topic=d["Topic"].str.strip())
    d = d[~d["Table_status"].str.contains("DISCONTINUE", case=False)]
    topics = list(topics)
    wanted = d[d["Topic"].isin(topics)]
    rows = []
    for code, group in wanted.groupby("Measure_short", sort=True):
        if not code:
            continue
        first = group.iloc[0]
        all_topics = d.loc[d["Measure_short"] == code, "Topic"].drop_duplicates().tolist()
        polarity = first["Polarity"].strip()
        if polarity not in ("High", "Low"):
            polarity = "-"
        dps = pd.to_numeric(first.get("dps", ""), errors="coerce")
        rows.append(
            {
                "code": code,
                "title": first["Chart_title"].strip() or first["Measure"].strip(),
                "measure": first["Measure"].strip(),
                "topic": " / ".join(all_topics),
                "polarity": polarity,
                "unit": first["y_axis_name"].strip(),
                "source_table": first["Table_status"].strip(),
                "year_type": first["Year_Type"].strip(),
                "no_quartile": first["No_Quartile"].strip().upper() == "N",
                "dps": float(dps) if pd.notna(dps) else float("nan"),
                "source": "LAIT",
            }
        )
    return pd.DataFrame(rows, columns=MEASURE_COLUMNS)


def read_lait_long(path: str | Path, measures: pd.DataFrame) -> pd.DataFrame:
    """The ``values`` rows of LAIT's long data set for the measures given.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "bds.parquet"
    >>> pd.DataFrame({"Short Desc": ["CIN", "CIN"], "Data item": ["x", "x"],
    ...     "Years": ["2025", "2025"], "LA and Regions": ["England", "Kent"],
    ...     "Values": ["330.3", "-"], "LA Number": [970.0, 886.0],
    ...     "Region": ["NA", "South East"]}).to_parquet(p)
    >>> m = pd.DataFrame([{"code": "CIN", "year_type": "Annual"}])
    >>> read_lait_long(p, m)[["la_code", "value", "suppression"]].to_dict("records")
    [{'la_code': 886, 'value': nan, 'suppression': '-'}, {'la_code': 970, 'value': 330.3, \
'suppression': None}]
    """
    path = Path(path)
    cols = ["Short Desc", "Years", "LA and Regions", "Values", "LA Number", "Region"]
    try:
        raw = pd.read_parquet(path, columns=cols)
    except Exception as e:  # pyarrow raises several types for bad files
        raise PmfError(f"cannot read the LAIT long data set: {e}", file=path) from None
    raw = raw.assign(**{"Short Desc": raw["Short Desc"].astype("string").str.strip()})
    raw = raw[raw["Short Desc"].isin(measures["code"])].reset_index(drop=True)
    if raw["LA Number"].isna().any():
        pos = int(np.flatnonzero(raw["LA Number"].isna().to_numpy())[0])
        raise PmfError("missing LA number", file=path, location=f"row {pos + 1}", field="LA Number")
    if raw["Years"].isna().any():
        raw = raw[raw["Years"].notna()]  # LAIT drops rows without a year too
    value, supp = _parse_series(raw["Values"], file=path, field="Values", row_offset=1)
    year_types = measures.set_index("code")["year_type"]
    la_code = raw["LA Number"].astype(int).to_numpy()
    level = np.array([_level(c) for c in la_code], dtype=object)
    region = raw["Region"].astype("string").str.strip()
    region = region.where(~region.isin(["NA", ""]) & (level == "LA"), None)
    out = pd.DataFrame(
        {
            "measure": raw["Short Desc"].astype(str).to_numpy(),
            "year": raw["Years"].astype(str).str.strip().to_numpy(),
            "level": level,
            "la_code": la_code,
            "name": raw["LA and Regions"].astype(str).str.strip().to_numpy(),
            "region": region.astype(object).to_numpy(),
            "value": value,
            "suppression": supp,
            "source": "LAIT",
        }
    )
    out["region"] = out["region"].where(out["level"] != "Region", out["name"])
    out["year_end"] = _year_ends(out, year_types)
    _check_unique(out, path)
    return _tidy_values(out)


def _year_ends(values: pd.DataFrame, year_types: pd.Series) -> pd.Series:
    pairs = values[["year", "measure"]].drop_duplicates()
    ends = {(y, m): year_end(y, year_types.get(m)) for y, m in pairs.itertuples(index=False)}
    return pd.Series(
        [ends[(y, m)] for y, m in zip(values["year"], values["measure"], strict=True)],
        index=values.index,
        dtype="datetime64[s]",
    )


def _check_unique(values: pd.DataFrame, path) -> None:
    dup = values.duplicated(["measure", "year", "la_code"], keep=False)
    if dup.any():
        first = values[dup].iloc[0]
        raise PmfError(
            f"measure {first['measure']} year {first['year']} is given more than once "
            f"for LA {first['la_code']}",
            file=path,
        )


def _tidy_values(values: pd.DataFrame) -> pd.DataFrame:
    v = values[VALUE_COLUMNS].sort_values(["measure", "year", "la_code"], kind="stable")
    v = v.reset_index(drop=True)
    v["la_code"] = v["la_code"].astype("int64")
    v["value"] = v["value"].astype("float64")
    v["year_end"] = v["year_end"].astype("datetime64[s]")
    for c in ("measure", "year", "level", "name", "region", "suppression", "source"):
        v[c] = v[c].astype(object).where(v[c].notna(), None)
    return v


# --------------------------------------------------------------------------- EES


def read_ees_csv(path: str | Path, columns: Iterable[EesColumn] | None = None) -> pd.DataFrame:
    """The ``values`` rows of one Explore Education Statistics CSV.

    ``columns`` defaults to the :data:`EES_COLUMNS` whose file prefix matches
    the file's name. National rows become England (970), regional rows LAIT's
    region numbers, local authority rows their old LA number.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "b1_children_in_need.csv"
    >>> _ = p.write_text("time_period,geographic_level,region_name,old_la_code,la_name,"
    ...     "At31_episodes,Started_episodes,awaiting_assessment\\n"
    ...     "2025,National,,,,402400,396870,16290\\n"
    ...     "2025,Local authority,South East,938,West Sussex,x,4000,k\\n")
    >>> v = read_ees_csv(p)
    >>> v.query("measure == 'EES_CIN_At31'")[["la_code", "value", "suppression"]].to_dict("records")
    [{'la_code': 938, 'value': nan, 'suppression': 'x'}, {'la_code': 970, 'value': 402400.0, \
'suppression': None}]
    """
    path = Path(path)
    if columns is None:
        columns = [c for c in EES_COLUMNS if path.name.startswith(c.file)]
    columns = list(columns)
    if not columns:
        raise PmfError("no columns of this file are mapped to benchmark measures", file=path)
    d = _read_csv(path)
    d.columns = [c.strip() for c in d.columns]
    base = ["time_period", "geographic_level", "old_la_code", "la_name", "region_name"]
    _require_columns(
        d,
        base + sorted({c.column for c in columns} | {w for c in columns for w, _ in c.where}),
        path,
    )
    level_map = {"National": "England", "Regional": "Region", "Local authority": "LA"}
    d = d[d["geographic_level"].isin(level_map)].copy()
    d["_row"] = d.index + 2
    # geography: one row per LA code (a joint "940 / 941" row is given to each)
    codes = []
    for row, lvl, old, region in zip(
        d["_row"], d["geographic_level"], d["old_la_code"], d["region_name"], strict=True
    ):
        if lvl == "National":
            codes.append([ENGLAND])
        elif lvl == "Regional":
            code = REGION_CODES.get(region.strip().lower())
            if code is None:
                raise PmfError(
                    f"unknown region {region!r}",
                    file=path,
                    location=f"row {row}",
                    field="region_name",
                )
            codes.append([code])
        else:
            parts = [p.strip() for p in old.split("/")]
            if not all(p.isdigit() for p in parts):
                raise PmfError(
                    f"not an LA number: {old!r}",
                    file=path,
                    location=f"row {row}",
                    field="old_la_code",
                )
            codes.append([int(p) for p in parts])
    d["la_code"] = codes
    d = d.explode("la_code")
    d["la_code"] = d["la_code"].astype(int)
    names = d["la_name"].str.split("/")
    parts = d.groupby(level=0)["la_code"].transform("size")
    d["name"] = [
        n[i].strip() if len(n) == k else "/".join(n).strip()
        for n, i, k in zip(names, d.groupby(level=0).cumcount(), parts, strict=True)
    ]
    d["level"] = d["geographic_level"].map(level_map)
    d.loc[d["level"] == "England", "name"] = "England"
    d.loc[d["level"] == "Region", "name"] = d.loc[d["level"] == "Region", "la_code"].map(
        REGION_NAMES
    )
    d["region"] = d["region_name"].str.strip().where(d["level"] == "LA", None)
    d.loc[d["level"] == "Region", "region"] = d.loc[d["level"] == "Region", "name"]
    frames = []
    for col in columns:
        sub = d
        for wcol, wval in col.where:
            sub = sub[sub[wcol].str.strip() == wval]
        if sub.empty:
            continue
        value, supp = _parse_series(
            sub[col.column], file=path, field=col.column, rows=sub["_row"].to_numpy()
        )
        frames.append(
            pd.DataFrame(
                {
                    "measure": col.code,
                    "year": sub["time_period"].str.strip().to_numpy(),
                    "year_end": [year_end(y, col.year_type) for y in sub["time_period"]],
                    "level": sub["level"].to_numpy(),
                    "la_code": sub["la_code"].to_numpy(),
                    "name": sub["name"].to_numpy(),
                    "region": sub["region"].to_numpy(),
                    "value": value,
                    "suppression": supp,
                    "source": path.stem,
                }
            )
        )
    if not frames:
        return _tidy_values(pd.DataFrame(columns=VALUE_COLUMNS))
    out = pd.concat(frames, ignore_index=True)
    _check_unique(out, path)
    return _tidy_values(out)


def ees_measures(columns: Iterable[EesColumn] = EES_COLUMNS) -> pd.DataFrame:
    """The ``measures`` rows for EES columns (used where LAIT's dictionary has no entry)."""
    rows, seen = [], set()
    for c in columns:
        if c.code in seen:
            continue
        seen.add(c.code)
        rows.append(
            {
                "code": c.code,
                "title": c.title,
                "measure": c.title,
                "topic": "Explore Education Statistics",
                "polarity": c.polarity,
                "unit": c.unit,
                "source_table": c.file.rstrip("_"),
                "year_type": c.year_type,
                "no_quartile": False,
                "dps": float("nan"),
                "source": "EES",
            }
        )
    return pd.DataFrame(rows, columns=MEASURE_COLUMNS)


# --------------------------------------------------------------------------- neighbours


def _closeness(text) -> str | None:
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    t = str(text).strip()
    return t[:1].upper() + t[1:].lower() if t else None


def _neighbour_rows(records, model: str, path, location_of) -> pd.DataFrame:
    rows = []
    for i, rec in enumerate(records):
        la, name, region, sns = rec
        for rank, (sn, closeness) in enumerate(sns, start=1):
            text = "" if sn is None else str(sn).strip()
            if text in ("", "-") or text.lower() == "nan":
                continue
            try:
                code = int(float(text))
            except ValueError:
                raise PmfError(
                    f"not an LA number: {text!r}",
                    file=path,
                    location=location_of(i),
                    field=f"SN{rank}",
                ) from None
            rows.append(
                {
                    "model": model,
                    "la_code": la,
                    "la_name": name,
                    "region": region,
                    "sn_rank": rank,
                    "neighbour": code,
                    "closeness": _closeness(closeness),
                }
            )
    return pd.DataFrame(
        rows,
        columns=[c for c in NEIGHBOUR_COLUMNS if c not in ("neighbour_name", "inherited_from")],
    )


def _model_of(path: Path, model: str | None) -> str:
    if model:
        return str(model)
    found = re.findall(r"20\d\d", path.name)
    if not found:
        raise PmfError(
            "cannot tell the statistical neighbour model's year from the file "
            "name (expected e.g. 2021 or 2025 in it)",
            file=path,
        )
    return found[-1]


def read_sn_xlsx(path: str | Path, model: str | None = None) -> pd.DataFrame:
    """Statistical neighbours from DfE's xlsx (sheet ``LA SN Groups``).

    The sheet has two rows above the header (``LA num``, ``LA Name``, ...,
    ``SN1``, ``SNP``, ... ``SN10``, ``SNP``); rows without an LA number (notes,
    blank lines) are skipped, and ``-`` in place of a neighbour means none.
    """
    import openpyxl

    path = Path(path)
    model = _model_of(path, model)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for bad files
        raise PmfError(f"cannot read the workbook: {e}", file=path) from None
    try:
        ws = wb["LA SN Groups"] if "LA SN Groups" in wb.sheetnames else wb.worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
    finally:
        wb.close()
    header_at = next(
        (i for i, r in enumerate(rows[:10]) if r and str(r[0] or "").strip() == "LA num"), None
    )
    if header_at is None:
        raise PmfError(
            "no header row starting 'LA num' in the first 10 rows",
            file=path,
            location=f"sheet {ws.title}",
        )
    header = [str(h).strip() if h is not None else "" for h in rows[header_at]]
    idx = {h: header.index(h) for h in ("LA num", "LA Name", "GOReg") if h in header}
    if len(idx) < 3:
        raise PmfError(
            "header must have LA num, LA Name and GOReg", file=path, location=f"row {header_at + 1}"
        )
    sn_cols = []
    for k in range(1, 11):
        if f"SN{k}" not in header:
            raise PmfError(f"no SN{k} column", file=path, location=f"row {header_at + 1}")
        j = header.index(f"SN{k}")
        sn_cols.append((j, j + 1))
    records, where = [], []
    for i, r in enumerate(rows[header_at + 1 :], start=header_at + 2):
        la = r[idx["LA num"]] if idx["LA num"] < len(r) else None
        if la is None or str(la).strip() == "":
            continue
        try:
            la = int(float(str(la).strip()))
        except ValueError:
            raise PmfError(
                f"not an LA number: {la!r}", file=path, location=f"row {i}", field="LA num"
            ) from None
        sns = [(r[a] if a < len(r) else None, r[b] if b < len(r) else None) for a, b in sn_cols]
        records.append((la, str(r[idx["LA Name"]]).strip(), str(r[idx["GOReg"]]).strip(), sns))
        where.append(f"row {i}")
    return _neighbour_rows(records, model, path, lambda k: where[k])


def read_sn_csv(path: str | Path, model: str | None = None) -> pd.DataFrame:
    """Statistical neighbours from a CSV in either published layout.

    * the CSC outcomes and enablers layout: ``old_la_code, la_name, region_ind,
      region_name, SN_1..SN_10, SN_1P..SN_10P`` (closeness with trailing spaces);
    * the April 2021 layout: ``LA num, LA Name, LA number, GOInd, GOReg, SN1,
      SNP, SN2, SNP, ...`` (rows without an LA number, such as the "Old SNs:"
      note, are skipped).
    """
    path = Path(path)
    model = _model_of(path, model)
    d = _read_csv(path, header=None)
    header = [str(h).strip() for h in d.iloc[0]]
    body = d.iloc[1:]
    if "old_la_code" in header:
        la_i, name_i, reg_i = (header.index(h) for h in ("old_la_code", "la_name", "region_name"))
        pairs = []
        for k in range(1, 11):
            if f"SN_{k}" not in header or f"SN_{k}P" not in header:
                raise PmfError(f"no SN_{k} / SN_{k}P column", file=path, location="row 1")
            pairs.append((header.index(f"SN_{k}"), header.index(f"SN_{k}P")))
    elif "LA num" in header:
        la_i, name_i, reg_i = (header.index(h) for h in ("LA num", "LA Name", "GOReg"))
        pairs = []
        for k in range(1, 11):
            if f"SN{k}" not in header:
                raise PmfError(f"no SN{k} column", file=path, location="row 1")
            j = header.index(f"SN{k}")
            pairs.append((j, j + 1))
    else:
        raise PmfError(
            "not a statistical neighbour CSV: expected an 'old_la_code' or 'LA num' column",
            file=path,
            location="row 1",
        )
    records, where = [], []
    for i, r in enumerate(body.itertuples(index=False), start=2):
        la = str(r[la_i]).strip()
        if not la:
            continue
        if not la.isdigit():
            raise PmfError(
                f"not an LA number: {la!r}", file=path, location=f"row {i}", field=header[la_i]
            )
        sns = [(r[a], r[b] if b < len(r) else None) for a, b in pairs]
        records.append((int(la), str(r[name_i]).strip(), str(r[reg_i]).strip(), sns))
        where.append(f"row {i}")
    return _neighbour_rows(records, model, path, lambda k: where[k])


def combine_neighbours(frames: Iterable[tuple[Path, pd.DataFrame]]) -> pd.DataFrame:
    """One neighbour table from several files, with successors' lists filled in.

    Files of the same model are combined LA by LA: the first file listing an LA
    gives its list; a later file that lists the same LA with different
    neighbours is an error. A successor council (:data:`REORGANISATIONS`) with
    no list in a model takes its predecessor's, with ``inherited_from`` set.
    """
    out = []
    by_model: dict[str, dict[int, tuple[Path, pd.DataFrame]]] = {}
    for path, f in frames:
        for (model, la), g in f.groupby(["model", "la_code"], sort=False):
            seen = by_model.setdefault(model, {})
            if la in seen:
                prev_path, prev = seen[la]
                a = prev.sort_values("sn_rank")["neighbour"].tolist()
                b = g.sort_values("sn_rank")["neighbour"].tolist()
                if a and b and a != b:
                    raise PmfError(
                        f"LA {la}'s {model} neighbours {b} differ from {a} in {prev_path}",
                        file=path,
                    )
                if not a and b:
                    seen[la] = (path, g)
                continue
            seen[la] = (path, g)
    names: dict[int, str] = {}
    for _model, seen in sorted(by_model.items()):
        for la, (_, g) in sorted(seen.items()):
            if not g.empty:
                names.setdefault(la, g["la_name"].iloc[0])
                out.append(g.assign(inherited_from=pd.NA))
        for reorg in REORGANISATIONS:
            pred = seen.get(reorg.predecessor)
            for succ in reorg.successors:
                have = seen.get(succ)
                if (have is None or have[1].empty) and pred is not None and not pred[1].empty:
                    g = pred[1]
                    g = g[~g["neighbour"].isin(reorg.successors)]
                    out.append(
                        g.assign(
                            la_code=succ,
                            la_name=names.get(succ, pd.NA),
                            inherited_from=reorg.predecessor,
                        )
                    )
    if not out:
        return pd.DataFrame(columns=NEIGHBOUR_COLUMNS)
    n = pd.concat(out, ignore_index=True)
    n["la_name"] = n["la_name"].fillna(n["la_code"].map(names))
    n["neighbour_name"] = n["neighbour"].map(names)
    n["inherited_from"] = n["inherited_from"].astype("Int64")
    n = n.sort_values(["model", "la_code", "sn_rank"]).reset_index(drop=True)
    for c in ("model", "la_name", "region", "neighbour_name", "closeness"):
        n[c] = n[c].astype(object).where(n[c].notna(), None)
    n["la_code"] = n["la_code"].astype("int64")
    n["sn_rank"] = n["sn_rank"].astype("int64")
    n["neighbour"] = n["neighbour"].astype("int64")
    return n[NEIGHBOUR_COLUMNS]


# --------------------------------------------------------------------------- population


def read_ons_population(path: str | Path) -> pd.DataFrame:
    """ONS mid-year estimates of children aged 0 to 17 for England, regions and councils.

    The file is read by :func:`pmf_lib.read.population.read_ons_rows`, as the
    council's own estimates are, so both keep the same rows (its age-group rule).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "ons.csv"
    >>> _ = p.write_text("time_period,geographic_level,region_name,old_la_code,la_name,"
    ...     "age_group,population_estimate\\n"
    ...     "2024,National,,,,Children aged 0 to 17 years,12183016\\n"
    ...     "2024,Local authority,South East,938,West Sussex,Children aged 0 to 17 years,"
    ...     "181943\\n")
    >>> read_ons_population(p).to_dict("records")[0]
    {'year': 2024, 'level': 'LA', 'la_code': 938, 'name': 'West Sussex', 'children': 181943.0}
    """
    path = Path(path)
    need = (
        "time_period",
        "geographic_level",
        "region_name",
        "old_la_code",
        "la_name",
        "age_group",
        "population_estimate",
    )
    found = read_ons_rows(path, need)
    if not found:
        raise PmfError("no rows for 'Children aged 0 to 17 years'", file=path, field="age_group")
    rows = []
    for line, r in found:
        loc = f"row {line}"
        lvl = r["geographic_level"]
        if lvl == "National":
            code, level, name = ENGLAND, "England", "England"
        elif lvl == "Regional":
            code = REGION_CODES.get(r["region_name"].lower())
            if code is None:
                raise PmfError(
                    f"unknown region {r['region_name']!r}",
                    file=path,
                    location=loc,
                    field="region_name",
                )
            level, name = "Region", REGION_NAMES[code]
        elif lvl == "Local authority":
            if not r["old_la_code"].isdigit():
                raise PmfError(
                    f"not an LA number: {r['old_la_code']!r}",
                    file=path,
                    location=loc,
                    field="old_la_code",
                )
            code, level, name = int(r["old_la_code"]), "LA", r["la_name"]
        else:
            continue
        if not r["time_period"].isdigit():
            raise PmfError(
                f"not a year: {r['time_period']!r}", file=path, location=loc, field="time_period"
            )
        value, _ = parse_value(
            r["population_estimate"], file=path, location=loc, field="population_estimate"
        )
        rows.append(
            {
                "year": int(r["time_period"]),
                "level": level,
                "la_code": code,
                "name": name,
                "children": value,
            }
        )
    p = pd.DataFrame(rows, columns=POPULATION_COLUMNS)
    dup = p.duplicated(["year", "la_code"], keep=False)
    if dup.any():
        first = p[dup].iloc[0]
        raise PmfError(
            f"year {first['year']} is given more than once for {first['name']}", file=path
        )
    p = p.sort_values(["year", "la_code"]).reset_index(drop=True)
    p["children"] = p["children"].astype("float64")
    return p


# --------------------------------------------------------------------------- import


def _require_columns(d: pd.DataFrame, need: Iterable[str], path) -> None:
    missing = [c for c in need if c not in d.columns]
    if missing:
        raise PmfError(f"missing column(s) {', '.join(missing)}", file=path, location="row 1")


@dataclass(frozen=True)
class SourceFiles:
    """The published files found in a source directory."""

    lait_long: Path | None
    lait_dictionary: Path | None
    ees: tuple[Path, ...]
    sn: tuple[Path, ...]
    population: Path | None

    def all(self) -> list[Path]:
        found = [self.lait_long, self.lait_dictionary, *self.ees, *self.sn, self.population]
        return [p for p in found if p is not None]


def find_sources(source: str | Path) -> SourceFiles:
    """Find the published files in a directory by their published names."""
    source = Path(source)
    if not source.is_dir():
        raise PmfError("not a directory", file=source)
    files = sorted(p for p in source.iterdir() if p.is_file())

    def one(pattern: str) -> Path | None:
        hits = [p for p in files if re.search(pattern, p.name, re.IGNORECASE)]
        if len(hits) > 1:
            raise PmfError(
                f"more than one file matches {pattern!r}: {', '.join(p.name for p in hits)}",
                file=source,
            )
        return hits[0] if hits else None

    ees = tuple(
        p
        for p in files
        if p.suffix.lower() == ".csv" and any(p.name.startswith(pre) for pre in EES_PREFIXES)
    )
    sn = tuple(
        p
        for p in files
        if re.search(r"(^|_)sn_|statistical_neighbour", p.name, re.IGNORECASE)
        and p.suffix.lower() in (".xlsx", ".csv")
    )
    return SourceFiles(
        lait_long=one(r"bds_long.*\.parquet$"),
        lait_dictionary=one(r"data_dictionary.*\.csv$"),
        ees=ees,
        sn=sn,
        population=one(r"population.*\.csv$"),
    )


def import_benchmarks(source: str | Path) -> BenchmarkStore:
    """Read every published file found in ``source`` into one :class:`BenchmarkStore`.

    LAIT's data set needs its dictionary (which says which measures are
    children's social care). Where LAIT and an EES file give the same measure
    for the same year, LAIT's figures are kept.
    """
    src = find_sources(source)
    if src.lait_long is None and not src.ees:
        raise PmfError(
            "no LAIT long data set (bds_long*.parquet) or Explore Education Statistics CSVs found",
            file=source,
        )
    if not src.sn:
        raise PmfError("no statistical neighbour files (sn_*.xlsx / *.csv) found", file=source)
    measures = [ees_measures()]
    values = []
    if src.lait_long is not None:
        if src.lait_dictionary is None:
            raise PmfError(
                "the LAIT long data set needs the LAIT data dictionary "
                "(*data_dictionary*.csv) beside it",
                file=source,
            )
        lait_measures = read_lait_dictionary(src.lait_dictionary)
        measures.insert(0, lait_measures)
        values.append(read_lait_long(src.lait_long, lait_measures))
    for path in src.ees:
        v = read_ees_csv(path)
        if values and not v.empty:
            have = pd.concat([x[["measure", "year"]] for x in values]).drop_duplicates()
            have = set(zip(have["measure"], have["year"], strict=True))
            keep = [(m, y) not in have for m, y in zip(v["measure"], v["year"], strict=True)]
            v = v[keep]
        values.append(v)
    ees_tables = {
        code: src_name
        for x in values
        for code, src_name in zip(x["measure"], x["source"], strict=True)
        if src_name != "LAIT"
    }
    measures[-1]["source_table"] = (
        measures[-1]["code"].map(ees_tables).fillna(measures[-1]["source_table"])
    )
    m = pd.concat(measures, ignore_index=True).drop_duplicates("code", keep="first")
    v = _tidy_values(pd.concat([x for x in values if not x.empty], ignore_index=True))
    m = m[m["code"].isin(v["measure"])].sort_values("code").reset_index(drop=True)
    m["no_quartile"] = m["no_quartile"].astype(bool)
    m["dps"] = m["dps"].astype("float64")
    sn_frames = []
    for path in src.sn:
        reader = read_sn_xlsx if path.suffix.lower() == ".xlsx" else read_sn_csv
        sn_frames.append((path, reader(path)))
    neighbours = combine_neighbours(sn_frames)
    population = (
        read_ons_population(src.population)
        if src.population is not None
        else pd.DataFrame(columns=POPULATION_COLUMNS)
    )
    return _canonical(
        BenchmarkStore(measures=m, values=v, neighbours=neighbours, population=population)
    )


def _canonical(store: BenchmarkStore) -> BenchmarkStore:
    """The same dtypes whether a store was just imported or loaded from parquet."""
    ints = {
        "values": ("la_code",),
        "neighbours": ("la_code", "sn_rank", "neighbour"),
        "population": ("year", "la_code"),
    }
    floats = {"values": ("value",), "population": ("children",), "measures": ("dps",)}
    out = {}
    for name in TABLES:
        t = getattr(store, name).copy()
        for c in t.columns:
            if c in ints.get(name, ()):
                t[c] = t[c].astype("int64")
            elif c in floats.get(name, ()):
                t[c] = t[c].astype("float64")
            elif c == "year_end":
                t[c] = t[c].astype("datetime64[s]")
            elif c == "inherited_from":
                t[c] = t[c].astype("Int64")
            elif c == "no_quartile":
                t[c] = t[c].astype(bool)
            else:
                t[c] = t[c].astype(object).where(t[c].notna(), None)
        out[name] = t.reset_index(drop=True)
    return BenchmarkStore(**out)


# --------------------------------------------------------------------------- save / load


def save_benchmarks(
    store: BenchmarkStore,
    out: str | Path,
    sources: Iterable[Path] = (),
    imported: dt.date | None = None,
) -> Path:
    """Write a store as parquet files plus README.md, replacing ``out`` atomically.

    Everything is written to a new directory beside ``out`` first; only when
    every file is complete is it swapped into place, so a failure leaves the
    old snapshot as it was.
    """
    out = Path(out)
    with atomic_dir(out) as tmp:
        for name in TABLES:
            getattr(store, name).to_parquet(
                tmp / f"{name}.parquet", index=False, compression="zstd"
            )
        (tmp / "README.md").write_text(
            _readme(store, sources, imported or dt.date.today()), encoding="utf-8"
        )
    return out


def _readme(store: BenchmarkStore, sources: Iterable[Path], imported: dt.date) -> str:
    latest = store.values.groupby("source")["year"].max()
    src_lines = "\n".join(f"* `{p.name}`" for p in sources) or "* (not recorded)"
    named = store.measures["source_table"].dropna()
    tables = ", ".join(sorted(set(named) - {"", "NA"}))
    return f"""# Benchmark snapshot

{OGL_ATTRIBUTION}.

Derived by `pmf benchmarks import` on {imported.isoformat()} from statistics published
by the Department for Education (Local Authority Interactive Tool, Explore Education
Statistics, statistical neighbour models) and the Office for National Statistics (mid-year
population estimates), which are Crown copyright, released under the
[Open Government Licence v3.0](https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/).

Files read:

{src_lines}

Source tables named by the measures: {tables}.

| table | rows |
|---|---|
| measures | {len(store.measures)} |
| values | {len(store.values)} |
| neighbours | {len(store.neighbours)} |
| population | {len(store.population)} |

Latest year by source: {", ".join(f"{k} {v}" for k, v in latest.items())}.

Regenerate with `pmf benchmarks import --source DIR` (see `pmf_lib/read/benchmarks.py`
for the columns, the suppression codes and how reorganised councils are handled).
"""


def load_benchmarks(path: str | Path | None = None) -> BenchmarkStore:
    """Load a benchmark store; by default the snapshot shipped with pmf.

    Examples
    --------
    >>> store = load_benchmarks()
    >>> sorted(store.neighbours["model"].unique())
    ['2021', '2025']
    """
    path = Path(path) if path is not None else SNAPSHOT_DIR
    tables = {}
    for name in TABLES:
        f = path / f"{name}.parquet"
        if not f.is_file():
            raise PmfError("benchmark store file missing (run `pmf benchmarks import`)", file=f)
        try:
            tables[name] = pd.read_parquet(f)
        except Exception as e:  # pyarrow raises several types for bad files
            raise PmfError(f"cannot read the benchmark store: {e}", file=f) from None
    return _canonical(BenchmarkStore(**tables))


# --------------------------------------------------------------------------- queries


def successor_of(la_code: int) -> Reorganisation | None:
    """The reorganisation that created ``la_code``, if it is a successor council."""
    return next((r for r in REORGANISATIONS if la_code in r.successors), None)


def la_series(
    store: BenchmarkStore, la_code: int, measure: str, with_predecessor: bool = False
) -> pd.DataFrame:
    """One LA's figures for a measure by year, oldest first.

    With ``with_predecessor=True`` a successor council's series is preceded by
    its predecessor's figures for the years before the reorganisation, marked
    by ``from_la_code`` (the predecessor's number): a different, larger area,
    to be labelled as such wherever it is shown.

    Examples
    --------
    >>> store = load_benchmarks()
    >>> s = la_series(store, 940, "LAC", with_predecessor=True)
    >>> sorted(s["from_la_code"].unique().tolist())
    [928, 940]
    """
    v = store.values
    own = v[(v["measure"] == measure) & (v["la_code"] == la_code)].copy()
    own = own[own["value"].notna() | own["suppression"].ne("-")]
    own["from_la_code"] = la_code
    reorg = successor_of(la_code)
    if with_predecessor and reorg is not None:
        pred = v[(v["measure"] == measure) & (v["la_code"] == reorg.predecessor)].copy()
        pred = pred[pred["year_end"] < pd.Timestamp(reorg.effective)]
        pred = pred[pred["value"].notna() | pred["suppression"].ne("-")]
        pred["from_la_code"] = reorg.predecessor
        own = own[own["year_end"] >= pd.Timestamp(reorg.effective)]
        own = pd.concat([pred, own], ignore_index=True)
    return own.sort_values("year_end").reset_index(drop=True)
