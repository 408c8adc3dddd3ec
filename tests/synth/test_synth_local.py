"""The demo council's local datasets and workforce files: layout, clean reads, links to the
simulated children, plausible volumes and the deliberate data-quality issues.

Files are parsed with pandas (and lxml) here and checked against the YAML schemas
directly; the project's readers are used only to prove the files read as documented.
Figures are recomputed from the files, never from the generator's internals.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from lxml import etree

import pmf_lib.synth as synth
from pmf_lib.dates import working_days_between
from pmf_lib.read.local import SCHEMA_DIR, read_table
from pmf_lib.read.workforce import read_workforce_census, read_workforce_monthly
from pmf_lib.synth import DQ_ISSUES, generate
from tests.conftest import need_shared

CHILDREN = 100_000  # the default county: volumes below are the brief's, per 100,000 children
LOCAL = [
    "contacts",
    "early_help",
    "complaints",
    "lado",
    "conferencing",
    "qa_audits",
    "improvement_actions",
]
YEAR = ("2025-04-01", "2026-03-31")  # a full year inside the span, before the adverse months
CORE_KPIS = {
    "referrals_count",
    "referrals_rate_10k",
    "rereferrals_12m_pct",
    "assessments_completed_count",
    "assessments_45wd_pct",
    "s47_count",
    "icpc_15wd_pct",
    "cp_plans_rate_10k",
    "cp_second_subsequent_pct",
    "cla_count",
    "cla_rate_10k",
    "cla_3plus_placements_pct",
    "cla_long_term_stability_pct",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    # Nov 2023 - Oct 2026: local files from Nov 2022, censuses 30 Sept 2023-2026.
    out = tmp_path_factory.mktemp("synth_local") / "demo"
    generate(out, start="2023-11", months=36, seed=938, children=CHILDREN)
    return out


def _schema(name: str) -> dict:
    return yaml.safe_load((SCHEMA_DIR / f"{name}.yml").read_text())


def _csv(demo: Path, name: str) -> pd.DataFrame:
    """A local file with canonical column names (headings mapped via the schema)."""
    folder = "workforce" if name == "workforce_monthly" else "local"
    df = pd.read_csv(demo / folder / f"{name}.csv", dtype=str, keep_default_na=False)
    cols = _schema(name)["columns"]
    return df.rename(columns={c.get("header", k): k for k, c in cols.items()})


def _dates(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s.replace("", None), format="%Y-%m-%d", errors="coerce")


def _in(dates: pd.Series, first: str, last: str) -> pd.Series:
    return (dates >= pd.Timestamp(first)) & (dates <= pd.Timestamp(last))


def _codes(spec) -> set[str]:
    if isinstance(spec, dict):
        return {str(k) for k in spec}
    return {str(e["code"]) if isinstance(e, dict) else str(e) for e in spec}


def _issues(demo: Path, name: str) -> Counter:
    """(field, rule) -> rows, checked straight against the YAML schema.

    S02 required blank, S03 code not in the schema, S04 not an ISO date, S05 not a
    number, S07 duplicate key; L06-L09 a later date before an earlier one.
    """
    df = _csv(demo, name)
    spec = _schema(name)
    found: Counter = Counter()
    for col, c in spec["columns"].items():
        v = df[col]
        blank = v.eq("")
        if c.get("required"):
            found[(col, "S02")] += int(blank.sum())
        kind = c.get("type", "string")
        if kind == "code":
            found[(col, "S03")] += int((~blank & ~v.isin(_codes(c["codes"]))).sum())
        elif kind == "date":
            found[(col, "S04")] += int((~blank & _dates(v).isna()).sum())
        elif kind in ("int", "float"):
            num = pd.to_numeric(v.where(~blank), errors="coerce")
            bad = ~blank & num.isna()
            if kind == "int":
                bad |= ~blank & num.notna() & (num != num.round())
            found[(col, "S05")] += int(bad.sum())
    keys = spec["keys"]
    found[(",".join(keys), "S07")] += int(df.duplicated(keys, keep=False).sum())
    order = {
        "contacts": ("contact_date", "decision_date", "L06"),
        "early_help": ("start_date", "end_date", "L07"),
        "complaints": ("received_date", "responded_date", "L08"),
        "lado": ("received_date", "closed_date", "L09"),
    }
    if name in order:
        a, b, rule = order[name]
        found[(f"{a},{b}", rule)] += int((_dates(df[b]) < _dates(df[a])).sum())
    return +found  # drop zero counts


# ---- layout and clean reading ---------------------------------------------------------
def test_files_present_with_schema_headings(demo):
    for name in [*LOCAL, "workforce_monthly"]:
        folder = "workforce" if name == "workforce_monthly" else "local"
        head = (demo / folder / f"{name}.csv").read_text().splitlines()[0].split(",")
        cols = _schema(name)["columns"]
        assert head == [c.get("header", k) for k, c in cols.items()], name
    assert sorted(p.name for p in (demo / "workforce").glob("csww_*.xml")) == [
        f"csww_{y}.xml" for y in (2023, 2024, 2025, 2026)
    ]


def test_only_the_documented_issues(demo):
    # Each documented issue is one row; a duplicated audit flags both copies.
    expected: dict[str, Counter] = {n: Counter() for n in [*LOCAL, "workforce_monthly"]}
    for file, fields, rule, _ in DQ_ISSUES:
        name = Path(file).stem
        expected[name][(fields, rule)] += 2 if rule == "S07" else 1
    for name, want in expected.items():
        assert _issues(demo, name) == want, name
    assert len(DQ_ISSUES) == 7


def test_documented_issues_are_in_the_docstring():
    for file, fields, rule, _ in DQ_ISSUES:
        assert f"``{file}``" in synth.__doc__
        assert f"{rule} ``{fields}``" in synth.__doc__.replace("\n  ", " ")


def test_the_issues_as_described(demo):
    c = _csv(demo, "contacts")
    bad = c[_dates(c["contact_date"]).isna()]
    assert len(bad) == 1 and bad["contact_date"].iloc[0].startswith("31/02/")
    p = _csv(demo, "complaints")
    assert (p["outcome"] == "Resolved informally").sum() == 1
    la = _csv(demo, "lado")
    hole = la[la["outcome"].eq("")]
    assert len(hole) == 1 and hole["closed_date"].iloc[0] != ""
    m = _csv(demo, "conferencing")
    assert m.loc[m["chair"].eq(""), "meeting_type"].tolist() == ["CLA_REVIEW"]
    q = _csv(demo, "qa_audits")
    dup = q[q["audit_id"].duplicated(keep=False)]
    assert len(dup) == 2 and dup.index[1] == dup.index[0] + 1
    assert dup.iloc[0].equals(dup.iloc[1])
    w = _csv(demo, "workforce_monthly")
    assert w.loc[w["sickness_days"].eq("n/k"), "month"].tolist() == ["2022-11-30"]


def test_project_readers_read_every_row(demo):
    for name in LOCAL:
        t = read_table(demo / "local" / f"{name}.csv", name)
        rows = len(pd.read_csv(demo / "local" / f"{name}.csv", dtype=str))
        assert t.rows_read == rows and not t.missing_columns and not t.unknown_columns, name
        # Values sent but not understood are exactly the documented S03/S04 cells.
        unparsed = int((t.raw.notna() & t.data[t.raw.columns].isna()).sum().sum())
        assert unparsed == {"contacts": 1, "complaints": 1}.get(name, 0), name
    t = read_workforce_monthly(demo / "workforce" / "workforce_monthly.csv")[0]
    unparsed = t.raw.notna() & t.data[t.raw.columns].isna()
    assert unparsed.sum().to_dict()["sickness_days"] == 1 and int(unparsed.sum().sum()) == 1
    assert (t.data["month"].dt.is_month_end).all()


# ---- links to the simulated children ------------------------------------------------------
def _cin_events(demo: Path):
    refs, icpc, rcpc = set(), {}, set()
    for f in sorted((demo / "cin_census").glob("*.xml")):
        for child in etree.parse(str(f)).getroot().iterfind("Children/Child"):
            cid = child.findtext("ChildIdentifiers/LAchildID")
            for d in child.iterfind("CINdetails"):
                refs.add((cid, d.findtext("CINreferralDate")))
                for s in d.iterfind("Section47"):
                    if s.findtext("DateOfInitialCPC"):
                        icpc[(cid, s.findtext("DateOfInitialCPC"))] = s.findtext("InitialCPCtarget")
                for r in d.iterfind("ChildProtectionPlans/Reviews/CPPreviewDate"):
                    rcpc.add((cid, r.text))
    return refs, icpc, rcpc


def _span(pairs, first="2022-11-01", last="2026-10-31"):
    return {p for p in pairs if first <= p[1] <= last}


def test_contacts_lead_to_the_cin_referrals(demo):
    c = _csv(demo, "contacts")
    refs, _, _ = _cin_events(demo)
    ref = c[c["decision"] == "referral"]
    pairs = list(zip(ref["child_id"], ref["decision_date"], strict=True))
    assert Counter(pairs).most_common(1)[0][1] == 1
    assert set(pairs) == _span(refs)
    assert (ref["contact_date"] <= ref["decision_date"]).all()
    # Volumes and timeliness in a full year.
    cd, dd = _dates(c["contact_date"]), _dates(c["decision_date"])
    y = _in(cd, *YEAR)
    assert 4.0 <= y.sum() / (y & c["decision"].eq("referral")).sum() <= 5.0
    within = working_days_between(cd[y], dd[y]) <= 1
    assert 0.85 <= within.mean() <= 0.95
    assert set(c["decision"]) == {"referral", "early_help", "info_advice", "nfa", "other_service"}
    weekend = ~np.is_busday(cd[y].to_numpy().astype("datetime64[D]"))
    assert (c.loc[y, "team"][weekend] == "Emergency Duty Team").all()


def test_conferencing_matches_the_returns(demo):
    m = _csv(demo, "conferencing")
    _, icpc, rcpc = _cin_events(demo)
    assert m["meeting_id"].is_unique and m["chair"].ne("").sum() == len(m) - 1

    def pairs(kind):
        rows = m[m["meeting_type"] == kind]
        got = list(zip(rows["child_id"], rows["meeting_date"], strict=True))
        assert len(got) == len(set(got)), kind
        return set(got), rows

    got, rows = pairs("ICPC")
    assert got == _span(icpc)
    # The ICPC due date is the census's 15-working-day target.
    due = [icpc[k] for k in zip(rows["child_id"], rows["meeting_date"], strict=True)]
    assert rows["due_date"].tolist() == due
    got, _ = pairs("RCPC")
    assert got == _span(rcpc)
    reviews = pd.concat(
        pd.read_csv(d / "reviews.csv", dtype=str) for d in (demo / "ssda903").iterdir()
    )
    day = pd.to_datetime(reviews["REVIEW"], format="%d/%m/%Y").dt.strftime("%Y-%m-%d")
    cla = set(zip(reviews["CHILD"], day, strict=True))
    got, rows = pairs("CLA_REVIEW")
    assert got == _span(cla)
    on_time = (_dates(rows["meeting_date"]) <= _dates(rows["due_date"])).mean()
    assert 0.85 <= on_time <= 0.95
    icpcs = m[(m["meeting_type"] == "ICPC")]
    timely = (_dates(icpcs["meeting_date"]) <= _dates(icpcs["due_date"])).mean()
    assert 0.6 <= timely <= 0.9


def test_early_help(demo):
    e = _csv(demo, "early_help")
    start, end = _dates(e["start_date"]), _dates(e["end_date"])
    assert 1_600 <= _in(start, *YEAR).sum() <= 2_600  # ~2,000 a year
    closed = e["end_date"].ne("")
    assert (e.loc[~closed, "closure_reason"] == "").all()
    assert (e.loc[closed, "closure_reason"] != "").all()
    # Stepping up ends the episode on the date the child is referred.
    refs, _, _ = _cin_events(demo)
    up = e[e["closure_reason"] == "stepped_up"]
    assert len(up) > 50
    assert set(zip(up["child_id"], up["end_date"], strict=True)) <= refs
    # Children with an early help decision turn up in early help.
    c = _csv(demo, "contacts")
    eh_children = set(c.loc[c["decision"] == "early_help", "child_id"])
    assert e["child_id"].isin(eh_children).mean() > 0.4
    assert (start[closed] <= end[closed]).sum() == closed.sum() - 1  # the swapped one


def test_complaints_and_compliments(demo):
    p = _csv(demo, "complaints")
    rec, resp = _dates(p["received_date"]), _dates(p["responded_date"])
    y = _in(rec, *YEAR)
    complaints = p["kind"] == "complaint"
    assert 150 <= (y & complaints).sum() <= 250
    assert 60 <= (y & ~complaints).sum() <= 140
    assert set(p.loc[complaints, "stage"]) == {"1", "2", "3"}
    assert (p.loc[~complaints, ["stage", "responded_date", "outcome"]] == "").all().all()
    answered = complaints & resp.notna()
    wd = working_days_between(rec[answered], resp[answered])
    limit = np.where(p.loc[answered, "stage"] == "1", 10, 20)
    assert 0.70 <= (wd <= limit).mean() <= 0.85
    # A later stage escalates an earlier one: same complaint number, received after its reply.
    ids = p["complaint_id"].str.extract(r"^(CO\d+)-S(\d)$")
    later = complaints & ids[1].ne("1")
    assert later.any()
    by = {(f, s): r for f, s, r in zip(ids[0], ids[1], resp, strict=True)}
    for i in p.index[later]:
        prior = by[(ids.loc[i, 0], str(int(ids.loc[i, 1]) - 1))]
        assert prior < rec[i]


def test_lado(demo):
    la = _csv(demo, "lado")
    rec, closed = _dates(la["received_date"]), _dates(la["closed_date"])
    y = _in(rec, *YEAR)
    assert 250 <= y.sum() <= 400
    within = closed[y] <= rec[y] + pd.DateOffset(months=1)
    assert 0.60 <= within.mean() <= 0.80
    assert (la.loc[closed.isna(), "outcome"] == "ongoing").all()
    # Fewer in the school summer holidays: August against the other months, per month.
    per_month = rec.groupby(rec.dt.month).size() / rec.groupby(rec.dt.month).apply(
        lambda s: s.dt.year.nunique()
    )
    assert per_month[8] < 0.7 * per_month.drop(8).mean()


def test_qa_audits(demo):
    q = _csv(demo, "qa_audits").drop_duplicates()
    d = _dates(q["audit_date"])
    per_month = q.groupby(d.dt.to_period("M")).size()
    assert len(per_month) == 48 and 40 <= per_month.mean() <= 60
    assert 0.55 <= q["grade"].isin(["outstanding", "good"]).mean() <= 0.70
    assert set(q["team"]) == set(synth.TEAMS)
    assert np.is_busday(d.to_numpy().astype("datetime64[D]")).all()


def test_improvement_actions(demo):
    a = _csv(demo, "improvement_actions")
    assert 20 <= len(a) <= 40 and a["action_id"].is_unique
    assert set(a["kpi_id"]) <= CORE_KPIS and len(set(a["kpi_id"])) >= 10
    assert (a[["area", "action", "owner"]] != "").all().all()
    due, end = _dates(a["due_date"]), pd.Timestamp("2026-10-31")
    past = due <= end
    assert set(a.loc[past, "status"]) <= {"complete", "overdue", "cancelled"}
    assert set(a.loc[~past, "status"]) <= {"in_progress", "not_started"}
    assert {"complete", "overdue"} <= set(a["status"])
    # a history: created before due; closed (complete/cancelled) ones have a completion date
    # after creation and by the end of the data; open ones have none
    created, done = _dates(a["created_date"]), _dates(a["completed_date"])
    assert created.notna().all() and (created < due).all() and (created <= end).all()
    closed = a["status"].isin(["complete", "cancelled"])
    assert done[closed].notna().all() and done[~closed].isna().all()
    assert (done[closed] > created[closed]).all() and (done[closed] <= end).all()
    # the open count changes over time: not today's status applied to every month
    ends = pd.date_range("2024-11-30", end, freq="ME")
    open_at = [int(((created <= e) & ~(done <= e)).sum()) for e in ends]
    assert len(set(open_at)) > 3


# ---- workforce ------------------------------------------------------------------------------
def _monthly(demo: Path) -> pd.DataFrame:
    w = _csv(demo, "workforce_monthly")
    for c in w.columns[2:]:
        w[c] = pd.to_numeric(w[c], errors="coerce")
    w["month"] = _dates(w["month"])
    return w


def test_workforce_monthly_rates(demo):
    w = _monthly(demo)
    assert w.groupby("month").size().eq(12).all() and len(w) == 48 * 12
    assert w["team"].nunique() == 12
    t = w.groupby("month").sum(numeric_only=True)
    rate = {
        "vacancy": t["vacancies_fte"] / (t["vacancies_fte"] + t["fte_in_post"]),
        "agency": t["agency_fte"] / (t["agency_fte"] + t["fte_in_post"]),
        "caseload": t["cases_held"] / (t["agency_fte"] + t["fte_in_post"]),
    }
    base = slice("2022-11-30", "2026-03-31")
    assert 0.14 <= rate["vacancy"][base].mean() <= 0.21  # ~15-20%
    assert 0.12 <= rate["agency"][base].mean() <= 0.18  # ~15%
    assert 16 <= rate["caseload"][base].mean() <= 18
    # Turnover: leavers (headcount) a year over average FTE in post, Nov 2022 - Oct 2025.
    three = slice("2022-11-30", "2025-10-31")
    turnover = t.loc[three, "leavers"].sum() / 3 / t.loc[three, "fte_in_post"].mean()
    assert 0.13 <= turnover <= 0.21
    # Sickness: days lost over working days available (the n/k cell left out).
    days = pd.Series(
        np.busday_count(
            (t.index - pd.offsets.MonthBegin(1)).to_numpy().astype("datetime64[D]"),
            (t.index + pd.Timedelta(days=1)).to_numpy().astype("datetime64[D]"),
        ),
        index=t.index,
    )
    ok = w["sickness_days"].notna()
    fte = w[ok].groupby("month")["fte_in_post"].sum()
    sick = w[ok].groupby("month")["sickness_days"].sum() / (fte * days)
    assert 0.03 <= sick.mean() <= 0.04
    assert sick[sick.index.month == 1].mean() > sick[sick.index.month == 7].mean()
    # The adverse trend: the agency rate climbs in the last months.
    assert rate["agency"]["2026-08-31":].mean() >= rate["agency"][base].mean() + 0.06


def test_workforce_census(demo):
    files = sorted((demo / "workforce").glob("csww_*.xml"))
    xsd = etree.XMLSchema(etree.parse(str(need_shared("data", "schemas", "CSWW_schema_2022.xsd"))))
    for f in files:
        assert xsd.validate(etree.parse(str(f))), (f.name, xsd.error_log)
    c = read_workforce_census(files)
    assert int((c.raw.notna() & c.workers[c.raw.columns].isna()).sum().sum()) == 0
    assert c.workers["SWENo"].str.fullmatch(r"[A-Za-z]{2}\d{10}").all()
    w = _monthly(demo)
    for year in (2023, 2024, 2025, 2026):
        sept = w[w["month"] == pd.Timestamp(f"{year}-09-30")]
        la = c.la_level[c.la_level["collection_year"] == year].iloc[0]
        assert float(la["NumberOfVacancies"]) == pytest.approx(sept["vacancies_fte"].sum())
        assert float(la["NoAgencyFTE"]) == pytest.approx(sept["agency_fte"].sum())
        mine = c.workers[c.workers["collection_year"] == year]
        employed = mine[mine["AgencyWorker"] == "0"]
        in_post = employed[employed["RoleEndDate"].isna()]
        assert float(in_post["FTE"].sum()) == pytest.approx(sept["fte_in_post"].sum())
        assert int(mine["Cases30"].sum()) == sept["cases_held"].sum()
        agency = mine[mine["AgencyWorker"] == "1"]
        assert float(agency["FTE"].sum()) == pytest.approx(sept["agency_fte"].sum(), abs=1e-3)
        assert len(agency) == int(la["NoAgencyHeadcount"])
        if year >= 2024:  # the year's leavers are the monthly leavers, October to September
            months = _in(w["month"], f"{year - 1}-10-01", f"{year}-09-30")
            assert employed["RoleEndDate"].notna().sum() == w.loc[months, "leavers"].sum()


def test_tiny_county_writes_every_file(tmp_path):
    # 20 children for one month: most tables are empty or nearly so, and still written.
    generate(tmp_path / "tiny", start="2024-01", months=1, seed=20, children=20)
    for name in LOCAL:
        head = (tmp_path / "tiny" / "local" / f"{name}.csv").read_text().splitlines()[0]
        assert head.split(",")[0] == next(iter(_schema(name)["columns"].values()))["header"]
    assert (tmp_path / "tiny" / "workforce" / "workforce_monthly.csv").exists()
    assert (tmp_path / "tiny" / ".complete").exists()
