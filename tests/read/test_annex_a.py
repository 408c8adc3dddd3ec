"""Annex A workbooks: the liia-tools sample and the variants councils send."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from pmf_lib.errors import PmfError
from pmf_lib.read.annex_a import ANNEX_A_LISTS, annex_a_spec, read_annex_a, sheet_list
from tests.conftest import need_shared


def test_sample_workbook_all_eleven_lists():
    path = need_shared("data", "synthetic", "annex_a", "Annex_A_sample_liiatools.xlsx")
    a = read_annex_a(path)
    assert sorted(a.lists, key=lambda n: int(n.split("_")[1])) == list(ANNEX_A_LISTS)
    assert a.missing_lists == []
    l1 = a["list_1"]
    # row 2 of List 1: 9212044, 'Female', 'a) WBRI', contact source 'q) 6: Police'
    first = l1[l1["row"] == 2].iloc[0]
    assert first["child_id"] == "9212044"
    assert first["gender"] == "F" and first["ethnicity"] == "WBRI"
    assert first["contact_source"] == "6"
    assert first["contact_date"] == pd.Timestamp("2020-09-16")
    # every list keeps every non-blank row: the sample has 4-6 rows per list
    assert all(len(t.data) == t.rows_read > 0 for t in a.lists.values())


def _workbook(path, sheets):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


LIST1_HEAD = [
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age",
    "Date of Contact",
    "Contact Source",
]


def test_variants_title_rows_blank_rows_serial_dates_extra_sheets(tmp_path):
    p = _workbook(
        tmp_path / "a.xlsx",
        {
            "Cover": [["Annex A return for Demo"]],
            "list 1 - contacts": [
                ["Annex A List 1"],
                [],
                LIST1_HEAD,
                ["C1", "a) Male", "WBRI", 40000, 9, 45383, "q) 6: Police"],  # serials
                [None] * 7,
                ["C2", "Female", "k) APKN", "2015-06-01", 9, "02/04/2024", "Schools"],
                ["C3", "b) Female", "Martian", None, None, "2024-04-03", "HEALTH SERVICES – A&E"],
            ],
            "Lookups": [["code", "label"]],
        },
    )
    a = read_annex_a(p)
    assert a.ignored_sheets == ["Cover", "Lookups"]
    assert "list_2" in a.missing_lists
    t = a.lists["list_1"]
    d = t.data
    assert d["row"].tolist() == [4, 6, 7] and t.blank_rows == 1
    assert d["gender"].tolist() == ["M", "F", "F"]
    assert d["contact_source"].tolist() == ["6", "2A", "3E"]
    assert d.loc[0, "contact_date"] == pd.Timestamp("2024-04-01")  # serial 45383
    assert d.loc[1, "contact_date"] == pd.Timestamp("2024-04-02")  # UK text date
    # an unknown ethnicity is kept as sent, missing in data, for validation to report
    assert pd.isna(d.loc[2, "ethnicity"]) and t.raw.loc[2, "ethnicity"] == "Martian"


def test_sheet_names():
    assert sheet_list("List 11") == "list_11"
    assert sheet_list("LIST1") == "list_1"
    assert sheet_list("List 1a") is None or sheet_list("List 1a") == "list_1"
    assert sheet_list("Summary") is None


def test_code_mapping_examples():
    schemas, _ = annex_a_spec()
    l8 = schemas["list_8"]
    assert l8.column("placement_type").to_code("f) U6: Foster placement - not FFA") == "U6"
    assert l8.column("placement_provider").to_code("e) PR4 - Private provision") == "PR4"
    assert l8.column("legal_status").to_code("C2: FCO") == "C2"
    assert l8.column("reason_ceased_to_be_looked_after").to_code("E4A") == "E4A"
    l7 = schemas["list_7"]
    assert l7.column("initial_category_of_abuse").to_code("Physical abuse") == "PHY"
    assert l7.column("was_the_child_seen_alone").to_code("b) No") == "N"
    assert schemas["list_3"].column("referral_source").to_code("Martians") is None


def test_not_an_annex_a_workbook(tmp_path):
    p = _workbook(tmp_path / "b.xlsx", {"Sheet1": [["x"]]})
    with pytest.raises(PmfError, match="no Annex A list sheets") as e:
        read_annex_a(p)
    assert e.value.file == str(p)


def test_list_without_header_row(tmp_path):
    p = _workbook(tmp_path / "c.xlsx", {"List 1": [["nothing", "useful"], [1, 2]]})
    with pytest.raises(PmfError, match="no header row") as e:
        read_annex_a(p)
    assert "List 1" in str(e.value)


def test_formula_without_a_saved_value_is_kept_as_sent(tmp_path):
    # openpyxl saves a formula with no cached value (as a workbook never recalculated)
    p = _workbook(
        tmp_path / "f.xlsx",
        {
            "List 1": [
                LIST1_HEAD,
                ["C1", "a) Male", "WBRI", None, None, "=TODAY()", "q) 6: Police"],
                ["C2", "b) Female", "WBRI", None, None, "2024-04-02", "q) 6: Police"],
            ]
        },
    )
    t = read_annex_a(p).lists["list_1"]
    # the formula's text reaches validation instead of reading as a blank date
    assert t.raw.loc[0, "contact_date"] == "=TODAY()" and pd.isna(t.data.loc[0, "contact_date"])
    assert t.data.loc[1, "contact_date"] == pd.Timestamp("2024-04-02")


def test_no_formulas_no_second_pass(tmp_path, monkeypatch):
    import pmf_lib.read.annex_a as annex_a

    p = _workbook(
        tmp_path / "g.xlsx",
        {"List 1": [LIST1_HEAD, ["C1", "M", "WBRI", None, None, "2024-04-02", "6"]]},
    )
    assert not annex_a._has_formulas(p.read_bytes())
    calls = []
    real = annex_a.openpyxl.load_workbook
    monkeypatch.setattr(
        annex_a.openpyxl, "load_workbook", lambda *a, **k: calls.append(k) or real(*a, **k)
    )
    read_annex_a(p)
    assert [k.get("data_only") for k in calls] == [True]  # the values pass only
