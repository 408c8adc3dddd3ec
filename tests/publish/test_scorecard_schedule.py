"""The demo schedule's scorecards (parameters/schedule.yaml): the Practice Improvement Scorecard
every month for the DLT (internal only), the quarterly balanced scorecard in January, April,
July and October (internal and members), each passed its scorecard id."""

from __future__ import annotations

import pytest

from pmf_lib.config import load_config
from pmf_lib.publish.plan import plan_reports
from tests.conftest import DEMO_CONFIG


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
