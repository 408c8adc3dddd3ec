"""Adolescent KPIs (children aged 10 to 17) on tiny hand-built CIN census and 903 tables."""

from __future__ import annotations

import pandas as pd

from pmf_lib.age import age_on
from pmf_lib.compute.kpis import adolescents as ad
from pmf_lib.compute.registry import Figure, KpiInputs
from pmf_lib.dates import Window

MONTH = Window.of("month", "2025-03-31")
R12 = Window.of("rolling_12m", "2025-03-31")


def child(cid, dob):
    return {"LAchildID": cid, "PersonBirthDate": dob}


def test_age_uses_calendar_birthdays_including_29_february():
    dob = pd.Series(pd.to_datetime(["2008-02-29", "2008-02-29", "2008-02-29", "2015-12-31"]))
    on = pd.Series(pd.to_datetime(["2025-02-28", "2025-03-01", "2024-02-29", "2025-12-30"]))
    # 2025 is not a leap year: 17th birthday counts from 1 March; 2024-02-29 is the 16th
    # birthday on the day; the day before a 10th birthday the child is 9
    assert age_on(dob, on).tolist() == [16.0, 17.0, 16.0, 9.0]


def test_referrals_count_age_boundaries_and_missing_dob(build):
    inputs = build.cin(
        children=[
            child("ten", "2015-03-10"),  # 10th birthday on the referral date: counts
            child("nine", "2015-03-11"),  # 10th birthday the day after: 9, not counted
            child("eighteen", "2007-03-10"),  # 18th birthday on the referral date: not counted
            child("seventeen", "2007-03-11"),  # 18 the day after: still 17, counts
            child("nodob", None),  # no date of birth: not counted
            child("old_ref", "2012-01-01"),  # 13, but referral is in February
        ],
        referrals=[
            {"LAchildID": c, "CINreferralDate": "2025-03-10"}
            for c in ["ten", "nine", "eighteen", "seventeen", "nodob", "unknown_child"]
        ]
        + [{"LAchildID": "old_ref", "CINreferralDate": "2025-02-28"}],
    )
    # month (March 2025): ten + seventeen = 2; rolling 12 months adds old_ref (13) = 3
    assert ad.adol_referrals_count(inputs, MONTH) == Figure(2)
    assert ad.adol_referrals_count(inputs, R12) == Figure(3)


def test_referrals_count_uses_age_at_each_referral_not_period_end(build):
    inputs = build.cin(
        children=[child("a", "2015-01-01"), child("b", "2007-01-01")],
        referrals=[
            {"LAchildID": "a", "CINreferralDate": "2024-05-01"},  # a is 9: not counted
            {"LAchildID": "a", "CINreferralDate": "2025-01-01"},  # a's 10th birthday: counted
            {"LAchildID": "b", "CINreferralDate": "2024-12-31"},  # b is 17 (18 at period end)
        ],
    )
    # a's second referral and b's referral = 2 (a is 10 and b 18 at period end, which is
    # irrelevant)
    assert ad.adol_referrals_count(inputs, R12) == Figure(2)


def test_assessments_exploitation_pct(build):
    def assess(cid, date, factors):
        return {
            "LAchildID": cid,
            "AssessmentAuthorisationDate": date,
            "AssessmentFactors": factors,
        }

    inputs = build.cin(
        children=[child("t", "2010-01-01"), child("y", "2020-01-01"), child("n", None)],
        assessments=[
            assess("t", "2025-03-05", "1C,11A"),  # 15, CSE: numerator and denominator
            assess("t", "2025-03-06", "24a"),  # 15, CCE (lower case): both
            assess("t", "2025-03-07", " 21 , 13A "),  # 15, gangs (spaces): both
            assess("t", "2025-03-08", "11,111A,12A"),  # 15, no exploitation code: denominator
            assess("t", "2025-03-09", None),  # 15, no factors: denominator
            assess("t", None, "11A"),  # not authorised: neither
            assess("t", "2025-02-28", "11A"),  # authorised last month: neither (month)
            assess("y", "2025-03-05", "11A"),  # 5 years old: neither
            assess("n", "2025-03-05", "11A"),  # no date of birth: neither
        ],
    )
    # March: 3 of 5 assessments of 10-17 year olds; rolling 12m adds the February one: 4 of 6
    assert ad.adol_assessments_exploitation_pct(inputs, MONTH) == Figure(3, 5)
    assert ad.adol_assessments_exploitation_pct(inputs, R12) == Figure(4, 6)


def test_cla_missing_pct(build):
    def ep(cid, decom, dec=None, ls="C2"):
        return {"CHILD": cid, "DECOM": decom, "DEC": dec, "RNE": "S", "LS": ls}

    def miss(cid, start, code="M"):
        return {"CHILD": cid, "MISSING": code, "MIS_START": start}

    inputs = build.cla(
        header=[
            {"CHILD": "1", "DOB": "2015-03-31"},  # 10 on period end: in
            {"CHILD": "2", "DOB": "2007-03-31"},  # 18 on period end: out
            {"CHILD": "3", "DOB": "2007-04-01"},  # 17 on period end: in
            {"CHILD": "4", "DOB": "2012-01-01"},  # 13: in
            {"CHILD": "5", "DOB": "2012-01-01"},  # 13 but left care: out
            {"CHILD": "6", "DOB": None},  # no DOB: out
            {"CHILD": "7", "DOB": "2012-01-01"},  # 13, short break only: out
        ],
        episodes=[
            ep("1", "2024-01-01"),
            ep("2", "2024-01-01"),
            ep("3", "2024-01-01"),
            ep("4", "2024-01-01"),
            ep("5", "2024-01-01", "2025-03-31"),
            ep("6", "2024-01-01"),
            ep("7", "2024-01-01", ls="V3"),
        ],
        missing=[
            miss("1", "2024-04-01"),  # first day of the rolling 12 months: counts
            miss("2", "2025-01-01"),  # not in the denominator
            miss("3", "2024-03-31"),  # the day before the 12 months: does not count
            miss("4", "2025-01-01", code="A"),  # away, not missing: does not count
            miss("5", "2025-01-01"),
            miss("6", "2025-01-01"),
            miss("7", "2025-01-01"),
        ],
    )
    # denominator 1, 3, 4 = 3; numerator 1 = 1
    assert ad.adol_cla_missing_pct(inputs, R12) == Figure(1, 3)


def test_cla_started_pct(build):
    def ep(cid, decom, rne="S", ls="C2"):
        return {"CHILD": cid, "DECOM": decom, "RNE": rne, "LS": ls}

    inputs = build.cla(
        header=[
            {"CHILD": "a", "DOB": "2015-03-10"},  # 10th birthday on DECOM: in
            {"CHILD": "b", "DOB": "2007-03-10"},  # 18th birthday on DECOM: out
            {"CHILD": "c", "DOB": "2020-01-01"},  # 5: out
            {"CHILD": "d", "DOB": None},  # no DOB: denominator only
            {"CHILD": "e", "DOB": "2012-01-01"},  # 13 but RNE P (not a start): neither
            {"CHILD": "f", "DOB": "2012-01-01"},  # 13, short break: neither
            {"CHILD": "g", "DOB": "2012-01-01"},  # 13, two starts in the window: once
        ],
        episodes=[
            ep("a", "2025-03-10"),
            ep("b", "2025-03-10"),
            ep("c", "2025-03-10"),
            ep("d", "2025-03-10"),
            ep("e", "2025-03-10", rne="P"),
            ep("f", "2025-03-10", ls="V4"),
            ep("g", "2025-03-02"),
            ep("g", "2025-03-20"),
        ],
    )
    # starters a, b, c, d, g = 5; aged 10-17 on DECOM: a, g = 2
    assert ad.adol_cla_started_pct(inputs, MONTH) == Figure(2, 5)


def test_empty_inputs_give_empty_figures():
    inputs = KpiInputs()
    assert ad.adol_referrals_count(inputs, MONTH) == Figure(0)
    assert ad.adol_assessments_exploitation_pct(inputs, MONTH) == Figure(0, 0)
    assert ad.adol_cla_missing_pct(inputs, R12) == Figure(0, 0)
    assert ad.adol_cla_started_pct(inputs, MONTH) == Figure(0, 0)
