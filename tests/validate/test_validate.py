"""validate(): one issues table across sources; reconcile(): nothing lost; malformed files."""

from __future__ import annotations

import pandas as pd

from pmf_lib.read.tables import CIN_COLUMNS, S903_COLUMNS, CinCensus, Ssda903, conform
from pmf_lib.validate import ISSUE_COLUMNS, Sources, read_other_sources, reconcile, validate

AS_OF = "2025-06-30"


def _cla(rows):
    s = Ssda903()
    s.tables["header"] = conform(
        pd.DataFrame(
            {
                "CHILD": ["a", "b"],
                "SEX": ["1", "2"],
                "DOB": pd.to_datetime(["2010-01-01"] * 2),
                "ETHNIC": ["WBRI", "WBRI"],
                "collection_year": [2025, 2025],
                "source_file": ["header.csv"] * 2,
            }
        ),
        S903_COLUMNS["header"],
    )
    s.tables["episodes"] = conform(pd.DataFrame(rows), S903_COLUMNS["episodes"])
    return s


def test_issue_columns_and_reconciliation_on_national_tables():
    ep = {
        "CHILD": ["a", "b", "b"],
        "DECOM": pd.to_datetime(["2024-05-01", "2024-06-01", "2024-06-01"]),
        "RNE": ["S", "S", "S"],
        "LS": ["C2", "C2", "C2"],
        "CIN": ["N1", "N1", "N1"],
        "PLACE": ["U1", "XX", "U1"],
        "collection_year": [2025] * 3,
        "source_file": ["episodes.csv"] * 3,
    }
    src = Sources(cla=_cla(ep))
    issues = validate(src, as_of=AS_OF)
    assert list(issues.columns) == ISSUE_COLUMNS
    # child b: row 1 has PLACE XX (146); rows 1 and 2 share CHILD+DECOM (S07 duplicate key,
    # and L02 overlap for the later of two open episodes, 142 for the earlier)
    rules_b1 = set(issues[(issues["table"] == "episodes") & (issues["record"] == 1)]["rule"])
    assert {"146", "S07", "142"} <= rules_b1
    assert not len(issues[(issues["table"] == "episodes") & (issues["record"] == 0)])
    rec = reconcile(src, issues).set_index("table")
    # 3 episodes read: a's accepted, both of b's reported; header: 2 read, 2 accepted
    assert rec.loc["episodes", ["rows_read", "accepted", "reported"]].tolist() == [3, 1, 2]
    assert rec.loc["header", ["rows_read", "accepted", "reported"]].tolist() == [2, 2, 0]
    assert (rec["rows_read"] == rec["accepted"] + rec["reported"]).all()
    one = issues[issues["rule"] == "146"].iloc[0]
    assert one["row_or_element"] == "episodes CHILD=b, DECOM=2024-06-01"
    assert one["child_id"] == "b" and one["file"] == "episodes.csv" and one["field"] == "PLACE"


def test_future_dates_on_national_tables():
    cin = CinCensus()
    cin.tables["referrals"] = conform(
        pd.DataFrame(
            {
                "LAchildID": ["x"],
                "CINreferralDate": [pd.Timestamp("2025-07-01")],
                "ReferralNFA": ["1"],
                "collection_year": [2026],
                "source_file": ["cin.xml"],
            }
        ),
        CIN_COLUMNS["referrals"],
    )
    issues = validate(Sources(cin=cin), as_of=AS_OF)
    assert "S06" in set(issues["rule"])


def test_local_files_schema_and_logic_rules_and_malformed_corpus(tmp_path):
    d = tmp_path / "local"
    d.mkdir()
    (d / "complaints.csv").write_text(
        "Complaint ID,Type,Stage,Date received,Date responded,Outcome\n"
        "C1,Complaint,1,2025-03-01,2025-02-01,Upheld\n"  # responded before received: L08
        "C1,Complaint,2,2025-03-05,,\n"  # duplicate key C1: S07 (both)
        "C3,Complaint,7,31/02/2025,,Sort of\n"  # S03 stage, S04 date, S03 outcome
        "C4,,,2099-01-01,,\n"  # S02 kind missing, S06 future
        "C5,Compliment,,2025-03-02,,\n"
    )  # clean
    (d / "lado.csv").write_bytes(b"\x00\x01binary")  # unreadable: S00
    (d / "qa_audits.csv").write_text("Audit ID,Audit date,Team\nA1,2025-01-05,Duty\n")  # S01 grade
    (d / "notes.txt").write_text("ignored: not a dataset name")
    src = read_other_sources(local=d)
    issues = validate(src, as_of=AS_OF)
    comp = issues[issues["source"] == "local/complaints"]
    got = sorted(zip(comp["row_or_element"], comp["rule"], comp["field"], strict=True))
    assert got == sorted(
        [
            ("row 2", "L08", "received_date,responded_date"),
            ("row 2", "S07", "complaint_id"),
            ("row 3", "S07", "complaint_id"),
            ("row 4", "S03", "stage"),
            ("row 4", "S04", "received_date"),
            ("row 4", "S03", "outcome"),
            ("row 5", "S02", "kind"),
            ("row 5", "S06", "received_date"),
        ]
    )
    lado = issues[issues["source"] == "local/lado"]
    assert lado["rule"].tolist() == ["S00"] and "binary" in lado["message"].iloc[0]
    assert lado["file"].iloc[0].endswith("lado.csv")
    qa = issues[issues["source"] == "local/qa_audits"]
    assert qa[["rule", "field"]].values.tolist() == [["S01", "grade"]]
    rec = reconcile(src, issues).set_index("source")
    # complaints: 5 rows read, C5 accepted, 4 reported
    assert rec.loc["local/complaints", ["rows_read", "accepted", "reported"]].tolist() == [5, 1, 4]
    assert rec.loc["local/lado", "rows_read"] == 0


def test_annex_a_and_workforce_sources(tmp_path):
    import openpyxl

    p = tmp_path / "annex.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "List 1"
    ws.append(
        [
            "Child Unique ID",
            "Gender",
            "Ethnicity",
            "Date of Birth",
            "Age",
            "Date of Contact",
            "Contact Source",
        ]
    )
    ws.append(["C1", "a) Male", "a) WBRI", None, None, 45383, "q) 6: Police"])
    ws.append(["C2", "Robot", "a) WBRI", None, None, "yesterday", "q) 6: Police"])
    wb.save(p)
    x = tmp_path / "csww.xml"
    x.write_text(
        "<Message><Header><CollectionDetails><ReferenceDate>2024-09-30</ReferenceDate>"
        "</CollectionDetails></Header><CSWWWorker><AgencyWorker>2</AgencyWorker>"
        "<SWENo>S</SWENo></CSWWWorker></Message>"
    )
    src = read_other_sources(annex_a=[p], workforce_census=[x, tmp_path / "missing.xml"])
    issues = validate(src, as_of=AS_OF)
    a = issues[issues["source"] == "annex_a/list_1"]
    assert sorted(zip(a["row_or_element"], a["rule"], a["field"], strict=True)) == [
        ("List 1 row 3", "S03", "gender"),
        ("List 1 row 3", "S04", "contact_date"),
    ]
    assert set(a["child_id"]) == {"C2"}
    w = issues[issues["source"] == "workforce_census"]
    assert sorted(w["rule"]) == ["S00", "S03"]
    assert "CSWWWorker[1]" in set(w["row_or_element"])


def test_future_dates_that_are_legitimate_are_not_reported():
    # An enquiry started 20 Oct with its ICPC target 10 Nov, after the 31 Oct extract:
    # the target is meant to be in the future. Its start date is not (no issue either).
    cin = CinCensus()
    cin.tables["section47"] = conform(
        pd.DataFrame(
            {
                "LAchildID": ["x"],
                "S47ActualStartDate": [pd.Timestamp("2025-03-20")],
                "InitialCPCtarget": [pd.Timestamp(AS_OF) + pd.Timedelta(days=10)],
                "collection_year": [2026],
                "source_file": ["cin.xml"],
            }
        ),
        CIN_COLUMNS["section47"],
    )
    issues = validate(Sources(cin=cin), as_of=AS_OF)
    assert not ((issues["rule"] == "S06") & (issues["field"] == "InitialCPCtarget")).any()


def test_planned_dates_may_lie_after_the_extract_date(tmp_path):
    from pmf_lib.read.local import read_table

    p = tmp_path / "conferencing.csv"
    p.write_text(
        "Meeting ID,Child ID,Meeting type,Due date,Meeting date,Chair\n"
        "M1,c1,ICPC,2025-07-15,2025-06-20,IRO 1\n"  # held early; due after AS_OF: fine
        "M2,c2,ICPC,2025-06-01,2025-07-02,IRO 1\n"  # held after AS_OF (30 June): S06
    )
    issues = validate(Sources(files=[read_table(p, "conferencing")]), as_of=AS_OF)
    s06 = issues[issues["rule"] == "S06"]
    assert s06[["row_or_element", "field"]].values.tolist() == [["row 3", "meeting_date"]]


def test_action_log_without_history_is_a_warning(tmp_path):
    from pmf_lib.read.local import read_table

    head = "Action ID,KPI,Area,Action,Owner,Due date,Status"
    old = tmp_path / "old.csv"
    old.write_text(head + "\nA1,k,x,y,z,2025-01-05,complete\n")
    new = tmp_path / "new.csv"
    new.write_text(
        "Action ID,KPI,Area,Action,Owner,Date created,Due date,Date completed,Status\n"
        "A2,k,x,y,z,2024-10-01,2025-01-05,2025-01-02,complete\n"  # full history: no issue
        "A3,k,x,y,z,2024-10-01,2025-01-05,,complete\n"  # complete, no completion date
        "A4,k,x,y,z,,2025-01-05,,in_progress\n"  # no creation date
        "A5,k,x,y,z,2024-10-01,2025-08-05,,in_progress\n"  # open, due after AS_OF: fine
    )
    files = [read_table(old, "improvement_actions"), read_table(new, "improvement_actions")]
    issues = validate(Sources(files=files), as_of=AS_OF)
    s08 = issues[issues["rule"] == "S08"]
    assert (s08["severity"] == "warning").all()
    # old.csv: both history columns absent, one warning each at the header
    got = s08[["file", "row_or_element", "field"]].values.tolist()
    assert got == [
        [str(old), "header", "created_date"],
        [str(old), "header", "completed_date"],
        [str(new), "row 3", "completed_date"],
        [str(new), "row 4", "created_date"],
    ]
    # a due date after AS_OF is a planned date, never "in the future"
    assert not (issues["rule"] == "S06").any()
