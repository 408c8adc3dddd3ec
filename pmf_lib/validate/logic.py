"""pmf's own logic rules: dates that cannot be in that order, episodes that overlap.

These overlap some DfE rules on purpose: they are the checks the issue names,
stated as pmf states them, and they run on any council's data (a year-to-date
extract included) without reference to a census year.
"""

from __future__ import annotations

import pandas as pd

from pmf_lib.validate.rules import Context, mask, rule

C, S = "cin_census", "ssda903"


@rule(
    "L01",
    "CIN closure date is before the referral date",
    source=C,
    table="referrals",
    fields=("CINclosureDate", "CINreferralDate"),
    kind="logic",
)
def closure_before_referral(ctx: Context):
    r = ctx.table("referrals", C)
    return mask(r, r["CINclosureDate"] < r["CINreferralDate"])


@rule(
    "L02",
    "SSDA903 episode overlaps another episode of the same child",
    source=S,
    table="episodes",
    fields=("DECOM", "DEC"),
    kind="logic",
)
def overlapping_episodes(ctx: Context):
    e = ctx.table("episodes", S).sort_values(["CHILD", "DECOM"], kind="stable")
    if not len(e):
        return e
    # episodes are half-open [DECOM, DEC); an open episode runs on for ever.
    # An episode overlaps an earlier one when it starts before the latest end so far.
    end = e["DEC"].fillna(pd.Timestamp.max.normalize())
    # per child, the latest end of the episodes before this one: the running
    # maximum, shifted one episode down within the child (two grouped passes,
    # not a Python function per child)
    running = end.groupby(e["CHILD"], dropna=False).cummax()
    latest_end = running.groupby(e["CHILD"], dropna=False).shift(1).astype("datetime64[ns]")
    return mask(e, e["DECOM"] < latest_end)


@rule(
    "L03",
    "Initial child protection conference is before the section 47 enquiry started",
    source=C,
    table="section47",
    fields=("DateOfInitialCPC", "S47ActualStartDate"),
    kind="logic",
)
def icpc_before_s47(ctx: Context):
    s = ctx.table("section47", C)
    return mask(s, s["DateOfInitialCPC"] < s["S47ActualStartDate"])


@rule(
    "L04",
    "Assessment authorised before it started",
    source=C,
    table="assessments",
    fields=("AssessmentAuthorisationDate", "AssessmentActualStartDate"),
    kind="logic",
)
def authorisation_before_start(ctx: Context):
    a = ctx.table("assessments", C)
    return mask(a, a["AssessmentAuthorisationDate"] < a["AssessmentActualStartDate"])


@rule(
    "L05",
    "Child protection plan ends before it starts",
    source=C,
    table="cp_plans",
    fields=("CPPendDate", "CPPstartDate"),
    kind="logic",
)
def cpp_end_before_start(ctx: Context):
    p = ctx.table("cp_plans", C)
    return mask(p, p["CPPendDate"] < p["CPPstartDate"])


#: Local datasets: (rule code, dataset, earlier column, later column, message) — the
#: later date may not precede the earlier one.
LOCAL_DATE_ORDER = (
    (
        "L06",
        "contacts",
        "contact_date",
        "decision_date",
        "Decision date is before the contact date",
    ),
    ("L07", "early_help", "start_date", "end_date", "Early help episode ends before it starts"),
    (
        "L08",
        "complaints",
        "received_date",
        "responded_date",
        "Response date is before the date received",
    ),
    ("L09", "lado", "received_date", "closed_date", "LADO referral closed before it was received"),
    (
        "L10",
        "improvement_actions",
        "created_date",
        "completed_date",
        "Improvement action completed before it was created",
    ),
    ("L15", "placement_costs", "start_date", "end_date", "Placement ends before it starts"),
    (
        "L16",
        "momo_statements",
        "received_date",
        "response_date",
        "Mind of My Own response is dated before the statement was received",
    ),
)
