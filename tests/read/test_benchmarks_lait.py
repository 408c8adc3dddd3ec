"""LAIT readers: the dictionary's columns and values, the long data set's rows and areas."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from pmf_lib.errors import PmfError
from pmf_lib.read.benchmarks.lait import CSC_TOPICS, read_lait_dictionary, read_lait_long

HEADER = (
    "Measure_code,Topic,Measure,Chart_title,Measure_short,Polarity,y_axis_name,"
    "Table_status,Year_Type,No_Quartile,dps\n"
)


def _long(path, rows):
    cols = ["Short Desc", "Data item", "Years", "LA and Regions", "Values", "LA Number", "Region"]
    pd.DataFrame(rows, columns=cols).to_parquet(path)
    return path


def test_dictionary_titles_polarity_and_dps(tmp_path):
    p = tmp_path / "lait_data_dictionary.csv"
    p.write_text(
        HEADER
        # no chart title: the measure's name is the title; polarity "Neutral" is neither way
        + "1,Children Looked After,Children looked after,,LAC, Neutral ,Rate,cla,Annual,,0\n"
        # a code with spaces around it is the code; dps not a number is missing
        + "2,Adoption,Adopted,Adopted (%), A1 ,High,%,adopt,Financial Year,n,x\n"
        # no code: left out
        + "3,Adoption,Nothing,Nothing,,High,%,adopt,Financial Year,,1\n"
    )
    m = read_lait_dictionary(p).set_index("code")
    assert m.index.tolist() == ["A1", "LAC"]
    assert m.loc["LAC", "title"] == "Children looked after"
    assert m.loc["LAC", "polarity"] == "-" and m.loc["A1", "polarity"] == "High"
    assert m.loc["LAC", "dps"] == 0 and math.isnan(m.loc["A1", "dps"])
    assert bool(m.loc["A1", "no_quartile"]) is True  # "n" in any case means no quartiles
    assert set(m["source"]) == {"LAIT"}


def test_dictionary_topics_can_be_chosen(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text(HEADER + "1,Key Stage 2,KS2,KS2,KS2_RWM,High,%,ks2,Academic Year,,1\n")
    assert read_lait_dictionary(p).empty  # not a children's social care topic
    assert "Key Stage 2" not in CSC_TOPICS
    assert read_lait_dictionary(p, topics=["Key Stage 2"])["code"].tolist() == ["KS2_RWM"]


def test_dictionary_without_its_columns_names_them(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("Topic,Measure\nAdoption,x\n")
    with pytest.raises(PmfError, match=r"row 1: missing column\(s\) Chart_title, Measure_short"):
        read_lait_dictionary(p)


def test_long_rows_without_a_year_go_and_a_missing_la_number_is_an_error(tmp_path):
    m = pd.DataFrame([{"code": "CIN", "year_type": "Annual"}])
    rows = [
        ["CIN", "x", "2025", "England", "330.3", 970.0, "NA"],
        ["CIN", "x", None, "Kent", "5", 886.0, "South East"],  # LAIT leaves these out too
        ["CIN", "x", "2025", "Inner London", "400", 987.0, "NA"],
        ["CIN", "x", "2025", "Camden", "350", 202.0, "Inner London"],
    ]
    v = read_lait_long(_long(tmp_path / "bds_long.parquet", rows), m).set_index("la_code")
    assert v.index.tolist() == [202, 970, 987]
    # a region's region is itself; England has none; a council keeps LAIT's region
    assert v.loc[987, "region"] == "Inner London" and v.loc[970, "region"] is None
    assert v.loc[202, "region"] == "Inner London" and v.loc[202, "level"] == "LA"
    rows.append(["CIN", "x", "2025", "Nowhere", "1", None, "NA"])  # row 5 of the file
    with pytest.raises(PmfError, match=r"row 5, field LA Number: missing LA number"):
        read_lait_long(_long(tmp_path / "bds_long.parquet", rows), m)


def test_long_bad_rows_are_named_by_their_row_in_the_file(tmp_path):
    m = pd.DataFrame([{"code": "CIN", "year_type": "Annual"}])
    rows = [
        ["KS2", "x", "2025", "Kent", "60", 886.0, "South East"],  # another topic: row 1
        ["CIN", "x", None, "Kent", "5", 886.0, "South East"],  # no year: row 2
        ["CIN", "x", "2025", "Kent", "five", 886.0, "South East"],  # row 3
    ]
    # rows left out before the figures are read still count: the bad figure is row 3
    with pytest.raises(PmfError, match=r"row 3, field Values"):
        read_lait_long(_long(tmp_path / "bds_long.parquet", rows), m)
    rows[0] = ["CIN", "x", "2025", "Kent", "6", None, "South East"]
    with pytest.raises(PmfError, match=r"row 1, field LA Number"):
        read_lait_long(_long(tmp_path / "bds_long.parquet", rows), m)


def test_long_that_is_not_parquet(tmp_path):
    p = tmp_path / "bds_long.parquet"
    p.write_text("not parquet")
    with pytest.raises(PmfError, match="cannot read the LAIT long data set"):
        read_lait_long(p, pd.DataFrame(columns=["code", "year_type"]))
