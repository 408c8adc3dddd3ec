"""ONS population reader: the council's children aged 0-17 by year."""

from __future__ import annotations

import csv

import pytest

from pmf_lib.errors import PmfError
from pmf_lib.read.population import read_population
from tests.conftest import need_shared

HEAD = (
    "time_period,time_identifier,geographic_level,country_code,region_code,old_la_code,"
    "new_la_code,la_name,age_group,population_estimate\n"
)


def row(year, level, code, age, value):
    return f"{year},Reporting year,{level},E92000001,E12,{code},E06,Demo,{age},{value}\n"


AGE = "Children aged 0 to 17 years"


def test_council_rows_by_year(tmp_path):
    f = tmp_path / "pop.csv"
    f.write_text(
        HEAD
        + row(2024, "National", "", AGE, 12183016)
        + row(2024, "Regional", "", AGE, 542710)
        + row(2024, "Local authority", 938, AGE, 250100)
        + row(2023, "Local authority", 938, AGE, 249000)
        + row(2024, "Local authority", 938, "Children aged 0 to 4 years", 60000)
        + row(2024, "Local authority", 201, AGE, 847)
    )
    p = read_population(f, la_code=938)
    # Only the council's two 0-17 rows: 2023 -> 249,000 and 2024 -> 250,100.
    assert p.by_year.to_dict() == {2023: 249000, 2024: 250100}
    assert p.by_year.index.dtype == "int64"
    assert p.for_date("2025-03-31") == 250100.0


def test_council_not_in_file(tmp_path):
    f = tmp_path / "pop.csv"
    f.write_text(HEAD + row(2024, "Local authority", 201, AGE, 847))
    with pytest.raises(PmfError, match="council 938 is not in the file") as e:
        read_population(f, la_code=938)
    assert e.value.file == str(f)


def test_missing_column(tmp_path):
    f = tmp_path / "pop.csv"
    f.write_text("time_period,old_la_code,population_estimate\n2024,938,1\n")
    with pytest.raises(PmfError, match="required column missing") as e:
        read_population(f, la_code=938)
    assert e.value.field == "geographic_level" and e.value.location == "row 1"


def test_suppressed_estimate_names_the_row(tmp_path):
    f = tmp_path / "pop.csv"
    f.write_text(
        HEAD
        + row(2023, "Local authority", 938, AGE, 1000)
        + row(2024, "Local authority", 938, AGE, "c")
    )
    with pytest.raises(PmfError, match="not a population count: 'c'") as e:
        read_population(f, la_code=938)
    assert e.value.location == "row 3" and e.value.field == "population_estimate"


def test_conflicting_estimates_for_a_year(tmp_path):
    f = tmp_path / "pop.csv"
    f.write_text(
        HEAD
        + row(2024, "Local authority", 938, AGE, 1000)
        + row(2024, "Local authority", 938, AGE, 1001)
    )
    with pytest.raises(PmfError, match="two different 0-17 estimates"):
        read_population(f, la_code=938)


def test_empty_file(tmp_path):
    f = tmp_path / "pop.csv"
    f.write_text("")
    with pytest.raises(PmfError, match="empty"):
        read_population(f, la_code=938)


def test_shared_ons_file():
    f = need_shared("data", "benchmarks_dfe", "ons_mid-year_population_estimates_2012_to_2024.csv")
    p = read_population(f, la_code=938)
    assert list(p.by_year.index) == list(range(2012, 2025))
    with f.open(newline="") as fh:
        city = {
            int(r["time_period"]): int(r["population_estimate"])
            for r in csv.DictReader(fh)
            if r["old_la_code"] == "201" and r["geographic_level"] == "Local authority"
        }
    # Compared with a plain csv filter of the same file (City of London, 201).
    assert read_population(f, la_code=201).by_year.to_dict() == city
    assert city[2024] == 847
    with pytest.raises(PmfError, match="council 999 is not in the file"):
        read_population(f, la_code=999)


def test_both_readers_keep_the_same_age_groups(tmp_path):
    from pmf_lib.read.benchmarks import read_ons_population

    f = tmp_path / "pop.csv"
    f.write_text(
        "time_period,geographic_level,region_name,old_la_code,la_name,age_group,"
        "population_estimate\n"
        "2024,Local authority,South East,938,Demo,Children aged 0 to 17 years,250100\n"
        "2023,Local authority,South East,938,Demo,0-17,249000\n"  # the rule's other spelling
        "2024,Local authority,South East,938,Demo,Children aged 10 to 17 years,90000\n"
        "2024,Local authority,South East,938,Demo,Children aged 0 to 4 years,60000\n"
    )
    # Kept by the rule: 2024 (0 to 17) and 2023 (0-17); "10 to 17" and "0 to 4" are not 0-17.
    council = read_population(f, la_code=938).by_year.to_dict()
    bench = read_ons_population(f).set_index("year")["children"].to_dict()
    assert council == {2023: 249000, 2024: 250100}
    assert bench == {2023: 249000.0, 2024: 250100.0}
