"""Local datasets read against their YAML schemas: CSV and xlsx, messy values, templates."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from pmf_lib.errors import PmfError
from pmf_lib.read.local import (
    LOCAL_DATASETS,
    load_schema,
    parse_date,
    read_local,
    read_table,
    write_templates,
)


def test_every_local_dataset_has_a_schema_with_keys_and_required_columns():
    for name in LOCAL_DATASETS + ("workforce_monthly",):
        s = load_schema(name)
        assert s.keys, name
        assert all(k in s.column_names for k in s.keys), name
        assert any(c.required for c in s.columns), name


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-02-29", "2024-02-29"),
        ("29/02/2024", "2024-02-29"),
        ("1-3-2024", "2024-03-01"),
        ("45351", "2024-02-29"),  # Excel serial: 1899-12-30 + 45351 days
        (45351.0, "2024-02-29"),
        ("30/02/2024", None),  # no such day
        ("soon", None),
        ("", None),
    ],
)
def test_parse_date(text, expected):
    got = parse_date(text)
    assert (got.strftime("%Y-%m-%d") if got is not None else None) == expected


def test_complaints_csv_with_title_rows_reworded_headings_and_bad_values(tmp_path):
    p = tmp_path / "complaints.csv"
    p.write_text(
        "Complaints log exported 2025-04-02\n"
        ",,,,\n"
        "Reference,Type,Stage,Date received,Date responded,Outcome\n"
        "C1,Complaint,Stage 1,01/03/2025,2025-03-10,Partly upheld\n"
        ",,,,,\n"
        "C2,compliment,,02/03/2025,,\n"
        "C3,Complaint,Stage 9,31/02/2025,,Upheld\n",
        encoding="utf-8",
    )
    t = read_table(p, "complaints")
    # 3 data rows kept (file rows 4, 6, 7); the blank row 5 is counted, not a record
    assert t.data["row"].tolist() == [4, 6, 7]
    assert t.blank_rows == 1
    assert t.data["complaint_id"].tolist() == ["C1", "C2", "C3"]
    assert t.data["kind"].tolist() == ["complaint", "compliment", "complaint"]
    assert t.data.loc[0, "stage"] == "1" and t.data.loc[0, "outcome"] == "partly_upheld"
    # the unknown stage and impossible date are missing in data but kept as sent in raw
    assert pd.isna(t.data.loc[2, "stage"]) and t.raw.loc[2, "stage"] == "Stage 9"
    assert pd.isna(t.data.loc[2, "received_date"]) and t.raw.loc[2, "received_date"] == "31/02/2025"
    assert t.missing_columns == []


def test_missing_required_column_is_an_error_naming_file_and_column(tmp_path):
    p = tmp_path / "qa.csv"
    p.write_text("Audit ID,Audit date,Team\nA1,2025-01-05,Duty\n")
    # 'Grade' is required: every QA KPI would read it as blank and report 0 -> refused
    with pytest.raises(PmfError) as e:
        read_table(p, "qa_audits")
    assert str(e.value) == f"{p}, header, field grade: required column 'Grade' is missing"
    with pytest.raises(PmfError, match="Contact date"):
        c = tmp_path / "contacts.csv"
        c.write_text("Contact ID,Child ID,Decision\nC1,K1,nfa\n")
        read_local("contacts", c)
    # read leniently, the column is listed (and blank) instead
    t = read_table(p, "qa_audits", strict_columns=False)
    assert t.missing_columns == ["grade"]
    assert t.rows_read == 1


def test_absent_optional_columns_are_listed_on_the_frame(tmp_path):
    from pmf_lib.read.local import concat_tables

    a = tmp_path / "a.csv"
    a.write_text(
        "Action ID,KPI,Area,Action,Owner,Due date,Status\nA1,k,x,y,z,2025-01-05,complete\n"
    )
    b = tmp_path / "b.csv"
    b.write_text(
        "Action ID,KPI,Area,Action,Owner,Date created,Due date,Date completed,Status\n"
        "A2,k,x,y,z,2024-10-01,2025-01-05,2025-01-02,complete\n"
    )
    frame = concat_tables(read_local("improvement_actions", [a, b]))
    # a.csv has neither history column: absent from one file is absent from the dataset
    assert frame.attrs["absent_columns"] == ["completed_date", "created_date"]
    assert frame.attrs["missing_columns"] == []
    assert frame["created_date"].isna().tolist() == [True, False]


def test_planned_dates_are_marked_future_in_the_schemas():
    # due dates and planned dates may lie after the extract date; recorded events may not
    assert load_schema("improvement_actions").column("due_date").future
    assert load_schema("conferencing").column("due_date").future
    assert not load_schema("conferencing").column("meeting_date").future
    assert not load_schema("improvement_actions").column("completed_date").future


def test_xlsx_with_excel_dates_and_serials(tmp_path):
    p = tmp_path / "lado.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["LADO referral ID", "Date received", "Outcome", "Date closed"])
    ws.append(["L1", pd.Timestamp("2025-01-06").to_pydatetime(), "Unfounded", 45700])
    wb.save(p)
    t = read_local("lado", p)[0]
    assert t.data.loc[0, "received_date"] == pd.Timestamp("2025-01-06")
    assert t.data.loc[0, "closed_date"] == pd.Timestamp("2025-02-12")  # serial 45700
    assert t.data.loc[0, "outcome"] == "unfounded"
    assert t.source == "local/lado"


@pytest.mark.parametrize(
    "name, content, fault",
    [
        ("empty.csv", b"", "empty"),
        ("binary.csv", b"\x00\x01\x02PK", "binary"),
        ("noheader.csv", b"a,b,c\n1,2,3\n", "no header row"),
        ("notes.pdf", b"%PDF", "unsupported file type"),
        ("broken.xlsx", b"PK\x03\x04 not really a zip", "not a readable .xlsx"),
    ],
)
def test_unreadable_files_raise_pmferror_naming_the_file(tmp_path, name, content, fault):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(PmfError) as e:
        read_table(p, "contacts")
    assert e.value.file == str(p)
    assert fault in str(e.value)


def test_missing_file(tmp_path):
    with pytest.raises(PmfError, match="file not found"):
        read_table(tmp_path / "nope.csv", "contacts")


def test_templates_have_every_heading_and_a_guide(tmp_path):
    paths = write_templates(tmp_path / "t")
    names = sorted(p.name for p in paths)
    assert len(names) == 2 * (len(LOCAL_DATASETS) + 1)
    for name in LOCAL_DATASETS:
        header = (tmp_path / "t" / f"{name}.csv").read_text().strip().split(",")
        assert header == [c.header for c in load_schema(name).columns]
        guide = (tmp_path / "t" / f"{name}.md").read_text()
        assert guide.startswith(f"# {load_schema(name).title}")
    # the improvement actions template carries the actions' history
    header = (tmp_path / "t" / "improvement_actions.csv").read_text().strip().split(",")
    assert {"Date created", "Due date", "Date completed"} <= set(header)
    guide = (tmp_path / "t" / "improvement_actions.md").read_text()
    assert "date (planned: may be after today)" in guide  # the due date
    rows = [ln for ln in guide.splitlines() if ln.startswith("| `")]
    assert len(rows) == len(load_schema("improvement_actions").columns)
    assert all(ln.endswith("|") for ln in rows)  # one line per column, even folded text
    # a template read back is an empty, valid table
    t = read_table(tmp_path / "t" / "contacts.csv", "contacts")
    assert t.rows_read == 0 and t.missing_columns == []
    assert not list((tmp_path / "t").glob(".*.tmp"))


def test_templates_cli(tmp_path, capsys):
    from pmf_lib.cli import main

    assert main(["templates", "--out", str(tmp_path / "x")]) == 0
    assert (tmp_path / "x" / "improvement_actions.md").is_file()
    assert "templates written" in capsys.readouterr().out


def test_each_cell_is_parsed_as_it_would_be_alone_though_parsed_once_per_column():
    # frame_from_rows parses each distinct cell of a column once (_CellMemo). A
    # repeated date, a repeated code and cells equal in Python but not the same
    # value (1, 1.0, True in an xlsx int column) must each read as parse_value
    # reads it alone: 1 and 1.0 -> 1; True -> missing (a flag is not a number).
    from pmf_lib.read.local import frame_from_rows, parse_value, schema_from_dict

    schema = schema_from_dict(
        {
            "name": "t",
            "columns": {
                "id": {"required": True},
                "when": {"type": "date"},
                "n": {"type": "int"},
                "sex": {"type": "code", "codes": {"M": "Male", "F": "Female"}},
            },
        }
    )
    rows = [
        ["id", "when", "n", "sex"],
        ["a", "03/02/2024", 1, "male"],
        ["b", "03/02/2024", 1.0, "Male"],
        ["c", " 03/02/2024", True, "male"],
        ["", " ", None, "\xa0"],  # blank: skipped and counted
        ["d", "31/02/2024", "x", "other"],
    ]
    t = frame_from_rows(rows, schema, file="t.csv", source="t")
    assert t.blank_rows == 1 and t.data["row"].tolist() == [2, 3, 4, 6]
    for i, row in enumerate(rows[1:4] + rows[5:]):
        for pos, name in enumerate(["id", "when", "n", "sex"]):
            alone = parse_value(schema.column(name), row[pos])
            got = t.data.loc[i, name]
            assert (got is pd.NA or got is pd.NaT) if alone is None else got == alone, (i, name)
    assert t.data["n"].tolist() == [1, 1, pd.NA, pd.NA]
    assert t.data["sex"].tolist() == ["M", "M", "M", pd.NA]
    # raw keeps each value as sent (stripped), the unparseable ones included
    assert t.raw["when"].tolist() == ["03/02/2024"] * 3 + ["31/02/2024"]
    assert t.raw["n"].tolist() == ["1", "1", "True", "x"]
