"""Benchmark figures: vectorised parsing with row numbers, published CSVs, uniqueness."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pmf_lib.errors import PmfError
from pmf_lib.read.benchmarks.values import (
    VALUE_COLUMNS,
    check_unique,
    parse_series,
    read_published_csv,
    require_columns,
    tidy_values,
    year_end,
)


def test_parse_series_agrees_with_the_scalar_rules():
    raw = pd.Series(["12.5", "1,234", " c ", "LOW", "", "-", "0"])
    values, supp = parse_series(raw, file="f.csv", field="v")
    # numbers (commas allowed) are numbers; codes are NaN with the code kept, lower case;
    # a blank is NaN with the code "" (blank); a published 0 stays 0
    assert values[:2].tolist() == [12.5, 1234.0] and values[-1] == 0.0
    assert np.isnan(values[2:6]).all()
    assert supp.tolist() == [None, None, "c", "low", "", "-", None]


def test_parse_series_names_the_file_row_of_the_first_bad_value():
    raw = pd.Series(["1", "2", "n/a", "??"])
    # by default a value's row is its position + 2 (a header, then rows from 1)
    with pytest.raises(PmfError) as e:
        parse_series(raw, file="f.csv", field="rate")
    assert str(e.value).startswith("f.csv, row 4, field rate: not a number")
    # a file's own row numbers (rows filtered out before) are used when given
    with pytest.raises(PmfError, match="row 31, field rate"):
        parse_series(raw, file="f.csv", field="rate", rows=[10, 20, 31, 40])


@pytest.mark.parametrize("label", ["", "n/a", "25", "Financial year"])
def test_year_end_of_a_label_without_a_year_is_missing(label):
    assert year_end(label, "Financial Year") is pd.NaT


def test_unknown_year_type_ends_on_31_march():
    assert year_end("2025", "Fiscal quarter") == pd.Timestamp("2025-03-31")


def test_published_csv_decoding_and_errors(tmp_path):
    p = tmp_path / "f.csv"
    # Windows-1252 text (an en dash) is decoded; every value stays text, "NA" too
    p.write_bytes("la_name,value\nBrighton \u2013 Hove,NA\n".encode("cp1252"))
    assert read_published_csv(p).to_dict("records") == [
        {"la_name": "Brighton \u2013 Hove", "value": "NA"}
    ]
    p.write_text('a,b\n"1,2\n')  # an unclosed quote
    with pytest.raises(PmfError, match="cannot read the dictionary"):
        read_published_csv(p, "the dictionary")
    p.write_bytes(b"")
    with pytest.raises(PmfError) as e:
        read_published_csv(p)
    assert str(e.value).startswith(str(p))


def test_require_columns_names_all_missing():
    with pytest.raises(PmfError, match=r"row 1: missing column\(s\) x, y$"):
        require_columns(pd.DataFrame(columns=["a", "b"]), ["a", "x", "b", "y"], "f.csv")
    require_columns(pd.DataFrame(columns=["a", "b"]), ["b"], "f.csv")  # nothing missing


def test_check_unique_is_per_measure_year_and_area():
    v = pd.DataFrame(
        {"measure": ["LAC", "LAC", "LAC"], "year": ["2024", "2025", "2025"], "la_code": [938] * 3}
    )
    check_unique(v.iloc[:2], "f.csv")  # two years: fine
    check_unique(v.assign(la_code=[938, 938, 886]), "f.csv")  # two areas: fine
    with pytest.raises(PmfError, match="measure LAC year 2025 is given more than once for LA 938"):
        check_unique(v, "f.csv")


def test_tidy_values_orders_and_types():
    v = pd.DataFrame(
        {
            "measure": ["LAC", "CIN"],
            "year": ["2025", "2025"],
            "year_end": pd.to_datetime(["2025-03-31", "2025-03-31"]),
            "level": ["LA", "LA"],
            "la_code": [938.0, 938.0],
            "name": ["West Sussex", "West Sussex"],
            "region": [np.nan, "South East"],
            "value": [1, 2],
            "suppression": [None, None],
            "source": ["LAIT", "LAIT"],
            "extra": [1, 2],
        }
    )
    t = tidy_values(v)
    assert list(t.columns) == VALUE_COLUMNS  # the extra column goes
    assert t["measure"].tolist() == ["CIN", "LAC"]  # sorted by measure
    assert t["la_code"].dtype == "int64" and t["value"].dtype == "float64"
    assert str(t["year_end"].dtype) == "datetime64[s]"
    assert t.loc[1, "region"] is None and not isinstance(t.loc[1, "region"], float)
    assert not math.isnan(t.loc[0, "value"])
