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


# ---- issue 11: one error path for bad settings --------------------------------------
@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "cp1252"], ids=["utf8", "utf8-bom", "windows-1252"]
)
def test_config_in_any_council_encoding_is_read(config_dir, encoding):
    # "Brighton & Hove – Café" has an en dash and an é: bytes differ in each encoding.
    text = GOOD.replace("name: Demo", "name: Brighton & Hove – Café")
    (config_dir / "config.yaml").write_bytes(text.encode(encoding))
    assert load_config(config_dir / "config.yaml").council.name == "Brighton & Hove – Café"


@pytest.mark.parametrize(
    "value,reason",
    [("2022-13-01", "month must be in 1..12"), ("2024-02-30", "day is out of range for month")],
)
def test_impossible_yaml_date_names_file_line_and_key(config_dir, value, reason):
    # PyYAML raises ValueError (not YAMLError) building these dates: still one PmfError.
    p = write(config_dir, GOOD + f"spc:\n  rebase:\n    referrals_count: [{value}]\n")
    with pytest.raises(PmfError) as e:
        load_config(p)
    assert (e.value.file, e.value.location, e.value.field) == (
        str(p),
        "line 10",  # GOOD has 7 lines; spc: 8, rebase: 9, the date's line 10
        "spc.rebase.referrals_count[0]",
    )
    assert e.value.message == f"not a valid date: {value!r} ({reason})"


def test_alias_bomb_is_refused_at_once_naming_the_line(config_dir):
    # 9 aliases of 9 aliases ... 9 levels deep: 9**9 (387 million) strings if expanded.
    # Refused while parsing (over 10,000 values), so neither the loader nor an error
    # message ever walks the expansion: were it expanded, this test would not finish.
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for p, c in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{c}: &{c} [" + ", ".join([f"*{p}"] * 9) + "]")
    text = "\n".join(lines) + "\n" + GOOD.replace("name: Demo", "name: *i")
    with pytest.raises(PmfError, match="alias bomb") as e:
        load_config(write(config_dir, text))
    # Values added by aliases: b's 9 x 10 = 90, c's 9 x 91 = 819, d's 9 x 820 = 7,380
    # (8,289 so far); e's first alias adds 7,381 more, past 10,000, on line 5.
    assert e.value.location == "line 5"
    assert len(str(e.value)) < 300


def test_a_wrong_value_is_shown_bounded(config_dir):
    long_name = ["x" * 1000] * 1000  # a list where a name belongs: shown cut to 60 characters
    text = GOOD.replace("name: Demo", f"name: {long_name}")
    with pytest.raises(PmfError) as e:
        load_config(write(config_dir, text))
    assert e.value.field == "council.name"
    assert e.value.message.startswith("Input should be a valid string (got [")
    assert len(e.value.message) < 120


@pytest.mark.parametrize("area_id", ["./../../x", "../x", "a/b", "Front Door", "", "x" * 65])
def test_area_ids_are_slugs(config_dir, area_id):
    # An area id names outputs/YYYY-MM/<id>.html: anything but a slug could leave outputs/.
    text = GOOD.replace("front_door: {", f"'{area_id}': {{")
    with pytest.raises(PmfError) as e:
        load_config(write(config_dir, text))
    assert e.value.field == "areas"
    assert "is not allowed" in e.value.message and "lower-case letters" in e.value.message


def test_council_id_error_names_the_id_not_the_whole_config(config_dir):
    text = (
        "councils:\n  North Side:\n    code: 938\n    name: N\n"
        "    data: {ssda903: d903, cin_census: cin/*.xml, population: pop.csv}\n"
        "areas:\n  front_door: {title: Front door, kpis: [referrals_count]}\n"
    )
    with pytest.raises(PmfError) as e:
        load_config(write(config_dir, text))
    assert e.value.field == "councils"
    assert e.value.message.startswith("council id 'North Side' is not allowed")
    assert "front_door" not in str(e.value) and "d903" not in str(e.value)


def test_a_kpi_listed_twice_in_an_area_is_named(config_dir):
    text = GOOD.replace(
        "kpis: [referrals_count]", "kpis: [referrals_count, cla_count, referrals_count]"
    )
    with pytest.raises(PmfError) as e:
        load_config(write(config_dir, text))
    assert e.value.field == "areas.front_door.kpis"
    assert "listed more than once: referrals_count" in e.value.message


@pytest.mark.parametrize(
    "name,content,ok",
    [
        ("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, True),
        ("logo.svg", b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', True),
        ("logo.png", b"GIF89a" + b"\x00" * 10, True),  # the contents decide, not the name
        ("logo.png", b"<html>not an image</html>", False),
        ("logo.svg", b"just text", False),
        ("logo.txt", b"", False),
    ],
)
def test_logo_must_be_an_image_at_config_check(config_dir, name, content, ok):
    (config_dir / name).write_bytes(content)
    p = write(config_dir, GOOD.replace("name: Demo", f"name: Demo, logo: {name}"))
    if ok:
        assert load_config(p).council.logo == name
    else:
        with pytest.raises(PmfError) as e:
            load_config(p)
        assert e.value.field == "council.logo"
        assert e.value.message == f"the logo {name} is not a PNG, SVG, JPEG or GIF image"
