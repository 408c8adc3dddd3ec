"""Annex A lists into the canonical CIN census, SSDA903 and contacts tables."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from pmf_lib.errors import PmfError
from pmf_lib.read.annex_a import read_annex_a
from pmf_lib.read.annex_a_inputs import ANNEX_A_KPIS, annex_a_inputs, support
from tests.conftest import SHARED, need_shared

D = dt.date


def _workbook(path, sheets):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


CHILD = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)"]
L3 = CHILD + [
    "Date of Referral",
    "Referral Source",
    "Referral NFA?",
    "Number of Referrals in Last 12 Months",
    "Allocated Team",
    "Allocated Worker",
]
L6 = CHILD + [
    "Does the Child have a Disability",
    "CIN Start Date",
    "Primary Need Code",
    "Date Child Was Last Seen",
    "CIN Closure Date",
    "Reason for Closure",
    "Case Status",
    "Allocated Team",
    "Allocated Worker",
]


def _lists(tmp_path, cover=True):
    sheets = {}
    if cover:
        sheets["Cover"] = [["Annex A"], ["Extract date", D(2026, 10, 31)]]
    sheets["List 3"] = [
        L3,
        # A: referred 2 Oct 2026, also in List 6 (open); B: NFA, only in List 3
        [
            "A",
            "a) Male",
            "WBRI",
            D(2015, 1, 1),
            11,
            D(2026, 10, 2),
            "q) 6: Police",
            "No",
            1,
            "T1",
            "W1",
        ],
        [
            "B",
            "b) Female",
            "APKN",
            D(2012, 5, 1),
            14,
            D(2026, 9, 15),
            "e) 2A: Schools",
            "Yes",
            1,
            "T1",
            "W2",
        ],
    ]
    sheets["List 6"] = [
        L6,
        [
            "A",
            "a) Male",
            "WBRI",
            D(2015, 1, 1),
            11,
            "Yes",
            D(2026, 10, 2),
            "N1 - Abuse or neglect",
            None,
            None,
            None,
            "d) Open assessment",
            "T1",
            "W1",
        ],
        # C: a CIN episode from before the lists' period, closed in it
        [
            "C",
            "b) Female",
            "WBRI",
            D(2010, 3, 3),
            16,
            "No",
            D(2024, 1, 5),
            "N4",
            None,
            D(2026, 2, 1),
            "RC7",
            "e) Closed episode",
            "T2",
            "W3",
        ],
    ]
    return _workbook(tmp_path / "annex.xlsx", sheets)


def test_referrals_join_list_3_and_list_6(tmp_path):
    a = read_annex_a(_lists(tmp_path))
    data = annex_a_inputs(a.lists.values())
    r = data.cin.referrals.set_index("LAchildID").sort_index()
    assert list(r.index) == ["A", "B", "C"]
    # A: source and NFA from List 3, need from List 6, still open
    assert r.loc["A", "ReferralSource"] == "6" and r.loc["A", "ReferralNFA"] == "0"
    assert r.loc["A", "PrimaryNeedCode"] == "N1" and pd.isna(r.loc["A", "CINclosureDate"])
    # B is not in List 6 (every episode open in the period is): closed on its referral day
    assert r.loc["B", "CINclosureDate"] == pd.Timestamp("2026-09-15")
    assert r.loc["B", "ReferralNFA"] == "1" and r.loc["B", "source_file"] == str(a.file)
    # C: only in List 6 (referred before the period)
    assert r.loc["C", "CINclosureDate"] == pd.Timestamp("2026-02-01")
    assert r.loc["C", "ReasonForClosure"] == "RC7"
    kids = data.cin.children.set_index("LAchildID")
    assert kids.loc["A", "Sex"] == "1" and kids.loc["B", "Sex"] == "2"
    dis = data.cin.disabilities.set_index("LAchildID")["Disability"].to_dict()
    assert dis == {"A": "Y", "C": "NONE"}  # B is in no list with a disability column


def test_each_mapped_record_knows_its_list_rows(tmp_path):
    a = read_annex_a(_lists(tmp_path))
    data = annex_a_inputs(a.lists.values())
    r = data.cin.referrals
    o = data.origins[("cin_census", "referrals")]
    o = o.assign(child=r.loc[o["record"], "LAchildID"].to_numpy())
    rows = sorted(zip(o["child"], o["list"], o["row"], strict=True))
    # List 3's sheet: header row 1, A row 2, B row 3; List 6's: A row 2, C row 3.
    # A's referral is made from both lists' rows, B's from List 3's, C's from List 6's.
    assert rows == [
        ("A", "list_3", 2),
        ("A", "list_6", 2),
        ("B", "list_3", 3),
        ("C", "list_6", 3),
    ]
    assert set(o["file"]) == {str(a.file)}
    # so an error on List 3's row 3 is on B's referral alone
    issues = pd.DataFrame(
        {
            "source": ["annex_a/list_3"],
            "file": [str(a.file)],
            "table": ["annex_a/list_3"],
            "record": [1],  # List 3's second record: row 3
            "severity": ["error"],
        }
    )
    placed = data.issues_on_tables(issues, a.lists.values())
    assert placed[["source", "table"]].values.tolist() == [["cin_census", "referrals"]]
    assert r.loc[placed["record"].tolist(), "LAchildID"].tolist() == ["B"]


def test_extract_date_and_period(tmp_path):
    data = annex_a_inputs(read_annex_a(_lists(tmp_path)).lists.values())
    assert data.extract_date == pd.Timestamp("2026-10-31")
    # the first of the month of the earliest referral (15 Sep 2026): the lists' period
    assert data.coverage_start == pd.Timestamp("2026-09-01")
    assert data.cin.returns["reference_date"].tolist() == [pd.Timestamp("2026-10-31")]
    assert data.cin.returns["collection_year"].tolist() == [2027]


def test_no_cover_sheet_extract_date_is_the_latest_date(tmp_path):
    a = read_annex_a(_lists(tmp_path, cover=False))
    # the latest date in the lists other than birth dates: A's referral, 2 Oct 2026
    assert a.extract_date == pd.Timestamp("2026-10-02")


def test_care_leavers_and_children_looked_after(tmp_path):
    head8 = CHILD + [
        "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
        "Does the Child have a Disability",
        "Date Started to be Looked After",
        "Child's Category of Need",
        "Is this a second or subsequent period of being a Looked After Child within the last "
        "12 months (Y/N)",
        "Start date of current legal status",
        "Child's Legal Status",
        "Number of Placements in the Last 12 months",
        "Date Ceased to be Looked After",
        "Reason Ceased to be Looked After",
        "Start Date of Most Recent Placement",
        "Placement Type",
        "Placement Provider",
        "Placement postcode",
        "Placement Location",
        "LA of Placement",
        "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 "
        "months",
        "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
        "Allocated Team",
        "Allocated Worker",
    ]
    row8 = [
        "P",
        "a) Male",
        "WBRI",
        D(2014, 2, 2),
        12,
        "No",
        "No",
        D(2025, 6, 1),
        "N1",
        "No",
        D(2025, 8, 1),
        "C2: FCO",
        2,
        D(2026, 7, 1),
        "a) E11: Adopted - application unopposed",
        D(2026, 1, 10),
        "f) U6: Foster placement - not FFA",
        "PR1",
        "AB1 2CD",
        "a) In",
        "938",
        0,
        0,
        "T",
        "W",
    ]
    head9 = CHILD + [
        "Does the Child have a Disability",
        "Allocated Team",
        "Allocated Worker",
        "Eligibility Category",
        "LA in Touch",
        "Type of Accommodation",
        "Suitability of Accommodation",
        "Activity Status",
    ]
    row9 = [
        "Q",
        "b) Female",
        "WBRI",
        D(2006, 1, 1),
        20,
        "No",
        "Leaving Care",
        "W",
        "b) Former relevant child",
        "a) Yes",
        "U: Independent living",
        "b) Unsuitable",
        "F3: Full time in training or employment",
    ]
    p = _workbook(
        tmp_path / "cla.xlsx",
        {"Cover": [["As at", "31/10/2026"]], "List 8": [head8, row8], "List 9": [head9, row9]},
    )
    data = annex_a_inputs(read_annex_a(p).lists.values())
    ep = data.cla.episodes.iloc[0]
    assert (ep["CHILD"], ep["DECOM"], ep["RNE"], ep["LS"], ep["PLACE"]) == (
        "P",
        pd.Timestamp("2025-06-01"),
        "S",
        "C2",
        "U6",
    )
    assert (ep["DEC"], ep["REC"]) == (pd.Timestamp("2026-07-01"), "E11")
    oc3 = data.cla.oc3.iloc[0]
    # unsuitable independent living: U2; Annex A's F3 (training or employment) is 903's F4;
    # the cohort of the latest 31 March on or before the extract date (2026)
    assert (oc3["ACCOM"], oc3["ACTIV"], oc3["IN_TOUCH"]) == ("U2", "F4", "YES")
    assert oc3["collection_year"] == 2026
    assert data.cla.header.set_index("CHILD").loc["Q", "SEX"] == "2"


def test_two_extracts_the_later_wins(tmp_path):
    early = _workbook(
        tmp_path / "sep.xlsx",
        {
            "Cover": [["Extract date", D(2026, 9, 30)]],
            "List 6": [
                L6,
                [
                    "C",
                    "b) Female",
                    "WBRI",
                    D(2010, 3, 3),
                    16,
                    "No",
                    D(2024, 1, 5),
                    "N4",
                    None,
                    None,
                    None,
                    "c) Child in need plan",
                    "T2",
                    "W3",
                ],
            ],
        },
    )
    late = _workbook(
        tmp_path / "oct.xlsx",
        {
            "Cover": [["Extract date", D(2026, 10, 31)]],
            "List 6": [
                L6,
                [
                    "C",
                    "b) Female",
                    "WBRI",
                    D(2010, 3, 3),
                    16,
                    "No",
                    D(2024, 1, 5),
                    "N4",
                    None,
                    D(2026, 10, 20),
                    "RC7",
                    "e) Closed episode",
                    "T2",
                    "W3",
                ],
            ],
        },
    )
    tables = [*read_annex_a(early).lists.values(), *read_annex_a(late).lists.values()]
    data = annex_a_inputs(tables)
    r = data.cin.referrals
    # one episode (child and start date), closed as the October extract says
    assert len(r) == 1 and r["CINclosureDate"].iloc[0] == pd.Timestamp("2026-10-20")
    assert data.extract_date == pd.Timestamp("2026-10-31") and len(data.cin.returns) == 2


def test_every_shared_annex_a_file_loads_or_is_refused_in_one_line():
    need_shared("data", "synthetic", "annex_a")
    files = sorted((SHARED / "data" / "synthetic" / "annex_a").iterdir())
    assert files
    for f in files:
        try:
            a = read_annex_a(f)
        except PmfError as e:
            assert "\n" not in str(e) and e.file == str(f)
            continue
        data = annex_a_inputs(a.lists.values())
        # the liia-tools sample: every list maps; its referrals and episodes are there
        assert len(data.cin.referrals) > 0 and len(data.cla.episodes) > 0
        assert data.extract_date is not None


def test_refused_workbooks_are_one_line(tmp_path):
    bad = tmp_path / "annex.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(PmfError, match="not a readable .xlsx workbook") as e:
        read_annex_a(bad)
    assert "\n" not in str(e.value)
    csv = tmp_path / "annex.csv"
    csv.write_text("a,b\n")
    with pytest.raises(PmfError, match="not an .xlsx workbook"):
        read_annex_a(csv)


def test_every_kpi_not_the_same_has_a_reason():
    for kpi_id, s in ANNEX_A_KPIS.items():
        assert s.status in ("same", "differs", "at_extract", "none"), kpi_id
        assert s.reason, kpi_id
    assert support("unknown_kpi").status == "none"


def test_contacts_of_two_extracts_counted_once(tmp_path):
    head = CHILD + ["Date of Contact", "Contact Source"]

    def row(cid, d):
        return [cid, "a) Male", "WBRI", None, None, d, "q) 6: Police"]

    sep = _workbook(
        tmp_path / "sep.xlsx",
        {
            "Cover": [["Extract date", D(2026, 9, 30)]],
            # two contacts about A on one day are two contacts
            "List 1": [
                head,
                row("A", D(2026, 9, 1)),
                row("A", D(2026, 9, 1)),
                row("B", D(2026, 9, 30)),
            ],
        },
    )
    octo = _workbook(
        tmp_path / "oct.xlsx",
        {
            "Cover": [["Extract date", D(2026, 10, 31)]],
            # October's extract repeats September's contacts and adds one on 2 October
            "List 1": [
                head,
                row("A", D(2026, 9, 1)),
                row("A", D(2026, 9, 1)),
                row("B", D(2026, 9, 30)),
                row("C", D(2026, 10, 2)),
            ],
        },
    )
    a = read_annex_a(sep)
    assert not a.lists["list_1"].schema.keys  # no key: no duplicate-key error
    tables = [*a.lists.values(), *read_annex_a(octo).lists.values()]
    contacts = annex_a_inputs(tables).local["contacts"]
    # September's three from its extract, October's one after 30 September
    assert sorted(contacts["child_id"]) == ["A", "A", "B", "C"]
