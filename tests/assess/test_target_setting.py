"""Suggested targets: baselines from the council's own year, targets from its comparators."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pmf_lib.assess.target_setting import (
    baseline_figure,
    derive_target,
    suggest_targets,
    targets_yaml,
)
from pmf_lib.assess.targets import TargetPeriod, Targets, parse_targets
from pmf_lib.compute.registry import KpiMeta


def meta(kpi_id, unit="percent", polarity="higher_is_better", windows=("month", "rolling_12m")):
    return KpiMeta(
        id=kpi_id,
        title=kpi_id.title(),
        area="a",
        unit=unit,
        polarity=polarity,
        windows=windows,
        source="s",
        definition="d",
        numerator="n",
        denominator=None if unit == "count" else "d",
    )


def test_worse_than_neighbours_aims_for_them_better_holds_the_baseline():
    # higher is better, baseline 60 < neighbours 82.46: target 82 (rounded), tolerance 5% = 4.1
    # -> nearest 0.5 = 4.0
    assert derive_target("higher_is_better", "percent", baseline=60, comparator=82.46)[:2] == (
        82.0,
        4.0,
    )
    # lower is better, baseline 4.2 already below neighbours 9.1: hold, rounded up to 5 so the
    # baseline itself meets it
    assert derive_target("lower_is_better", "percent", baseline=4.2, comparator=9.1)[0] == 5.0


def test_no_comparator_is_a_modest_improvement_never_past_100():
    # 99.5 + 2 points would be 101.5: capped at 100
    assert derive_target("higher_is_better", "percent", baseline=99.5, comparator=None)[0] == 100
    # a count, lower is better: 20 less 5% = 19
    t, tol, how = derive_target("lower_is_better", "count", baseline=20, comparator=None)
    assert (t, tol) == (19.0, 2.0) and "5% better" in how
    with pytest.raises(ValueError):
        derive_target("neutral", "count", baseline=1, comparator=None)


def test_baseline_is_the_12_months_to_march_in_the_headline_scale():
    ends = pd.date_range("2025-01-31", "2026-06-30", freq="ME")
    h = pd.concat(
        [
            pd.DataFrame({"kpi_id": "p", "window": "month", "period_end": ends, "value": 50.0}),
            pd.DataFrame(
                {
                    "kpi_id": "p",
                    "window": "rolling_12m",
                    "period_end": ends,
                    "value": range(len(ends)),
                }
            ),
            pd.DataFrame(
                {
                    "kpi_id": "c",
                    "window": "month",
                    "period_end": ends,
                    "value": [float(i) for i in range(len(ends))],
                }
            ),
        ]
    )
    # percentage: the rolling_12m figure at 31 Mar 2026 (its 15th month end: index 14)
    assert baseline_figure(h, meta("p"), "2026-03") == (14.0, "12 months to Mar 2026")
    # count: the average month from Apr 2025 (index 3) to Mar 2026 (index 14): 8.5
    v, how = baseline_figure(h, meta("c", unit="count"), "2026-03")
    assert v == 8.5 and how == "average month of the 12 months to Mar 2026"


def test_suggestions_keep_an_agreed_target_and_write_a_valid_file():
    ends = pd.date_range("2025-04-30", "2026-03-31", freq="ME")
    h = pd.DataFrame({"kpi_id": "p", "window": "rolling_12m", "period_end": ends, "value": 70.0})
    h2 = h.assign(kpi_id="q")
    h = pd.concat([h, h2])
    metas = {"p": meta("p"), "q": meta("q"), "n": meta("n", unit="count", polarity="neutral")}
    comps = pd.DataFrame({"kpi_id": ["p", "q"], "sn": [80.0, 60.0], "sn_year": ["2025", "2025"]})
    old = Targets(
        {
            "q": [
                TargetPeriod.model_validate(
                    {"from": "2024-04-01", "target": 75, "amber_tolerance": 2}
                )
            ]
        }
    )
    start = dt.date(2026, 4, 1)
    out = suggest_targets(metas, h, comps, old, baseline_end="2026-03-31", start=start)
    assert out["n"] is None
    # p: 70 against neighbours 80 -> target 80; q: its agreed 75 is kept with the new baseline
    assert (out["p"]["target"], out["p"]["baseline"]) == (80.0, 70.0)
    assert (out["q"]["target"], out["q"]["amber_tolerance"], out["q"]["baseline"]) == (75, 2, 70)
    assert out["p"]["review_by"] == dt.date(2026, 10, 1)
    text = targets_yaml(
        metas, {"a": ("Area", ["p", "q", "n"])}, old, out, baseline_end="2026-03-31", start=start
    )
    assert "# baseline 70 (12 months to Mar 2026); statistical neighbours' mean 2025" in text
    import yaml

    t = parse_targets(yaml.safe_load(text), metas)
    assert [p.from_ for p in t.periods["q"]] == [dt.date(2024, 4, 1), start]
    assert t.periods["n"] == [] and t.target_in_force("p", "2026-10-31").baseline == 70


def test_suggesting_again_from_the_written_file_gives_the_same_file():
    # The committed targets.yaml is the script's output: re-running it on that file must not
    # mistake its own new periods (from the start date) for targets agreed before it.
    import yaml

    ends = pd.date_range("2025-04-30", "2026-03-31", freq="ME")
    h = pd.DataFrame({"kpi_id": "p", "window": "rolling_12m", "period_end": ends, "value": 70.0})
    metas = {"p": meta("p")}
    comps = pd.DataFrame({"kpi_id": ["p"], "sn": [80.0], "sn_year": ["2025"]})
    start = dt.date(2026, 4, 1)
    areas = {"a": ("Area", ["p"])}

    def once(existing):
        out = suggest_targets(metas, h, comps, existing, baseline_end="2026-03-31", start=start)
        return targets_yaml(metas, areas, existing, out, baseline_end="2026-03-31", start=start)

    first = once(None)
    assert once(parse_targets(yaml.safe_load(first), metas)) == first
