"""The team managers' action lists: each rule on tiny hand-built data, and the demo month.

Report date Saturday 31 October 2026 throughout; the last working day up to it is
Friday 30 October. Bank holidays near it: Monday 31 August 2026 (summer). An open
item's working days elapsed count the working days d with start <= d <= the report
date; a completed one's the KPI's count, start <= d < completion.
"""

from __future__ import annotations

import pandas as pd
import pytest

from pmf_lib.assess.action_lists import (
    LISTS,
    NOT_RECORDED,
    SPECS,
    action_lists,
    build_list,
    kpi_breach_count,
    summary_table,
)
from pmf_lib.compute.kpis._local import local_frame
from pmf_lib.compute.registry import KpiInputs, all_kpis
from pmf_lib.dates import Window
from pmf_lib.read.tables import CIN_COLUMNS, S903_COLUMNS, CinCensus, Ssda903, conform

END = pd.Timestamp("2026-10-31")


def d(*days):
    return pd.to_datetime(list(days))


def cin_inputs(**tables) -> KpiInputs:
    cin = CinCensus()
    for name, cols in tables.items():
        cin.tables[name] = conform(pd.DataFrame(cols), CIN_COLUMNS[name])
    return KpiInputs(cin=cin)


def cla_inputs(**tables) -> KpiInputs:
    cla = Ssda903()
    for name, cols in tables.items():
        cla.tables[name] = conform(pd.DataFrame(cols), S903_COLUMNS[name])
    return KpiInputs(cla=cla)


def kpi_breaches(kpi_id: str, inputs: KpiInputs, window: str) -> int:
    """The KPI's own breach count, from its function (not from the list)."""
    fig = all_kpis()[kpi_id](inputs, Window.of(window, END))
    meta = all_kpis()[kpi_id].meta
    return int(
        fig.numerator if meta.polarity == "lower_is_better" else fig.denominator - fig.numerator
    )


def by_child(lst):
    return {r.child_id: r for r in lst.rows.itertuples()}


# ---- assessments: assessments_45wd_pct ---------------------------------------------
ASSESSMENTS = {
    # (child, referral date, start, authorisation)
    # a1 open from Mon 7 Sep: 8 whole weeks to Fri 30 Oct = 40 working days -> not listed
    "a1": ("2026-09-01", "2026-09-07", None),
    # a2 open from Fri 4 Sep: 1 + 40 = 41 -> due within 5
    "a2": ("2026-09-01", "2026-09-04", None),
    # a3 open from Mon 31 Aug (bank holiday): Tue-Fri 4 + 40 = 44 -> due
    "a3": ("2026-08-20", "2026-08-31", None),
    # a4 open from Thu 27 Aug: 2 + 4 + 40 = 46 -> past 45
    "a4": ("2026-08-20", "2026-08-27", None),
    # a5 open from Fri 28 Aug: 1 + 4 + 40 = 45 -> due (authorised Mon 2 Nov it is on time)
    "a5": ("2026-08-20", "2026-08-28", None),
    # a6 open since June but its CIN episode closed on 30 Sep -> not open work, not listed
    "a6": ("2026-05-20", "2026-06-01", None),
    # a7 Tue 1 Sep -> Thu 15 Oct: 4 + 25 + 3 = 32 -> on time, not listed
    "a7": ("2026-08-20", "2026-09-01", "2026-10-15"),
    # a8 Thu 27 Aug -> Fri 30 Oct: 2 + 4 + 35 + 4 = 45 -> on time (the boundary)
    "a8": ("2026-08-20", "2026-08-27", "2026-10-30"),
    # a9 Wed 26 Aug -> Fri 30 Oct: 46 -> late, in the figure
    "a9": ("2026-08-20", "2026-08-26", "2026-10-30"),
    # a10 no start date, authorised 5 Oct -> late, in the figure
    "a10": ("2026-08-20", None, "2026-10-05"),
    # a11 late but authorised in September -> not in October's figure, not listed
    "a11": ("2026-05-20", "2026-06-01", "2026-09-30"),
}


def assessment_inputs() -> KpiInputs:
    ids = list(ASSESSMENTS)
    ref, start, auth = zip(*ASSESSMENTS.values(), strict=True)
    return cin_inputs(
        assessments={
            "LAchildID": ids,
            "CINreferralDate": d(*ref),
            "AssessmentActualStartDate": d(*start),
            "AssessmentAuthorisationDate": d(*auth),
        },
        # only a6's episode is in the referrals table, closed before the report date
        referrals={
            "LAchildID": ["a6"],
            "CINreferralDate": d("2026-05-20"),
            "CINclosureDate": d("2026-09-30"),
        },
    )


def test_assessments_list_open_due_and_late():
    lst = build_list(SPECS["assessments"], assessment_inputs(), END)
    rows = by_child(lst)
    assert set(rows) == {"a2", "a3", "a4", "a5", "a9", "a10"}
    assert {k: rows[k].working_days for k in ("a2", "a3", "a4", "a5", "a9")} == {
        "a2": 41,
        "a3": 44,
        "a4": 46,
        "a5": 45,
        "a9": 46,
    }
    assert pd.isna(rows["a10"].working_days)
    assert rows["a4"].status == "Open: past 45 working days"
    assert rows["a2"].status == rows["a5"].status == "Open: due within 5 working days"
    assert {k for k, r in rows.items() if r.counted_in_kpi} == {"a9", "a10"}
    # a5's last day in time: 45 working days after Fri 28 Aug is Mon 2 Nov (see above)
    assert rows["a5"].due == pd.Timestamp("2026-11-02")
    # October's figure: a7, a8, a9, a10 authorised; a7 and a8 on time -> 2 breaches
    assert (
        lst.breach_count == 2 == kpi_breaches("assessments_45wd_pct", assessment_inputs(), "month")
    )
    assert lst.reconciles


# ---- section 47: icpc_15wd_pct ------------------------------------------------------
def s47_inputs() -> KpiInputs:
    return cin_inputs(
        section47={
            # s1 Mon 12 Oct, no ICPC: 15 -> due; s2 Mon 19 Oct: 10 -> not listed;
            # s3 Fri 9 Oct: 16 -> past; s4 no ICPC needed -> not listed;
            # s5 Mon 28 Sep -> ICPC Tue 20 Oct: 5 + 5 + 5 + 1 = 16 -> late (in the figure);
            # s6 Mon 28 Sep -> ICPC Mon 19 Oct: 15 -> on time
            "LAchildID": ["s1", "s2", "s3", "s4", "s5", "s6"],
            "CINreferralDate": d(*["2026-09-01"] * 6),
            "S47ActualStartDate": d(
                "2026-10-12", "2026-10-19", "2026-10-09", "2026-09-01", "2026-09-28", "2026-09-28"
            ),
            "DateOfInitialCPC": d(None, None, None, None, "2026-10-20", "2026-10-19"),
            "ICPCnotRequired": ["0", "0", "0", "1", "0", "0"],
        }
    )


def test_s47_list_without_icpc():
    lst = build_list(SPECS["s47_icpc"], s47_inputs(), END)
    rows = by_child(lst)
    assert set(rows) == {"s1", "s3", "s5"}
    assert (rows["s1"].working_days, rows["s3"].working_days, rows["s5"].working_days) == (
        15,
        16,
        16,
    )
    assert rows["s1"].status == "Open: due within 5 working days"
    assert rows["s3"].status == "Open: past 15 working days"
    assert [k for k, r in rows.items() if r.counted_in_kpi] == ["s5"]
    # October's ICPCs: s5 late, s6 on time -> 1 breach
    assert lst.breach_count == 1 == kpi_breaches("icpc_15wd_pct", s47_inputs(), "month")


# ---- CP reviews: cp_reviews_on_time_pct ---------------------------------------------
def cp_inputs() -> KpiInputs:
    return cin_inputs(
        # p1 from 1 Jun, never reviewed: first review due 1 Sep -> overdue;
        # p2 from 1 Jun, reviewed 20 Aug: next due 20 Feb 2027 -> on time;
        # p3 from 5 Jan, first review 20 Apr (due 5 Apr: late), then 1 Sep -> earlier late;
        # p4 from 1 Sep: on a plan under 3 months -> not in the figure
        cp_plans={
            "LAchildID": ["p1", "p2", "p3", "p4"],
            "CPPstartDate": d("2026-06-01", "2026-06-01", "2026-01-05", "2026-09-01"),
        },
        cp_reviews={
            "LAchildID": ["p2", "p3", "p3"],
            "CPPstartDate": d("2026-06-01", "2026-01-05", "2026-01-05"),
            "CPPreviewDate": d("2026-08-20", "2026-04-20", "2026-09-01"),
        },
    )


def test_cp_review_list():
    lst = build_list(SPECS["cp_reviews"], cp_inputs(), END)
    rows = by_child(lst)
    assert set(rows) == {"p1", "p3"}
    assert rows["p1"].status == "Review overdue" and rows["p1"].due == pd.Timestamp("2026-09-01")
    # Tue 1 Sep to Fri 30 Oct: 4 + 40 working days since the review was due
    assert rows["p1"].working_days == 44
    assert rows["p3"].status == "An earlier review was late"
    assert rows["p3"].last_review == pd.Timestamp("2026-09-01")
    # 3 children in the figure, p2 on time -> 2 breaches
    assert lst.breach_count == 2 == kpi_breaches("cp_reviews_on_time_pct", cp_inputs(), "snapshot")


# ---- CLA reviews: conf_cla_reviews_timely_pct (local conferencing, quarter) -----------
def cla_review_inputs() -> KpiInputs:
    # no 903 episodes: each review's stage is unknown, so its recorded due date is used.
    # r1 10 Oct, due 1 Oct -> late (Thu 1 - Fri 9 Oct: 7 working days late);
    # r2 10 Sep, due 15 Sep -> on time; r3 in July -> outside the quarter;
    # r4 no due date -> in neither count
    c = local_frame(
        "conferencing",
        child_id=["r1", "r2", "r3", "r4"],
        meeting_type=["CLA_REVIEW"] * 4,
        meeting_date=["2026-10-10", "2026-09-10", "2026-07-10", "2026-10-12"],
        due_date=["2026-10-01", "2026-09-15", "2026-07-01", None],
    )
    return KpiInputs(local={"conferencing": c})


def test_cla_review_list():
    lst = build_list(SPECS["cla_reviews"], cla_review_inputs(), END)
    rows = by_child(lst)
    assert set(rows) == {"r1"}
    assert rows["r1"].working_days == 7 and rows["r1"].status == "Held late: stage unknown"
    kpi = kpi_breaches("conf_cla_reviews_timely_pct", cla_review_inputs(), "quarter")
    assert lst.breach_count == 1 == kpi


def test_cla_review_list_without_the_dataset_is_empty_and_says_so():
    lst = build_list(SPECS["cla_reviews"], KpiInputs(), END)
    assert lst.rows.empty and not lst.supplied and lst.notes
    assert pd.isna(lst.kpi_breaches)


# ---- health assessments: cla_health_assessment_pct (OC2) ------------------------------
def oc2_inputs() -> KpiInputs:
    # the 2026 return applies at 31 Oct 2026 (the 2027 one from 31 Mar 2027).
    # h1 yes; h2 no -> listed; h3 not recorded -> in neither count; h4 no and yes -> yes;
    # h5 no, but only in the 2027 return -> not listed
    return cla_inputs(
        oc2={
            "CHILD": ["h1", "h2", "h3", "h4", "h4", "h5"],
            "HEALTH_ASSESSMENT": ["1", "0", None, "0", "1", "0"],
            "collection_year": [2026, 2026, 2026, 2026, 2026, 2027],
        }
    )


def test_health_assessment_list():
    lst = build_list(SPECS["cla_health"], oc2_inputs(), END)
    assert lst.rows["child_id"].tolist() == ["h2"]
    assert lst.rows["as_at"].iloc[0] == pd.Timestamp("2026-03-31")
    kpi = kpi_breaches("cla_health_assessment_pct", oc2_inputs(), "snapshot")
    assert lst.breach_count == 1 == kpi


# ---- care leavers: care_leavers_not_in_touch_pct (OC3) --------------------------------
def oc3_inputs() -> KpiInputs:
    # aged at 31 Mar 2026: l1, l2, l4 are 20 (in the cohort), l3 17 (not).
    # not in touch: l1 and l4 (l3 too, but not in the cohort)
    return cla_inputs(
        oc3={
            "CHILD": ["l1", "l2", "l3", "l4"],
            "DOB": d("2006-01-01", "2006-01-01", "2009-01-01", "2005-06-01"),
            "IN_TOUCH": ["NO", "YES", "NO", "NO"],
            "collection_year": [2026] * 4,
        }
    )


def test_care_leavers_list():
    lst = build_list(SPECS["care_leavers"], oc3_inputs(), END)
    assert sorted(lst.rows["child_id"]) == ["l1", "l4"]
    # lower is better: the figure's breaches are its numerator, 2 of 3
    kpi = kpi_breaches("care_leavers_not_in_touch_pct", oc3_inputs(), "snapshot")
    assert lst.breach_count == 2 == kpi


# ---- teams and workers -----------------------------------------------------------------
def test_team_and_worker_from_annex_a_else_not_recorded():
    annex = {
        "list_4": pd.DataFrame(
            {
                "child_id": ["a4", "a4", "a2"],
                # a4's last row with a team wins; a2's row records none
                "allocated_team": ["South", "North", None],
                "allocated_worker": ["Bo", "Ann", None],
            }
        )
    }
    lst = build_list(SPECS["assessments"], assessment_inputs(), END, annex)
    rows = by_child(lst)
    assert (rows["a4"].team, rows["a4"].worker) == ("North", "Ann")
    assert (rows["a2"].team, rows["a2"].worker) == (NOT_RECORDED, NOT_RECORDED)
    # sorted by team: "North" before "not recorded" (upper case first)
    assert lst.rows["team"].iloc[0] == "North"


def test_team_from_the_lists_own_table_comes_before_annex_a():
    inputs = assessment_inputs()
    a = inputs.cin.tables["assessments"]
    inputs.cin.tables["assessments"] = a.assign(
        allocated_team=pd.array(["East" if c == "a4" else None for c in a["LAchildID"]]),
        allocated_worker=pd.array(["Cy" if c == "a4" else None for c in a["LAchildID"]]),
    )
    annex = {
        "list_4": pd.DataFrame(
            {
                "child_id": ["a4", "a2"],
                "allocated_team": ["North", "West"],
                "allocated_worker": ["Ann", "Di"],
            }
        )
    }
    rows = by_child(build_list(SPECS["assessments"], inputs, END, annex))
    assert (rows["a4"].team, rows["a4"].worker) == ("East", "Cy")  # the table's own
    assert (rows["a2"].team, rows["a2"].worker) == ("West", "Di")  # Annex A fills the gap


def test_every_list_has_the_row_columns_and_a_summary_row():
    inputs = assessment_inputs()
    lists = action_lists(inputs, END)
    assert [x.spec.id for x in lists] == [s.id for s in LISTS]
    for x in lists:
        dates = [c for c, _ in x.spec.dates]
        assert list(x.rows.columns) == [
            "team",
            "worker",
            "child_id",
            *dates,
            "working_days",
            "status",
            "counted_in_kpi",
        ]
    s = summary_table(lists).set_index("list_id")
    assert s.loc["assessments", "breach_rows"] == 2 and s.loc["assessments", "rows"] == 6
    assert s["reconciles"].all()


def test_kpi_breach_count_follows_polarity():
    from pmf_lib.compute.registry import Figure

    # higher is better: 10 assessed, 7 on time -> 3 breaches; lower is better: 4 not in touch
    assert kpi_breach_count("assessments_45wd_pct", Figure(7, 10)) == 3
    assert kpi_breach_count("care_leavers_not_in_touch_pct", Figure(4, 30)) == 4
    assert pd.isna(kpi_breach_count("conf_cla_reviews_timely_pct", Figure(float("nan"), None)))


# ---- the demo month ------------------------------------------------------------------
@pytest.mark.demo
def test_demo_month_lists_equal_their_kpis_breach_counts(published_demo_month):
    # Each published list's rows counted in its figure equal the figure's breaches in the
    # published KPI history: denominator minus numerator, or the numerator where lower is
    # better (care leavers not in touch).
    h = pd.read_csv(published_demo_month / "kpi_history.csv", parse_dates=["period_end"])
    h = h[h["period_end"] == END].set_index(["kpi_id", "window"])
    checked = 0
    for spec in LISTS:
        rows = pd.read_csv(published_demo_month / f"action_lists_{spec.id}.csv")
        n, den = h.loc[(spec.kpi_id, spec.window), ["numerator", "denominator"]]
        lower = all_kpis()[spec.kpi_id].meta.polarity == "lower_is_better"
        expected = n if lower else den - n
        assert int(rows["counted_in_kpi"].sum()) == int(expected), spec.id
        assert rows["child_id"].notna().all() and (rows["kpi_id"] == spec.kpi_id).all()
        checked += int(expected > 0)
    assert checked == len(LISTS)  # the demo has breaches on every list


# ---- which inputs: the audience, Annex A alone or headline ------------------------------
def fake_build(inputs: KpiInputs, annex=None, files=()):
    from types import SimpleNamespace as NS

    from pmf_lib.read import SourceData

    data = SourceData(cin=inputs.cin, cla=inputs.cla, population=None, local=inputs.local)
    read = NS(data=data, sources=NS(files=list(files)), annex=annex)
    return NS(read=read, period_ends=[END])


def fake_config(audience="internal", national=True, headline="national"):
    from types import SimpleNamespace as NS

    return NS(
        audience=audience,
        data=NS(ssda903="x" if national else None, cin_census="x" if national else None),
        sources=NS(headline=headline),
    )


def test_no_lists_for_members_or_the_public_or_without_source_data():
    from types import SimpleNamespace as NS

    from pmf_lib.assess.action_lists import action_lists_for

    build = fake_build(assessment_inputs())
    assert action_lists_for(build, fake_config("members")) is None
    assert action_lists_for(build, fake_config("public")) is None
    assert action_lists_for(NS(read=None, period_ends=[END]), fake_config()) is None
    lists = action_lists_for(build, fake_config())
    assert len(lists[0].rows) == 6  # as test_assessments_list_open_due_and_late


def test_annex_a_alone_gives_no_list_for_a_kpi_it_does_not_support():
    from types import SimpleNamespace as NS

    from pmf_lib.assess.action_lists import action_lists_for
    from pmf_lib.read.annex_a_inputs import AnnexAData, support

    # Annex A alone: the build's inputs are the tables made from it (here the CP plans);
    # it does not support cp_reviews_on_time_pct (one review per plan), so that list is
    # empty and says why, while assessments (supported) is made from the same inputs.
    inputs = cp_inputs()
    inputs.cin.tables["assessments"] = assessment_inputs().cin.assessments
    inputs.cin.tables["referrals"] = assessment_inputs().cin.referrals
    annex = AnnexAData(cin=inputs.cin, cla=inputs.cla)
    files = [
        NS(
            source="annex_a/list_7",
            data=pd.DataFrame(
                {"child_id": ["p1"], "allocated_team": ["East"], "allocated_worker": ["Cy"]}
            ),
        )
    ]
    lists = {
        x.spec.id: x
        for x in action_lists_for(fake_build(inputs, annex, files), fake_config(national=False))
    }
    assert support("cp_reviews_on_time_pct").status == "none"
    cp = lists["cp_reviews"]
    assert cp.rows.empty and not cp.supplied and "Annex A does not give" in cp.notes[0]
    assert len(lists["assessments"].rows) == 6 and lists["assessments"].supplied
    # beside the national returns (headline national) the CP list is made, teams from List 7
    lists = {
        x.spec.id: x
        for x in action_lists_for(fake_build(inputs, annex, files), fake_config(national=True))
    }
    rows = by_child(lists["cp_reviews"])
    assert set(rows) == {"p1", "p3"} and rows["p1"].team == "East"
    assert rows["p3"].team == NOT_RECORDED


def test_annex_a_headline_makes_a_supported_list_from_annex_a():
    from pmf_lib.assess.action_lists import action_lists_for
    from pmf_lib.read.annex_a_inputs import AnnexAData

    # the national returns hold no assessments; Annex A (headline) holds a1-a11
    national = KpiInputs()
    a = assessment_inputs()
    annex = AnnexAData(cin=a.cin, cla=a.cla)
    build = fake_build(national, annex)
    lists = {x.spec.id: x for x in action_lists_for(build, fake_config(headline="annex_a"))}
    assert len(lists["assessments"].rows) == 6
    lists = {x.spec.id: x for x in action_lists_for(build, fake_config(headline="national"))}
    assert lists["assessments"].rows.empty
