"""DfE CIN census validation rules that change CIN and child protection KPI figures.

Codes and messages are DfE's CIN census validation rules (as implemented in
data-to-insight's csc-validator-be-cin, MIT licence). "Q" rules are DfE queries
(severity ``warning``). The CIN canonical tables link an assessment, S47 or plan
to its referral by ``LAchildID`` + ``CINreferralDate``.
"""

from __future__ import annotations

import pandas as pd

from pmf_lib.codes import CIN_PRIMARY_NEED_CODES as NEED
from pmf_lib.codes import CP_CATEGORY_OF_ABUSE_CODES as ABUSE
from pmf_lib.dates import working_days_between
from pmf_lib.validate.rules import Context, invalid_code, mask, rule, with_child

C = "cin_census"
REFERRAL = ["LAchildID", "CINreferralDate"]


def _t(ctx: Context, name: str) -> pd.DataFrame:
    return ctx.table(name, C)


def _within(ctx: Context, df: pd.DataFrame, col: str) -> pd.Series:
    start, end = ctx.census_period(df, C)
    return (df[col] >= start) & (df[col] <= end)


def _keys(df: pd.DataFrame) -> pd.Series:
    return pd.Series(
        list(zip(df["LAchildID"], df["CINreferralDate"], strict=True)), index=df.index, dtype=object
    )


def _true(s: pd.Series) -> pd.Series:
    return s.astype("string").str.strip().str.lower().isin(["1", "true"]).fillna(False)


@rule("8500", "LA Child ID missing", source=C, table="children", fields=("LAchildID",))
def r8500(ctx):
    c = _t(ctx, "children")
    return c[c["LAchildID"].isna()]


# ---- referrals (CINdetails) ----------------------------------------------------


@rule(
    "8568", "RNFA flag is missing or invalid", source=C, table="referrals", fields=("ReferralNFA",)
)
def r8568(ctx):
    r = _t(ctx, "referrals")
    v = r["ReferralNFA"].astype("string").str.strip().str.lower()
    return r[~v.isin(["1", "0", "true", "false"]).fillna(False).astype(bool).to_numpy()]


@rule(
    "8600",
    "Child referral date missing or after data collection period",
    source=C,
    table="referrals",
    fields=("CINreferralDate",),
)
def r8600(ctx):
    r = _t(ctx, "referrals")
    _, end = ctx.census_period(r, C)
    return mask(r, r["CINreferralDate"].isna() | (r["CINreferralDate"] > end))


@rule(
    "8606",
    "Child referral date is more than 40 weeks before DOB or expected DOB",
    source=C,
    table="referrals",
    fields=("CINreferralDate", "PersonBirthDate", "ExpectedPersonBirthDate"),
)
def r8606(ctx):
    r = with_child(
        _t(ctx, "referrals"),
        _t(ctx, "children"),
        "LAchildID",
        ["PersonBirthDate", "ExpectedPersonBirthDate"],
    )
    born = r["_PersonBirthDate"].fillna(r["_ExpectedPersonBirthDate"])
    return mask(r, r["CINreferralDate"] < born - pd.Timedelta(weeks=40))


@rule(
    "8610",
    "Primary Need code is missing for a referral which led to further action",
    source=C,
    table="referrals",
    fields=("ReferralNFA", "PrimaryNeedCode"),
)
def r8610(ctx):
    r = _t(ctx, "referrals")
    nfa = r["ReferralNFA"].astype("string").str.strip().str.lower()
    return mask(r, nfa.isin(["0", "false"]) & r["PrimaryNeedCode"].isna())


@rule(
    "8620",
    "CIN Closure Date present and does not fall within the Census year",
    source=C,
    table="referrals",
    fields=("CINclosureDate",),
)
def r8620(ctx):
    r = _t(ctx, "referrals")
    return mask(r, r["CINclosureDate"].notna() & ~_within(ctx, r, "CINclosureDate"))


@rule(
    "8650",
    "Primary Need Code invalid (see Primary Need table in CIN census code set)",
    source=C,
    table="referrals",
    fields=("PrimaryNeedCode",),
)
def r8650(ctx):
    return invalid_code(_t(ctx, "referrals"), "PrimaryNeedCode", NEED, required=False)


@rule(
    "8810",
    "A CIN case cannot have a Reason for Closure without a CIN Closure Date",
    source=C,
    table="referrals",
    fields=("ReasonForClosure", "CINclosureDate"),
)
def r8810(ctx):
    r = _t(ctx, "referrals")
    return mask(r, r["ReasonForClosure"].notna() & r["CINclosureDate"].isna())


@rule(
    "8831",
    "Activity is recorded against a case marked as a referral with no further action",
    source=C,
    table="referrals",
    fields=("ReferralNFA", "AssessmentActualStartDate", "S47ActualStartDate", "CPPstartDate"),
)
def r8831(ctx):
    r = _t(ctx, "referrals")
    active = set()
    for name in ("assessments", "section47", "cp_plans", "cin_plans"):
        active |= set(_keys(_t(ctx, name)))
    return mask(r, _true(r["ReferralNFA"]) & _keys(r).isin(active))


# ---- assessments -------------------------------------------------------------


@rule(
    "8608",
    "Assessment Start Date cannot be later than its End Date",
    source=C,
    table="assessments",
    fields=("AssessmentActualStartDate", "AssessmentAuthorisationDate"),
)
def r8608(ctx):
    a = _t(ctx, "assessments")
    return mask(a, a["AssessmentAuthorisationDate"] < a["AssessmentActualStartDate"])


@rule(
    "8614",
    "Parental or child factors at assessment should only be present for a completed assessment.",
    source=C,
    table="assessments",
    fields=("AssessmentAuthorisationDate", "AssessmentFactors"),
)
def r8614(ctx):
    a = _t(ctx, "assessments")
    return mask(a, a["AssessmentAuthorisationDate"].isna() & a["AssessmentFactors"].notna())


@rule(
    "8696",
    "Assessment end date must fall within the census year",
    source=C,
    table="assessments",
    fields=("AssessmentAuthorisationDate",),
)
def r8696(ctx):
    a = _t(ctx, "assessments")
    return mask(
        a,
        a["AssessmentAuthorisationDate"].notna() & ~_within(ctx, a, "AssessmentAuthorisationDate"),
    )


@rule(
    "8736",
    "For an Assessment that has not been completed, the start date must fall within "
    "the census year",
    source=C,
    table="assessments",
    fields=("AssessmentAuthorisationDate", "AssessmentActualStartDate"),
)
def r8736(ctx):
    a = _t(ctx, "assessments")
    return mask(
        a,
        a["AssessmentAuthorisationDate"].isna()
        & a["AssessmentActualStartDate"].notna()
        & ~_within(ctx, a, "AssessmentActualStartDate"),
    )


@rule(
    "8896",
    "Within one CINDetails group there are 2 or more open Assessments groups",
    source=C,
    table="assessments",
    fields=("AssessmentAuthorisationDate",),
)
def r8896(ctx):
    a = _t(ctx, "assessments")
    open_ = a[a["AssessmentAuthorisationDate"].isna()]
    return open_[open_.duplicated(REFERRAL, keep=False)]


@rule(
    "8670Q",
    "Please check: Assessment started more than 45 working days before the end of "
    "the census year. However, there is no Assessment end date.",
    source=C,
    table="assessments",
    fields=("AssessmentActualStartDate",),
    severity="warning",
)
def r8670q(ctx):
    a = _t(ctx, "assessments")
    _, end = ctx.census_period(a, C)
    wd = pd.Series(working_days_between(a["AssessmentActualStartDate"], end), index=a.index)
    return mask(a, a["AssessmentAuthorisationDate"].isna() & (wd > 45))


# ---- section 47 ----------------------------------------------------------------


@rule(
    "8615",
    "Section 47 Enquiry Start Date must be present and cannot be later than the date "
    "of the initial Child Protection Conference",
    source=C,
    table="section47",
    fields=("S47ActualStartDate", "DateOfInitialCPC"),
)
def r8615(ctx):
    s = _t(ctx, "section47")
    icpc = s["DateOfInitialCPC"].notna()
    return mask(
        s,
        icpc & (s["S47ActualStartDate"].isna() | (s["S47ActualStartDate"] > s["DateOfInitialCPC"])),
    )


@rule(
    "8715",
    "Date of Initial Child Protection Conference must fall within the census year",
    source=C,
    table="section47",
    fields=("DateOfInitialCPC",),
)
def r8715(ctx):
    s = _t(ctx, "section47")
    return mask(s, s["DateOfInitialCPC"].notna() & ~_within(ctx, s, "DateOfInitialCPC"))


@rule(
    "8740",
    "For a Section 47 Enquiry that has not held the Initial Child Protection "
    "Conference by the end of the census year, the start date must fall within the census "
    "year",
    source=C,
    table="section47",
    fields=("S47ActualStartDate", "DateOfInitialCPC", "ICPCnotRequired"),
)
def r8740(ctx):
    s = _t(ctx, "section47")
    pending = s["DateOfInitialCPC"].isna() & ~_true(s["ICPCnotRequired"])
    return mask(
        s, pending & s["S47ActualStartDate"].notna() & ~_within(ctx, s, "S47ActualStartDate")
    )


@rule(
    "8839",
    "Within one CINDetails group there are 2 or more open S47 Assessments",
    source=C,
    table="section47",
    fields=("DateOfInitialCPC",),
)
def r8839(ctx):
    s = _t(ctx, "section47")
    open_ = s[s["DateOfInitialCPC"].isna() & ~_true(s["ICPCnotRequired"])]
    return open_[open_.duplicated(REFERRAL, keep=False)]


@rule(
    "2889",
    "The S47 start date cannot be before the referral date.",
    source=C,
    table="section47",
    fields=("S47ActualStartDate", "CINreferralDate"),
)
def r2889(ctx):
    s = _t(ctx, "section47")
    return mask(s, s["S47ActualStartDate"] < s["CINreferralDate"])


@rule(
    "8675Q",
    "Please check and either amend data or provide a reason: S47 Enquiry started "
    "more than 15 working days before the end of the census year. However, there is no date "
    "of Initial Child Protection Conference.",
    source=C,
    table="section47",
    fields=("DateOfInitialCPC", "S47ActualStartDate", "ICPCnotRequired"),
    severity="warning",
)
def r8675q(ctx):
    s = _t(ctx, "section47")
    _, end = ctx.census_period(s, C)
    wd = pd.Series(working_days_between(s["S47ActualStartDate"], end), index=s.index)
    return mask(s, s["DateOfInitialCPC"].isna() & ~_true(s["ICPCnotRequired"]) & (wd > 15))


# ---- child protection plans ------------------------------------------------------


@rule(
    "8730",
    "Total Number of previous Child Protection Plans missing",
    source=C,
    table="cp_plans",
    fields=("NumberOfPreviousCPP",),
)
def r8730(ctx):
    p = _t(ctx, "cp_plans")
    return p[p["NumberOfPreviousCPP"].isna().to_numpy()]


@rule(
    "8840",
    "Child Protection Plan cannot start and end on the same day",
    source=C,
    table="cp_plans",
    fields=("CPPstartDate", "CPPendDate"),
)
def r8840(ctx):
    p = _t(ctx, "cp_plans")
    return mask(p, p["CPPstartDate"] == p["CPPendDate"])


@rule(
    "8905",
    "Initial Category of Abuse code missing or invalid (see Category of Abuse table "
    "in CIN Census code set)",
    source=C,
    table="cp_plans",
    fields=("InitialCategoryOfAbuse",),
)
def r8905(ctx):
    return invalid_code(_t(ctx, "cp_plans"), "InitialCategoryOfAbuse", ABUSE, required=True)


@rule(
    "8915",
    "Child Protection Plan shown as starting after the child’s Date of Death",
    source=C,
    table="cp_plans",
    fields=("CPPstartDate", "PersonDeathDate"),
)
def r8915(ctx):
    p = with_child(_t(ctx, "cp_plans"), _t(ctx, "children"), "LAchildID", ["PersonDeathDate"])
    return mask(p, p["CPPstartDate"] > p["_PersonDeathDate"])


@rule(
    "8920",
    "Child Protection Plan cannot end after the child’s Date of Death",
    source=C,
    table="cp_plans",
    fields=("PersonDeathDate", "CPPendDate"),
)
def r8920(ctx):
    p = with_child(_t(ctx, "cp_plans"), _t(ctx, "children"), "LAchildID", ["PersonDeathDate"])
    return mask(p, p["CPPendDate"] > p["_PersonDeathDate"])


@rule(
    "2885",
    "Child protection plan shown as starting a different day to the initial child "
    "protection conference.",
    source=C,
    table="cp_plans",
    fields=("CPPstartDate", "DateOfInitialCPC"),
)
def r2885(ctx):
    p = _t(ctx, "cp_plans")
    icpc = pd.concat(
        [
            _t(ctx, "section47")[REFERRAL + ["DateOfInitialCPC"]],
            _t(ctx, "referrals")[REFERRAL + ["DateOfInitialCPC"]],
        ]
    )
    icpc = icpc.dropna(subset=["DateOfInitialCPC"])
    with_icpc = set(_keys(icpc))
    same_day = set(
        zip(icpc["LAchildID"], icpc["CINreferralDate"], icpc["DateOfInitialCPC"], strict=True)
    )
    k = _keys(p)
    matched = pd.Series(
        [
            (a, b, c) in same_day
            for a, b, c in zip(p["LAchildID"], p["CINreferralDate"], p["CPPstartDate"], strict=True)
        ],
        index=p.index,
        dtype=bool,
    )
    return mask(p, k.isin(with_icpc) & ~matched)
