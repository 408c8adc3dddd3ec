"""The voice datasets' schemas (issue 16): templates, councils' headings, malformed files."""

from __future__ import annotations

import pytest

from pmf_lib.errors import PmfError
from pmf_lib.read.local import LOCAL_DATASETS, read_local, read_table, write_templates
from pmf_lib.validate import read_other_sources, validate

VOICE = ("survey_responses", "momo_statements", "participation_events")


def test_voice_datasets_are_local_datasets_with_templates_and_guides(tmp_path):
    assert set(VOICE) <= set(LOCAL_DATASETS)
    names = [p.name for p in write_templates(tmp_path, VOICE)]
    assert names == [f"{n}.{ext}" for n in VOICE for ext in ("csv", "md")]
    assert (tmp_path / "momo_statements.csv").read_text().strip() == (
        "Statement ID,Child ID,Topic,Date received,Date responded,Team"
    )
    guide = (tmp_path / "survey_responses.md").read_text()
    assert "`child_in_care`, `care_leaver`, `parent`" in guide and "Publish comment" in guide


def test_a_councils_own_headings_and_labels_are_understood(tmp_path):
    p = tmp_path / "survey.csv"
    p.write_text(
        "Questionnaire ID,Survey name,Item no,Question text,Response,Counts as positive,"
        "Respondent,Date completed,Comments,Consent to publish\n"
        "Q1,Bright Spots,BS01,Do you feel safe?,All or most of the time,Y,Looked after child,"
        "03/02/2025,I feel safe,Y\n"
    )
    t = read_table(p, "survey_responses")
    row = t.data.iloc[0]
    assert (row["response_id"], row["survey"], row["question_id"], row["answer"]) == (
        "Q1",
        "bright_spots",
        "BS01",
        "All or most of the time",
    )
    assert (row["positive"], row["respondent_group"], row["publish"]) == (
        "yes",
        "child_in_care",
        "yes",
    )
    assert str(row["response_date"].date()) == "2025-02-03" and t.missing_columns == []


@pytest.mark.parametrize(
    "name, text, field, header",
    [
        # no "Positive" column: every answer would read as not positive -> refused
        (
            "survey_responses",
            "Response ID,Survey,Question ID,Question,Answer,Respondent group,Date\n",
            "positive",
            "Positive",
        ),
        (
            "momo_statements",
            "Statement ID,Topic,Date responded\n",
            "received_date",
            "Date received",
        ),
        ("participation_events", "Event ID,Event,Date,Group\n", "attendees", "Attendees"),
    ],
)
def test_a_file_without_a_required_column_is_refused_in_one_line(
    tmp_path, name, text, field, header
):
    p = tmp_path / f"{name}.csv"
    p.write_text(text + "x,y,2025-01-01,z,1,2,2025-01-01\n")
    with pytest.raises(PmfError) as e:
        read_local(name, p)
    assert str(e.value) == f"{p}, header, field {field}: required column '{header}' is missing"


def test_bad_values_are_reported_by_file_row_and_field(tmp_path):
    d = tmp_path / "local"
    d.mkdir()
    (d / "survey_responses.csv").write_text(
        "Response ID,Survey,Question ID,Question,Answer,Positive,Respondent group,Date\n"
        "R1,bright_spots,BS01,Q?,Yes,yes,child_in_care,2025-02-01\n"
        "R1,bright_spots,BS02,Q?,Yes,perhaps,child_in_care,2025-02-01\n"  # row 3: S03 positive
    )
    (d / "momo_statements.csv").write_text(
        "Statement ID,Topic,Date received,Date responded\n"
        "M1,meeting,31/02/2025,\n"  # row 2: no 31 February -> S04 received_date
        "M2,problem,2025-03-05,2025-03-04\n"  # row 3: answered the day before: L16
    )
    (d / "participation_events.csv").write_text(
        "Event ID,Event,Date,Group,Attendees\n"
        "E1,CiCC,2025-02-01,child_in_care,12\n"
        "E2,CiCC,2025-03-01,child_in_care,about ten\n"  # row 3: S05 attendees (not a number)
    )
    issues = validate(read_other_sources(local=d), as_of="2025-06-30")
    got = {
        (s.removeprefix("local/"), r, f)
        for s, r, f, rule in zip(
            issues["source"],
            issues["row_or_element"],
            issues["field"],
            issues["rule"],
            strict=True,
        )
        if rule in ("S03", "S04", "S05", "L16")
    }
    assert got == {
        ("survey_responses", "row 3", "positive"),
        ("momo_statements", "row 2", "received_date"),
        ("momo_statements", "row 3", "received_date,response_date"),
        ("participation_events", "row 3", "attendees"),
    }
    files = set(issues.loc[issues["rule"].isin(["S03", "S04", "S05"]), "file"])
    assert files == {str(d / f"{n}.csv") for n in VOICE}
