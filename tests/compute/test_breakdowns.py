"""Breakdowns re-run the KPI on each group's records (tiny hand-built inputs)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from pmf_lib.compute.breakdowns import (
    BREAKDOWN_COLUMNS,
    NOT_KNOWN,
    age_band,
    compute_breakdowns,
    ethnicity_group,
)
from pmf_lib.compute.kpis._local import local_frame
from pmf_lib.compute.registry import Figure, KpiInputs, kpi
from pmf_lib.feeds import Feed
from pmf_lib.read.tables import CIN_COLUMNS, S903_COLUMNS, CinCensus, Ssda903, conform

END = "2025-03-31"


def _cin() -> CinCensus:
    # children: a (male, WBRI, 10 on 31/3/2025 — birthday that day),
    # b (female, BAFR, born 1/4/2015: still 9 on 31/3/2025),
    # c (sex 9, ethnicity REFU, born 2024-06-01: under 1);
    # d has referrals but no children row (lands in Not known everywhere)
    children = pd.DataFrame(
        {
            "LAchildID": ["a", "b", "c"],
            "PersonBirthDate": pd.to_datetime(["2015-03-31", "2015-04-01", "2024-06-01"]),
            "Sex": ["1", "2", "9"],
            "Ethnicity": ["WBRI", "BAFR", "REFU"],
        }
    )
    referrals = pd.DataFrame(
        {
            "LAchildID": ["a", "a", "b", "c", "d", "b"],
            "CINreferralDate": pd.to_datetime(
                # in March 2025: a x2, b, c, d; b's 2024-05-01 is only in the rolling 12m
                ["2025-03-01", "2025-03-10", "2025-03-05", "2025-03-20", "2025-03-30", "2024-05-01"]
            ),
        }
    )
    cin = CinCensus()
    cin.tables["children"] = conform(children, CIN_COLUMNS["children"])
    cin.tables["referrals"] = conform(referrals, CIN_COLUMNS["referrals"])
    return cin


def _pick(t: pd.DataFrame, dimension: str, window: str = "month") -> dict[str, float]:
    s = t[(t["dimension"] == dimension) & (t["window"] == window)]
    return dict(zip(s["group"], s["value"], strict=True))


def test_referrals_by_sex_age_ethnicity_sum_to_total():
    t = compute_breakdowns(KpiInputs(cin=_cin()), END, ["referrals_count"])
    assert list(t.columns) == BREAKDOWN_COLUMNS
    # month: a 2 (Male), b 1 (Female), c 1 + d 1 (Not known) = 5 referrals
    assert _pick(t, "sex") == {"Male": 2.0, "Female": 1.0, NOT_KNOWN: 2.0}
    # age at 31/3/2025: a is 10 that day -> 10 to 15; b is 9 -> 5 to 9; c under 1; d unknown
    assert _pick(t, "age_band") == {
        "Under 1": 1.0,
        "1 to 4": 0.0,
        "5 to 9": 1.0,
        "10 to 15": 2.0,
        "16 and over": 0.0,
        NOT_KNOWN: 1.0,
    }
    # WBRI -> White (a: 2); BAFR -> Black (b: 1); REFU (c) and no row (d) -> Not known (2)
    eth = _pick(t, "ethnicity")
    assert eth["White"] == 2.0 and eth["Black or Black British"] == 1.0
    assert eth[NOT_KNOWN] == 2.0 and eth["Mixed"] == 0.0
    for dim in ("sex", "age_band", "ethnicity"):
        assert sum(_pick(t, dim).values()) == 5.0
    # rolling 12m adds b's May 2024 referral: Female 2, total 6
    assert _pick(t, "sex", "rolling_12m") == {"Male": 2.0, "Female": 2.0, NOT_KNOWN: 2.0}


def test_age_band_boundary_on_birthday():
    born = pd.Series(pd.to_datetime(["2024-03-31", "2024-04-01", "2009-03-31", "2009-04-01"]))
    # first turns 1 on 31/3/2025; second is still 0; third turns 16; fourth is 15
    assert age_band(born, END).tolist() == ["1 to 4", "Under 1", "16 and over", "10 to 15"]


def test_ethnicity_codes_to_major_groups():
    codes = pd.Series(["WROM", "MWAS", "APKN", "BCRB", "CHNE", "NOBT", None], dtype="string")
    assert ethnicity_group(codes).tolist() == [
        "White",
        "Mixed",
        "Asian or Asian British",
        "Black or Black British",
        "Other ethnic group",
        NOT_KNOWN,
        NOT_KNOWN,
    ]


def _percent_kpi():
    @kpi(
        id="test_share_nfa",
        title="t",
        area="front_door",
        unit="percent",
        polarity="neutral",
        windows=("month",),
        source="s",
        definition="d",
        numerator="n",
        breakdowns=("sex",),
        register=False,
        inputs=(Feed("cin_census", "referrals", "CINreferralDate", windows=("month",)),),
    )
    def share(inputs, window):
        r = inputs.cin.referrals
        inwin = window.contains(r["CINreferralDate"]).fillna(False)
        return Figure(int((inwin & (r["ReferralNFA"] == "1")).sum()), int(inwin.sum()))

    return share


def test_percent_kpi_recomputed_per_group(monkeypatch):
    import pmf_lib.compute.breakdowns as b

    share = _percent_kpi()
    monkeypatch.setattr(b, "all_kpis", lambda: {"test_share_nfa": share})
    cin = _cin()
    # NFA flags in file order: a 1, a 0, b 1, c 0, d 0, b(May 2024) 1
    cin.tables["referrals"]["ReferralNFA"] = pd.array(["1", "0", "1", "0", "0", "1"], "string")
    t = compute_breakdowns(KpiInputs(cin=cin), END)
    rows = t.set_index("group")
    # Male: a's 2 March referrals, 1 NFA -> 50%; Female: b's 1 March referral, NFA -> 100%
    # Not known: c and d, neither NFA -> 0 of 2 = 0%
    assert rows.loc["Male", "value"] == 50.0 and rows.loc["Male", "denominator"] == 2.0
    assert rows.loc["Female", "value"] == 100.0
    assert rows.loc[NOT_KNOWN, "numerator"] == 0.0 and rows.loc[NOT_KNOWN, "denominator"] == 2.0


def test_903_tables_filtered_on_child():
    @kpi(
        id="test_cla_starts",
        title="t",
        area="children_looked_after",
        unit="count",
        polarity="neutral",
        windows=("month",),
        source="s",
        definition="d",
        numerator="n",
        breakdowns=("sex",),
        register=False,
        inputs=(Feed("ssda903", "episodes", "DECOM", windows=("month",)),),
    )
    def starts(inputs, window):
        return Figure(int(window.contains(inputs.cla.episodes["DECOM"]).fillna(False).sum()))

    import pmf_lib.compute.breakdowns as b

    cla = Ssda903()
    cla.tables["header"] = conform(
        pd.DataFrame({"CHILD": ["x", "y"], "SEX": ["2", "1"]}), S903_COLUMNS["header"]
    )
    cla.tables["episodes"] = conform(
        pd.DataFrame({"CHILD": ["x", "y", "y", "z"], "DECOM": pd.to_datetime(["2025-03-01"] * 4)}),
        S903_COLUMNS["episodes"],
    )
    orig = b.all_kpis
    try:
        b.all_kpis = lambda: {"test_cla_starts": starts}
        t = compute_breakdowns(KpiInputs(cla=cla), END)
    finally:
        b.all_kpis = orig
    # x Female 1; y Male 2; z has no header row -> Not known 1
    assert _pick(t, "sex") == {"Male": 2.0, "Female": 1.0, NOT_KNOWN: 1.0}


def test_team_breakdown_on_local_dataset():
    contacts = local_frame(
        "contacts",
        contact_id=["1", "2", "3", "4"],
        child_id=["a", "b", "c", "d"],
        contact_date=["2025-03-03", "2025-03-04", "2025-03-05", "2025-02-01"],
        team=["North", "South", None, "North"],
    )
    t = compute_breakdowns(KpiInputs(local={"contacts": contacts}), END, ["contacts_count"])
    # March contacts: 1 North, 1 South, 1 without a team; the February one is outside
    assert _pick(t, "team") == {"North": 1.0, "South": 1.0, NOT_KNOWN: 1.0}


def test_rate_and_absent_dataset_give_no_rows():
    # a rate needs each group's population: never broken down
    t = compute_breakdowns(KpiInputs(cin=_cin()), END, ["referrals_rate_10k"])
    assert t.empty
    # contacts not supplied: no rows rather than zeros
    t = compute_breakdowns(KpiInputs(), END, ["contacts_count"])
    assert t.empty


def test_only_the_declared_tables_are_split(monkeypatch):
    # A KPI declaring CIN referrals but also counting the rows of CIN children: the
    # declared referrals are restricted to each sex, the children (the lookup) stay whole.
    import pmf_lib.compute.breakdowns as b

    @kpi(
        id="test_refs_plus_children",
        title="t",
        area="front_door",
        unit="count",
        polarity="neutral",
        windows=("month",),
        source="s",
        definition="d",
        numerator="n",
        breakdowns=("sex",),
        register=False,
        inputs=(Feed("cin_census", "referrals", "CINreferralDate", windows=("month",)),),
    )
    def refs_plus_children(inputs, window):
        refs = window.contains(inputs.cin.referrals["CINreferralDate"]).fillna(False).sum()
        return Figure(int(refs) + 100 * len(inputs.cin.children))

    monkeypatch.setattr(b, "all_kpis", lambda: {"test_refs_plus_children": refs_plus_children})
    t = compute_breakdowns(KpiInputs(cin=_cin()), END)
    # _cin has 3 children rows (a Male, b Female, c sex 9); March referrals a, a, b, c, d:
    # Male 2 + 300, Female 1 + 300, Not known (c, d) 2 + 300 (restricted children: 102, ...)
    assert _pick(t, "sex") == {"Male": 302.0, "Female": 301.0, NOT_KNOWN: 302.0}
    assert b.declared_tables(refs_plus_children.meta) == {("cin", "referrals")}


def test_a_dataset_read_without_a_required_column_is_not_broken_down():
    contacts = local_frame(
        "contacts", contact_id=["1"], contact_date=["2025-03-03"], team=["North"]
    )
    contacts.attrs["missing_columns"] = ["decision_date"]
    t = compute_breakdowns(KpiInputs(local={"contacts": contacts}), END, ["contacts_count"])
    assert t.empty


def test_unknown_kpi():
    with pytest.raises(KeyError):
        compute_breakdowns(KpiInputs(), END, ["nope"])


def test_missing_value_is_nan_not_zero():
    share = _percent_kpi()
    # no referrals in the window: 0 of 0 is missing, not 0%
    cin = _cin()
    cin.tables["referrals"] = cin.tables["referrals"].iloc[:0]
    import pmf_lib.compute.breakdowns as b

    orig = b.all_kpis
    try:
        b.all_kpis = lambda: {"test_share_nfa": share}
        t = compute_breakdowns(KpiInputs(cin=cin), END)
    finally:
        b.all_kpis = orig
    assert all(math.isnan(v) for v in t["value"])
