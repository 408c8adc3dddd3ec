"""Exception and good-practice flags, and their sentences, on small hand-built series."""

from __future__ import annotations

import pandas as pd
import pytest

from pmf_lib.assess import exceptions as E
from pmf_lib.assess.spc import spc

OCT = pd.Timestamp("2025-10-31")


def km(**kw) -> E.KpiMonth:
    base = dict(
        kpi_id="assessments_45wd_pct",
        title="Assessments completed within 45 working days",
        unit="percent",
        polarity="higher_is_better",
        period_end=OCT,
        value=71.2,
    )
    base.update(kw)
    return E.KpiMonth(**base)


# ----------------------------------------------------------------------------- worsening


def test_worsened_three_months_running_by_polarity():
    # higher is better: 90 -> 85 -> 80 -> 75 is three falls = three worsenings
    assert E.months_worsening([90, 85, 80, 75], "higher_is_better") == 3
    # the same numbers are three improvements where lower is better
    assert E.months_worsening([90, 85, 80, 75], "lower_is_better") == 0
    assert E.months_worsening([75, 80, 85, 90], "lower_is_better") == 3
    # neutral KPIs are never worse
    assert E.months_worsening([90, 85, 80, 75], "neutral") == 0


def test_a_tie_or_a_gap_breaks_the_worsening_run():
    assert E.months_worsening([90, 85, 85, 80], "higher_is_better") == 1
    assert E.months_worsening([90, float("nan"), 80, 75], "higher_is_better") == 1
    assert E.months_worsening([75], "higher_is_better") == 0


def test_worsened_flag_needs_three():
    assert "worsened_3_months" in E.exception_flags(km(months_worse=3))
    assert "worsened_3_months" not in E.exception_flags(km(months_worse=2))


def test_months_off_target_counts_amber_and_red():
    assert E.months_off_target(["Red", "Amber", "Red"]) == 3
    assert E.months_off_target(["Red", "No target", "Red"]) == 1
    assert E.months_off_target(["Red", "Green"]) == 0


# ----------------------------------------------------------------------------- flags


def test_red_flags_and_amber_does_not():
    assert E.exception_flags(km(rag="Red")) == ["red"]
    assert E.exception_flags(km(rag="Amber")) == []
    assert E.exception_flags(km(rag="No target")) == []


@pytest.mark.parametrize(
    ("polarity", "direction", "exception", "good"),
    [
        ("higher_is_better", "low", ["special_cause_concern"], []),
        ("higher_is_better", "high", [], ["special_cause_improvement"]),
        ("lower_is_better", "high", ["special_cause_concern"], []),
        ("lower_is_better", "low", [], ["special_cause_improvement"]),
        ("neutral", "high", [], []),
    ],
)
def test_special_cause_flags_by_polarity(polarity, direction, exception, good):
    k = km(polarity=polarity, spc_rule="shift", spc_direction=direction, spc_special_cause=True)
    assert E.exception_flags(k) == exception
    assert E.good_practice_flags(k) == good


def test_quartile_flags():
    assert E.exception_flags(km(quartile_band="D")) == ["quartile_d"]
    assert E.exception_flags(km(quartile_band="C")) == []
    assert E.good_practice_flags(km(quartile_band="C", previous_quartile_band="D")) == [
        "moved_up_quartile"
    ]
    assert E.good_practice_flags(km(quartile_band="A", previous_quartile_band="C")) == [
        "moved_up_quartile"
    ]
    assert E.good_practice_flags(km(quartile_band="D", previous_quartile_band="C")) == []
    assert E.good_practice_flags(km(quartile_band="B", previous_quartile_band=None)) == []
    # moving up into D is impossible; moving down into D is an exception, not good practice
    with pytest.raises(ValueError):
        E.quartile_moved_up("E", "D")


def test_neutral_kpis_are_never_flagged():
    k = km(polarity="neutral", rag="Red", quartile_band="D", months_worse=5)
    assert E.exception_flags(k) == [] and E.good_practice_flags(k) == []


# ----------------------------------------------------------------------------- run lengths


def months(n):
    return pd.date_range("2024-01-31", periods=n, freq="ME")


def test_spc_run_length_of_a_trend():
    # Baseline alternating 70/50 (mean 60, mR̄ 20: wide limits), then a rise to 66 and
    # 7 falling points 66 .. 54: 6 falls.
    values = [70, 50] * 6 + [66, 64, 62, 60, 58, 56, 54]
    chart = spc(pd.Series(values, index=months(19), dtype=float), baseline_points=12)
    assert chart["rule"].iloc[-1] == "trend" and chart["direction"].iloc[-1] == "low"
    assert E.spc_run_length(chart) == 6


def test_spc_run_length_of_a_common_cause_point():
    chart = spc(pd.Series([1.0, 2.0] * 4, index=months(8)))  # 8 points: SPC applies
    assert E.spc_run_length(chart) == 1


# ----------------------------------------------------------------------------- sentences


def test_the_issue_example_sentence():
    # 71.2% in October, down from 72.0%; target 85 (Red) for the third month; the last seven
    # months below the mean of 80.4 (a shift).
    k = km(
        previous_value=72.0,
        rag="Red",
        target=85.0,
        amber_tolerance=5.0,
        months_off_target=3,
        spc_rule="shift",
        spc_direction="low",
        spc_special_cause=True,
        spc_mean=80.44,
        spc_lower=70.1,
        spc_upper=90.7,
        spc_run=7,
    )
    assert E.sentence(k) == (
        "Assessments completed within 45 working days fell to 71.2% in October 2025, below the "
        "85% target for the third month running; the last seven months are all below the "
        "average of 80.4%, a shift rather than noise."
    )


def test_sentence_worsening_amber_two_of_three_lower_is_better():
    k = E.KpiMonth(
        "cla_3plus_placements_pct",
        "Children looked after with 3 or more placements in 12 months",
        "percent",
        "lower_is_better",
        pd.Timestamp("2025-03-31"),
        10.6,
        previous_value=10.2,
        rag="Amber",
        target=10.0,
        amber_tolerance=1.0,
        months_off_target=1,
        months_worse=3,
        spc_rule="two_of_three",
        spc_direction="high",
        spc_special_cause=True,
        spc_mean=9.1,
        spc_lower=7.0,
        spc_upper=11.2,
    )
    assert E.exception_flags(k) == ["special_cause_concern", "worsened_3_months"]
    assert E.sentence(k) == (
        "Children looked after with 3 or more placements in 12 months rose for the third month "
        "running, to 10.6% in March 2025, just above the 10% target; two of the last three "
        "months are close to the upper process limit of 11.2%, an early warning rather than "
        "noise."
    )


def test_sentence_trend_improvement_with_trial_limits():
    k = km(
        value=88.0,
        previous_value=86.5,
        rag="Green",
        target=85.0,
        spc_rule="trend",
        spc_direction="high",
        spc_special_cause=True,
        spc_mean=80.0,
        spc_run=6,
        spc_trial=True,
    )
    assert E.good_practice_flags(k) == ["special_cause_improvement"]
    assert E.sentence(k) == (
        "Assessments completed within 45 working days rose to 88.0% in October 2025, meeting the "
        "85% target; it has risen six months in a row, a trend rather than noise, "
        "on trial limits (fewer than 12 months of data)."
    )


def test_sentence_outside_upper_limit_count_quartile_d():
    k = E.KpiMonth(
        "rereferrals_12m_pct",
        "Re-referrals within 12 months",
        "percent",
        "lower_is_better",
        OCT,
        31.0,
        previous_value=31.0,
        spc_rule="outside_limits",
        spc_direction="high",
        spc_special_cause=True,
        spc_mean=22.0,
        spc_lower=15.0,
        spc_upper=29.0,
        quartile_band="D",
    )
    assert E.sentence(k) == (
        "Re-referrals within 12 months was unchanged at 31.0% in October 2025; this is above the "
        "upper process limit of 29.0%, too far out to be noise; it is in the bottom quartile (D) "
        "against comparators."
    )


def test_sentence_common_cause_and_no_previous_month():
    k = E.KpiMonth(
        "referrals_count",
        "Referrals",
        "count",
        "neutral",
        OCT,
        1234.0,
        spc_rule="common_cause",
        spc_mean=1200.0,
        spc_lower=1050.4,
        spc_upper=1349.6,
    )
    assert E.sentence(k) == (
        "Referrals was 1,234 in October 2025; it is within the expected range of 1,050 to 1,350, "
        "common cause variation."
    )


def test_sentence_without_a_figure():
    k = km(value=float("nan"), previous_value=80.0, rag="No data", target=85.0)
    assert E.sentence(k) == (
        "Assessments completed within 45 working days had no figure for October 2025."
    )


def test_formatting_helpers():
    assert E.format_value(70.04, "rate_10k") == "70.0"
    assert E.format_value(0.456, "ratio") == "0.46"
    assert E.format_target(10.25, "percent") == "10.25%"
    assert E.ordinal(11) == "eleventh" and E.ordinal(112) == "112th" and E.ordinal(23) == "23rd"
    assert E.number_word(12) == "twelve"
