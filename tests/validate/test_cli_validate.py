"""``pmf validate`` end to end on the shared fake returns plus a malformed-file corpus."""

from __future__ import annotations

import html
import shutil

import pandas as pd

from pmf_lib.cli import main
from pmf_lib.compute.registry import all_kpis
from tests.conftest import need_shared


def _setup(tmp_path):
    syn = need_shared("data", "synthetic")
    (tmp_path / "cin").mkdir()
    shutil.copy(syn / "cin_census" / "cin-2022_liiatools_sample.xml", tmp_path / "cin")
    (tmp_path / "s903").mkdir()
    for t in ("header", "episodes"):
        shutil.copy(syn / "ssda903_validator_fake" / f"{t}.csv", tmp_path / "s903")
    (tmp_path / "pop.csv").write_text(
        "time_period,geographic_level,old_la_code,age_group,population_estimate\n"
        "2021,Local authority,938,0-17,100000\n"
    )
    local = tmp_path / "local"
    local.mkdir()
    (local / "complaints.csv").write_text(
        "Complaint ID,Type,Stage,Date received\nC1,Complaint,1,2022-01-01\nC2,Complaint,9,x\n"
    )
    (local / "lado.csv").write_bytes(b"\x00\x01")  # binary
    (local / "qa.xlsx").write_bytes(b"PK\x03\x04 broken")  # not a workbook
    (local / "early_help.csv").write_text("nothing,here\n1,2\n")  # no header row
    (tmp_path / "csww.xml").write_text("<Message><CSWWWorker>")  # not well-formed
    (tmp_path / "config.yaml").write_text(
        "council: {code: 938, name: Test}\n"
        "data:\n  ssda903: s903\n  cin_census: cin/*.xml\n  population: pop.csv\n"
        f"  annex_a: {syn / 'annex_a' / 'Annex_A_sample_liiatools.xlsx'}\n"
        "  workforce_census: [csww.xml]\n"
        "  local:\n    complaints: local/complaints.csv\n    lado: local/lado.csv\n"
        "    qa_audits: local/qa.xlsx\n    early_help: local/early_help.csv\n"
        "outputs: out\n"
        "areas: {front_door: {title: Front door, kpis: [referrals_count]}}\n"
    )
    return tmp_path / "config.yaml"


def test_validate_command_reports_every_fault_and_writes_the_report(tmp_path, capsys):
    config = _setup(tmp_path)
    # four files cannot be read: the report is still written, and the command exits 2
    assert main(["validate", "--config", str(config), "--month", "2022-03"]) == 2
    captured = capsys.readouterr()
    out, err = captured.out, captured.err.splitlines()
    page = (tmp_path / "out" / "2022-03" / "data_quality.html").read_text(encoding="utf-8")
    for name, fault in (
        ("lado.csv", "binary"),
        ("qa.xlsx", "not a readable .xlsx"),
        ("early_help.csv", "no header row"),
        ("csww.xml", "not well-formed"),
    ):
        line = next(ln for ln in out.splitlines() if name in ln)
        assert fault in line
        # on stderr, once, as pmf run's one-line error; and listed in the report
        (said,) = [ln for ln in err if name in ln]
        assert said.startswith("pmf: error: ") and fault in said
        assert html.escape(said.removeprefix("pmf: error: "), quote=True) in page
    assert "INTERNAL" in page
    issues = pd.read_csv(tmp_path / "out" / "2022-03" / "data_quality_issues.csv", dtype=str)
    comp = issues[issues["source"] == "local/complaints"]
    assert set(zip(comp["row_or_element"], comp["rule"], strict=True)) == {
        ("row 3", "S03"),
        ("row 3", "S04"),
    }
    conf = pd.read_csv(tmp_path / "out" / "2022-03" / "data_quality_confidence.csv")
    # Every registered KPI x 36 month ends, each rated
    assert len(conf) == len(all_kpis()) * 36
    assert conf["dq_confidence"].isin(["High", "Medium", "Low"]).all()


def test_bad_thresholds_are_a_pmf_error(tmp_path, capsys):
    config = _setup(tmp_path)
    assert (
        main(
            [
                "validate",
                "--config",
                str(config),
                "--month",
                "2022-03",
                "--high",
                "0.2",
                "--medium",
                "0.1",
            ]
        )
        == 2
    )
    assert "thresholds" in capsys.readouterr().err
