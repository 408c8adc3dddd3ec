"""Each DfE and logic rule on a tiny failing and passing example.

Every case builds the canonical tables by hand; child ``bad`` breaks the rule and
child ``ok`` does not, so the rule must return exactly the ``bad`` rows (or, where
only one of a child's rows is at fault, the rows listed in ``expect``: for 142 the
open episode followed by another, for 501 and L02 the later episode that starts
inside the earlier one, for 437 the ceased episode with further episodes after it).
"""

from __future__ import annotations

import pandas as pd
import pytest

from pmf_lib.read.tables import CIN_COLUMNS, S903_COLUMNS, CinCensus, Ssda903, conform
from pmf_lib.validate import Context, all_rules

D = pd.Timestamp
Y = 2025  # collection year 2024-25: 1 April 2024 to 31 March 2025


def ctx_of(cin: dict | None = None, cla: dict | None = None, expect=None) -> Context:
    c, s = CinCensus(), Ssda903()
    for name, rows in (cin or {}).items():
        df = pd.DataFrame(rows)
        if "collection_year" not in df:
            df["collection_year"] = Y
        c.tables[name] = conform(df, CIN_COLUMNS[name])
    for name, rows in (cla or {}).items():
        df = pd.DataFrame(rows)
        if "collection_year" not in df:
            df["collection_year"] = Y
        s.tables[name] = conform(df, S903_COLUMNS[name])
    return Context(cin=c, cla=s, as_of=D("2025-06-30"))


def ep(child, decom, dec=None, rne="S", ls="C2", place="U1", rec=None, cin="N1", provider="PR1"):
    return {
        "CHILD": child,
        "DECOM": D(decom),
        "DEC": D(dec) if dec else pd.NaT,
        "RNE": rne,
        "LS": ls,
        "PLACE": place,
        "REC": rec if rec is not None else ("E8" if dec else None),
        "CIN": cin,
        "PLACE_PROVIDER": provider,
    }


def hd(child, dob="2010-01-01", sex="1", ethnic="WBRI"):
    return {"CHILD": child, "DOB": D(dob), "SEX": sex, "ETHNIC": ethnic}


def ref(child, date="2024-06-03", nfa="0", need="N1", close=None, reason=None, icpc=None):
    return {
        "LAchildID": child,
        "CINreferralDate": D(date),
        "ReferralNFA": nfa,
        "PrimaryNeedCode": need,
        "CINclosureDate": D(close) if close else pd.NaT,
        "ReasonForClosure": reason,
        "DateOfInitialCPC": D(icpc) if icpc else pd.NaT,
    }


def asmt(child, start="2024-06-04", auth=None, factors=None, referral="2024-06-03"):
    return {
        "LAchildID": child,
        "CINreferralDate": D(referral),
        "AssessmentActualStartDate": D(start) if start else pd.NaT,
        "AssessmentAuthorisationDate": D(auth) if auth else pd.NaT,
        "AssessmentFactors": factors,
    }


def s47(child, start="2024-06-05", icpc=None, not_required="0", referral="2024-06-03"):
    return {
        "LAchildID": child,
        "CINreferralDate": D(referral),
        "S47ActualStartDate": D(start) if start else pd.NaT,
        "DateOfInitialCPC": D(icpc) if icpc else pd.NaT,
        "ICPCnotRequired": not_required,
    }


def cpp(child, start="2024-06-20", end=None, cat="NEG", prev=0, referral="2024-06-03"):
    return {
        "LAchildID": child,
        "CINreferralDate": D(referral),
        "CPPstartDate": D(start),
        "CPPendDate": D(end) if end else pd.NaT,
        "InitialCategoryOfAbuse": cat,
        "NumberOfPreviousCPP": prev,
    }


def kid(child, dob="2015-01-01", death=None):
    return {
        "LAchildID": child,
        "PersonBirthDate": D(dob),
        "PersonDeathDate": D(death) if death else pd.NaT,
    }


CASES = {
    # ---- SSDA903 header
    ("ssda903", "101"): dict(cla={"header": [hd("bad", sex="3"), hd("ok")]}),
    ("ssda903", "102"): dict(cla={"header": [{"CHILD": "bad", "SEX": "1"}, hd("ok")]}),
    ("ssda903", "103"): dict(cla={"header": [hd("bad", ethnic="XXXX"), hd("ok")]}),
    ("ssda903", "301"): dict(cla={"header": [hd("bad", dob="2025-04-01"), hd("ok")]}),
    ("ssda903", "INT32"): dict(cla={"header": [hd("bad"), hd("bad"), hd("ok")]}),
    # ---- SSDA903 episodes: codes
    ("ssda903", "141"): dict(
        cla={"episodes": [{"CHILD": "bad", "RNE": "S"}, ep("ok", "2024-05-01")]}
    ),
    ("ssda903", "143"): dict(
        cla={"episodes": [ep("bad", "2024-05-01", rne="Q"), ep("ok", "2024-05-01")]}
    ),
    ("ssda903", "144"): dict(
        cla={"episodes": [ep("bad", "2024-05-01", ls="Z9"), ep("ok", "2024-05-01")]}
    ),
    ("ssda903", "145"): dict(
        cla={"episodes": [ep("bad", "2024-05-01", cin="N9"), ep("ok", "2024-05-01")]}
    ),
    ("ssda903", "146"): dict(
        cla={"episodes": [ep("bad", "2024-05-01", place="U9"), ep("ok", "2024-05-01")]}
    ),
    ("ssda903", "148"): dict(
        cla={
            "episodes": [
                ep("bad", "2024-05-01", "2024-06-01", rec=""),
                ep("ok", "2024-05-01", "2024-06-01", rec="E4A"),
            ]
        }
    ),
    ("ssda903", "149"): dict(
        cla={
            "episodes": [
                ep("bad", "2024-05-01", "2024-06-01", rec="E99"),
                ep("ok", "2024-05-01", "2024-06-01", rec="E13"),
            ]
        }
    ),
    ("ssda903", "178"): dict(
        cla={
            "episodes": [
                ep("bad", "2024-05-01", provider="PR9"),
                ep("ok", "2024-05-01", provider=None),
            ]
        }
    ),
    ("ssda903", "445"): dict(
        cla={"episodes": [ep("bad", "2006-01-01", ls="D1"), ep("ok", "2005-01-01", ls="D1")]}
    ),
    ("ssda903", "446"): dict(
        cla={"episodes": [ep("bad", "2005-01-01", ls="E1"), ep("ok", "2006-01-01", ls="E1")]}
    ),
    # ---- SSDA903 episodes: sequence and duration
    ("ssda903", "142"): dict(
        expect=[0],
        cla={
            "episodes": [
                ep("bad", "2024-05-01"),
                ep("bad", "2024-06-01", rne="P"),
                ep("ok", "2024-05-01", "2024-06-01", rec="X1"),
                ep("ok", "2024-06-01", rne="P"),
            ]
        },
    ),
    ("ssda903", "501"): dict(
        expect=[1],
        cla={
            "episodes": [
                ep("bad", "2024-05-01", "2024-07-01", rec="X1"),
                ep("bad", "2024-06-01", rne="P"),
                ep("ok", "2024-05-01", "2024-06-01", rec="X1"),
                ep("ok", "2024-06-01", rne="P"),
            ]
        },
    ),
    ("ssda903", "353"): dict(cla={"episodes": [ep("bad", "1991-10-13"), ep("ok", "1991-10-14")]}),
    ("ssda903", "354"): dict(
        cla={
            "episodes": [
                ep("bad", "2024-05-01", "2025-04-01"),
                ep("ok", "2024-05-01", "2025-03-31"),
            ]
        }
    ),
    ("ssda903", "355"): dict(
        cla={
            "episodes": [
                ep("bad", "2024-05-01", "2024-05-01"),
                ep("ok", "2024-05-01", "2024-05-02"),
            ]
        }
    ),
    ("ssda903", "356"): dict(
        cla={
            "episodes": [
                ep("bad", "2024-05-02", "2024-05-01"),
                ep("ok", "2024-05-01", "2024-05-02"),
            ]
        }
    ),
    ("ssda903", "357"): dict(
        cla={"episodes": [ep("bad", "2024-05-01", rne="P"), ep("ok", "2024-05-01", rne="S")]}
    ),
    ("ssda903", "437"): dict(
        expect=[0],
        cla={
            "episodes": [
                ep("bad", "2024-05-01", "2024-06-01", rec="E2"),
                ep("bad", "2024-07-01"),
                ep("ok", "2024-05-01", "2024-06-01", rec="E2"),
            ]
        },
    ),
    ("ssda903", "361"): dict(
        cla={
            "episodes": [
                ep("bad", "2024-05-01", "2024-05-05", ls="L1"),
                ep("ok", "2024-05-01", "2024-05-04", ls="L1"),
            ]
        }
    ),
    ("ssda903", "362"): dict(
        cla={
            "episodes": [
                ep("bad", "2024-05-01", "2024-05-23", ls="L2"),
                ep("ok", "2024-05-01", "2024-05-22", ls="L2"),
            ]
        }
    ),
    ("ssda903", "363"): dict(
        cla={
            "episodes": [
                ep("bad", "2024-05-01", "2024-05-09", ls="L3"),
                ep("ok", "2024-05-01", "2024-05-08", ls="L3"),
            ]
        }
    ),
    ("ssda903", "365"): dict(
        cla={
            "episodes": [
                ep("bad", "2024-05-01", "2024-05-19", ls="V3"),
                ep("ok", "2024-05-01", "2024-05-18", ls="V3"),
            ]
        }
    ),
    # ---- SSDA903 episodes against header
    ("ssda903", "302"): dict(
        cla={
            "header": [hd("bad", "2024-06-01"), hd("ok", "2024-04-01")],
            "episodes": [ep("bad", "2024-05-01"), ep("ok", "2024-05-01")],
        }
    ),
    ("ssda903", "352"): dict(
        cla={
            "header": [hd("bad", "2006-05-01"), hd("ok", "2006-05-02")],
            "episodes": [ep("bad", "2024-05-01"), ep("ok", "2024-05-01")],
        }
    ),
    ("ssda903", "358"): dict(
        cla={
            "header": [hd("bad", "2014-05-02"), hd("ok", "2014-05-01")],
            "episodes": [ep("bad", "2024-05-01", ls="J1"), ep("ok", "2024-05-01", ls="J1")],
        }
    ),
    ("ssda903", "460"): dict(
        cla={
            "header": [hd("bad", "2006-06-02"), hd("ok", "2006-06-01")],
            "episodes": [
                ep("bad", "2024-05-01", "2024-06-01", rec="E17"),
                ep("ok", "2024-05-01", "2024-06-01", rec="E17"),
            ],
        }
    ),
    ("ssda903", "INT03"): dict(
        cla={"header": [hd("ok")], "episodes": [ep("bad", "2024-05-01"), ep("ok", "2024-05-01")]}
    ),
    ("ssda903", "L02"): dict(
        expect=[1],
        cla={
            "episodes": [
                ep("bad", "2024-01-01"),
                ep("bad", "2024-03-01", rne="P"),
                ep("ok", "2024-01-01", "2024-03-01", rec="X1"),
                ep("ok", "2024-03-01", rne="P"),
            ]
        },
    ),
    # ---- CIN census
    ("cin_census", "8500"): dict(cin={"children": [{"LAchildID": None}, kid("ok")]}),
    ("cin_census", "8568"): dict(cin={"referrals": [ref("bad", nfa="maybe"), ref("ok", nfa="1")]}),
    ("cin_census", "8600"): dict(
        cin={"referrals": [ref("bad", date="2025-04-01"), ref("ok", date="2025-03-31")]}
    ),
    ("cin_census", "8606"): dict(
        cin={
            "children": [kid("bad", "2025-03-31"), kid("ok", "2024-09-01")],
            "referrals": [ref("bad"), ref("ok")],
        }
    ),
    ("cin_census", "8610"): dict(
        cin={"referrals": [ref("bad", need=None), ref("ok", nfa="1", need=None)]}
    ),
    ("cin_census", "8620"): dict(
        cin={"referrals": [ref("bad", close="2025-04-02"), ref("ok", close="2024-07-01")]}
    ),
    ("cin_census", "8650"): dict(cin={"referrals": [ref("bad", need="N10"), ref("ok", need="N9")]}),
    ("cin_census", "8810"): dict(
        cin={"referrals": [ref("bad", reason="RC1"), ref("ok", reason="RC1", close="2024-07-01")]}
    ),
    ("cin_census", "8831"): dict(
        cin={"referrals": [ref("bad", nfa="1"), ref("ok", nfa="1")], "assessments": [asmt("bad")]}
    ),
    ("cin_census", "8608"): dict(
        cin={"assessments": [asmt("bad", auth="2024-06-03"), asmt("ok", auth="2024-06-04")]}
    ),
    ("cin_census", "8614"): dict(
        cin={
            "assessments": [asmt("bad", factors="1C"), asmt("ok", auth="2024-07-01", factors="1C")]
        }
    ),
    ("cin_census", "8696"): dict(
        cin={"assessments": [asmt("bad", auth="2025-04-01"), asmt("ok", auth="2025-03-31")]}
    ),
    ("cin_census", "8736"): dict(
        cin={"assessments": [asmt("bad", start="2024-03-31"), asmt("ok", start="2024-04-01")]}
    ),
    ("cin_census", "8896"): dict(
        cin={
            "assessments": [
                asmt("bad"),
                asmt("bad", start="2024-06-10"),
                asmt("ok"),
                asmt("ok", start="2024-06-10", auth="2024-07-01"),
            ]
        }
    ),
    ("cin_census", "8670Q"): dict(
        cin={"assessments": [asmt("bad", start="2025-01-02"), asmt("ok", start="2025-03-01")]}
    ),
    ("cin_census", "8615"): dict(
        cin={"section47": [s47("bad", icpc="2024-06-04"), s47("ok", icpc="2024-06-05")]}
    ),
    ("cin_census", "8715"): dict(
        cin={"section47": [s47("bad", icpc="2025-04-01"), s47("ok", icpc="2025-03-31")]}
    ),
    ("cin_census", "8740"): dict(
        cin={
            "section47": [
                s47("bad", start="2024-03-31"),
                s47("ok", start="2024-03-31", not_required="1"),
            ]
        }
    ),
    ("cin_census", "8839"): dict(
        cin={
            "section47": [
                s47("bad"),
                s47("bad", start="2024-06-10"),
                s47("ok"),
                s47("ok", start="2024-06-10", icpc="2024-06-20"),
            ]
        }
    ),
    ("cin_census", "2889"): dict(
        cin={"section47": [s47("bad", start="2024-06-02"), s47("ok", start="2024-06-03")]}
    ),
    ("cin_census", "8675Q"): dict(
        cin={"section47": [s47("bad", start="2025-03-03"), s47("ok", start="2025-03-20")]}
    ),
    ("cin_census", "8730"): dict(cin={"cp_plans": [cpp("bad", prev=None), cpp("ok", prev=0)]}),
    ("cin_census", "8840"): dict(
        cin={"cp_plans": [cpp("bad", end="2024-06-20"), cpp("ok", end="2024-06-21")]}
    ),
    ("cin_census", "8905"): dict(
        cin={"cp_plans": [cpp("bad", cat="NEGLECT"), cpp("ok", cat="MUL")]}
    ),
    ("cin_census", "8915"): dict(
        cin={
            "children": [kid("bad", death="2024-06-19"), kid("ok", death="2024-06-20")],
            "cp_plans": [cpp("bad"), cpp("ok")],
        }
    ),
    ("cin_census", "8920"): dict(
        cin={
            "children": [kid("bad", death="2024-06-30"), kid("ok", death="2024-07-01")],
            "cp_plans": [cpp("bad", end="2024-07-01"), cpp("ok", end="2024-07-01")],
        }
    ),
    ("cin_census", "2885"): dict(
        cin={
            "section47": [s47("bad", icpc="2024-06-19"), s47("ok", icpc="2024-06-20")],
            "cp_plans": [cpp("bad"), cpp("ok")],
        }
    ),
    ("cin_census", "L01"): dict(
        cin={"referrals": [ref("bad", close="2024-06-02"), ref("ok", close="2024-06-03")]}
    ),
    ("cin_census", "L03"): dict(
        cin={"section47": [s47("bad", icpc="2024-06-04"), s47("ok", icpc="2024-06-05")]}
    ),
    ("cin_census", "L04"): dict(
        cin={"assessments": [asmt("bad", auth="2024-06-03"), asmt("ok", auth="2024-06-04")]}
    ),
    ("cin_census", "L05"): dict(
        cin={"cp_plans": [cpp("bad", end="2024-06-19"), cpp("ok", end="2024-06-21")]}
    ),
}
# Working days (d with start <= d < 31 Mar 2025) for the query rules: from 2 Jan, 62 (> 45);
# from Sat 1 Mar, 20 (<= 45). From 3 Mar, 20 (> 15); from 20 Mar, 7 (<= 15).


def test_every_registered_rule_has_a_case_and_there_are_at_least_40_dfe_rules():
    rules = all_rules()
    assert set(rules) == set(CASES)
    dfe = [r for r in rules.values() if r.kind == "dfe"]
    assert len(dfe) >= 40


@pytest.mark.parametrize("key", sorted(CASES), ids=lambda k: f"{k[0]}-{k[1]}")
def test_rule_flags_bad_and_passes_ok(key):
    r = all_rules()[key]
    ctx = ctx_of(**CASES[key])
    bad = r(ctx)
    child_col = "CHILD" if r.source == "ssda903" else "LAchildID"
    table = ctx.table(r.table, r.source)
    expected = CASES[key].get("expect")
    if expected is None:  # every row of child "bad" (or with no child id)
        is_bad = (table[child_col] == "bad").fillna(False) | table[child_col].isna()
        expected = table.index[is_bad.to_numpy()]
    assert sorted(bad.index) == sorted(expected)
    assert len(expected) >= 1


def test_rules_cope_with_empty_tables():
    ctx = Context()
    for r in all_rules().values():
        assert len(r(ctx)) == 0, r.code
