"""SPC (Making Data Count) against the worked examples in spc-worked-examples.md."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmf_lib.assess import spc as S

EXAMPLE_1 = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]


def months(n: int, start: str = "2023-01-31") -> pd.DatetimeIndex:
    return pd.date_range(start, periods=n, freq="ME")


# ----------------------------------------------------------------------------- limits


def test_example_1_limits_without_screening():
    # mean = 35/18 = 1.944; 17 moving ranges: fifteen 1s, an 8 and a 9 -> mR̄ = 32/17 = 1.882;
    # 2.66 × 1.882 = 5.007 -> upper 6.95, lower -3.06 (spc-worked-examples.md, Example 1).
    lim = S.xmr_limits(EXAMPLE_1)
    assert round(lim.mean, 2) == 1.94
    assert round(lim.upper, 2) == 6.95
    assert round(lim.lower, 2) == -3.06
    assert lim.mr_bar == pytest.approx(32 / 17)
    assert not lim.trial and not lim.screened


def test_example_1_point_5_is_outside_the_upper_limit():
    chart = S.spc(pd.Series(EXAMPLE_1, index=months(18), dtype=float))
    flagged = np.flatnonzero(chart["rule"].to_numpy() == "outside_limits") + 1
    assert flagged.tolist() == [5]
    assert chart["direction"].iloc[4] == "high"
    # No other rule fires: the other points alternate 1, 2 around the mean 1.94.
    assert chart["special_cause"].sum() == 1


def test_example_1_limits_with_screening():
    # 3.267 × 1.882 = 6.15: the moving ranges 8 and 9 are dropped, mR̄ = 1 ->
    # upper 1.944 + 2.66 = 4.60, lower -0.72.
    lim = S.xmr_limits(EXAMPLE_1, screen_outliers=True)
    assert round(lim.mean, 2) == 1.94
    assert round(lim.upper, 2) == 4.60
    assert round(lim.lower, 2) == -0.72
    assert lim.mr_bar == pytest.approx(1.0)


def test_screening_drops_a_moving_range_equal_to_the_cut_off():
    # Moving ranges 0,0,0,... and one x chosen so that x == 3.267 × mR̄ exactly is impossible
    # with a single outlier (x/n == x/3.267 -> n = 3.267); use the rule directly instead:
    # ranges [1]*9 + [10]: mR̄ = 19/10 = 1.9, cut-off 6.207; 10 is dropped -> mR̄ = 1.
    values = np.cumsum([0] + [1] * 9 + [10]).tolist()  # 0,1,...,9,19
    assert S.xmr_limits(values, screen_outliers=True).mr_bar == pytest.approx(1.0)
    assert S.xmr_limits(values).mr_bar == pytest.approx(1.9)


def test_close_band_is_two_thirds_of_the_way_to_the_limits():
    lim = S.xmr_limits([0, 3, 0, 3])  # mean 1.5, mR̄ 3 -> ±7.98, close ±5.32
    assert lim.upper - lim.mean == pytest.approx(7.98)
    assert lim.close_upper - lim.mean == pytest.approx(1.7733333 * 3)
    assert lim.mean - lim.close_lower == pytest.approx(1.7733333 * 3)


def test_baseline_points_fix_the_limits_from_the_first_n():
    # First 12 alternate 10, 12 (mean 11, mR̄ 2); later points 40 do not move the limits.
    values = [10, 12] * 6 + [40, 40]
    lim = S.xmr_limits(values, baseline_points=12)
    assert lim.mean == 11 and lim.mr_bar == 2 and lim.n_baseline == 12 and not lim.trial


def test_fewer_than_12_baseline_points_are_trial_limits():
    assert S.xmr_limits([1, 2] * 5 + [1]).trial  # 11 points
    assert not S.xmr_limits([1, 2] * 6).trial  # 12 points


def test_fewer_than_two_points_give_no_limits():
    lim = S.xmr_limits([4.0])
    assert lim.mean == 4.0 and math.isnan(lim.upper) and not lim.valid
    with pytest.raises(ValueError):
        S.xmr_limits([1, 2, 3], baseline_points=1)


def test_missing_values_are_skipped_in_the_limits():
    # 1, NaN, 3, 5: moving ranges join the present points: |3-1|, |5-3| -> mR̄ 2, mean 3.
    lim = S.xmr_limits([1, float("nan"), 3, 5])
    assert lim.mean == 3 and lim.mr_bar == 2 and lim.n_baseline == 3


# ----------------------------------------------------------------------------- rule vectors


def test_shift_vector():
    sides = [1, 1, 1, 1, 1, 1, 1, 1, -1]
    # positions 7 and 8 complete a run of 7 on one side
    assert np.flatnonzero(S.run_ends(sides, 7)).tolist() == [6, 7]
    # positions 1-8 are part of the shift; 9 is not
    assert S.shift_from_sides(sides).tolist() == [1, 1, 1, 1, 1, 1, 1, 1, 0]


def test_shift_is_broken_by_a_point_on_the_mean():
    assert not S.shift_from_sides([1, 1, 1, 0, 1, 1, 1, 1]).any()
    assert S.rule_shift([5, 5, 5, 4, 5, 5, 5, 5], mean=4).tolist() == [0] * 8


def test_shift_below_the_mean_is_low():
    assert S.shift_from_sides([-1] * 7).tolist() == [-1] * 7


def test_trend_vector_seven_rises():
    assert S.rule_trend([1, 2, 3, 4, 5, 6, 7]).tolist() == [1] * 7


def test_trend_vector_tie_breaks_it():
    assert S.rule_trend([1, 2, 3, 3, 4, 5, 6]).tolist() == [0] * 7


def test_trend_vector_eighth_point_completes_it():
    # points 2-8 are part of it, point 9 is not
    assert S.rule_trend([2, 1, 2, 3, 4, 5, 6, 7, 3]).tolist() == [0, 1, 1, 1, 1, 1, 1, 1, 0]


def test_six_rises_in_a_row_need_seven_points():
    assert not S.rule_trend([1, 2, 3, 4, 5, 6]).any()  # 5 rises only


def test_falling_trend_is_low():
    assert S.rule_trend([9, 8, 7, 6, 5, 4, 3]).tolist() == [-1] * 7


def test_two_of_three_vector():
    assert S.two_of_three_from_flags([0, 0, 1, 1, 0, 0, 0], [1] * 7).tolist() == [
        0, 0, 1, 1, 0, 0, 0,
    ]  # fmt: skip


def test_two_of_three_needs_all_three_on_one_side():
    assert S.two_of_three_from_flags([1, 0, 1], [1, -1, 1]).tolist() == [0, 0, 0]


def test_two_of_three_below_is_low():
    assert S.two_of_three_from_flags([1, 1, 0], [-1, -1, -1]).tolist() == [-1, -1, 0]


def test_close_band_excludes_points_beyond_the_limit():
    # mean 10, close band (13, 15] above and [5, 7) below; 16 is outside, not close.
    assert S.close_flags([13, 13.01, 15, 15.01, 7, 6.99, 5, 4.99], 10, 15, 5, 13, 7).tolist() == [
        False, True, True, False, False, True, True, False,
    ]  # fmt: skip


def test_point_on_a_limit_is_not_outside():
    assert S.rule_outside_limits([15, 5, 15.001, 4.999], 15, 5).tolist() == [0, 0, 1, -1]


# ----------------------------------------------------------------------------- precedence


def test_precedence_outside_beats_trend():
    # Wide limits from an alternating baseline; then 7 rises where the last is far outside.
    base = [0, 10] * 6  # mean 5, mR̄ 10 -> limits -21.6 .. 31.6
    values = base + [1, 2, 3, 4, 5, 6, 40]
    lim = S.xmr_limits(values, baseline_points=12)
    r = S.apply_rules(values, lim)
    assert r["rule"].iloc[-1] == "outside_limits"
    assert r["rule"].iloc[-7:-1].tolist() == ["trend"] * 6


def test_precedence_trend_beats_shift():
    # 7 points all below the mean and falling: both rules fire, trend wins.
    base = [0, 20] * 6  # mean 10, mR̄ 20 -> limits -43.2 .. 63.2
    values = base + [9, 8, 7, 6, 5, 4, 3]
    r = S.apply_rules(values, S.xmr_limits(values, baseline_points=12))
    assert (r["shift"].iloc[-7:] == -1).all() and (r["trend"].iloc[-7:] == -1).all()
    assert r["rule"].iloc[-7:].tolist() == ["trend"] * 7
    assert r["direction"].iloc[-7:].tolist() == ["low"] * 7


def test_precedence_two_of_three_beats_shift():
    # mean 10, mR̄ 3 (baseline 10, 13 alternating... use explicit limits): values above the
    # mean for 7 points, two of them in the close band -> those two are two_of_three.
    lim = S.Limits(10, 3, 17.98, 2.02, 15.32, 4.68, 12, False)
    values = [11, 16, 16, 11, 11, 11, 11]
    r = S.apply_rules(values, lim)
    assert r["rule"].tolist() == ["shift", "two_of_three", "two_of_three"] + ["shift"] * 4


def test_common_cause_otherwise():
    r = S.apply_rules([1, 2, 1, 2], S.xmr_limits([1, 2, 1, 2]))
    assert r["rule"].tolist() == ["common_cause"] * 4
    assert not r["special_cause"].any() and r["direction"].isna().all()


# ----------------------------------------------------------------------------- segments


def test_rebase_gives_each_segment_its_own_limits_and_rules_do_not_cross():
    # Segment 0: 12 points alternating 10/12 (mean 11); segment 1 from 2024-01-01: 12 points
    # alternating 20/22 (mean 21). Without the rebase the second half would be a shift.
    idx = months(24)
    s = pd.Series([10.0, 12.0] * 6 + [20.0, 22.0] * 6, index=idx)
    chart = S.spc(s, rebase_dates=["2024-01-01"])
    assert chart["segment"].tolist() == [0] * 12 + [1] * 12
    assert chart["mean"].iloc[0] == 11 and chart["mean"].iloc[-1] == 21
    assert chart["upper"].iloc[-1] == pytest.approx(21 + 2.66 * 2)
    assert not chart["special_cause"].any()
    assert not chart["trial"].any()
    unbased = S.spc(s)
    assert unbased["special_cause"].all()


def test_short_segment_has_trial_limits():
    # Segment 1 has 7 points (20/22 alternating): at least MIN_POINTS (7), so it gets limits,
    # but fewer than 12, so they are trial limits. Segment 0 has 12: full limits.
    s = pd.Series([10.0, 12.0] * 6 + [20.0, 22.0, 20.0, 22.0, 20.0, 22.0, 20.0], index=months(19))
    chart = S.spc(s, rebase_dates=["2024-01-01"])
    assert chart["trial"].tolist() == [False] * 12 + [True] * 7
    assert chart["upper"].notna().all()


def test_segment_below_the_minimum_points_gets_no_limits_and_no_verdict():
    # Segment 1 has 6 points, one fewer than the 7 the run rules need: no mean, no limits, no
    # rule (not "common cause"), and a note saying why. Segment 0 (12 points) is charted.
    s = pd.Series([10.0, 12.0] * 6 + [20.0, 22.0] * 3, index=months(18))
    chart = S.spc(s, rebase_dates=["2024-01-01"])
    seg1 = chart[chart["segment"] == 1]
    assert seg1["upper"].isna().all() and seg1["mean"].isna().all()
    assert seg1["rule"].isna().all() and not seg1["special_cause"].any()
    assert (seg1["note"] == "fewer than 7 points").all()
    assert chart.loc[chart["segment"] == 0, "rule"].eq("common_cause").all()


def test_constant_segment_gives_no_expected_range():
    # Eleven every month: mR̄ = 0, so "limits" would be 11 to 11 and any later move would be
    # "outside" them. No limits, no rule, no special cause; the note says there is no variation.
    chart = S.spc(pd.Series([11.0] * 14, index=months(14)))
    assert chart[["mean", "upper", "lower"]].isna().all().all()
    assert chart["rule"].isna().all() and not chart["special_cause"].any()
    assert (chart["note"] == S.NOTE_NO_VARIATION).all()


def test_baseline_points_in_a_chart():
    # Limits from the first 12 points (10/12: mean 11, limits 5.68 .. 16.32); then 30 is outside.
    s = pd.Series([10.0, 12.0] * 6 + [30.0], index=months(13))
    chart = S.spc(s, baseline_points=12)
    assert chart["mean"].iloc[-1] == 11
    assert chart["baseline"].tolist() == [True] * 12 + [False]
    assert chart["rule"].iloc[-1] == "outside_limits"


def test_missing_value_keeps_its_row_without_a_rule():
    # 7 present values (1, 2, 1, 2, 1, 2, 1: mean 10/7) and a gap; the gap has no rule.
    s = pd.Series([1.0, np.nan, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0], index=months(8))
    chart = S.spc(s)
    assert pd.isna(chart["rule"].iloc[1]) and not chart["special_cause"].iloc[1]
    assert chart["mean"].iloc[1] == pytest.approx(10 / 7)
    assert chart["rule"].iloc[0] == "common_cause"


def test_unsorted_series_is_sorted_and_duplicates_rejected():
    idx = months(3)
    chart = S.spc(pd.Series([3.0, 1.0, 2.0], index=idx[::-1]))
    assert chart.index.is_monotonic_increasing and chart["value"].tolist() == [2.0, 1.0, 3.0]
    with pytest.raises(ValueError):
        S.spc(pd.Series([1.0, 2.0], index=[idx[0], idx[0]]))


# ----------------------------------------------------------------------------- icons


@pytest.mark.parametrize(
    ("direction", "polarity", "label"),
    [
        ("high", "higher_is_better", "special cause improvement"),
        ("low", "higher_is_better", "special cause concern"),
        ("high", "lower_is_better", "special cause concern"),
        ("low", "lower_is_better", "special cause improvement"),
        ("high", "neutral", "special cause high"),
        ("low", "neutral", "special cause low"),
    ],
)
def test_variation_icon_special_cause(direction, polarity, label):
    latest = {"rule": "shift", "special_cause": True, "direction": direction}
    assert S.variation_icon(latest, polarity) == label


def test_variation_icon_common_cause_and_missing():
    assert S.variation_icon({"rule": "common_cause", "special_cause": False}, "neutral") == (
        "common cause"
    )
    assert S.variation_icon({"rule": None, "special_cause": False}, "neutral") is None
    with pytest.raises(ValueError):
        S.variation_icon({"rule": "shift", "special_cause": True}, "upwards")


@pytest.mark.parametrize(
    ("target", "polarity", "label"),
    [
        (90.01, "higher_is_better", "consistently failing"),
        (90.0, "higher_is_better", "hit and miss"),  # equal to a limit: hit and miss
        (80.0, "higher_is_better", "hit and miss"),
        (70.0, "higher_is_better", "hit and miss"),
        (69.99, "higher_is_better", "consistently passing"),
        (90.01, "lower_is_better", "consistently passing"),
        (90.0, "lower_is_better", "hit and miss"),
        (70.0, "lower_is_better", "hit and miss"),
        (69.99, "lower_is_better", "consistently failing"),
        (80.0, "neutral", None),
        (None, "higher_is_better", None),
        (float("nan"), "higher_is_better", None),
    ],
)
def test_assurance_icon(target, polarity, label):
    limits = S.Limits(80, 7.5188, 90, 70, 86.67, 73.33, 12, False)
    assert S.assurance_icon(target, limits, polarity) == label


def test_assurance_icon_without_limits():
    assert S.assurance_icon(5, S.xmr_limits([1.0]), "higher_is_better") is None


# ----------------------------------------------------------------------------- properties

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
series = st.lists(finite, min_size=2, max_size=40)


@settings(max_examples=200, deadline=None)
@given(series)
def test_limits_are_symmetric_about_the_mean(values):
    lim = S.xmr_limits(values)
    assert lim.upper - lim.mean == pytest.approx(lim.mean - lim.lower, abs=1e-6)
    assert lim.upper >= lim.close_upper >= lim.mean >= lim.close_lower >= lim.lower


@settings(max_examples=100, deadline=None)
@given(finite, st.integers(min_value=1, max_value=40))
def test_constant_series_has_no_special_cause(c, n):
    chart = S.spc(pd.Series([c] * n, index=months(n), dtype=float))
    assert not chart["special_cause"].any()


@settings(max_examples=200, deadline=None)
@given(series, st.floats(min_value=-1e4, max_value=1e4, allow_nan=False))
def test_shifting_every_value_shifts_the_limits(values, c):
    a = S.xmr_limits(values)
    b = S.xmr_limits([v + c for v in values])
    tol = 1e-6 * (1 + max(abs(v) for v in values) + abs(c))
    assert b.mean == pytest.approx(a.mean + c, abs=tol)
    assert b.upper == pytest.approx(a.upper + c, abs=tol)
    assert b.lower == pytest.approx(a.lower + c, abs=tol)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=-50, max_value=50), min_size=2, max_size=40))
def test_reflecting_the_series_swaps_high_and_low(values):
    # Negating every value mirrors the chart: same rules, opposite directions (integers keep
    # the arithmetic exact).
    idx = months(len(values))
    a = S.spc(pd.Series(values, index=idx, dtype=float))
    b = S.spc(pd.Series([-v for v in values], index=idx, dtype=float))
    assert a["rule"].tolist() == b["rule"].tolist()
    flip = {"high": "low", "low": "high"}
    assert [flip.get(d, "-") for d in a["direction"]] == b["direction"].fillna("-").tolist()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=-50, max_value=50), min_size=1, max_size=40))
def test_special_cause_points_have_a_direction(values):
    chart = S.spc(pd.Series(values, index=months(len(values)), dtype=float))
    sc = chart["special_cause"]
    assert chart.loc[sc, "direction"].isin(["high", "low"]).all()
    assert chart.loc[~sc, "direction"].isna().all()
    assert set(chart["rule"].dropna()) <= {*S.RULES, "common_cause"}
