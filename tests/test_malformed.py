"""The malformed-input corpus: every bad file is one line, exit 2, from run and validate alike.

``tests/data/malformed/cases.yaml`` lists each file of the corpus, the config slot
it is put into (beside the tiny, valid council in ``tests/data/malformed/base``)
and the exact message expected. Each case runs ``pmf run`` and ``pmf validate``
in-process through the CLI entry point (:func:`pmf_lib.cli.main`); the cases
with ``subprocess:`` also run the real ``pmf`` command, to see the exit
status 2 and no traceback from a fresh interpreter. ``{dir}`` in a message is the
council's folder.

Commentary is read by the reports only, so its cases run ``pmf run`` alone
(``commands: [run]``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from pmf_lib.cli import main
from pmf_lib.errors import PmfError

CORPUS = Path(__file__).resolve().parent / "data" / "malformed"
BASE = CORPUS / "base"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
COMMENTARY_MONTH = "2024-03"  # the base council's latest complete month

# Where each slot's file goes in the council's folder, and how the config points at it.
_DEST = {
    "ssda903": "ssda903/2024",
    "cin_census": "cin_census",
    "annex_a": "annex_a",
    "workforce_census": "csww",
    "workforce_monthly": "workforce",
    "local": "local",
}


def council_with(tmp: Path, *cases: dict) -> Path:
    """The base council copied to ``tmp`` with each case's file in its slot; the config path.

    Several cases go in together only when each has a file of its own (data files,
    each dataset of ``local``); a slot that is one file (population, config, targets,
    catalogue, schedule, commentary) takes one case.
    """
    council = tmp / "council"
    shutil.copytree(BASE, council)
    config = yaml.safe_load((BASE / "config.yaml").read_text(encoding="utf-8"))
    path = council / "config.yaml"
    for case in cases:
        src = CORPUS / case["file"]
        slot = case["slot"]
        group, _, dataset = slot.partition(".")
        if group in _DEST:
            dest = council / _DEST[group] / src.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
            if group == "local":
                config["data"].setdefault("local", {}).setdefault(dataset, [])
                config["data"]["local"][dataset].append(f"local/{src.name}")
            elif group not in ("ssda903", "cin_census"):
                config["data"][group] = _DEST[group]
        elif slot == "population":
            shutil.copyfile(src, council / "population.csv")
        elif slot == "targets":
            shutil.copyfile(src, council / "targets.yaml")
            config["targets"] = "targets.yaml"
        elif slot == "kpis":
            shutil.copyfile(src, council / "kpis.yaml")
            config["kpi_catalogue"] = "kpis.yaml"
        elif slot == "schedule":
            shutil.copyfile(src, council / "schedule.yaml")
        elif slot == "commentary":
            dest = council / "commentary" / COMMENTARY_MONTH / "front_door.md"
            dest.parent.mkdir(parents=True)
            shutil.copyfile(src, dest)
        elif slot == "config":
            shutil.copyfile(src, path)
            return path
        else:
            raise ValueError(f"unknown slot {slot!r} in cases.yaml")
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def expected_line(case: dict, config: Path) -> str:
    return "pmf: error: " + case["expected"].replace("{dir}", str(config.parent))


ARGS = {
    "run": ["run", "--quiet", "--jobs", "1"],
    "validate": ["validate"],
}


def _ids(case: dict) -> str:
    return case["file"]


def test_the_corpus_is_big_and_every_file_is_a_case():
    files = {c["file"] for c in CASES}
    on_disk = {
        p.relative_to(CORPUS).as_posix()
        for p in CORPUS.rglob("*")
        if p.is_file() and p.parent != CORPUS and BASE not in p.parents
    }
    assert len(CASES) >= 60 and len(files) == len(CASES)
    assert files == on_disk, (sorted(files - on_disk), sorted(on_disk - files))
    readers = {c["slot"].split(".")[0] for c in CASES}
    assert readers >= {
        "ssda903", "cin_census", "annex_a", "workforce_census", "workforce_monthly",
        "local", "population", "config", "targets", "schedule", "kpis", "commentary",
    }  # fmt: skip


def test_the_base_council_is_valid(tmp_path, capsys):
    # Without a bad file the tiny council checks clean: every failure below is the file's.
    config = council_with(tmp_path)
    assert main(["validate", "--config", str(config)]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_pmf_run_one_line_exit_2(case, tmp_path, capsys):
    config = council_with(tmp_path, case)
    status = main([*ARGS["run"], "--config", str(config)])
    assert (status, capsys.readouterr().err.splitlines()) == (2, [expected_line(case, config)])


# `pmf validate` reads every file even when some cannot be read, and prints each unreadable
# file's line: the data files of one reader are checked in one run (a run takes seconds),
# each giving exactly its own line, the one `pmf run` stops with. A setting is checked
# before any data is read, so those cases run one by one.
_VALIDATE = [c for c in CASES if "validate" in c.get("commands", ["run", "validate"])]
_DATA_GROUPS = (
    "ssda903",
    "cin_census",
    "annex_a",
    "workforce_census",
    "workforce_monthly",
    "local",
)
GROUPS = {g: [c for c in _VALIDATE if c["slot"].split(".")[0] == g] for g in _DATA_GROUPS}
SINGLES = [c for c in _VALIDATE if c["slot"].split(".")[0] not in _DATA_GROUPS]


@pytest.mark.parametrize("group", list(GROUPS))
def test_pmf_validate_gives_each_data_file_its_run_message(group, tmp_path, capsys):
    cases = GROUPS[group]
    assert cases
    config = council_with(tmp_path, *cases)
    status = main([*ARGS["validate"], "--config", str(config)])
    err = capsys.readouterr().err.splitlines()
    assert status == 2
    assert sorted(err) == sorted(expected_line(c, config) for c in cases)


@pytest.mark.parametrize("case", SINGLES, ids=_ids)
def test_pmf_validate_one_line_exit_2_as_run(case, tmp_path, capsys):
    config = council_with(tmp_path, case)
    status = main([*ARGS["validate"], "--config", str(config)])
    assert (status, capsys.readouterr().err.splitlines()) == (2, [expected_line(case, config)])


@pytest.mark.parametrize("case", [c for c in CASES if c.get("subprocess")], ids=_ids)
def test_real_command_exit_2_no_traceback(case, tmp_path):
    config = council_with(tmp_path, case)
    pmf = Path(sys.executable).with_name("pmf")
    for command in case["subprocess"]:
        done = subprocess.run(
            [str(pmf), *ARGS[command], "--config", str(config)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2, (command, done.stderr)
        assert "Traceback" not in done.stderr + done.stdout
        assert done.stderr.splitlines() == [expected_line(case, config)], command


# ---- faults beyond single files (issue 11) ---------------------------------------------
@pytest.mark.parametrize("command", ["run", "validate", "kpis"])
@pytest.mark.parametrize("month", ["2099-01", "1990-01"])
def test_a_month_outside_the_data_is_refused_before_any_output(command, month, tmp_path, capsys):
    # The base council's returns run from 1 April 2023 (collection year 2024) to the CIN
    # census reference date 31 March 2024: 2023-04 to 2024-03 can be published, no other.
    config = council_with(tmp_path)
    args = ["kpis", "--out", str(tmp_path / "kpis.csv")] if command == "kpis" else ARGS[command]
    status = main([*args, "--month", month, "--config", str(config)])
    err = capsys.readouterr().err.splitlines()
    assert (status, len(err)) == (2, 1)
    assert err[0] == (
        f"pmf: error: field month: {month} is outside the data, which runs from 1 April 2023 "
        "to 31 March 2024 (its returns' reference dates): choose a month from 2023-04 to 2024-03"
    )
    assert not (config.parent / "outputs" / month).exists()
    assert not (tmp_path / "kpis.csv").exists()


@pytest.mark.parametrize("timeout", ["nan", "inf", "-1", "0"])
def test_timeout_must_be_a_finite_positive_number(timeout, tmp_path, capsys):
    config = council_with(tmp_path)
    status = main([*ARGS["run"], "--timeout", timeout, "--config", str(config)])
    err = capsys.readouterr().err.splitlines()
    assert (status, len(err)) == (2, 1)
    assert err[0].startswith("pmf: error: field --timeout: expected a positive number of seconds")


def test_an_area_id_cannot_write_outside_outputs(tmp_path, capsys):
    case = next(c for c in CASES if c["file"] == "config/area_id_traversal.yaml")
    config = council_with(tmp_path / "deep" / "er", case)
    assert main([*ARGS["run"], "--config", str(config)]) == 2
    capsys.readouterr()
    # Nothing named after the area was written anywhere (its id was './../../../x').
    assert not [p for p in tmp_path.rglob("x.*")]
    assert not (config.parent / "outputs").exists()


def test_latest_comes_from_the_returns_dates_never_a_folder_name(tmp_path):
    from pmf_lib.assess.build import read_month, resolve_month
    from pmf_lib.config import load_config

    # The base council's SSDA903 tables moved to a folder named 2025: its events end on
    # 20 January 2024 and the CIN census reference date is 31 March 2024. A 2025 folder
    # once meant a 31 March 2025 reference date, so latest was 2025-03: now it is the
    # last whole month of the latest date the returns themselves give, 2024-03.
    config = council_with(tmp_path)
    (config.parent / "ssda903" / "2024").rename(config.parent / "ssda903" / "2025")
    read = read_month(load_config(config))
    assert read.unreadable == []
    assert read.data.cla.returns["reference_date"].max() == pd.Timestamp("2024-01-20")
    assert resolve_month("latest", read) == "2024-03"
    with pytest.raises(PmfError, match="2025-03 is outside the data"):
        resolve_month("2025-03", read)
