"""Benchmark areas: region names to LAIT numbers, levels, successor councils."""

from __future__ import annotations

import pytest

from pmf_lib.errors import PmfError
from pmf_lib.read.benchmarks.areas import (
    REGION_CODES,
    REGION_NAMES,
    level_of,
    region_code,
    successor_of,
)


@pytest.mark.parametrize(
    "name, code",
    [
        # EES spells Inner London "Inner London"; LAIT "London (Inner)": both are 987
        ("Inner London", 987),
        ("London (Inner)", 987),
        ("OUTER LONDON", 988),
        (" south east ", 989),
        ("London", 986),
    ],
)
def test_region_names_any_case_either_london_spelling(name, code):
    assert region_code(name, file="f.csv", location="row 2") == code


def test_unknown_region_names_file_row_and_field():
    with pytest.raises(PmfError) as e:
        region_code("Greater Wessex", file="f.csv", location="row 9")
    assert str(e.value) == "f.csv, row 9, field region_name: unknown region 'Greater Wessex'"


def test_every_region_number_has_one_name_and_a_spelling():
    # each of LAIT's eleven region numbers (980-990) is reachable from a name and named
    assert sorted(set(REGION_CODES.values())) == list(range(980, 991)) == sorted(REGION_NAMES)
    assert all(region_code(REGION_NAMES[c], file="f", location="r") == c for c in REGION_NAMES)


@pytest.mark.parametrize(
    "code, level", [(970, "England"), (980, "Region"), (990, "Region"), (938, "LA"), (991, "LA")]
)
def test_level_of(code, level):
    assert level_of(code) == level


def test_successors_and_their_predecessors():
    # North (940) and West (941) Northamptonshire replaced Northamptonshire (928) in 2021;
    # Cumberland (942) and Westmorland and Furness (943) replaced Cumbria (909) in 2023
    assert [successor_of(c).predecessor for c in (940, 941, 942, 943)] == [928, 928, 909, 909]
    assert str(successor_of(942).effective) == "2023-04-01"
    # a predecessor, or a council never reorganised, is nobody's successor
    assert successor_of(928) is None and successor_of(938) is None
