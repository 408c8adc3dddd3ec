"""The workforce development snapshot read against its schema: a council's own headings
and values, a required column missing (one line naming file, row and field), a bad cell
kept for validation, the template."""

from __future__ import annotations

import pandas as pd
import pytest

from pmf_lib.errors import PmfError
from pmf_lib.read.local import LOCAL_DATASETS, read_local, read_table, write_templates
from pmf_lib.validate.schema import table_issues

EXPORT = (
    # an HR/L&D export with its own headings: staff number, ASYE outcome, caseload, ...
    "Month,Staff number,Team,Role,Start date,ASYE outcome,ASYE start date,"
    "ASYE completion date,Mandatory training due,Mandatory training completed,"
    "Last supervision,Caseload\n"
    "31/03/2025,E1,Duty,Senior Practitioner,2020-01-01,,,,6,6,2025-03-20,18\n"
    "31/03/2025,E2,Duty,Newly qualified social worker,2024-09-02,In progress,2024-09-02,,"
    "6,5,2025-03-03,lots\n"
    "31/03/2025,E3,Duty,Team Manager,2019-05-01,Passed,2018-09-01,2019-09-01,7,7,,0\n"
)


def test_a_councils_export_reads_with_its_own_headings_and_values(tmp_path):
    p = tmp_path / "wd.csv"
    p.write_text(EXPORT)
    t = read_local("workforce_development", p)[0]
    d = t.data
    assert d["worker_id"].tolist() == ["E1", "E2", "E3"]
    assert d["role"].tolist() == ["senior_practitioner", "social_worker", "team_manager"]
    # "In progress" -> in_programme, "Passed" -> completed, blank -> not an ASYE
    assert d["asye_status"].tolist()[1:] == ["in_programme", "completed"]
    assert pd.isna(d.loc[0, "asye_status"])
    assert d.loc[2, "asye_end_date"] == pd.Timestamp("2019-09-01")
    assert d.loc[0, "month"] == pd.Timestamp("2025-03-31")
    assert d.loc[0, "last_supervision_date"] == pd.Timestamp("2025-03-20")
    assert d["training_due"].tolist() == [6, 6, 7]
    # no leaving date column in this export: listed as absent, not read as "nobody left"
    assert t.absent_columns == ["leaving_date"]
    assert t.source == "local/workforce_development"


def test_a_bad_cell_is_kept_for_validation_naming_row_and_field(tmp_path):
    p = tmp_path / "wd.csv"
    p.write_text(EXPORT)
    t = read_table(p, "workforce_development")
    # 'lots' cases: missing in data, as sent in raw, and one issue naming row 3 (the file's
    # third line: header is row 1) and the field
    assert pd.isna(t.data.loc[1, "cases_held"]) and t.raw.loc[1, "cases_held"] == "lots"
    issues = table_issues(t, pd.Timestamp("2025-03-31"))
    assert [(i["file"], i["row_or_element"], i["field"], i["rule"]) for i in issues] == [
        (str(p), "row 3", "cases_held", "S05")
    ]


def test_a_file_without_a_required_column_is_refused_in_one_line(tmp_path):
    p = tmp_path / "wd.csv"
    p.write_text(
        "Month,Worker ID,Team,Mandatory training due,Mandatory training completed\n"
        "2025-03-31,E1,Duty,6,6\n"
    )
    # no 'Cases held': every caseload KPI would read 0 case holders -> refused
    with pytest.raises(PmfError) as e:
        read_local("workforce_development", p)
    assert str(e.value) == f"{p}, header, field cases_held: required column 'Cases held' is missing"
    assert "\n" not in str(e.value)


def test_a_file_that_is_not_a_table_is_refused_naming_it(tmp_path):
    p = tmp_path / "wd.csv"
    p.write_bytes(b"\x00\x01\x02PK")
    with pytest.raises(PmfError) as e:
        read_local("workforce_development", p)
    assert e.value.file == str(p) and "binary" in str(e.value)


def test_it_is_a_local_dataset_with_a_template(tmp_path):
    assert "workforce_development" in LOCAL_DATASETS
    csv, guide = write_templates(tmp_path, ["workforce_development"])
    assert csv.read_text().splitlines()[0].startswith("Month,Worker ID,Team,Role,")
    assert "never a name" in guide.read_text()
