"""The finance reports (issue 16): the members' view of "Finance and performance" over the
published demo month names no placement or child; the high-cost review is internal only
(refused for members, never planned for a members' run); the budget table as shown."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from pmf_lib.config import load_config
from pmf_lib.errors import PmfError
from pmf_lib.publish.plan import plan_reports
from pmf_lib.render.finance import FinanceReport, HighCostReport, budget_rows
from tests.conftest import DEMO_CONFIG, DEMO_MONTH, ROOT

# every block but the charts (images, and sentences the tables' rows already give)
BLOCKS = ("title_block", "budget_table", "variance", "placements", "performance", "definitions")


def _config(tmp_path, audience: str):
    """The demo config for ``audience``, written beside copies of its other settings files."""
    d = tmp_path / audience
    d.mkdir()
    for name in ("targets.yaml", "kpis.yaml", "schedule.yaml"):
        shutil.copy(DEMO_CONFIG.parent / name, d / name)
    text = DEMO_CONFIG.read_text(encoding="utf-8")
    text = text.replace("../data/", f"{ROOT}/data/").replace("../outputs", f"{ROOT}/outputs")
    text = text.replace("audience: internal", f"audience: {audience}")
    (d / "config.yaml").write_text(text, encoding="utf-8")
    return d / "config.yaml"


@pytest.fixture(scope="module")
def tables(published_demo_month):
    return (
        str(published_demo_month / "kpi_history.parquet"),
        str(published_demo_month / "kpis.parquet"),
    )


def test_the_members_view_names_no_placement_and_no_child(tmp_path, tables, published_demo_month):
    # the internal list beside the tables holds the ids a members' report must never show
    listed = pd.read_parquet(published_demo_month / "high_cost_placements.parquet")
    assert len(listed) > 10
    ids = set(listed["placement_id"]) | set(listed["child_id"])
    report = FinanceReport.load(_config(tmp_path, "members"), DEMO_MONTH, *tables)
    assert report.data.suppressing
    html = "\n".join(getattr(report, b)().data for b in BLOCKS)
    assert "Budget monitoring by service line" in html and "£" in html
    assert [i for i in ids if i in html] == []
    assert "PC0" not in html  # no placement id of any kind
    assert "high-cost placements review" not in html.lower()


def test_the_internal_review_lists_each_high_cost_placement(tables, published_demo_month):
    listed = pd.read_parquet(published_demo_month / "high_cost_placements.parquet")
    report = HighCostReport.load(DEMO_CONFIG, DEMO_MONTH, *tables)
    html = report.placements_table().data
    first = listed.iloc[0]
    assert first["placement_id"] in html and first["child_id"] in html
    assert "Internal only." in html
    assert html.count("<tr>") == len(listed) + 1  # a row per placement and the heading row


def test_the_high_cost_review_is_refused_for_members(tmp_path, tables):
    with pytest.raises(PmfError, match="internal only") as e:
        HighCostReport.load(_config(tmp_path, "members"), DEMO_MONTH, *tables)
    assert "\n" not in str(e.value)


def test_a_members_run_plans_no_high_cost_placements(tmp_path):
    members = load_config(_config(tmp_path, "members"))
    internal = load_config(DEMO_CONFIG)
    kinds = lambda config, month: [s.kind for s in plan_reports(config, month)]  # noqa: E731
    # October is a bi-monthly month (Feb, Apr, ..., Oct, Dec): internal gets the review
    assert {"finance", "high_cost_placements"} <= set(kinds(internal, "2026-10"))
    assert "high_cost_placements" not in kinds(internal, "2026-11")
    for month in ("2026-10", "2026-12"):
        assert "high_cost_placements" not in kinds(members, month)
        assert "finance" in kinds(members, month)


def test_the_budget_rows_as_shown():
    b = pd.DataFrame(
        {
            "service_line": ["Placements", "Staffing", "Total"],
            "budget": [51_161_000.0, 21_947_000.0, 73_108_000.0],
            "actual_to_date": [34_514_248.0, 12_499_774.0, 47_014_022.0],
            "forecast_outturn": [59_453_300.0, 21_485_359.0, 80_938_659.0],
            "variance": [8_292_300.0, -461_641.0, 7_830_659.0],
            "variance_pct": [16.208, -2.103, 10.711],
        }
    )
    rows = budget_rows(b)
    assert [(r["variance"], r["variance_pct"], r["total"]) for r in rows] == [
        ("+£8,292,300", "+16.2%", False),
        ("-£461,641", "-2.1%", False),
        ("+£7,830,659", "+10.7%", True),
    ]
    assert rows[0]["budget"] == "£51,161,000"
