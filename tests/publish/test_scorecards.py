"""Scorecards in the publish stage: the month's scorecard table written beside the others (and
none left when the config names no scorecard); the demo schedule's scorecards
(parameters/schedule.yaml): the Practice Improvement Scorecard every month for the DLT
(internal only), the quarterly balanced scorecard in January, April, July and October
(internal and members), each passed its scorecard id."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from pmf_lib.config import load_config
from pmf_lib.publish.plan import plan_reports
from pmf_lib.publish.tables import write_month_tables
from tests.conftest import DEMO_CONFIG
from tests.publish.test_tables import tiny_build


def test_the_scorecard_table_is_written_and_none_left_without_one(tmp_path, monkeypatch):
    import pmf_lib.assess.spc_table as spc_table

    monkeypatch.setattr(spc_table, "rebase_proposals", lambda t: t.iloc[0:0])  # as test_tables
    table = pd.DataFrame({"scorecard": ["dlt"], "kpi_id": ["referrals_count"], "value": [12.0]})
    build = dataclasses.replace(tiny_build(), scorecards=table)
    write_month_tables(build, tmp_path, run_id="r1", table_source="test")
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "scorecard.parquet"), table)
    assert pd.read_csv(tmp_path / "scorecard.csv")["value"].tolist() == [12.0]
    # A later run of a config without scorecards removes them.
    write_month_tables(tiny_build(), tmp_path, run_id="r2", table_source="test")
    assert not (tmp_path / "scorecard.parquet").exists()
    assert not (tmp_path / "scorecard.csv").exists()


def _scorecards(month: str, audience: str = "internal") -> dict[str, dict]:
    config = load_config(DEMO_CONFIG, check_files=False)
    config = config.model_copy(update={"audience": audience})
    return {s.id: s.parameters for s in plan_reports(config, month) if s.kind == "scorecard"}


@pytest.mark.parametrize(
    ("month", "audience", "expected"),
    [
        # October: both (the balanced one's quarter month); September: the monthly one only.
        ("2026-10", "internal", ["scorecard_practice_improvement", "scorecard_balanced"]),
        ("2026-09", "internal", ["scorecard_practice_improvement"]),
        ("2027-01", "internal", ["scorecard_practice_improvement", "scorecard_balanced"]),
        # Members read the balanced scorecard only (the DLT's is internal).
        ("2026-10", "members", ["scorecard_balanced"]),
        ("2026-09", "members", []),
    ],
)
def test_scorecards_are_due_as_the_schedule_says(month, audience, expected):
    due = _scorecards(month, audience)
    assert list(due) == expected
    for report_id, params in due.items():
        assert params == {"scorecard": report_id.removeprefix("scorecard_")}
