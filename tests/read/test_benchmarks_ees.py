"""EES CSVs and the ONS population in their layout: geography, filters and bad rows."""

from __future__ import annotations

import pytest

from pmf_lib.errors import PmfError
from pmf_lib.read.benchmarks.columns import EesColumn
from pmf_lib.read.benchmarks.ees import ees_measures, read_ees_csv, read_ons_population

GEO = "time_period,geographic_level,region_name,old_la_code,la_name"
COL = EesColumn(
    file="x_",
    column="n",
    code="X",
    title="X (num)",
    polarity="-",
    unit="Number",
    year_type="Annual (end of Sept)",
)


def _csv(tmp_path, body, name="x_file.csv", extra=",n"):
    p = tmp_path / name
    p.write_text(GEO + extra + "\n" + body)
    return p


def test_other_levels_are_left_out_and_regions_are_named_as_lait(tmp_path):
    p = _csv(
        tmp_path,
        "2025,Regional,London (Outer),,,7\n"
        "2025,Local authority district,South East,,Crawley,8\n"  # not a level imported
        "2025,National,,,,9\n",
    )
    v = read_ees_csv(p, [COL]).set_index("la_code")
    assert v.index.tolist() == [970, 988]
    assert v.loc[988, "name"] == "London (Outer)" and v.loc[988, "region"] == "London (Outer)"
    assert v.loc[970, "name"] == "England" and v.loc[970, "region"] is None
    assert str(v.loc[970, "year_end"].date()) == "2025-09-30"
    assert set(v["source"]) == {"x_file"}  # the file's stem


@pytest.mark.parametrize(
    "row, where",
    [
        ("2025,Regional,Wessex,,,7\n", "row 2, field region_name: unknown region 'Wessex'"),
        ("2025,Local authority,South East,938a,West Sussex,7\n", "row 2, field old_la_code"),
        ("2025,Local authority,South East,,West Sussex,7\n", "row 2, field old_la_code"),
    ],
)
def test_bad_geography_names_file_row_and_field(tmp_path, row, where):
    with pytest.raises(PmfError, match=where):
        read_ees_csv(_csv(tmp_path, row), [COL])


def test_a_joint_row_whose_names_do_not_split_keeps_the_whole_name(tmp_path):
    # two LA numbers but one name: each council is given the joint name, whole
    p = _csv(tmp_path, "2025,Local authority,East Midlands,940 / 941,Northamptonshire Trust,3\n")
    v = read_ees_csv(p, [COL])
    assert v["la_code"].tolist() == [940, 941]
    assert v["name"].tolist() == ["Northamptonshire Trust"] * 2
    assert v["value"].tolist() == [3.0, 3.0]


def test_a_filter_matching_no_rows_gives_no_figures(tmp_path):
    col = COL.model_copy(update={"where": (("kind", "wanted"),)})
    p = _csv(tmp_path, "2025,National,,,,9,other\n", extra=",n,kind")
    v = read_ees_csv(p, [col])
    assert v.empty and list(v.columns)[:2] == ["measure", "year"]


def test_a_file_no_column_is_mapped_for(tmp_path):
    p = _csv(tmp_path, "2025,National,,,,9\n", name="zz_unknown.csv")
    with pytest.raises(PmfError, match="no columns of this file are mapped"):
        read_ees_csv(p)


def test_a_figure_twice_is_an_error(tmp_path):
    p = _csv(tmp_path, "2025,National,,,,9\n2025,National,,,,10\n")
    with pytest.raises(PmfError, match="measure X year 2025 is given more than once for LA 970"):
        read_ees_csv(p, [COL])


def test_ees_measures_once_per_code_with_the_source_table():
    m = ees_measures([COL, COL.model_copy(update={"file": "y_"})])
    assert m["code"].tolist() == ["X"]  # the first file's entry
    assert m.loc[0, "source_table"] == "x" and m.loc[0, "source"] == "EES"
    assert m.loc[0, "topic"] == "Explore Education Statistics"


ONS = GEO + ",age_group,population_estimate\n"
AGE = "Children aged 0 to 17 years"


@pytest.mark.parametrize(
    "row, words",
    [
        (f"2024,Regional,Wessex,,,{AGE},5\n", "row 2, field region_name: unknown region"),
        (f"2024,Local authority,South East,93x,W,{AGE},5\n", "row 2, field old_la_code"),
        (f"mid-2024,National,,,,{AGE},5\n", "row 2, field time_period: not a year"),
        (f"2024,National,,,,{AGE},many\n", "row 2, field population_estimate"),
    ],
)
def test_ons_population_bad_rows(tmp_path, row, words):
    p = tmp_path / "ons.csv"
    p.write_text(ONS + row)
    with pytest.raises(PmfError, match=words):
        read_ons_population(p)


def test_ons_population_other_levels_ages_and_duplicates(tmp_path):
    p = tmp_path / "ons.csv"
    p.write_text(
        ONS
        + f"2024,National,,,,{AGE},100\n"
        + "2024,National,,,,Children aged 0 to 4 years,30\n"  # another age group: left out
        + f"2024,Local authority district,South East,,Crawley,{AGE},5\n"  # another level
    )
    assert read_ons_population(p)[["year", "la_code", "children"]].to_dict("records") == [
        {"year": 2024, "la_code": 970, "children": 100.0}
    ]
    p.write_text(ONS + f"2024,National,,,,{AGE},100\n2024,National,,,,{AGE},101\n")
    with pytest.raises(PmfError, match="year 2024 is given more than once for England"):
        read_ons_population(p)
    p.write_text(ONS + "2024,National,,,,Children aged 0 to 4 years,30\n")
    with pytest.raises(PmfError, match="no rows for 'Children aged 0 to 17 years'"):
        read_ons_population(p)
