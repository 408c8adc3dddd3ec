"""Front-door KPIs on tiny hand-built CIN census tables."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from pmf_lib.compute.kpis import front_door as fd
from pmf_lib.compute.registry import Figure
from pmf_lib.dates import Window

MARCH = Window.of("month", "2025-03-31")
YEAR = Window.of("rolling_12m", "2025-03-31")


def ref(child, date, **extra):
    return {"LAchildID": child, "CINreferralDate": date, **extra}


def test_referrals_count_window_boundaries(build):
    inputs = build.cin(
        referrals=[
            ref("a", "2025-02-28"),  # the day before the month: out
            ref("b", "2025-03-01"),  # first day: in
            ref("c", "2025-03-31"),  # last day: in
            ref("d", "2025-04-01"),  # the day after: out
            ref("e", "2024-04-01"),  # first day of the 12 months: in the rolling window only
            ref("f", "2024-03-31"),  # the day before the 12 months: out
            ref("g", None),  # no date: never counts
        ]
    )
    assert fd.referrals_count(inputs, MARCH) == Figure(2)
    assert fd.referrals_count(inputs, YEAR) == Figure(4)  # a, b, c, e


def test_referrals_rate_uses_rolling_count_and_latest_population(build):
    # 3 referrals in Apr 2024 - Mar 2025; population 2024 is the latest year on or before
    # 2025, so 3 / 20,000 * 10,000 = 1.5 per 10,000.
    inputs = build.cin(
        population={2023: 10_000, 2024: 20_000},
        referrals=[
            ref("a", "2024-04-01"),
            ref("a", "2024-10-01"),
            ref("b", "2025-03-31"),
            ref("c", "2025-04-01"),
        ],
    )
    fig = fd.referrals_rate_10k(inputs, YEAR)
    assert fig == Figure(3, 20_000.0)
    assert fd.referrals_rate_10k.meta.value(fig) == 1.5


def test_referrals_rate_missing_population_is_missing(build):
    # no population estimate for 2025 or earlier: the rate is missing, not 0
    inputs = build.cin(population={2026: 1000}, referrals=[ref("a", "2025-01-01")])
    fig = fd.referrals_rate_10k(inputs, YEAR)
    assert math.isnan(fd.referrals_rate_10k.meta.value(fig))


def test_rereferrals_boundaries_and_ties(build):
    inputs = build.cin(
        referrals=[
            # child a: re-referred 364 days after the first referral -> counts
            ref("a", "2024-03-15"),
            ref("a", "2025-03-14"),
            # child b: exactly one calendar year later (2024-03-15 >= 2025-03-15 minus 1 year)
            # -> counts
            ref("b", "2024-03-15"),
            ref("b", "2025-03-15"),
            # child c: one year and one day later -> does not count
            ref("c", "2024-03-15"),
            ref("c", "2025-03-16"),
            # child d: two referrals on the same day: neither is strictly earlier -> neither counts
            ref("d", "2025-03-10"),
            ref("d", "2025-03-10"),
            # child e: another child's referral the day before does not make e's a re-referral
            ref("x", "2025-03-19"),
            ref("e", "2025-03-20"),
        ]
    )
    # March 2025 referrals: a, b, c, d, d, x, e = 7; re-referrals: a, b = 2
    assert fd.rereferrals_12m_pct(inputs, MARCH) == Figure(2, 7)
    # first referrals in March 2024 (a, b, c) are in neither the month nor the rolling window
    assert fd.rereferrals_12m_pct(inputs, YEAR) == Figure(2, 7)


def test_rereferrals_latest_earlier_referral_is_used(build):
    # child a: referrals 2023-01-01, 2024-06-01 and 2025-03-01; the 2025 one is within a year
    # of 2024-06-01 -> counts (the 2023 one is too old but is not the nearest).
    inputs = build.cin(
        referrals=[ref("a", "2023-01-01"), ref("a", "2024-06-01"), ref("a", "2025-03-01")]
    )
    assert fd.rereferrals_12m_pct(inputs, MARCH) == Figure(1, 1)
    # in the rolling 12 months: 2024-06-01 (previous 2023-01-01, too old) and 2025-03-01
    assert fd.rereferrals_12m_pct(inputs, YEAR) == Figure(1, 2)


def test_rereferrals_leap_years(build):
    inputs = build.cin(
        referrals=[
            # 2025-02-28 minus one year is 2024-02-28, so 2024-02-29 is within -> counts
            ref("a", "2024-02-29"),
            ref("a", "2025-02-28"),
            # 2024-02-29 minus one year is 2023-02-28: an earlier referral that day counts ...
            ref("b", "2023-02-28"),
            ref("b", "2024-02-29"),
            # ... and one on 2023-02-27 does not
            ref("c", "2023-02-27"),
            ref("c", "2024-02-29"),
        ]
    )
    assert fd.rereferrals_12m_pct(inputs, Window.of("month", "2025-02-28")) == Figure(1, 1)
    assert fd.rereferrals_12m_pct(inputs, Window.of("month", "2024-02-29")) == Figure(1, 3)


def test_rereferrals_empty_denominator_is_missing(build):
    inputs = build.cin(referrals=[ref("a", "2024-01-01")])
    fig = fd.rereferrals_12m_pct(inputs, MARCH)
    assert fig == Figure(0, 0)
    assert math.isnan(fd.rereferrals_12m_pct.meta.value(fig))


# ---- properties --------------------------------------------------------------------
CHILDREN = st.sampled_from(["a", "b", "c", "d"])
DAYS = st.integers(min_value=0, max_value=3 * 365)
BASE = pd.Timestamp("2022-04-01")


@st.composite
def referral_rows(draw):
    rows = draw(st.lists(st.tuples(CHILDREN, DAYS), min_size=0, max_size=25))
    return [ref(c, BASE + pd.Timedelta(days=d)) for c, d in rows]


WINDOWS = st.sampled_from(
    [
        Window.of(k, e)
        for k in ("month", "rolling_12m")
        for e in ("2024-02-29", "2024-09-30", "2025-03-31")
    ]
)


@settings(max_examples=30, deadline=None)
@given(rows=referral_rows(), window=WINDOWS, seed=st.integers(0, 2**16))
def test_rereferral_properties(build, rows, window, seed):
    inputs = build.cin(referrals=rows)
    fig = fd.rereferrals_12m_pct(inputs, window)
    assert 0 <= fig.numerator <= fig.denominator
    assert fig.denominator == fd.referrals_count(inputs, window).numerator
    value = fd.rereferrals_12m_pct.meta.value(fig)
    assert math.isnan(value) if fig.denominator == 0 else 0 <= value <= 100
    # row order does not matter
    shuffled = build.cin(referrals=rows)
    shuffled.cin.tables["referrals"] = shuffled.cin.referrals.sample(
        frac=1, random_state=seed
    ).reset_index(drop=True)
    assert fd.rereferrals_12m_pct(shuffled, window) == fig
    # a referral dated after the window changes nothing
    later = build.cin(referrals=[*rows, ref("a", window.end + pd.Timedelta(days=1))])
    assert fd.rereferrals_12m_pct(later, window) == fig
    assert fd.referrals_count(later, window) == fd.referrals_count(inputs, window)


# ---- wider catalogue ---------------------------------------------------------------
def test_referrals_nfa_and_sources(build):
    inputs = build.cin(
        referrals=[
            ref("a", "2025-03-01", ReferralNFA="1", ReferralSource="2A"),  # NFA; school
            ref("b", "2025-03-02", ReferralNFA="0", ReferralSource="2B"),  # education services
            ref("c", "2025-03-03", ReferralNFA="0", ReferralSource="3F"),  # health (other)
            ref("d", "2025-03-04", ReferralNFA=None, ReferralSource="6"),  # police; NFA unknown
            ref("e", "2025-03-05", ReferralNFA="0", ReferralSource="3A"),  # health (GP)
            ref("f", "2025-02-28", ReferralNFA="1", ReferralSource="6"),  # February: out
        ]
    )
    # March: a-e = 5 referrals. NFA: a = 1. Schools (2A only): a = 1 (2B is not a school).
    # Health 3A-3F: c, e = 2. Police: d = 1.
    assert fd.referrals_nfa_pct(inputs, MARCH) == Figure(1, 5)
    assert fd.referrals_source_school_pct(inputs, MARCH) == Figure(1, 5)
    assert fd.referrals_source_health_pct(inputs, MARCH) == Figure(2, 5)
    assert fd.referrals_source_police_pct(inputs, MARCH) == Figure(1, 5)
    empty = fd.referrals_nfa_pct(inputs, Window.of("month", "2025-05-31"))
    assert math.isnan(fd.referrals_nfa_pct.meta.value(empty))
