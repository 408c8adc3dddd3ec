"""The finance datasets read against their schemas (issue 16): a council's own headings and
values, one bad cell per dataset kept for validation naming file, row and field, a required
column missing refused in one line, the templates, and the S251 unit costs in the shipped
benchmark snapshot."""

from __future__ import annotations

import pandas as pd
import pytest

from pmf_lib.errors import PmfError
from pmf_lib.read.benchmarks import load_benchmarks
from pmf_lib.read.local import LOCAL_DATASETS, read_local, read_table, write_templates
from pmf_lib.validate.schema import table_issues

BUDGET = (
    # a finance system's export: its own headings, £ signs and thousands separators
    "Reporting month,Budget line,Annual budget,YTD,Projected outturn\n"
    '31/10/2026,Children looked after placements,"£51,161,000","£34,514,248",'
    '"£59,453,300"\n'
    "31/10/2026,Care leavers,3978000,2342537,3968508\n"
)
PLACEMENTS = (
    "Placement ref,Child ID,PLACE,Supplier,Start,End,Weekly rate,Review due\n"
    'PC1,DC01,K2,Kestrel Care Homes Ltd,2026-08-16,,"£6,250.00",2026-11-15\n'
    "PC2,DC02,u4: Foster placement with other foster carer - long term fostering,"
    "Demo County Council,01/02/2025,31/10/2026,480,\n"
)


def test_a_budget_export_reads_with_its_own_headings_and_pounds(tmp_path):
    p = tmp_path / "budget.csv"
    p.write_text(BUDGET)
    t = read_local("budget_monitoring", p)[0]
    d = t.data
    assert d["service_line"].tolist() == ["Children looked after placements", "Care leavers"]
    assert d["budget"].tolist() == [51_161_000.0, 3_978_000.0]  # "£51,161,000" is a number
    assert d["forecast_outturn"].tolist() == [59_453_300.0, 3_968_508.0]
    assert d.loc[0, "month"] == pd.Timestamp("2026-10-31")
    assert t.source == "local/budget_monitoring" and t.absent_columns == []


def test_a_placement_costs_export_reads_with_its_own_headings_and_codes(tmp_path):
    p = tmp_path / "placements.csv"
    p.write_text(PLACEMENTS)
    t = read_local("placement_costs", p)[0]
    d = t.data
    # "u4: Foster placement ..." -> U4 by its code token; "£6,250.00" -> 6250.0
    assert d["placement_type"].tolist() == ["K2", "U4"]
    assert d["weekly_cost"].tolist() == [6250.0, 480.0]
    assert d["provider"].tolist() == ["Kestrel Care Homes Ltd", "Demo County Council"]
    assert d.loc[1, "end_date"] == pd.Timestamp("2026-10-31")
    assert pd.isna(d.loc[0, "end_date"]) and pd.isna(d.loc[1, "next_review_date"])
    assert d.loc[0, "next_review_date"] == pd.Timestamp("2026-11-15")


def test_a_bad_budget_cell_is_one_issue_naming_file_row_and_field(tmp_path):
    p = tmp_path / "budget.csv"
    p.write_text(BUDGET.replace("3968508", "tbc"))
    t = read_table(p, "budget_monitoring")
    # 'tbc' forecast: missing in data, as sent in raw; the file's third line is row 3
    assert pd.isna(t.data.loc[1, "forecast_outturn"])
    assert t.raw.loc[1, "forecast_outturn"] == "tbc"
    issues = table_issues(t, pd.Timestamp("2026-10-31"))
    assert [(i["file"], i["row_or_element"], i["field"], i["rule"]) for i in issues] == [
        (str(p), "row 3", "forecast_outturn", "S05")
    ]


def test_a_bad_placement_cell_is_one_issue_naming_file_row_and_field(tmp_path):
    p = tmp_path / "placements.csv"
    p.write_text(PLACEMENTS.replace("01/02/2025", "31/02/2025"))
    t = read_table(p, "placement_costs")
    # 31 February is no date: row 3's start_date, reported, never dropped
    assert len(t.data) == 2 and pd.isna(t.data.loc[1, "start_date"])
    issues = table_issues(t, pd.Timestamp("2026-10-31"))
    assert [(i["file"], i["row_or_element"], i["field"], i["rule"]) for i in issues] == [
        (str(p), "row 3", "start_date", "S04")
    ]


def test_a_planned_review_date_after_the_extract_is_not_in_the_future(tmp_path):
    p = tmp_path / "placements.csv"
    p.write_text(PLACEMENTS)
    # next_review_date is a planned date (future: true): 15 Nov after a 31 Oct extract is fine
    assert table_issues(read_table(p, "placement_costs"), pd.Timestamp("2026-10-31")) == []


@pytest.mark.parametrize(
    ("dataset", "text", "field", "header"),
    [
        (
            "budget_monitoring",
            BUDGET.replace(",Projected outturn", ""),
            "forecast_outturn",
            "Forecast outturn",
        ),
        ("placement_costs", PLACEMENTS.replace(",Weekly rate", ""), "weekly_cost", "Weekly cost"),
    ],
)
def test_a_file_without_a_required_column_is_refused_in_one_line(
    tmp_path, dataset, text, field, header
):
    p = tmp_path / f"{dataset}.csv"
    p.write_text(text)
    with pytest.raises(PmfError) as e:
        read_local(dataset, p)
    assert str(e.value) == f"{p}, header, field {field}: required column '{header}' is missing"
    assert "\n" not in str(e.value)


def test_both_are_local_datasets_with_templates(tmp_path):
    assert {"budget_monitoring", "placement_costs"} <= set(LOCAL_DATASETS)
    paths = write_templates(tmp_path, ["budget_monitoring", "placement_costs"])
    assert [p.name for p in paths] == [
        "budget_monitoring.csv",
        "budget_monitoring.md",
        "placement_costs.csv",
        "placement_costs.md",
    ]
    assert paths[2].read_text().strip() == (
        "Placement ID,Child ID,Placement type,Provider,Start date,End date,Weekly cost,"
        "Next review date"
    )
    assert "internal only" in paths[3].read_text()


def test_the_shipped_snapshot_has_the_s251_weekly_unit_costs():
    store = load_benchmarks()
    for code in ("LACFinance", "FosteringFinance", "RescareFinance"):
        meta = store.measure(code)
        assert meta["unit"] == "Unit Cost"
        rows = store.values[(store.values["measure"] == code) & (store.values["la_code"] == 970)]
        # England's figure for each financial year 2016-17 to 2024-25
        assert rows["year"].str.endswith("(OT)").all() and len(rows) == 9
        assert rows["value"].notna().all()


def test_a_placement_ending_before_it_starts_is_one_issue_naming_row_and_fields(tmp_path):
    from pmf_lib.validate import Sources, validate

    p = tmp_path / "placements.csv"
    p.write_text(PLACEMENTS.replace("01/02/2025,31/10/2026", "01/11/2026,31/10/2026"))
    t = read_table(p, "placement_costs")
    issues = validate(Sources(files=[t]), as_of="2026-11-30", rules=[])
    # row 3 starts 1 Nov and ends 31 Oct: L15 on that row and child, both dates named
    assert issues[["rule", "row_or_element", "field", "child_id"]].values.tolist() == [
        ["L15", "row 3", "start_date,end_date", "DC02"]
    ]
