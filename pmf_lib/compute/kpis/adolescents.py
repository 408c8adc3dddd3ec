"""Adolescents: children aged 10 to 17 at the front door, in assessment and in care.

Age is whole years on the date that matters (the referral date, the assessment's
authorisation date, the episode's DECOM, or period_end for a stock), from the
child's date of birth by calendar arithmetic: a child is 10 from their 10th
birthday and 17 until the day before their 18th. A child born on 29 February
has their birthday on 1 March in a non-leap year. A record whose child has no
date of birth (CIN census ``PersonBirthDate``, 903 header ``DOB``) has no age and
is never counted as aged 10 to 17.

Child exploitation factors are the CIN census assessment factors ``11A`` (child
sexual exploitation), ``13A`` (gangs) and ``24A`` (child criminal exploitation).
"""

from __future__ import annotations

import pandas as pd

from pmf_lib.age import age_on
from pmf_lib.compute.kpis._common import dob_by_child_frame, flag, memo_on_frame, rolling_12m
from pmf_lib.compute.kpis._inputs import (
    ASSESSMENTS,
    CLA_OPEN,
    EPISODES_STARTED,
    MISSING_12M,
    REFERRALS,
)
from pmf_lib.compute.kpis.children_looked_after import looked_after_children, prepared_episodes
from pmf_lib.compute.registry import Figure, KpiInputs, kpi
from pmf_lib.dates import Window

AGE_MIN, AGE_MAX = 10, 17
EXPLOITATION_FACTORS = ("11A", "13A", "24A")


def is_adolescent(dob: pd.Series, date: pd.Series) -> pd.Series:
    """Mask: aged 10 to 17 on ``date`` (False where the age is not known).

    Examples
    --------
    >>> dob = pd.Series(pd.to_datetime(["2015-03-31", "2007-03-31", "2007-04-01", None]))
    >>> is_adolescent(dob, pd.Series(pd.to_datetime(["2025-03-31"] * 4))).tolist()
    [True, False, True, False]
    """
    age = age_on(dob, date)
    return age.between(AGE_MIN, AGE_MAX).fillna(False).astype(bool)


def _cin_dob(children: pd.DataFrame) -> pd.Series:
    h = children[["LAchildID", "PersonBirthDate"]].dropna()
    return h.drop_duplicates("LAchildID").set_index("LAchildID")["PersonBirthDate"]


def cin_dob(inputs: KpiInputs) -> pd.Series:
    """Each CIN child's ``PersonBirthDate`` by ``LAchildID`` (first non-missing; memoised)."""
    return memo_on_frame("cin_dob_by_child", inputs.cin.children, _cin_dob)


def _dob_of(ids: pd.Series, dob: pd.Series) -> pd.Series:
    """The date of birth for each id in ``ids`` (NaT where unknown), aligned to ``ids``."""
    return pd.Series(dob.reindex(ids.to_numpy()).to_numpy(), index=ids.index, dtype=dob.dtype)


def _example() -> KpiInputs:
    from pmf_lib.read.tables import CIN_COLUMNS, CinCensus, conform

    cin = CinCensus()
    cin.tables["children"] = conform(
        pd.DataFrame(
            {
                "LAchildID": ["a", "b", "c"],
                "PersonBirthDate": pd.to_datetime(["2012-01-01", "2020-01-01", None]),
            }
        ),
        CIN_COLUMNS["children"],
    )
    cin.tables["referrals"] = conform(
        pd.DataFrame(
            {
                "LAchildID": ["a", "b", "c"],
                "CINreferralDate": pd.to_datetime(["2025-03-03"] * 3),
            }
        ),
        CIN_COLUMNS["referrals"],
    )
    cin.tables["assessments"] = conform(
        pd.DataFrame(
            {
                "LAchildID": ["a", "a", "b"],
                "AssessmentAuthorisationDate": pd.to_datetime(["2025-03-10"] * 3),
                "AssessmentFactors": ["1C,24A", "21", "11A"],
            }
        ),
        CIN_COLUMNS["assessments"],
    )
    return KpiInputs(cin=cin)


@kpi(
    id="adol_referrals_count",
    subset_of="referrals_count",
    title="Referrals of children aged 10 to 17",
    area="adolescents",
    unit="count",
    polarity="neutral",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source="CIN census",
    definition=(
        "Referrals (CIN census CINdetails/CINreferralDate) dated in the window of children "
        "aged 10 to 17 on the referral date, by whole years from PersonBirthDate (a child is "
        "10 from their 10th birthday and no longer counts from their 18th). Referrals of "
        "children without a PersonBirthDate are not counted."
    ),
    numerator="Referrals in the window of children aged 10 to 17 on the referral date",
    comparator=None,
    breakdowns=("sex", "ethnicity"),
    inputs=(REFERRALS.reading("LAchildID"),),
)
def adol_referrals_count(inputs: KpiInputs, window: Window) -> Figure:
    """Referrals in the window of children aged 10 to 17 on the referral date.

    Examples
    --------
    >>> adol_referrals_count(_example(), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=None)
    """
    r = inputs.cin.referrals
    in_window = r[window.contains(r["CINreferralDate"]).fillna(False).astype(bool)]
    dob = _dob_of(in_window["LAchildID"], cin_dob(inputs))
    return Figure(int(is_adolescent(dob, in_window["CINreferralDate"]).sum()))


def _has_factor(factors: pd.Series, codes: tuple[str, ...]) -> pd.Series:
    """Mask: the comma-separated factor list contains one of ``codes`` (case-insensitive)."""
    s = factors.astype("string").str.upper().str.replace(" ", "", regex=False)
    alts = "|".join(codes)
    return s.str.contains(rf"(?:^|,)(?:{alts})(?:,|$)", regex=True).fillna(False).astype(bool)


@kpi(
    id="adol_assessments_exploitation_pct",
    title="Assessments of children aged 10 to 17 identifying child exploitation",
    area="adolescents",
    unit="percent",
    polarity="neutral",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source="CIN census",
    definition=(
        "Of the assessments completed (AssessmentAuthorisationDate) in the window for children "
        "aged 10 to 17 on the authorisation date (whole years from PersonBirthDate), the % "
        "whose AssessmentFactors include a child exploitation factor: 11A (child sexual "
        "exploitation), 13A (gangs) or 24A (child criminal exploitation). Assessments of "
        "children without a PersonBirthDate are not counted."
    ),
    numerator="Those assessments with factor 11A, 13A or 24A",
    denominator="Assessments completed in the window for children aged 10 to 17",
    comparator=None,
    breakdowns=("sex", "ethnicity"),
    inputs=(ASSESSMENTS.reading("LAchildID", "AssessmentFactors"),),
)
def adol_assessments_exploitation_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of adolescents' assessments completed in the window that identified exploitation.

    Examples
    --------
    >>> adol_assessments_exploitation_pct(_example(), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    a = inputs.cin.assessments
    done = a[window.contains(a["AssessmentAuthorisationDate"]).fillna(False).astype(bool)]
    dob = _dob_of(done["LAchildID"], cin_dob(inputs))
    teen = is_adolescent(dob, done["AssessmentAuthorisationDate"])
    hit = teen & _has_factor(done["AssessmentFactors"], EXPLOITATION_FACTORS)
    return Figure(int(hit.sum()), int(teen.sum()))


def _cla_example() -> KpiInputs:
    from pmf_lib.read.tables import S903_COLUMNS, Ssda903, conform

    cla = Ssda903()
    cla.tables["header"] = conform(
        pd.DataFrame(
            {"CHILD": ["1", "2", "3"], "DOB": pd.to_datetime(["2010-05-01", "2012-05-01", None])}
        ),
        S903_COLUMNS["header"],
    )
    cla.tables["episodes"] = conform(
        pd.DataFrame(
            {
                "CHILD": ["1", "2", "3"],
                "RNE": ["S"] * 3,
                "LS": ["C2"] * 3,
                "DECOM": pd.to_datetime(["2025-03-03", "2021-03-03", "2025-03-03"]),
            }
        ),
        S903_COLUMNS["episodes"],
    )
    cla.tables["missing"] = conform(
        pd.DataFrame(
            {"CHILD": ["1"], "MISSING": ["M"], "MIS_START": pd.to_datetime(["2025-03-20"])}
        ),
        S903_COLUMNS["missing"],
    )
    return KpiInputs(cla=cla)


def cla_dob(inputs: KpiInputs) -> pd.Series:
    """Each 903 child's ``DOB`` from the header by ``CHILD`` (memoised on the header)."""
    return memo_on_frame("cla_dob_by_child", inputs.cla.header, dob_by_child_frame)


@kpi(
    id="adol_cla_missing_pct",
    title="Children looked after aged 10 to 17 who went missing",
    area="adolescents",
    unit="percent",
    polarity="neutral",
    windows=("rolling_12m",),
    cadence="rolling",
    source="SSDA903",
    definition=(
        "Of the children looked after at period_end (an SSDA903 episode, legal status not "
        "V3/V4, with DECOM on or before period_end and DEC empty or after it) aged 10 to 17 "
        "on period_end (whole years from the 903 header DOB), the % with a missing incident "
        "(903 missing table, MISSING = M) starting in the rolling 12 months ending period_end. "
        "Children without a DOB are not counted."
    ),
    numerator="Those children with a missing incident (M) starting in the rolling 12 months",
    denominator="Children looked after at period_end aged 10 to 17",
    comparator=None,
    breakdowns=("sex", "ethnicity"),
    inputs=(
        CLA_OPEN.reading("CHILD", "RNE", "LS", "PLACE", "REC"),
        MISSING_12M.reading("CHILD", "MISSING"),
    ),
)
def adol_cla_missing_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of children looked after aged 10 to 17 at period end who went missing in 12 months.

    Examples
    --------
    >>> adol_cla_missing_pct(_cla_example(), Window.of("rolling_12m", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    w = rolling_12m(window)
    children = pd.Series(looked_after_children(inputs, w.end).to_numpy(), dtype="string")
    dob = _dob_of(children, cla_dob(inputs))
    teen = children[is_adolescent(dob, pd.Series(w.end, index=children.index)).to_numpy()]
    m = inputs.cla.missing
    hit = flag(m["MISSING"], "M") & w.contains(m["MIS_START"]).fillna(False).astype(bool)
    went_missing = pd.Index(m.loc[hit, "CHILD"].dropna().unique())
    return Figure(int(teen.isin(went_missing).sum()), len(teen))


@kpi(
    id="adol_cla_started_pct",
    title="Children starting to be looked after aged 10 to 17",
    area="adolescents",
    unit="percent",
    polarity="neutral",
    windows=("month", "rolling_12m"),
    cadence="monthly",
    source="SSDA903",
    definition=(
        "Of the distinct children starting a period of care in the window (an episode with "
        "RNE S, legal status not V3/V4, DECOM in the window; as cla_started_count), the % "
        "aged 10 to 17 on the DECOM of such an episode (whole years from the 903 header DOB). "
        "Children without a DOB count in the denominator only."
    ),
    numerator="Children starting a period of care in the window aged 10 to 17 on its DECOM",
    denominator="Children starting a period of care in the window",
    comparator=None,
    breakdowns=("sex", "ethnicity"),
    inputs=(EPISODES_STARTED.reading("CHILD", "RNE", "LS", "PLACE", "DEC", "REC"),),
)
def adol_cla_started_pct(inputs: KpiInputs, window: Window) -> Figure:
    """% of children starting to be looked after in the window who were aged 10 to 17.

    Examples
    --------
    >>> adol_cla_started_pct(_cla_example(), Window.of("month", "2025-03-31"))
    Figure(numerator=1, denominator=2)
    """
    ep = prepared_episodes(inputs)
    starts = ep[ep["is_S"] & window.contains(ep["DECOM"]).fillna(False).astype(bool)]
    dob = _dob_of(starts["CHILD"], cla_dob(inputs))
    teen = is_adolescent(dob, starts["DECOM"])
    return Figure(int(starts.loc[teen, "CHILD"].nunique()), int(starts["CHILD"].nunique()))
