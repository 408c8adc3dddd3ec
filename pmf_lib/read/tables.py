"""The canonical tables every reader produces and every KPI consumes.

Column names are the national return's own field names (SSDA903 and CIN census),
so a definition written against DfE's guidance reads straight across. Types:

* identifiers and codes: pandas string dtype (``"string"``), stripped; missing is ``<NA>``;
* dates: ``datetime64[ns]``, normalised to midnight; missing is ``NaT``;
* counts: nullable ``Int64``.

Every table also carries ``collection_year`` (Int64, the year the return's
collection ends, e.g. 2025 for 2024-25) and ``source_file`` (string), so any
figure can be traced to the file behind it. Readers that merge several years
de-duplicate on the natural keys below, the later ``collection_year`` winning.

Two kinds of SSDA903 table are merged differently (``S903_KEYS``):

* **event histories** keep one row per event, whichever year's return reported it:
  ``episodes`` (``DECOM``), ``reviews`` (``REVIEW``), ``missing`` (``MIS_START``), ``ad1``
  (``DATE_INT``), ``placed_for_adoption`` (``DATE_PLACED``), ``sw_episodes`` (``SW_DECOM``),
  ``dolo`` (``DOLO_START``). A later return's copy of the same event replaces the
  earlier one (it carries the later end date or correction). Child-level attributes
  that stay with the child, ``header`` (sex, birth date, ethnicity, UPN) and ``uasc``
  (the date the child ceased to be UASC), keep one row per child, latest return winning.
* **per-year cohorts** describe the child *in that collection year*: ``oc2`` (children
  looked after for 12 months at 31 March, with that year's health checks), ``oc3`` (care
  leavers around that year's 17th-21st birthday; the same young person is in every
  year's return from 17 to 21) and ``previous_permanence`` (recorded for the children
  starting care in that year). They are keyed on child *and* ``collection_year``, so
  each year keeps its own cohort and a later return never removes a child from an
  earlier year.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

STR = "string"
DATE = "datetime64[ns]"
INT = "Int64"
PROVENANCE = {"collection_year": INT, "source_file": STR}

# ---- CIN census ------------------------------------------------------------
CIN_COLUMNS: dict[str, dict[str, str]] = {
    # one row per child per return
    "children": {
        "LAchildID": STR,
        "UPN": STR,
        "PersonBirthDate": DATE,
        "ExpectedPersonBirthDate": DATE,
        # from <Sex> (2025-26 on) or <GenderCurrent> (earlier): 1 male, 2 female, 0/9 unknown
        "Sex": STR,
        "PersonDeathDate": DATE,
        "Ethnicity": STR,
        "UASC": STR,
        "FormerUPN": STR,
        "UPNunknown": STR,  # UN1..UN10: why there is no UPN
        **PROVENANCE,
    },
    "disabilities": {"LAchildID": STR, "Disability": STR, **PROVENANCE},
    # one row per CINdetails (a referral / episode of need)
    "referrals": {
        "LAchildID": STR,
        "CINreferralDate": DATE,
        "ReferralSource": STR,
        "PrimaryNeedCode": STR,
        "CINclosureDate": DATE,
        "ReasonForClosure": STR,
        "DateOfInitialCPC": DATE,
        "ReferralNFA": STR,  # "true"/"false"/"1"/"0" as sent, normalised to "1"/"0"
        **PROVENANCE,
    },
    "assessments": {
        "LAchildID": STR,
        "CINreferralDate": DATE,
        "AssessmentActualStartDate": DATE,
        "AssessmentInternalReviewDate": DATE,
        "AssessmentAuthorisationDate": DATE,
        "AssessmentFactors": STR,  # comma-separated codes, e.g. "1C,RB"
        **PROVENANCE,
    },
    "cin_plans": {
        "LAchildID": STR,
        "CINreferralDate": DATE,
        "CINPlanStartDate": DATE,
        "CINPlanEndDate": DATE,
        **PROVENANCE,
    },
    "section47": {
        "LAchildID": STR,
        "CINreferralDate": DATE,
        "S47ActualStartDate": DATE,
        "InitialCPCtarget": DATE,
        "DateOfInitialCPC": DATE,
        "ICPCnotRequired": STR,  # normalised to "1"/"0"
        **PROVENANCE,
    },
    "cp_plans": {
        "LAchildID": STR,
        "CINreferralDate": DATE,
        "CPPstartDate": DATE,
        "CPPendDate": DATE,
        "InitialCategoryOfAbuse": STR,
        "LatestCategoryOfAbuse": STR,
        "NumberOfPreviousCPP": INT,
        **PROVENANCE,
    },
    "cp_reviews": {
        "LAchildID": STR,
        "CPPstartDate": DATE,
        "CPPreviewDate": DATE,
        **PROVENANCE,
    },
    # 2025-26 on: one row per <PreProceedingsandFGDM> block of a CINdetails
    "pre_proceedings": {
        "LAchildID": STR,
        "CINreferralDate": DATE,
        "PPStartDate": DATE,
        "LBPSentDate": DATE,
        "FGDMMeetingOffer": STR,
        "FGDMMeetingFac": STR,
        "InitialPPMeetingDate": DATE,
        "ReviewMeetingsCount": INT,
        "StepDecisionDate": DATE,
        "PPOutcome": STR,
        "CourtAppDate": DATE,
        "LetterInitCPDate": DATE,
        **PROVENANCE,
    },
}

# One row per file read (CIN census and SSDA903 alike): where each return came
# from and the date it runs to. ``reference_date`` is the CIN census
# Header/CollectionDetails/ReferenceDate (31 March for an annual return, the
# extract date for a year-to-date extract); an SSDA903 return carries no such date,
# so its reference date is read from its contents (``pmf_lib.read.ssda903``): 31 March
# of the collection year once that year has ended and the return's events reach its
# final month, otherwise its latest event date (never a date taken from a folder name).
RETURNS_COLUMNS: dict[str, str] = {
    "source_file": STR,
    "collection_year": INT,
    "reference_date": DATE,
    "la_code": STR,
    "rows": INT,
}

# Natural keys for de-duplicating several years into one history.
CIN_KEYS: dict[str, list[str]] = {
    "children": ["LAchildID"],
    "disabilities": ["LAchildID", "Disability"],
    "referrals": ["LAchildID", "CINreferralDate"],
    "assessments": ["LAchildID", "AssessmentActualStartDate"],
    "cin_plans": ["LAchildID", "CINPlanStartDate"],
    "section47": ["LAchildID", "S47ActualStartDate"],
    "cp_plans": ["LAchildID", "CPPstartDate"],
    "cp_reviews": ["LAchildID", "CPPstartDate", "CPPreviewDate"],
    "pre_proceedings": ["LAchildID", "PPStartDate"],
}

# ---- SSDA903 ---------------------------------------------------------------
S903_COLUMNS: dict[str, dict[str, str]] = {
    "header": {
        "CHILD": STR,
        "SEX": STR,
        "DOB": DATE,
        "ETHNIC": STR,
        "UPN": STR,
        "MOTHER": STR,
        "MC_DOB": DATE,
        **PROVENANCE,
    },
    "episodes": {
        "CHILD": STR,
        "DECOM": DATE,
        "RNE": STR,
        "LS": STR,
        "CIN": STR,
        "PLACE": STR,
        "PLACE_PROVIDER": STR,
        "DEC": DATE,
        "REC": STR,
        "REASON_PLACE_CHANGE": STR,
        "HOME_POST": STR,
        "PL_POST": STR,
        "URN": STR,
        **PROVENANCE,
    },
    "reviews": {"CHILD": STR, "DOB": DATE, "REVIEW": DATE, "REVIEW_CODE": STR, **PROVENANCE},
    "uasc": {"CHILD": STR, "SEX": STR, "DOB": DATE, "DUC": DATE, **PROVENANCE},
    "oc2": {
        "CHILD": STR,
        "DOB": DATE,
        "SDQ_SCORE": STR,
        "SDQ_REASON": STR,
        "CONVICTED": STR,
        "HEALTH_CHECK": STR,
        "IMMUNISATIONS": STR,
        "TEETH_CHECK": STR,
        "HEALTH_ASSESSMENT": STR,
        "SUBSTANCE_MISUSE": STR,
        "INTERVENTION_RECEIVED": STR,
        "INTERVENTION_OFFERED": STR,
        **PROVENANCE,
    },
    "oc3": {"CHILD": STR, "DOB": DATE, "IN_TOUCH": STR, "ACTIV": STR, "ACCOM": STR, **PROVENANCE},
    "missing": {
        "CHILD": STR,
        "DOB": DATE,
        "MISSING": STR,
        "MIS_START": DATE,
        "MIS_END": DATE,
        **PROVENANCE,
    },
    "ad1": {
        "CHILD": STR,
        "DOB": DATE,
        "DATE_INT": DATE,
        "DATE_MATCH": DATE,
        "FOSTER_CARE": STR,
        "NB_ADOPTR": STR,
        "SEX_ADOPTR": STR,
        "LS_ADOPTR": STR,
        **PROVENANCE,
    },
    "placed_for_adoption": {
        "CHILD": STR,
        "DOB": DATE,
        "DATE_PLACED": DATE,
        "DATE_PLACED_CEASED": DATE,
        "REASON_PLACED_CEASED": STR,
        **PROVENANCE,
    },
    "previous_permanence": {
        "CHILD": STR,
        "DOB": DATE,
        "PREV_PERM": STR,
        "LA_PERM": STR,
        "DATE_PERM": STR,
        **PROVENANCE,
    },
    "sw_episodes": {
        "CHILD": STR,
        "SW_ID": STR,
        "SW_DECOM": DATE,
        "SW_DEC": DATE,
        "SW_REASON": STR,
        "DOB": DATE,
        **PROVENANCE,
    },
    # 2025-26 on: deprivation of liberty orders (the "DoLo" table)
    "dolo": {"CHILD": STR, "DOB": DATE, "DOLO_START": DATE, "DOLO_END": DATE, **PROVENANCE},
}

# Natural keys for de-duplicating several years of 903 returns into one history (see
# the module docstring): event tables on the child and the event's date; the per-year
# cohort tables (oc2, oc3, previous_permanence) on the child and ``collection_year``.
S903_KEYS: dict[str, list[str]] = {
    "header": ["CHILD"],
    "episodes": ["CHILD", "DECOM"],
    "reviews": ["CHILD", "REVIEW"],
    "uasc": ["CHILD"],
    "oc2": ["CHILD", "collection_year"],
    "oc3": ["CHILD", "collection_year"],
    "missing": ["CHILD", "MIS_START"],
    "ad1": ["CHILD", "DATE_INT"],
    "placed_for_adoption": ["CHILD", "DATE_PLACED"],
    "previous_permanence": ["CHILD", "collection_year"],
    "sw_episodes": ["CHILD", "SW_DECOM"],
    "dolo": ["CHILD", "DOLO_START"],
}


def empty_table(columns: dict[str, str]) -> pd.DataFrame:
    """An empty frame with the canonical columns and dtypes.

    Examples
    --------
    >>> list(empty_table(CIN_COLUMNS["cp_reviews"]).dtypes.astype(str))[:3]
    ['string', 'datetime64[ns]', 'datetime64[ns]']
    """
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})


def conform(df: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Add missing canonical columns (empty) and cast all to their canonical dtypes.

    Extra columns are kept after the canonical ones. Values must already be
    parsed (dates as datetimes); this only fixes dtypes.
    """
    out = df.copy()
    for col, dtype in columns.items():
        if col not in out.columns:
            out[col] = pd.Series(pd.NA, index=out.index, dtype=dtype)
        else:
            out[col] = out[col].astype(dtype)
    extra = [c for c in out.columns if c not in columns]
    return out[list(columns) + extra]


@dataclass
class CinCensus:
    """CIN census history: one canonical table per block (see ``CIN_COLUMNS``)."""

    tables: dict[str, pd.DataFrame] = field(
        default_factory=lambda: {k: empty_table(v) for k, v in CIN_COLUMNS.items()}
    )
    returns: pd.DataFrame = field(default_factory=lambda: empty_table(RETURNS_COLUMNS))

    def __getattr__(self, name: str) -> pd.DataFrame:
        try:
            return self.__dict__["tables"][name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass
class Ssda903:
    """SSDA903 history: one canonical table per 903 table (see ``S903_COLUMNS``)."""

    tables: dict[str, pd.DataFrame] = field(
        default_factory=lambda: {k: empty_table(v) for k, v in S903_COLUMNS.items()}
    )
    returns: pd.DataFrame = field(default_factory=lambda: empty_table(RETURNS_COLUMNS))

    def __getattr__(self, name: str) -> pd.DataFrame:
        try:
            return self.__dict__["tables"][name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass
class Population:
    """Children aged 0-17 in the council by calendar year (ONS mid-year estimate)."""

    by_year: pd.Series  # index: int year, values: int population

    def for_date(self, date) -> float:
        """The estimate for the calendar year of ``date``, or the latest earlier year.

        Examples
        --------
        >>> p = Population(pd.Series({2023: 100_000, 2024: 101_000}))
        >>> p.for_date("2025-03-31")
        101000.0
        >>> import math; math.isnan(p.for_date("2019-01-31"))
        True
        """
        year = pd.Timestamp(date).year
        ordered = self.by_year.sort_index()
        avail = ordered[ordered.index <= year]
        return float(avail.iloc[-1]) if len(avail) else float("nan")
