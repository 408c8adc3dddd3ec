"""The EES column table: the shipped data file, its checks and its packaging."""

from __future__ import annotations

import fnmatch
import tomllib

import pytest
from pydantic import ValidationError

from pmf_lib.errors import PmfError
from pmf_lib.read.benchmarks.columns import (
    EES_COLUMNS,
    EES_COLUMNS_FILE,
    EES_PREFIXES,
    EesColumn,
    load_ees_columns,
)
from pmf_lib.read.benchmarks.values import read_published_csv
from tests.conftest import ROOT, need_shared

ENTRY = (
    "    - column: rereferral_percent\n"
    "      code: ReReferral\n"
    "      title: Re-referrals (%)\n"
    "      polarity: Low\n"
    "      unit: '% of referrals'\n"
    "      year_type: Financial Year\n"
)


def _table(tmp_path, text):
    p = tmp_path / "ees_columns.yaml"
    p.write_text(text)
    return p


def test_shipped_table_is_the_package_data_file():
    assert EES_COLUMNS_FILE.parent == ROOT / "pmf_lib" / "read" / "benchmarks"
    assert load_ees_columns() == EES_COLUMNS
    # an installed pmf carries the file: pyproject's package data for pmf_lib matches it
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = cfg["tool"]["setuptools"]["package-data"]["pmf_lib"]
    rel = EES_COLUMNS_FILE.relative_to(ROOT / "pmf_lib").as_posix()
    assert any(fnmatch.fnmatch(rel, g) for g in globs), (rel, globs)


def test_shipped_table_entries():
    assert len(EES_COLUMNS) == 36
    assert EES_PREFIXES == (
        "b1_",
        "c1_",
        "d3_",
        "d5_",
        "cla_number_and_rate",
        "csww_indicators",
        "la_cla_placement_stability",
    )
    by_code = {c.code: c for c in EES_COLUMNS}
    assert len(by_code) == len(EES_COLUMNS)  # no code twice anywhere
    # a filter shared by an anchor in the file reaches both of its entries
    assert (
        by_code["LAC"].where
        == by_code["LACnum"].where
        == (("population_type", "Children looked after on 31 March each year"),)
    )
    assert by_code["LAC_LongStable%"].where[0][0] == "cla_group"
    assert [c.polarity for c in EES_COLUMNS if c.polarity != "-"].count("High") == 2


def test_a_minimal_table_loads_with_its_file_prefix(tmp_path):
    p = _table(tmp_path, "files:\n  c1_:\n" + ENTRY + "      where: {a: b, c: d}\n")
    assert load_ees_columns(p) == (
        EesColumn(
            file="c1_",
            column="rereferral_percent",
            code="ReReferral",
            title="Re-referrals (%)",
            polarity="Low",
            unit="% of referrals",
            year_type="Financial Year",
            where=(("a", "b"), ("c", "d")),
        ),
    )


@pytest.mark.parametrize(
    "change, field, words",
    [
        (("polarity: Low", "polarity: Up"), "files.c1_.0.polarity", "High, Low or '-'"),
        # a year type year_end does not know would end every year on 31 March unnoticed
        (("Financial Year", "Fiscal Year"), "files.c1_.0.year_type", "unknown year_type"),
        (("      unit: '% of referrals'\n", ""), "files.c1_.0.unit", "required key is missing"),
        (("code: ReReferral", "code: ''"), "files.c1_.0.code", "at least 1 character"),
        (("Year\n", "Year\n      note: x\n"), "files.c1_.0.note", "unknown key"),
        (("code: ReReferral", "code: 2025"), "files.c1_.0.code", "valid string"),
    ],
)
def test_a_bad_entry_is_one_error_naming_file_and_key(tmp_path, change, field, words):
    p = _table(tmp_path, ("files:\n  c1_:\n" + ENTRY).replace(*change))
    with pytest.raises(PmfError) as e:
        load_ees_columns(p)
    assert e.value.file == str(p) and e.value.field == field
    assert words in e.value.message


def test_a_code_twice_for_one_file_is_an_error(tmp_path):
    # two columns giving one code would collide on every area and year at import
    p = _table(tmp_path, "files:\n  c1_:\n" + ENTRY + ENTRY.replace("rereferral_percent", "x"))
    with pytest.raises(PmfError, match="ReReferral given twice for file 'c1_'"):
        load_ees_columns(p)
    # the same code from two files is allowed (ees_measures keeps it once)
    p = _table(tmp_path, "files:\n  c1_:\n" + ENTRY + "  c2_:\n" + ENTRY)
    assert [c.file for c in load_ees_columns(p)] == ["c1_", "c2_"]


@pytest.mark.parametrize(
    "text, words",
    [
        ("files:\n  c1_: []\n", "lists no columns"),
        ("columns: []\n", "required key is missing"),
        ("files: [\n", "not valid YAML"),
    ],
)
def test_a_bad_table_file(tmp_path, text, words):
    with pytest.raises(PmfError, match=words):
        load_ees_columns(_table(tmp_path, text))


def test_a_column_is_immutable_and_hashable():
    with pytest.raises(ValidationError, match="frozen"):
        EES_COLUMNS[0].code = "X"  # type: ignore[misc]
    assert len(set(EES_COLUMNS)) == len(EES_COLUMNS)


def test_every_shipped_column_and_filter_is_in_the_real_files():
    src = need_shared("data", "benchmarks_dfe")
    for prefix in EES_PREFIXES:
        (path,) = [p for p in src.glob("*.csv") if p.name.startswith(prefix)]
        d = read_published_csv(path)
        for c in (c for c in EES_COLUMNS if c.file == prefix):
            assert c.column in d.columns, (path.name, c.column)
            rows = d
            for col, value in c.where:
                rows = rows[rows[col].str.strip() == value]
            assert len(rows) > 0, (path.name, c.code, c.where)
