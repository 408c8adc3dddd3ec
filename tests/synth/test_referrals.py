"""Synth referrals: the timeliness ramps and each referral's chain of outcomes."""

from __future__ import annotations

import numpy as np
import pytest

from pmf_lib.dates import working_days_between
from pmf_lib.synth.days import OPEN, YEAR, Horizon, as_dates, day
from pmf_lib.synth.referrals import (
    FACTORS,
    blank_referrals,
    cp_reviews,
    nudge_season,
    p15,
    p45,
    referral_outcomes,
    rereferral_gap,
)

H = Horizon(
    cla_from=day("2000-04-01"),
    cin_from=day("2018-04-01"),
    end=day("2026-10-31"),
    detail_from=day("2026-05-01"),
)


def test_assessment_timeliness_ramp():
    d = np.array([H.detail_from - 400, H.detail_from - 20, H.detail_from + 10, H.detail_from + 40])
    # 85% until 20 days before the deterioration, then down 0.25 over 60 days to 60%
    assert p45(d, H) == pytest.approx([0.85, 0.85, 0.85 - 0.25 * 30 / 60, 0.60])


def test_icpc_timeliness_ramp():
    d = np.array([H.detail_from - 30, H.detail_from + 45, H.detail_from + 120, H.end])
    # 80% until 30 days before, then down 0.12 over 150 days to 68%
    assert p15(d, H) == pytest.approx([0.80, 0.80 - 0.12 * 75 / 150, 0.68, 0.68])


@pytest.fixture(scope="module")
def outcomes():
    rng = np.random.default_rng(42)
    n = 20_000
    ref = rng.integers(day("2020-01-01"), day("2026-06-01"), n)
    dob = ref - (rng.random(n) * 17 * YEAR).astype(np.int64)
    return referral_outcomes(rng, H, ref, dob, np.zeros(n, np.int64))


def test_each_step_needs_the_one_before(outcomes):
    r = outcomes
    assessed = r["a_start"] < OPEN
    s47, icpc, cpp = r["s47_start"] < OPEN, r["icpc"] < OPEN, r["cpp_start"] < OPEN
    assert (assessed == ~r["nfa"]).all()
    assert not (s47 & ~assessed).any() and not (icpc & ~s47).any() and not (cpp & ~icpc).any()
    # an enquiry without a conference is concluded; one with a conference is not
    assert ((r["s47_decided"] < OPEN) == (s47 & ~icpc)).all()
    # a plan starts on the conference's day and ends after it
    assert (r["cpp_start"][cpp] == r["icpc"][cpp]).all()
    assert (r["cpp_end"][cpp] > r["cpp_start"][cpp]).all()
    assert (r["auth"][assessed] >= r["a_start"][assessed]).all()
    assert (r["closure"] >= r["ref"]).all()


def test_rates_the_model_is_tuned_to(outcomes):
    r = outcomes
    s47, icpc = r["s47_start"] < OPEN, r["icpc"] < OPEN
    assert abs(r["nfa"].mean() - 0.05) < 0.01
    # no previous plans: 32.5% of assessed referrals have an enquiry, 35.5% of those an ICPC
    assert abs(s47[~r["nfa"]].mean() - 0.325) < 0.015
    assert abs(icpc[s47].mean() - 0.355) < 0.03


def test_icpc_target_is_15_working_days_after_the_enquiry_starts(outcomes):
    r = outcomes
    rows = np.flatnonzero(r["s47_start"] < OPEN)[:50]
    for i in rows:
        start, target = as_dates([r["s47_start"][i], r["icpc_target"][i]])
        assert working_days_between(start, target) == 15


def test_factors_are_one_to_three_codes(outcomes):
    r = outcomes
    f = np.stack([r[f"factor{k}"] for k in range(3)])
    given = (f >= 0).sum(axis=0)
    assert set(given) == {1, 2, 3} and (f < len(FACTORS)).all()
    # the codes given come first: no gap before a later factor
    assert not ((f[0] < 0) & (f[1] >= 0)).any() and not ((f[1] < 0) & (f[2] >= 0)).any()


def test_rereferral_gaps_and_season_nudges():
    rng = np.random.default_rng(2)
    g = rereferral_gap(rng, 10_000)
    # 70% soon (1 + exponential, mean 85 days), 30% after 250-1500 days: 250 days or more
    # are the 30% plus the soon ones' tail, 0.70 * exp(-249 / 85) = 3.7%
    assert (g >= 1).all() and (g <= 1500).all()
    assert abs((g >= 250).mean() - (0.30 + 0.70 * np.exp(-249 / 85))) < 0.015
    d = np.arange(day("2025-01-01"), day("2026-01-01"), dtype=np.int64)
    moved = nudge_season(rng, d)
    # never earlier; a day moves at most a month plus a weekend forward
    assert (moved >= d).all() and (moved - d).max() <= 31 + 3
    weekend_before = (~np.is_busday(as_dates(d))).mean()
    assert (~np.is_busday(as_dates(moved))).mean() < weekend_before / 2


def test_cp_reviews_first_at_three_months_then_every_six():
    r = {
        "cpp_start": np.array([day("2025-01-08"), OPEN]),
        "cpp_end": np.array([day("2025-12-01"), OPEN]),
    }
    out = cp_reviews(r)
    assert out["row"].tolist() == [0, 0]  # the second row has no plan
    first, second = (str(x) for x in as_dates(out["CPPreviewDate"]))
    # 88 days after 8 January 2025 is Sunday 6 April: rolled to Monday 7 April
    assert first == "2025-04-07" and second == str(as_dates([day(first) + 182])[0])


def test_blank_referrals_go_straight_into_care():
    rng = np.random.default_rng(0)
    ref = np.array([day("2025-01-10"), day("2025-03-10")])
    r = blank_referrals(rng, H, np.array([5, 6]), ref, assessed=False)
    assert r["care"].all() and not r["nfa"].any() and r["child"].tolist() == [5, 6]
    for col in ("s47_start", "icpc", "cpp_start", "plan_start", "a_start", "auth"):
        assert (r[col] == OPEN).all(), col
    assessed = blank_referrals(rng, H, np.array([5, 6]), ref, assessed=True)
    assert (assessed["a_start"] < OPEN).all()
