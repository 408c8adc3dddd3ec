"""Targets: validation, the target in force at a date, and RAG boundaries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pmf_lib.assess.targets import (
    TargetPeriod,
    Targets,
    load_targets,
    parse_targets,
    rag,
    reviews_overdue,
)
from pmf_lib.errors import PmfError

ROOT = Path(__file__).resolve().parents[2]
CORE_IDS = {
    "referrals_count": "neutral",
    "referrals_rate_10k": "neutral",
    "rereferrals_12m_pct": "lower_is_better",
    "assessments_completed_count": "neutral",
    "assessments_45wd_pct": "higher_is_better",
    "s47_count": "neutral",
    "icpc_15wd_pct": "higher_is_better",
    "cp_plans_rate_10k": "neutral",
    "cp_second_subsequent_pct": "lower_is_better",
    "cla_count": "neutral",
    "cla_rate_10k": "neutral",
    "cla_3plus_placements_pct": "lower_is_better",
    "cla_long_term_stability_pct": "higher_is_better",
}


def write(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "targets.yaml"
    f.write_text(text, encoding="utf-8")
    return f


# ----------------------------------------------------------------------------- RAG


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (85.1, "Green"),
        (85.0, "Green"),  # meeting the target exactly is green
        (84.9, "Amber"),
        (80.0, "Amber"),  # exactly at the tolerance edge (85 - 5) is amber
        (79.9, "Red"),
        (0.0, "Red"),
    ],
)
def test_rag_higher_is_better(value, expected):
    assert rag(value, 85, 5, "higher_is_better") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (19.9, "Green"),
        (20.0, "Green"),  # on the target
        (20.1, "Amber"),
        (22.0, "Amber"),  # 20 + 2 = edge of tolerance
        (22.1, "Red"),
    ],
)
def test_rag_lower_is_better(value, expected):
    assert rag(value, 20, 2, "lower_is_better") == expected


def test_rag_boundary_is_not_moved_by_floating_point():
    # (0.1 + 0.7) × 100 = 79.99999999999999 in floating point: a value a rounding error
    # below the target is on it (green), and a rounding error below the amber edge is amber.
    assert rag((0.1 + 0.7) * 100, 80, 5, "higher_is_better") == "Green"
    assert rag(85 - 5 - 1e-12, 85, 5, "higher_is_better") == "Amber"


def test_rag_zero_tolerance_has_no_amber():
    assert rag(84.99, 85, 0, "higher_is_better") == "Red"
    assert rag(85.0, 85, None, "higher_is_better") == "Green"


def test_no_target_is_a_state_not_red():
    assert rag(3.0, None, None, "higher_is_better") == "No target"
    assert rag(3.0, float("nan"), 5, "lower_is_better") == "No target"
    assert rag(3.0, None, None, "neutral") == "No target"


def test_missing_value_is_no_data():
    assert rag(float("nan"), 85, 5, "higher_is_better") == "No data"
    assert rag(None, 85, 5, "lower_is_better") == "No data"


def test_neutral_kpi_with_a_target_cannot_be_rated():
    with pytest.raises(ValueError):
        rag(3.0, 5, 1, "neutral")


# ----------------------------------------------------------------------------- in force


def two_period_targets() -> Targets:
    raw = {
        "assessments_45wd_pct": [
            {"from": "2022-04-01", "target": 80, "amber_tolerance": 5},
            {"from": "2024-04-01", "target": 85, "amber_tolerance": 5},
            {"from": "2025-04-01", "target": None},
        ]
    }
    return parse_targets(raw, CORE_IDS)


def test_target_in_force_is_the_latest_from_on_or_before_the_month_end():
    t = two_period_targets()
    k = "assessments_45wd_pct"
    assert t.target_in_force(k, "2022-03-31") is None  # before any target
    assert t.target_in_force(k, "2022-04-30").target == 80
    assert t.target_in_force(k, "2024-03-31").target == 80  # the month before the change
    assert t.target_in_force(k, "2024-04-30").target == 85  # the first month of the new one
    assert t.target_in_force(k, "2025-04-30").target is None  # withdrawn
    assert t.target_in_force("referrals_count", "2024-04-30") is None


def test_a_past_month_is_judged_against_the_old_target():
    # 82% in March 2024 meets the 80 target then; the same 82% in April 2024 is amber (85 - 5).
    t = two_period_targets()
    k = "assessments_45wd_pct"
    old, new = t.target_in_force(k, "2024-03-31"), t.target_in_force(k, "2024-04-30")
    assert rag(82.0, old.target, old.amber_tolerance, "higher_is_better") == "Green"
    assert rag(82.0, new.target, new.amber_tolerance, "higher_is_better") == "Amber"


# ----------------------------------------------------------------------------- validation


def test_shipped_targets_file_is_valid_and_has_a_changed_target():
    t = load_targets(ROOT / "parameters" / "targets.yaml", CORE_IDS)
    assert set(t.kpi_ids()) == set(CORE_IDS)
    changed = [k for k, periods in t.periods.items() if len(periods) > 1]
    assert changed, "at least one KPI's target should change over time"
    for kpi_id, periods in t.periods.items():
        if CORE_IDS[kpi_id] == "neutral":
            assert periods == []
        else:
            assert periods and all(p.target is not None for p in periods)


def test_unknown_kpi_id_is_named(tmp_path):
    f = write(tmp_path, "assesments_45wd_pct:\n  - {from: 2024-04-01, target: 85}\n")
    with pytest.raises(PmfError) as e:
        load_targets(f, CORE_IDS)
    assert "assesments_45wd_pct" in str(e.value) and str(f) in str(e.value)


def test_unknown_key_is_named(tmp_path):
    f = write(
        tmp_path,
        "assessments_45wd_pct:\n  - from: 2024-04-01\n    target: 85\n    amber_tolerence: 5\n",
    )
    with pytest.raises(PmfError) as e:
        load_targets(f, CORE_IDS)
    assert e.value.field == "assessments_45wd_pct[0].amber_tolerence"
    assert "unknown key" in e.value.message


def test_missing_from_and_bad_types_are_named(tmp_path):
    f = write(tmp_path, "icpc_15wd_pct:\n  - {target: 80}\n")
    with pytest.raises(PmfError) as e:
        load_targets(f, CORE_IDS)
    assert e.value.field == "icpc_15wd_pct[0].from"
    f = write(tmp_path, "icpc_15wd_pct:\n  - {from: 2024-04-01, target: eighty}\n")
    with pytest.raises(PmfError) as e:
        load_targets(f, CORE_IDS)
    assert e.value.field == "icpc_15wd_pct[0].target" and "eighty" in e.value.message
    f = write(tmp_path, "icpc_15wd_pct:\n  - {from: 2024-04-01, target: 80, amber_tolerance: -1}\n")
    with pytest.raises(PmfError) as e:
        load_targets(f, CORE_IDS)
    assert e.value.field == "icpc_15wd_pct[0].amber_tolerance"


def test_from_dates_must_increase(tmp_path):
    f = write(
        tmp_path,
        "icpc_15wd_pct:\n  - {from: 2024-04-01, target: 80}\n  - {from: 2023-04-01, target: 85}\n",
    )
    with pytest.raises(PmfError) as e:
        load_targets(f, CORE_IDS)
    assert e.value.field == "icpc_15wd_pct[1].from"


def test_target_for_a_neutral_kpi_is_an_error_when_polarities_are_known(tmp_path):
    f = write(tmp_path, "cla_count:\n  - {from: 2024-04-01, target: 300}\n")
    with pytest.raises(PmfError) as e:
        load_targets(f, CORE_IDS)
    assert e.value.field == "cla_count"
    assert load_targets(f, list(CORE_IDS)).target_in_force("cla_count", "2024-04-30").target == 300


def test_not_a_list_and_not_a_mapping(tmp_path):
    with pytest.raises(PmfError) as e:
        load_targets(write(tmp_path, "icpc_15wd_pct: 80\n"), CORE_IDS)
    assert e.value.field == "icpc_15wd_pct"
    with pytest.raises(PmfError):
        load_targets(write(tmp_path, "- 1\n- 2\n"), CORE_IDS)


def test_bad_yaml_and_missing_file(tmp_path):
    with pytest.raises(PmfError) as e:
        load_targets(write(tmp_path, "icpc_15wd_pct: [\n"), CORE_IDS)
    assert e.value.file.endswith("targets.yaml")
    with pytest.raises(PmfError):
        load_targets(tmp_path / "nope.yaml", CORE_IDS)


def test_empty_file_means_no_targets(tmp_path):
    t = load_targets(write(tmp_path, "# nothing yet\n"), CORE_IDS)
    assert t.target_in_force("icpc_15wd_pct", "2024-04-30") is None


def test_period_model_defaults():
    p = TargetPeriod.model_validate({"from": "2024-04-01", "target": 1})
    assert p.from_ == dt.date(2024, 4, 1) and p.amber_tolerance == 0 and p.note == ""


def test_shipped_targets_beside_a_two_area_config(tmp_path):
    # issue 11: the shipped targets.yaml names KPIs of 16 areas; a council configuring two
    # areas asks only about their KPIs. Targets for the other library KPIs are checked and
    # left out, never "not a pmf KPI"; a KPI the library does not have is still an error.
    configured = {
        "rereferrals_12m_pct": "lower_is_better",
        "assessments_45wd_pct": "higher_is_better",
    }
    t = load_targets(ROOT / "parameters" / "targets.yaml", configured)
    assert set(t.kpi_ids()) <= set(configured) and "assessments_45wd_pct" in t.kpi_ids()
    f = write(tmp_path, "assessments_45wd_pct: []\nnot_a_kpi_at_all: []\n")
    with pytest.raises(PmfError, match="unknown KPI id\\(s\\): not_a_kpi_at_all"):
        load_targets(f, configured)


# ----------------------------------------------------------------------------- set and review


def test_set_on_defaults_to_from_and_review_to_six_months_later():
    # set on 1 April 2026 -> reviewed by 1 October 2026 (six months, the Kent framework)
    p = TargetPeriod.model_validate({"from": "2026-04-01", "target": 85})
    assert (p.set_on, p.review_by) == (dt.date(2026, 4, 1), dt.date(2026, 10, 1))
    q = TargetPeriod.model_validate({"from": "2026-04-01", "target": 85, "set_on": "2026-03-15"})
    assert q.review_by == dt.date(2026, 9, 15)  # six months after the date it was set


def test_review_before_set_is_an_error_naming_the_period(tmp_path):
    f = write(
        tmp_path,
        "assessments_45wd_pct:\n  - {from: 2026-04-01, target: 85, set_on: 2026-04-01,"
        " review_by: 2026-01-01}\n",
    )
    with pytest.raises(PmfError, match="review_by .2026-01-01. must be after set_on") as e:
        load_targets(f, CORE_IDS)
    assert e.value.field == "assessments_45wd_pct[0]"


def test_a_misspelt_review_key_is_named(tmp_path):
    f = write(tmp_path, "assessments_45wd_pct:\n  - {from: 2026-04-01, target: 85, review: x}\n")
    with pytest.raises(PmfError, match="unknown key") as e:
        load_targets(f, CORE_IDS)
    assert e.value.field == "assessments_45wd_pct[0].review"


def test_reviews_overdue_lists_only_targets_in_force_past_their_review():
    # a: set 1 Apr 2026, review 1 Oct 2026 -> past at 31 Oct 2026 (30 days)
    # b: review 31 Oct 2026 -> due on the month end itself, not past
    # c: an old period past review, but replaced on 1 Jul 2026 (review 1 Jan 2027): not listed
    # d: target withdrawn (null): nothing to review
    def p(**kw):
        return TargetPeriod.model_validate({"target": 10, **kw})

    t = Targets(
        {
            "a": [p(**{"from": "2026-04-01"})],
            "b": [p(**{"from": "2026-04-01", "review_by": "2026-10-31"})],
            "c": [p(**{"from": "2025-04-01"}), p(**{"from": "2026-07-01"})],
            "d": [TargetPeriod.model_validate({"from": "2026-01-01", "target": None})],
        }
    )
    out = reviews_overdue(t, "2026-10-31")
    assert out["kpi_id"].tolist() == ["a"] and out["days_past"].tolist() == [30]
    assert reviews_overdue(t, "2026-09-30").empty  # a month earlier nothing is past
    assert reviews_overdue(t, "2026-11-30")["kpi_id"].tolist() == ["a", "b"]


def test_shipped_targets_cover_every_configured_kpi_with_a_polarity():
    # Issue 12: every demo KPI with a polarity has a target, a baseline and a review date in
    # force in the demo month; neutral KPIs have none.
    from pmf_lib.assess.pipeline import configured_kpis
    from pmf_lib.config import load_config

    metas = configured_kpis(load_config(ROOT / "parameters" / "config.yaml", check_files=False))
    t = load_targets(ROOT / "parameters" / "targets.yaml", metas)
    for kpi_id, m in metas.items():
        p = t.target_in_force(kpi_id, "2026-10-31")
        if m.polarity == "neutral":
            assert p is None, kpi_id
            continue
        assert p is not None and p.target is not None, kpi_id
        assert p.baseline is not None and p.review_by > p.set_on, kpi_id


def test_published_area_reports_show_each_target_with_its_baseline_and_review_date():
    # The demo month as `pmf run` published it: in each area report's measure table, every KPI
    # with a polarity has a target cell giving the target, "baseline ..." and "review by ...",
    # read from the targets in force (not copied from the output).
    from lxml import html as lxml_html

    from pmf_lib.assess.pipeline import configured_kpis
    from pmf_lib.config import load_config
    from pmf_lib.render.format import format_date, format_value

    month = ROOT / "outputs" / "2026-10"
    if not (month / "front_door.html").is_file():
        pytest.skip("the demo month is not published: run `pmf run --month 2026-10`")
    config = load_config(ROOT / "parameters" / "config.yaml", check_files=False)
    metas = configured_kpis(config)
    t = load_targets(ROOT / "parameters" / "targets.yaml", metas)
    for area_id, area in config.areas.items():
        doc = lxml_html.fromstring((month / f"{area_id}.html").read_text(encoding="utf-8"))
        table = doc.xpath("//table[contains(@class, 'pmf-dashboard')]")[0]
        cells = {}
        for tr in table.xpath("./tbody/tr"):
            th = tr.xpath("./th")[0]
            title = (th.text or "").strip() or th.text_content().strip()  # before the window
            cells[title] = tr.xpath("./td")[1].text_content()  # Value, then Target
        for kpi_id in area.kpis:
            m = metas[kpi_id]
            cell = cells[m.title]
            p = t.target_in_force(kpi_id, "2026-10-31")
            if m.polarity == "neutral":
                assert "baseline" not in cell, kpi_id
                continue
            assert format_value(p.target, m.unit) in cell, (kpi_id, cell)
            assert f"baseline {format_value(p.baseline, m.unit)}" in cell, (kpi_id, cell)
            assert f"review by {format_date(p.review_by)}" in cell, (kpi_id, cell)
