"""The benchmark store: finding sources, import rules, save/load and a store's queries."""

from __future__ import annotations

import pandas as pd
import pytest

from pmf_lib.errors import PmfError
from pmf_lib.read.benchmarks.store import (
    SNAPSHOT_DIR,
    BenchmarkStore,
    find_sources,
    import_benchmarks,
    load_benchmarks,
    save_benchmarks,
)
from tests.conftest import ROOT


def _touch(d, *names):
    for n in names:
        (d / n).write_text("x")
    return d


def test_sources_found_by_their_published_names(tmp_path):
    _touch(
        tmp_path,
        "lait_bds_long_0.parquet",
        "lait_data_dictionary.csv",
        "b1_children_in_need_2013_to_2025.csv",
        "c3_factors_identified.csv",  # an EES file no column is mapped for
        "lait_sn_may_2025.xlsx",
        "sn_model_2025_wide.csv",
        "New_Statistical_Neighbour_Groupings_April_2021.csv",  # no "sn_", but the words
        "snapshot.csv",  # "sn" not followed by "_"
        "ons_mid-year_population_estimates_2012_to_2024.csv",
        "notes.txt",
    )
    src = find_sources(tmp_path)
    assert src.lait_long.name == "lait_bds_long_0.parquet"
    assert [p.name for p in src.ees] == ["b1_children_in_need_2013_to_2025.csv"]
    assert [p.name for p in src.sn] == [
        "New_Statistical_Neighbour_Groupings_April_2021.csv",
        "lait_sn_may_2025.xlsx",
        "sn_model_2025_wide.csv",
    ]
    assert src.population.name.startswith("ons_mid-year_population")
    assert len(src.all()) == 7 and "notes.txt" not in {p.name for p in src.all()}


def test_two_files_for_one_source_is_an_error(tmp_path):
    _touch(tmp_path, "a_data_dictionary.csv", "b_data_dictionary.csv")
    with pytest.raises(PmfError, match="more than one file matches"):
        find_sources(tmp_path)


@pytest.mark.parametrize(
    "names, words",
    [
        ((), "no LAIT long data set"),
        (("b1_x.csv",), "no statistical neighbour files"),
        (("bds_long_0.parquet", "sn_2025.csv"), "needs the LAIT data dictionary"),
    ],
)
def test_import_needs_its_files(tmp_path, names, words):
    with pytest.raises(PmfError, match=words):
        import_benchmarks(_touch(tmp_path, *names))


def test_load_names_the_missing_or_unreadable_table(tmp_path):
    with pytest.raises(PmfError, match="measures.parquet: benchmark store file missing"):
        load_benchmarks(tmp_path)
    shipped = load_benchmarks()
    out = save_benchmarks(shipped, tmp_path / "s", sources=[ROOT / "a.csv"])
    assert "* `a.csv`" in (out / "README.md").read_text()
    (out / "values.parquet").write_text("garbage")
    with pytest.raises(PmfError, match="values.parquet: cannot read the benchmark store"):
        load_benchmarks(out)


def test_the_snapshot_dir_is_in_the_package():
    assert SNAPSHOT_DIR == ROOT / "pmf_lib" / "data" / "benchmarks"
    assert (SNAPSHOT_DIR / "values.parquet").is_file()


def _store():
    values = pd.DataFrame(
        {
            "measure": "LAC",
            "year": ["2024", "2025", "2025"],
            "level": "LA",
            "la_code": [702, 702, 202],
            "name": ["Camden", "Camden (renamed)", "Other"],
            "region": ["Inner London", "London", "Outer London"],
            "value": [1.0, 2.0, 3.0],
            "source": ["LAIT", "LAIT", "LAIT"],
        }
    )
    neighbours = pd.DataFrame(
        {"la_code": [999], "la_name": ["Only in a neighbour list"], "region": ["South East"]}
    )
    measures = pd.DataFrame({"code": ["LAC"], "title": ["Children looked after"]})
    return BenchmarkStore(measures, values, neighbours, pd.DataFrame())


def test_store_queries():
    s = _store()
    assert s.measure("LAC")["title"] == "Children looked after"
    with pytest.raises(PmfError, match="unknown benchmark measure 'CIN'"):
        s.measure("CIN")
    # the latest published name; a council only in a neighbour list is named from it
    assert s.la_name(702) == "Camden (renamed)" and s.la_name(999) == "Only in a neighbour list"
    with pytest.raises(PmfError, match="no benchmark figures for LA 1"):
        s.la_name(1)
    # the most frequent region, from LAIT's rows (which split London Inner/Outer)
    assert s.la_region(202) == "Outer London" and s.la_region(999) == "South East"
    with pytest.raises(PmfError, match="no region known for LA 1"):
        s.la_region(1)
