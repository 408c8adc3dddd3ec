"""Exception and good-practice flags, and their sentences, on small hand-built series."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    # 73.0% -> 71.2% is -1.8 pp: "Worsening" on the month; the run is three such months.
    assert "worsened_3_months" in E.exception_flags(km(months_worse=3, previous_value=73.0))
    assert "worsened_3_months" not in E.exception_flags(km(months_worse=2, previous_value=73.0))
    # A run that does not end in a "Worsening" month (71.5 -> 71.2 is "No change") is no run.
    assert "worsened_3_months" not in E.exception_flags(km(months_worse=3, previous_value=71.5))


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
    # 71.2% in October, down from 73.0% (-1.8 pp: a fall); target 85 (Red) for the third
    # month; the last seven months below the mean of 80.4 (a shift).
    k = km(
        previous_value=73.0,
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
        "Assessments completed within 45 working days fell to 71.2% in October 2025, from 73.0% "
        "in September 2025, below the 85% target for the third month running; the last seven "
        "months are all below the average of 80.4%, a shift rather than noise."
    )


def test_sentence_worsening_amber_two_of_three_lower_is_better():
    k = E.KpiMonth(
        "cla_3plus_placements_pct",
        "Children looked after with 3 or more placements in 12 months",
        "percent",
        "lower_is_better",
        pd.Timestamp("2025-03-31"),
        10.6,
        previous_value=9.4,
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
    # 9.4% -> 10.6% is +1.2 pp, lower is better: "Worsening", the third month running.
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
        "Assessments completed within 45 working days rose to 88.0% in October 2025, from 86.5% "
        "in September 2025, meeting the 85% target; it has risen six months in a row, a trend "
        "rather than noise, on trial limits (fewer than 12 months of data)."
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
    # The sentences print with the one formatter: as tables do, halves up.
    assert E.format_value(70.04, "rate_10k") == "70.0 per 10k"
    assert E.format_value(71.25, "percent") == "71.3%"
    assert E.format_value(0.456, "ratio") == "0.46"
    assert E.format_target(10.25, "percent") == "10.25%"
    assert E.ordinal(11) == "eleventh" and E.ordinal(112) == "112th" and E.ordinal(23) == "23rd"
    assert E.number_word(12) == "twelve"


# ----------------------------------------------------------------------------- the rules
# Each rule on a tiny hand-built month; the expected verdict is worked out in the comment.


def test_rule_neutral_polarity_raises_no_flag_from_direction():
    # Average caseload if it were neutral: 16.0 -> 18.0 (+12.5 %: "Up", neither good nor bad)
    # and a shift high. Neither flag: direction alone says nothing on a neutral KPI.
    k = km(
        unit="mean",
        polarity="neutral",
        value=18.0,
        previous_value=16.0,
        year_earlier_value=15.0,
        spc_rule="shift",
        spc_direction="high",
        spc_special_cause=True,
        spc_mean=15.0,
    )
    assert E.flags(k) == ([], [])


def test_rule_small_denominator():
    # "1 of 1 actions complete": 100% from a denominator of 1, special cause high
    # (higher is better) would be good practice; below 5, no flag.
    spc_high = dict(spc_rule="shift", spc_direction="high", spc_special_cause=True, spc_mean=60.0)
    assert E.flags(km(value=100.0, denominator=1.0, **spc_high)) == ([], [])
    assert E.flags(km(value=100.0, denominator=4.0, **spc_high)) == ([], [])
    # 5 is enough: the flag stands.
    assert E.flags(km(value=100.0, denominator=5.0, **spc_high)) == (
        [],
        ["special_cause_improvement"],
    )
    # And red from 1 of 4 is not an exception either.
    assert E.flags(km(value=25.0, denominator=4.0, rag="Red", target=85.0)) == ([], [])
    # A count has no denominator (NaN): not affected.
    assert E.flags(km(unit="count", value=9.0, rag="Red")) == (["red"], [])


def test_rule_annual_unchanged():
    # Care leavers in suitable accommodation (OC3, annual): 97.18% in October, 97.18% in
    # September too (the same return), moved up a quartile a year ago. Unchanged because its
    # source is annual: no flag.
    k = km(
        value=97.18,
        cadence="annual",
        last_month_value=97.18,
        quartile_band="B",
        previous_quartile_band="C",
    )
    assert E.flags(k) == ([], [])
    # The month the new return arrives (97.18% after 95.0%), the flag is raised.
    assert E.flags(replace(k, last_month_value=95.0)) == ([], ["moved_up_quartile"])
    # Its sentence says it is an annual figure, against the year before (95.0%: +2.2 pp).
    assert E.sentence(replace(k, previous_value=95.0)) == (
        "Assessments completed within 45 working days stands at 97.2% in October 2025 (an "
        "annual figure), up from 95.0% a year earlier; it has moved up from quartile C to B "
        "against comparators."
    )
    # The same unchanged figure on a monthly KPI is news every month.
    assert E.flags(replace(k, cadence="monthly")) == ([], ["moved_up_quartile"])


def test_rule_spc_agrees_with_travel():
    # Case audits graded inadequate (lower is better): 3.3% -> 4.4%, +1.1 pp, "Worsening",
    # while two of three points are close to the lower limit ("special cause improvement").
    # The SPC good-practice flag would contradict the row's "Worsening": not raised.
    k = km(
        polarity="lower_is_better",
        value=4.4,
        previous_value=3.3,
        spc_rule="two_of_three",
        spc_direction="low",
        spc_special_cause=True,
        spc_mean=6.0,
        spc_lower=3.0,
    )
    assert E.candidate_good_practice_flags(k) == ["special_cause_improvement"]
    assert E.flags(k) == ([], [])
    # Review conferences in time (higher is better): 66.5% -> 81.8%, "Improving", within a
    # run below the mean ("special cause concern"): no SPC exception.
    k = km(
        value=81.8,
        previous_value=66.5,
        spc_rule="shift",
        spc_direction="low",
        spc_special_cause=True,
        spc_mean=85.0,
    )
    assert E.flags(k) == ([], [])
    # "No change" on the month (71.5 -> 71.2): the SPC verdict stands.
    assert E.flags(replace(k, value=71.2, previous_value=71.5)) == (["special_cause_concern"], [])


def test_rule_no_good_practice_while_worsening_on_both():
    # Average caseload (lower is better) 16.0 last month, 15.0 a year ago, 18.0 now: worse on
    # both; it moved up a quartile. No good practice.
    k = km(
        unit="mean",
        polarity="lower_is_better",
        value=18.0,
        previous_value=16.0,
        year_earlier_value=15.0,
        quartile_band="B",
        previous_quartile_band="C",
    )
    assert E.flags(k) == ([], [])
    # Better than a year ago (19.0): the quartile move stands.
    assert E.flags(replace(k, year_earlier_value=19.0)) == ([], ["moved_up_quartile"])


def test_rule_no_exception_while_improving_on_both_unless_red():
    # 60% -> 70% -> 80% (a year ago, last month, now; higher is better): improving on both,
    # still quartile D. No exception...
    k = km(value=80.0, previous_value=70.0, year_earlier_value=60.0, quartile_band="D")
    assert E.flags(k) == ([], [])
    # ...unless Red against target: red stays, quartile D still does not.
    assert E.flags(replace(k, rag="Red", target=90.0)) == (["red"], [])
    # Improving on one only (a year ago 85%): the exception stands.
    assert E.flags(replace(k, year_earlier_value=85.0)) == (["quartile_d"], [])


def test_rule_never_both():
    # Quartile D (exception) and a shift in the good direction (good practice), "No change"
    # on the month: the exception stands, no good practice.
    k = km(
        value=71.2,
        previous_value=71.5,
        quartile_band="D",
        spc_rule="shift",
        spc_direction="high",
        spc_special_cause=True,
        spc_mean=60.0,
    )
    assert E.candidate_good_practice_flags(k) == ["special_cause_improvement"]
    assert E.flags(k) == (["quartile_d"], [])


def test_quarterly_sentence_names_quarters_and_the_spc_point():
    # LADO referrals are neutral counts; here a higher-is-better quarterly percentage:
    # 75.0% in the quarter to July, 62.3% in the quarter to October (-12.7 pp: fell), 70.0% a
    # year earlier. The SPC point is the last quarter end, September.
    k = E.KpiMonth(
        "lado_resolved_1m_pct",
        "LADO referrals resolved within one month",
        "percent",
        "higher_is_better",
        pd.Timestamp("2026-10-31"),
        62.3,
        previous_value=75.0,
        year_earlier_value=70.0,
        window="quarter",
        cadence="quarterly",
        spc_rule="outside_limits",
        spc_direction="low",
        spc_special_cause=True,
        spc_mean=80.0,
        spc_lower=65.0,
        spc_upper=95.0,
        spc_period_end=pd.Timestamp("2026-09-30"),
    )
    assert E.sentence(k) == (
        "LADO referrals resolved within one month fell to 62.3% in the three months to October "
        "2026, from 75.0% in the three months to July 2026 (70.0% a year earlier); at the latest "
        "quarter end (September 2026), it was below the lower process limit of 65.0%, too far "
        "out to be noise."
    )
    assert E.flags(k) == (["special_cause_concern"], [])


def test_sentence_direction_is_the_tables_verdict():
    # Vacancy rate 18.8% -> 18.5%: -0.3 pp is "No change" in the table, so the sentence does
    # not say "fell"; the value prints as 18.5%, as does the upper limit 18.53: "just above".
    k = km(
        title="Social worker vacancy rate",
        polarity="lower_is_better",
        value=18.547,
        previous_value=18.8,
        spc_rule="outside_limits",
        spc_direction="high",
        spc_special_cause=True,
        spc_mean=15.0,
        spc_upper=18.53,
        spc_lower=11.5,
    )
    assert k.travel_previous == "No change"
    assert E.sentence(k) == (
        "Social worker vacancy rate was little changed at 18.5% in October 2025 (18.8% in "
        "September 2025); this is just above the upper process limit of 18.5%, too far out to "
        "be noise."
    )


def test_constant_series_has_no_expected_range_of_11_to_11():
    k = km(unit="count", value=11.0, spc_rule="common_cause", spc_mean=11.0, spc_lower=11.0,
           spc_upper=11.0)  # fmt: skip
    assert "expected range" not in E.sentence(k)
    assert "has not varied from 11" in E.sentence(k)


# ----------------------------------------------------------------------------- properties

_LABELS = st.sampled_from(["Improving", "Worsening", "No change", "Not available"])


@st.composite
def months_(draw):
    polarity = draw(st.sampled_from(["higher_is_better", "lower_is_better", "neutral"]))
    value = draw(st.floats(0, 100, allow_nan=False))
    special = draw(st.booleans())
    return E.KpiMonth(
        "k",
        "K",
        "percent",
        polarity,
        OCT,
        value,
        previous_value=draw(st.floats(0, 100) | st.just(float("nan"))),
        year_earlier_value=draw(st.floats(0, 100) | st.just(float("nan"))),
        rag=draw(st.sampled_from(["Green", "Amber", "Red", "No target"])),
        target=80.0,
        months_worse=draw(st.integers(0, 5)),
        spc_rule=draw(st.sampled_from(["shift", "trend", "outside_limits", "two_of_three"]))
        if special
        else "common_cause",
        spc_direction=draw(st.sampled_from(["high", "low"])) if special else None,
        spc_special_cause=special,
        spc_mean=50.0,
        spc_lower=draw(st.floats(0, 50)),
        spc_upper=draw(st.floats(50, 100)),
        spc_run=7,
        quartile_band=draw(st.sampled_from([None, "A", "B", "C", "D"])),
        previous_quartile_band=draw(st.sampled_from([None, "A", "B", "C", "D"])),
        cadence=draw(st.sampled_from(["monthly", "quarterly", "annual", "rolling"])),
        denominator=draw(st.sampled_from([float("nan"), 1.0, 4.0, 5.0, 200.0])),
        last_month_value=draw(st.just(value) | st.floats(0, 100)),
    )


@settings(max_examples=300, deadline=None)
@given(months_())
def test_flags_obey_every_rule(k):
    bad, good = E.flags(k)
    assert not (bad and good)  # never both
    if k.travel_previous == "Worsening" and k.travel_year == "Worsening":
        assert not good
    if k.travel_previous == "Improving" and k.travel_year == "Improving":
        assert bad in ([], ["red"])
    if not k.polar or (k.denominator == k.denominator and k.denominator < 5):
        assert (bad, good) == ([], [])
    if k.cadence == "annual" and E.format_value(k.value, "percent") == E.format_value(
        k.last_month_value, "percent"
    ):
        assert (bad, good) == ([], [])
    if k.travel_previous == "Worsening":
        assert "special_cause_improvement" not in good
    if k.travel_previous == "Improving":
        assert "special_cause_concern" not in bad
    # Every flag's reason is in the sentence.
    text = E.sentence(k)
    reasons = {
        "red": "target",
        "special_cause_concern": "noise",
        "special_cause_improvement": "noise",
        "quartile_d": "bottom quartile",
        "moved_up_quartile": "moved up from quartile",
        "worsened_3_months": "running",
    }
    for f in bad + good:
        assert reasons[f] in text, (f, text)
    # The sentence's direction is the travel verdict.
    if k.travel_previous == "No change":
        assert " rose " not in text and " fell " not in text
