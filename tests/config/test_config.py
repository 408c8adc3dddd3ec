"""parameters/config.yaml is validated on load: every problem is one clear PmfError."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmf_lib.config import load_config
from pmf_lib.errors import PmfError
from tests.conftest import ROOT

GOOD = """\
council: {code: 938, name: Demo}
data:
  ssda903: d903
  cin_census: cin/*.xml
  population: pop.csv
areas:
  front_door: {title: Front door, kpis: [referrals_count]}
"""


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    (tmp_path / "d903").mkdir()
    (tmp_path / "d903" / "episodes.csv").write_text("CHILD,DECOM\n")
    (tmp_path / "cin").mkdir()
    (tmp_path / "cin" / "a.xml").write_text("<Message/>")
    (tmp_path / "pop.csv").write_text("x\n")
    return tmp_path


def write(d: Path, text: str) -> Path:
    p = d / "config.yaml"
    p.write_text(text)
    return p


def test_good_config_resolves_paths_against_its_directory(config_dir):
    c = load_config(write(config_dir, GOOD))
    assert c.council.code == 938
    assert c.files("ssda903") == [config_dir / "d903" / "episodes.csv"]
    assert c.files("cin_census") == [config_dir / "cin" / "a.xml"]
    assert c.population_file == config_dir / "pop.csv"
    assert c.audience == "internal"


@pytest.mark.parametrize(
    "text,field,words",
    [
        (GOOD + "colour: blue\n", "colour", "unknown key"),
        (GOOD.replace("name: Demo", "name: Demo, nmae: x"), "council.nmae", "unknown key"),
        (GOOD.replace("code: 938", "code: nine"), "council.code", "integer"),
        (GOOD.replace("  population: pop.csv\n", ""), "data.population", "missing"),
        (GOOD + "audience: everyone\n", "audience", "internal"),
        (GOOD.replace("kpis: [referrals_count]", "kpis: []"), "areas.front_door.kpis", "least 1"),
    ],
)
def test_bad_key_or_type_names_the_key(config_dir, text, field, words):
    path = write(config_dir, text)
    with pytest.raises(PmfError) as e:
        load_config(path)
    assert e.value.field == field
    assert e.value.file == str(path)
    assert words in str(e.value)


def test_missing_data_file_names_the_key(config_dir):
    path = write(config_dir, GOOD.replace("pop.csv", "nowhere.csv"))
    with pytest.raises(PmfError) as e:
        load_config(path)
    assert e.value.field == "data.population"
    assert "nowhere.csv" in str(e.value)


def test_glob_matching_nothing_is_an_error(config_dir):
    path = write(config_dir, GOOD.replace("cin/*.xml", "cin/*.XMLX"))
    with pytest.raises(PmfError, match="no files match") as e:
        load_config(path)
    assert e.value.field == "data.cin_census"


def test_invalid_yaml_names_the_line(config_dir):
    path = write(config_dir, GOOD + "areas: [\n")
    with pytest.raises(PmfError) as e:
        load_config(path)
    assert "not valid YAML" in str(e.value)
    assert e.value.location and e.value.location.startswith("line ")


def test_missing_config_file(tmp_path):
    with pytest.raises(PmfError, match="config file not found"):
        load_config(tmp_path / "absent.yaml")


def test_shipped_config_is_valid_without_data():
    c = load_config(ROOT / "parameters" / "config.yaml", check_files=False)
    assert c.council.code == 938
    assert set(c.areas) >= {"front_door", "assessment", "protection", "children_looked_after"}
