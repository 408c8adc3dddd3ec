"""The synthetic demo council: layout, formats, determinism, atomicity and plausible figures.

Figures are recomputed here straight from the files (pandas and lxml), not via the
project's readers, so the demo is checked independently of the code it feeds.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

import pmf_lib.synth as synth
from pmf_lib.dates import working_days_between
from pmf_lib.read.tables import DATE, S903_COLUMNS
from pmf_lib.synth import collection_years, generate
from tests.conftest import need_shared

S903 = [
    "header",
    "episodes",
    "reviews",
    "uasc",
    "oc2",
    "oc3",
    "missing",
    "ad1",
    "placed_for_adoption",
    "previous_permanence",
]
CHILDREN = 20_000  # big enough for rates to settle, small enough to be quick


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "demo"
    generate(out, start="2023-11", months=36, seed=938, children=CHILDREN)
    return out


def _cin(demo: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Referrals, assessments, S47s and CP plans from every year, later years winning."""
    refs, ass, s47, cpp = [], [], [], []
    for f in sorted((demo / "cin_census").glob("*.xml")):
        year = int(f.stem[-4:])
        for child in etree.parse(str(f)).getroot().iterfind("Children/Child"):
            cid = child.findtext("ChildIdentifiers/LAchildID")
            for d in child.iterfind("CINdetails"):
                ref = d.findtext("CINreferralDate")
                refs.append((year, cid, ref))
                for a in d.iterfind("Assessments"):
                    ass.append(
                        (
                            year,
                            cid,
                            a.findtext("AssessmentActualStartDate"),
                            a.findtext("AssessmentAuthorisationDate"),
                        )
                    )
                for s in d.iterfind("Section47"):
                    s47.append(
                        (
                            year,
                            cid,
                            s.findtext("S47ActualStartDate"),
                            s.findtext("DateOfInitialCPC"),
                        )
                    )
                for p in d.iterfind("ChildProtectionPlans"):
                    cpp.append(
                        (
                            year,
                            cid,
                            p.findtext("CPPstartDate"),
                            p.findtext("CPPendDate"),
                            int(p.findtext("NumberOfPreviousCPP")),
                        )
                    )

    def frame(rows, cols, key):
        df = pd.DataFrame(rows, columns=["year", *cols])
        for c in cols[1:]:
            if c != "prev":
                df[c] = pd.to_datetime(df[c])
        return df.sort_values("year").drop_duplicates(key, keep="last")

    return (
        frame(refs, ["id", "ref"], ["id", "ref"]),
        frame(ass, ["id", "start", "auth"], ["id", "start"]),
        frame(s47, ["id", "start", "icpc"], ["id", "start"]),
        frame(cpp, ["id", "start", "end", "prev"], ["id", "start"]),
    )


def _episodes(demo: Path) -> pd.DataFrame:
    parts = []
    for d in sorted((demo / "ssda903").iterdir()):
        e = pd.read_csv(d / "episodes.csv", dtype=str, keep_default_na=False)
        e["year"] = int(d.name)
        parts.append(e)
    e = pd.concat(parts).sort_values("year").drop_duplicates(["CHILD", "DECOM"], keep="last")
    for c in ("DECOM", "DEC"):
        e[c] = pd.to_datetime(e[c].replace("", None), format="%d/%m/%Y")
    return e.sort_values(["CHILD", "DECOM"]).reset_index(drop=True)


def _in(dates: pd.Series, first: str, last: str) -> pd.Series:
    return (dates >= pd.Timestamp(first)) & (dates <= pd.Timestamp(last))


# ---- layout and formats ------------------------------------------------------------
def test_collection_years_cover_lookback_and_partial_final_year():
    # Nov 2023 - 30 months = May 2021, in collection year 2022 (Apr 2021 - Mar 2022);
    # the data end Oct 2026, in collection year 2027 (a year-to-date return).
    assert collection_years("2023-11", 36) == [2022, 2023, 2024, 2025, 2026, 2027]


def test_layout_and_column_names(demo):
    years = [str(y) for y in collection_years("2023-11", 36)]
    assert (demo / ".complete").exists()
    assert sorted(p.name for p in (demo / "ssda903").iterdir()) == years
    assert sorted(p.name for p in (demo / "cin_census").iterdir()) == [
        f"cin_census_{y}.xml" for y in years
    ]
    for y in years:
        for t in S903:
            head = (demo / "ssda903" / y / f"{t}.csv").read_text().splitlines()[0]
            expected = [c for c in S903_COLUMNS[t] if c not in ("collection_year", "source_file")]
            assert head.split(",") == expected, (y, t)


def test_population_matches_ons_layout(demo):
    pop = pd.read_csv(demo / "population.csv", dtype=str)
    ons = pd.read_csv(
        need_shared("data", "benchmarks_dfe", "ons_mid-year_population_estimates_2012_to_2024.csv"),
        dtype=str,
        nrows=5,
    )
    assert list(pop.columns) == list(ons.columns)
    assert pop["time_period"].tolist() == [str(y) for y in range(2021, 2027)]
    assert set(pop["old_la_code"]) == {"938"} and set(pop["new_la_code"]) == {"E10000032"}
    assert set(pop["la_name"]) == {"Demo County (synthetic)"}
    est = pop["population_estimate"].astype(int)
    assert est.between(0.95 * CHILDREN, 1.05 * CHILDREN).all()


def test_903_dates_are_dd_mm_yyyy_and_codes_valid(demo):
    pattern = re.compile(r"^(\d{2}/\d{2}/\d{4})?$")
    for d in (demo / "ssda903").iterdir():
        for t in S903:
            df = pd.read_csv(d / f"{t}.csv", dtype=str, keep_default_na=False)
            for c, dtype in S903_COLUMNS[t].items():
                if dtype == DATE and c in df:
                    bad = df.loc[~df[c].str.match(pattern), c]
                    assert bad.empty, (d.name, t, c, bad.head().tolist())
                    pd.to_datetime(df[c].replace("", None), format="%d/%m/%Y")
    e = _episodes(demo)
    assert set(e["RNE"]) <= {"S", "P", "L", "T", "B", "U"}
    assert {"S", "P", "L"} <= set(e["RNE"])
    assert {"C1", "C2", "V2", "E1", "V3", "V4"} <= set(e["LS"])
    assert e["CHILD"].str.fullmatch(r"DC\d{7}").all()
    # Episodes of a child are contiguous within a period: the next DECOM is this DEC.
    same = e["CHILD"].eq(e["CHILD"].shift(-1)) & e["REC"].eq("X1")
    assert (e.loc[same, "DEC"].to_numpy() == e["DECOM"].shift(-1)[same].to_numpy()).all()


def test_partial_final_year_stops_at_last_month_end(demo):
    root = etree.parse(str(demo / "cin_census" / "cin_census_2027.xml")).getroot()
    assert root.findtext("Header/CollectionDetails/ReferenceDate") == "2026-10-31"
    assert root.find("Children/Child/ChildIdentifiers/Sex") is not None
    assert root.find("Children/Child/ChildIdentifiers/GenderCurrent") is None
    e = pd.read_csv(demo / "ssda903" / "2027" / "episodes.csv", dtype=str)
    assert pd.to_datetime(e["DECOM"], format="%d/%m/%Y").max() <= pd.Timestamp("2026-10-31")


def test_cin_xml_is_schema_valid(demo):
    xsd = etree.XMLSchema(etree.parse(str(need_shared("data", "schemas", "CIN_schema_2024.xsd"))))
    doc = etree.parse(str(demo / "cin_census" / "cin_census_2025.xml"))
    xsd.validate(doc)
    # The one deliberate departure: this XSD types NumberOfPreviousCPP as a positive
    # integer, but a first plan has 0 previous plans (DfE's own meaning of the field).
    errors = [e.message for e in xsd.error_log]
    other = [m for m in errors if "NumberOfPreviousCPP" not in m or "'0'" not in m]
    assert other == []
    assert doc.getroot().findtext("Header/Source/LEA") == "938"
    assert doc.getroot().findtext("Header/CollectionDetails/ReferenceDate") == "2025-03-31"


def test_cla_children_share_ids_with_cin(demo):
    e = _episodes(demo)
    refs, *_ = _cin(demo)
    cin_ids = set(refs["id"])
    assert e["CHILD"].isin(cin_ids).mean() > 0.95


# ---- determinism and atomic writing ----------------------------------------------------
def _tree_bytes(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_same_arguments_give_identical_bytes(tmp_path):
    generate(tmp_path / "a", start="2024-01", months=4, seed=7, children=5_000)
    generate(tmp_path / "b", start="2024-01", months=4, seed=7, children=5_000)
    generate(tmp_path / "c", start="2024-01", months=4, seed=8, children=5_000)
    a, b, c = (_tree_bytes(tmp_path / x) for x in "abc")
    assert a == b
    assert a.keys() == c.keys() and a != c


def test_failure_mid_write_leaves_previous_output(tmp_path, monkeypatch):
    out = tmp_path / "demo"
    generate(out, start="2024-01", months=2, seed=1, children=2_000)
    before = _tree_bytes(out)
    calls = []

    def boom(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    real = synth.write_cin_year
    monkeypatch.setattr(synth, "write_cin_year", boom)
    with pytest.raises(RuntimeError, match="disk on fire"):
        generate(out, start="2024-01", months=2, seed=2, children=2_000)
    assert _tree_bytes(out) == before  # the old demo is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]  # no temp left behind
    calls.clear()
    with pytest.raises(RuntimeError):
        generate(tmp_path / "fresh", start="2024-01", months=2, seed=2, children=2_000)
    assert not (tmp_path / "fresh").exists()


def test_bad_arguments_are_pmf_errors(tmp_path):
    from pmf_lib.errors import PmfError

    with pytest.raises(PmfError):
        generate(tmp_path / "x", start="latest")
    with pytest.raises(PmfError):
        generate(tmp_path / "x", months=0)


# ---- plausible volumes and rates (worked out from the files) ----------------------------
def test_front_door_volumes_and_rates(demo):
    refs, ass, s47, cpp = _cin(demo)
    per10k = 10_000 / CHILDREN
    year = ("2025-04-01", "2026-03-31")
    r = refs[_in(refs["ref"], *year)]
    assert 450 <= len(r) * per10k <= 650  # target ~550 per 10k
    # Re-referral: an earlier referral of the same child within one year before.
    refs = refs.sort_values(["id", "ref"])
    prev = refs.groupby("id")["ref"].shift()
    rerefs = (prev >= refs["ref"] - pd.DateOffset(years=1)) & _in(refs["ref"], *year)
    assert 0.15 <= rerefs.sum() / len(r) <= 0.28  # target ~21%
    a = ass[_in(ass["auth"], *year)]
    assert 0.85 <= len(a) / len(r) <= 1.05  # ~95% of referrals are assessed
    wd = working_days_between(a["start"], a["auth"])
    assert 0.78 <= (wd <= 45).mean() <= 0.92  # ~85% before the deterioration
    s = s47[_in(s47["start"], *year)]
    assert 140 <= len(s) * per10k <= 220  # ~180 per 10k
    i = s47[_in(s47["icpc"], *year)]
    assert 45 <= len(i) * per10k <= 85  # ~65 per 10k
    assert 0.70 <= (working_days_between(i["start"], i["icpc"]) <= 15).mean() <= 0.90
    c = cpp[_in(cpp["start"], *year)]
    assert 35 <= len(c) * per10k <= 58  # ~45 per 10k
    cpp = cpp.sort_values(["id", "start"])
    earlier = cpp["id"].duplicated() | (cpp["prev"] > 0)
    assert 0.12 <= earlier[c.index].mean() <= 0.35  # ~23% second or subsequent
    at = pd.Timestamp("2026-03-31")
    open_cp = cpp[(cpp["start"] <= at) & (cpp["end"].isna() | (cpp["end"] > at))]
    assert 30 <= open_cp["id"].nunique() * per10k <= 50  # ~40 per 10k


def test_seasonal_dip_in_august_and_december(demo):
    refs, *_ = _cin(demo)
    r = refs[_in(refs["ref"], "2023-11-01", "2026-10-31")]
    by_month = r.groupby(r["ref"].dt.month).size() / r.groupby(r["ref"].dt.month)["ref"].apply(
        lambda s: s.dt.year.nunique()
    )
    others = by_month.drop([8, 12]).mean()
    assert by_month[8] < 0.9 * others
    assert by_month[12] < 0.9 * others


def test_deterioration_in_last_six_months(demo):
    _, ass, s47, _ = _cin(demo)

    def pct45(first, last):
        a = ass[_in(ass["auth"], first, last)]
        return (working_days_between(a["start"], a["auth"]) <= 45).mean()

    def pct15(first, last):
        i = s47[_in(s47["icpc"], first, last)]
        return (working_days_between(i["start"], i["icpc"]) <= 15).mean()

    before, after = pct45("2025-05-01", "2026-03-31"), pct45("2026-07-01", "2026-10-31")
    assert before >= 0.8 and after <= 0.68  # ~85% falling to ~60%
    assert pct15("2026-06-01", "2026-10-31") < pct15("2025-05-01", "2026-03-31") - 0.04


def test_children_looked_after(demo):
    e = _episodes(demo)
    per10k = 10_000 / CHILDREN
    at = pd.Timestamp("2026-03-31")
    sb = e["LS"].isin(["V3", "V4"])
    cla = e[~sb & (e["DECOM"] <= at) & (e["DEC"].isna() | (e["DEC"] > at))]
    ids = cla["CHILD"].unique()
    assert 60 <= len(ids) * per10k <= 80  # ~70 per 10k
    starts = e[~sb & (e["RNE"] == "S") & _in(e["DECOM"], "2025-04-01", "2026-03-31")]
    assert 18 <= len(starts) * per10k <= 32  # ~25 per 10k a year
    # Short-break-only children exist and are not in the count.
    assert e.loc[sb, "CHILD"].nunique() > 0

    # 3+ placements in the 12 months to `at` (RNE L is not a move; first always counts).
    w = e[
        ~sb
        & e["CHILD"].isin(ids)
        & (e["DECOM"] <= at)
        & (e["DEC"].isna() | (e["DEC"] > at - pd.DateOffset(years=1)))
    ]
    first = ~w["CHILD"].duplicated()
    placements = w[(w["RNE"] != "L") | first].groupby("CHILD").size()
    assert 0.05 <= (placements >= 3).mean() <= 0.16  # ~10%

    # Long-term stability: in care 2.5 years (since latest S), aged under 16, same
    # placement (latest non-L episode) for 2 years.
    hist = e[~sb & e["CHILD"].isin(ids) & (e["DECOM"] <= at)]
    last_s = hist[hist["RNE"] == "S"].groupby("CHILD")["DECOM"].max()
    last_p = hist[hist["RNE"] != "L"].groupby("CHILD")["DECOM"].max()
    header = pd.concat(
        pd.read_csv(d / "header.csv", dtype=str) for d in (demo / "ssda903").iterdir()
    ).drop_duplicates("CHILD")
    dob = pd.to_datetime(header.set_index("CHILD")["DOB"], format="%d/%m/%Y")
    under16 = dob.reindex(ids) + pd.DateOffset(years=16) > at
    long = last_s.reindex(ids) <= at - pd.DateOffset(months=30)
    eligible = ids[under16.to_numpy() & long.to_numpy()]
    stable = (last_p.reindex(eligible) <= at - pd.DateOffset(months=24)).mean()
    assert len(eligible) >= 20
    assert 0.55 <= stable <= 0.85  # ~70%


def test_each_return_holds_only_what_was_open_or_ended_in_its_year(demo):
    # DfE's census rules 8696 and 8715: an assessment's authorisation date and an ICPC
    # date must fall within the census year; a CP plan that ended before the year
    # belongs to an earlier return. The year starts on 1 April of (year - 1).
    late = []
    for f in sorted((demo / "cin_census").glob("*.xml")):
        start = pd.Timestamp(f"{int(f.stem[-4:]) - 1}-04-01")
        root = etree.parse(str(f)).getroot()
        for path in (
            "Children/Child/CINdetails/Assessments/AssessmentAuthorisationDate",
            "Children/Child/CINdetails/Section47/DateOfInitialCPC",
            "Children/Child/CINdetails/DateOfInitialCPC",
            "Children/Child/CINdetails/ChildProtectionPlans/CPPendDate",
            "Children/Child/CINdetails/CINPlanDates/CINPlanEndDate",
        ):
            late += [(f.name, path) for e in root.iterfind(path) if pd.Timestamp(e.text) < start]
    assert late == []


def test_oc2_health_fields_follow_dfe_meaning(demo):
    # HEALTH_CHECK (health promotion check) applies to under-5s only; HEALTH_ASSESSMENT
    # (annual health assessment) to every child looked after 12 months or more.
    oc2 = pd.concat(
        pd.read_csv(f, dtype=str, keep_default_na=False)
        for f in sorted((demo / "ssda903").glob("*/oc2.csv"))
    )
    assert (oc2["HEALTH_ASSESSMENT"] != "").all()
    assert (oc2["HEALTH_CHECK"] != "").mean() < 0.5


def test_ethnicity_shares_use_dfe_codes():
    from pmf_lib.codes import ETHNICITY_CODES, WORKFORCE_ETHNICITY_CODES
    from pmf_lib.synth import children, workforce

    # every DfE code for children is drawn; social workers only from the CSWW list
    assert set(children.ETHNIC_SHARES) == set(ETHNICITY_CODES)
    assert set(workforce.ETHNIC_SHARES) <= set(WORKFORCE_ETHNICITY_CODES)


def test_need_and_abuse_draws_use_cin_census_codes():
    from pmf_lib.codes import CIN_PRIMARY_NEED_CODES, CP_CATEGORY_OF_ABUSE_CODES
    from pmf_lib.synth import referrals

    assert set(referrals.NEED[0]) == set(CIN_PRIMARY_NEED_CODES)
    assert set(referrals.ABUSE[0]) == set(CP_CATEGORY_OF_ABUSE_CODES)
