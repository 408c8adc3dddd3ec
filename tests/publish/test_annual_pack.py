"""Issue 16's "Done when": the demo's June publishes the annual evidence packs, October not.

The plan is checked for both months (cheap); the pack's notebook is run for one area
on tables for June made from the published demo month's history (what a June run
would publish beside them), not by a whole ``pmf run``.
"""

from __future__ import annotations

import nbformat
import pandas as pd
import papermill
import pytest

from pmf_lib.config import load_config
from pmf_lib.publish.plan import plan_reports
from tests.conftest import DEMO_CONFIG, ROOT


def _annual(config, month):
    return [s for s in plan_reports(config, month) if s.kind == "annual"]


def test_june_plans_a_pack_per_area_and_october_none():
    config = load_config(DEMO_CONFIG, check_files=False)
    june = _annual(config, "2026-06")
    # schedule.yaml: kind annual, months [6], for internal and members
    assert [s.parameters["area"] for s in june] == list(config.areas)
    assert {s.notebook.name for s in june} == {"annual_evidence_pack.ipynb"}
    assert june[0].id == f"annual_{next(iter(config.areas))}"
    # the pack reads its area's commentary of every month of the year it shows
    assert any(p.parent.name == "2025-09" for p in june[0].inputs)
    assert _annual(config, "2026-10") == []
    assert _annual(config, "2027-06")  # every year
    members = config.model_copy(update={"audience": "members"})
    public = config.model_copy(update={"audience": "public"})
    assert len(_annual(members, "2026-06")) == len(june)
    assert _annual(public, "2026-06") == []  # the schedule names internal and members only


@pytest.mark.demo  # reads the published demo month; a kernel runs the notebook (> 10 s)
def test_the_june_pack_runs_for_one_area(published_demo_month, tmp_path):
    from pmf_lib.assess.actions import actions_for_config
    from pmf_lib.assess.annual import annual_points_for_config
    from pmf_lib.assess.pipeline import assess_for_config, spc_for_config

    config = load_config(DEMO_CONFIG, check_files=False)
    history = pd.read_parquet(published_demo_month / "kpi_history.parquet")
    june = history[pd.to_datetime(history["period_end"]) <= "2026-06-30"]
    folder = tmp_path / "2026-06"
    folder.mkdir()
    june.to_parquet(folder / "kpi_history.parquet")
    assess_for_config(config, june, "2026-06").to_parquet(folder / "kpis.parquet")
    spc_for_config(config, june, "2026-06").to_parquet(folder / "spc.parquet")
    actions_for_config(config, june, "2026-06").to_parquet(folder / "actions.parquet")
    annual_points_for_config(config, june, "2026-06").to_parquet(folder / "annual.parquet")
    commentary = tmp_path / "commentary"
    (commentary / "2025-09").mkdir(parents=True)
    (commentary / "2025-09" / "front_door.md").write_text(
        "## Overall\nThe MASH review is under way.\n", encoding="utf-8"
    )
    nb = papermill.execute_notebook(
        str(ROOT / "notebooks" / "annual_evidence_pack.ipynb"),
        str(tmp_path / "annual_front_door.ipynb"),
        parameters={
            "area": "front_door",
            "month": "2026-06",
            "config_path": str(DEMO_CONFIG),
            "kpi_table": str(folder / "kpi_history.parquet"),
            "assessed_table": str(folder / "kpis.parquet"),
            "commentary_dir": str(commentary / "2026-06"),
        },
        cwd=str(ROOT / "notebooks"),
        progress_bar=False,
    )
    html = "".join(
        o.get("data", {}).get("text/html", "")
        for c in nbformat.from_dict(nb).cells
        for o in c.get("outputs", [])
    )
    # June 2026: the year to 31 March 2026 and the two before it
    assert "annual self-evaluation evidence 2025-26" in html
    assert all(y in html for y in ("2023-24", "2024-25", "2025-26"))
    assert "children who need help and protection" in html
    assert "The MASH review is under way." in html and "September 2025" in html
    assert "Case audits" in html
