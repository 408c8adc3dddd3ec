"""The month's tables and data quality report, written from its build."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from pmf_lib.assess.build import MonthBuild
from pmf_lib.config import Area, Config, Council, DataSources
from pmf_lib.publish.tables import quality_dir, write_month_tables


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tiny_build(breakdowns=True, actions=True) -> MonthBuild:
    end = pd.Timestamp("2026-10-31")
    history = pd.DataFrame(
        {
            "kpi_id": ["referrals_count"] * 2,
            "period_end": [pd.Timestamp("2026-09-30"), end],
            "window": ["month"] * 2,
            "value": [10.0, 12.0],
            "numerator": [10.0, 12.0],
            "denominator": [np.nan, np.nan],
        }
    )
    assessed = pd.DataFrame({"kpi_id": ["referrals_count"], "value": [12.0]})
    spc = pd.DataFrame(
        {"kpi_id": ["referrals_count"], "period_end": [end], "value": [12.0], "shift": [False]}
    )
    return MonthBuild(
        month="2026-10",
        period_ends=[end],
        kpi_table=history,
        assessed=assessed,
        spc=spc,
        breakdowns=pd.DataFrame({"kpi_id": ["referrals_count"], "group": ["Male"]})
        if breakdowns
        else None,
        actions=pd.DataFrame({"action_id": ["A1"], "state": ["open"]}) if actions else None,
    )


def test_every_table_is_written_and_recorded(tmp_path, monkeypatch):
    import pmf_lib.assess.spc_table as spc_table

    # The rebase proposals are the assess stage's: here, none.
    monkeypatch.setattr(spc_table, "rebase_proposals", lambda t: t.iloc[0:0])
    build = tiny_build()
    table, assessed = write_month_tables(build, tmp_path, run_id="r1", table_source="test")
    for name in ("kpi_history", "kpis", "spc", "actions", "breakdowns"):
        assert (tmp_path / f"{name}.parquet").is_file() and (tmp_path / f"{name}.csv").is_file()
    assert (tmp_path / "spc_rebase_proposals.csv").is_file()
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "kpi_history.parquet"), build.kpi_table
    )
    assert table == {
        "source": "test",
        "rows": 2,
        "parquet": "kpi_history.parquet",
        "csv": "kpi_history.csv",
        "sha256": sha(tmp_path / "kpi_history.parquet"),
        "run_id": "r1",
    }
    assert assessed["rows"] == 1 and assessed["sha256"] == sha(tmp_path / "kpis.parquet")


def test_tables_a_build_lacks_are_removed_not_left_from_an_earlier_run(tmp_path, monkeypatch):
    import pmf_lib.assess.spc_table as spc_table

    monkeypatch.setattr(spc_table, "rebase_proposals", lambda t: t.iloc[0:0])
    write_month_tables(tiny_build(), tmp_path, run_id="r1", table_source="test")
    write_month_tables(
        tiny_build(breakdowns=False, actions=False), tmp_path, run_id="r2", table_source="test"
    )
    for name in ("actions", "breakdowns"):
        assert not (tmp_path / f"{name}.parquet").exists()
        assert not (tmp_path / f"{name}.csv").exists()
    assert (tmp_path / "kpi_history.parquet").is_file()


def test_the_data_quality_report_stays_out_of_a_published_folder(tmp_path):
    c = Config(
        council=Council(code=938, name="D"),
        base_dir=tmp_path,
        data=DataSources(ssda903="a", cin_census="b", population="p.csv"),
        areas={"x": Area(title="X", kpis=["referrals_count"])},
    )
    assert quality_dir(c, "2026-10") == tmp_path / "outputs" / "2026-10"
    for audience in ("members", "public"):
        members = c.model_copy(update={"audience": audience})
        assert quality_dir(members, "2026-10") == tmp_path / "outputs" / "internal" / "2026-10"


def test_the_data_quality_report_and_its_tables_from_a_build(tmp_path):
    import shutil

    from pmf_lib.assess.build import build_month
    from pmf_lib.config import load_config
    from pmf_lib.publish.tables import write_quality_outputs
    from tests.conftest import ROOT

    shutil.copytree(ROOT / "tests" / "data" / "malformed" / "base", tmp_path / "c")
    config = load_config(tmp_path / "c" / "config.yaml")
    config = config.model_copy(update={"audience": "members"})
    build = build_month(config, "2024-03", through="quality", history_months=2)
    out = write_quality_outputs(config, build)
    assert out == tmp_path / "c" / "outputs" / "internal" / "2024-03" / "data_quality.html"
    assert "INTERNAL" in out.read_text(encoding="utf-8")
    conf = pd.read_csv(out.with_name("data_quality_confidence.csv"))
    assert len(conf) == len(build.quality.confidence)  # every KPI at both month ends
    assert sorted(set(conf["period_end"])) == ["2024-02-29", "2024-03-31"]
    issues = pd.read_csv(out.with_name("data_quality_issues.csv"))
    assert len(issues) == len(build.quality.issues)
    assert not (tmp_path / "c" / "outputs" / "2024-03").exists()  # nothing in the public folder
