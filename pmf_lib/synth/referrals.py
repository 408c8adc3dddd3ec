"""Referral chains: each referral's assessment, section 47 enquiry, ICPC, plans and closure.

A referral is assessed or not, may lead to a section 47 enquiry, an initial
child protection conference (ICPC), a child protection (CP) plan, a child in
need (CIN) plan or a period of care (:func:`referral_outcomes`); when its
episode closes the child may be referred again, soon (re-referral) or years
later (:func:`rereferral_gap`, :func:`nudge_season`).

**Timeliness.** Assessment and ICPC durations are drawn in working days. A
deterioration built into the last six reported months lowers assessments within
45 working days from about 85 % to about 60 % (:func:`p45`) and ICPCs within 15
working days from about 80 % to about 68 % (:func:`p15`).
"""

from __future__ import annotations

import numpy as np

from pmf_lib.dates import bank_holidays
from pmf_lib.synth.days import OPEN, YEAR, Horizon, as_dates, busday_add, months_of
from pmf_lib.synth.draws import choice

# Need, sources and codes (CIN census and SSDA903 code lists).
NEED = (
    ["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9", "N0"],
    [0.55, 0.07, 0.03, 0.08, 0.15, 0.03, 0.005, 0.04, 0.035, 0.01],
)
REF_SOURCE = (
    [
        "1A",
        "1B",
        "1C",
        "1D",
        "2A",
        "2B",
        "3A",
        "3B",
        "3C",
        "3D",
        "3E",
        "3F",
        "4",
        "5A",
        "5B",
        "5C",
        "5D",
        "6",
        "7",
        "8",
        "9",
        "10",
    ],
    [
        0.05,
        0.01,
        0.01,
        0.01,
        0.19,
        0.01,
        0.06,
        0.02,
        0.03,
        0.02,
        0.01,
        0.01,
        0.04,
        0.05,
        0.02,
        0.01,
        0.01,
        0.29,
        0.03,
        0.06,
        0.01,
        0.04,
    ],
)
ABUSE = (["NEG", "EMO", "PHY", "SAB", "MUL"], [0.50, 0.36, 0.07, 0.04, 0.03])
FACTORS = [
    "3A",
    "3B",
    "4B",
    "1B",
    "2B",
    "16A",
    "17A",
    "18C",
    "4A",
    "14A",
    "10A",
    "24A",
    "11A",
    "5B",
    "6B",
    "2A",
    "9A",
    "20",
    "22A",
    "15A",
]
FACTOR_P = np.array(
    [
        0.14,
        0.16,
        0.14,
        0.06,
        0.07,
        0.07,
        0.07,
        0.04,
        0.05,
        0.03,
        0.02,
        0.02,
        0.02,
        0.02,
        0.02,
        0.02,
        0.01,
        0.03,
        0.005,
        0.005,
    ]
)


def p45(days: np.ndarray, h: Horizon) -> np.ndarray:
    """Share of assessments authorised within 45 working days, by authorisation date."""
    ramp = np.clip((days - h.detail_from + 20) / 60.0, 0.0, 1.0)
    return 0.85 - 0.25 * ramp


def p15(days: np.ndarray, h: Horizon) -> np.ndarray:
    """Share of ICPCs held within 15 working days of the S47 start, by ICPC date."""
    ramp = np.clip((days - h.detail_from + 30) / 150.0, 0.0, 1.0)
    return 0.80 - 0.12 * ramp


def _timed(rng, start, fast, slow, p_of, h):
    """Dates ``fast`` or ``slow`` working days after ``start``, timely with probability
    ``p_of`` judged at the late date (so a deterioration shows by completion month)."""
    u = rng.random(len(start))
    late = busday_add(start, slow)
    return np.where(u < p_of(late, h), busday_add(start, fast), late)


def referral_outcomes(rng, h: Horizon, ref, dob, prev_cpp) -> dict[str, np.ndarray]:
    n = len(ref)
    age = (ref - dob) / YEAR
    has_prev = prev_cpp > 0
    r = {"ref": ref, "need": choice(rng, NEED, n), "source": choice(rng, REF_SOURCE, n)}
    nfa = rng.random(n) < 0.05
    assessed = ~nfa
    a_start = ref + rng.choice([0, 0, 0, 0, 1, 1, 2, 3, 5, 8], size=n)
    fast = np.clip(np.round(rng.triangular(3, 25, 46, n)), 1, 45).astype(np.int64)
    slow = (46 + np.round(rng.gamma(2.0, 8.0, n))).astype(np.int64)
    auth = _timed(rng, a_start, fast, slow, p45, h)
    review = np.where(rng.random(n) < 0.6, np.maximum(a_start, auth - rng.integers(1, 8, n)), OPEN)
    r["a_start"] = np.where(assessed, a_start, OPEN)
    r["a_review"] = np.where(assessed, review, OPEN)
    r["auth"] = np.where(assessed, auth, OPEN)
    nf = rng.integers(1, 4, n)
    for k in range(3):
        f = rng.choice(len(FACTORS), size=n, p=FACTOR_P / FACTOR_P.sum())
        r[f"factor{k}"] = np.where(nf > k, f, -1)

    s47 = assessed & (rng.random(n) < np.where(has_prev, 0.42, 0.325))
    s47_start = a_start + rng.integers(0, 6, n)
    icpc = s47 & (rng.random(n) < np.where(has_prev, 0.46, 0.355))
    i_fast = np.clip(np.round(rng.triangular(3, 11, 16, n)), 1, 15).astype(np.int64)
    i_slow = (16 + np.round(rng.gamma(1.5, 5.0, n))).astype(np.int64)
    icpc_day = _timed(rng, s47_start, i_fast, i_slow, p15, h)
    r["s47_start"] = np.where(s47, s47_start, OPEN)
    r["icpc_target"] = np.where(s47, busday_add(s47_start, np.full(n, 15)), OPEN)
    r["icpc"] = np.where(icpc, icpc_day, OPEN)
    # An enquiry without a conference is concluded "ICPC not required" a few weeks on.
    r["s47_decided"] = np.where(s47 & ~icpc, s47_start + rng.integers(5, 30, n), OPEN)

    cpp = icpc & (rng.random(n) < np.where(has_prev, 0.76, 0.68))
    dur = np.maximum(30, rng.lognormal(np.log(280), 0.75, n)).astype(np.int64)
    cpp_start = icpc_day
    care_cp = cpp & (rng.random(n) < np.where(age < 1, 0.40, 0.24))
    care_cp_day = cpp_start + np.maximum(5, rng.uniform(0.05, 0.9, n) * dur).astype(np.int64)
    cpp_end = np.where(care_cp, care_cp_day, cpp_start + dur)
    r["cpp_start"] = np.where(cpp, cpp_start, OPEN)
    r["cpp_end"] = np.where(cpp, cpp_end, OPEN)
    r["abuse0"] = choice(rng, ABUSE, n)
    r["abuse1"] = np.where(rng.random(n) < 0.85, r["abuse0"], choice(rng, ABUSE, n))
    r["prev_cpp"] = prev_cpp

    care_a = assessed & ~cpp & (rng.random(n) < np.where(age >= 12, 0.055, 0.015))
    care_a_day = a_start + rng.integers(0, 35, n)
    cinp = assessed & ~cpp & ~care_a & (rng.random(n) < 0.42)
    p1 = auth + rng.integers(0, 10, n)
    p1_end = p1 + np.maximum(20, rng.lognormal(np.log(170), 0.7, n)).astype(np.int64)
    step = cpp & ~care_cp & (rng.random(n) < 0.55)
    p2_end = cpp_end + np.maximum(20, rng.lognormal(np.log(100), 0.6, n)).astype(np.int64)
    r["plan_start"] = np.where(cinp, p1, np.where(step, cpp_end, OPEN))
    r["plan_end"] = np.where(cinp, p1_end, np.where(step, p2_end, OPEN))
    # Short breaks: some disabled children on a CIN plan (looked after under V3/V4 only).
    r["short_break"] = cinp & (r["need"] == "N2") & (rng.random(n) < 0.35)

    care = care_cp | care_a
    r["care"] = care
    r["care_day"] = np.where(care_cp, care_cp_day, np.where(care_a, care_a_day, OPEN))
    r["care_route"] = np.where(care_cp, "cp", "cin").astype(object)
    r["nfa"] = nfa
    # Closure (care closures are filled in once the period of care is drawn).
    done = np.where(
        assessed,
        # An episode stays open until its enquiry is concluded or its conference held.
        np.maximum(auth, np.where(s47 & ~icpc, r["s47_decided"], np.where(icpc, icpc_day, 0))),
        ref + rng.integers(0, 4, n),
    )
    closure = done + rng.integers(0, 6, n)
    reason = np.where(rng.random(n) < 0.6, "RC8", "RC9").astype(object)
    planned = r["plan_end"] < OPEN
    closure = np.where(planned, np.maximum(closure, r["plan_end"]), closure)
    closure = np.where(cpp & ~care_cp, np.maximum(closure, cpp_end), closure)
    leave = rng.choice(["RC7", "RC5", "RC3", "RC6"], size=n, p=[0.86, 0.07, 0.03, 0.04])
    leave = np.where((leave == "RC6") & (age < 16.5), "RC7", leave)
    reason = np.where(planned | cpp, leave, reason)
    r["closure"] = closure
    r["reason"] = reason.astype(object)
    return r


def rereferral_gap(rng, n: int) -> np.ndarray:
    """Days from a closure to the child's next referral."""
    soon = rng.random(n) < 0.70
    return np.where(soon, 1 + rng.exponential(85, n), rng.uniform(250, 1500, n)).astype(np.int64)


def nudge_season(rng, days: np.ndarray) -> np.ndarray:
    """Re-referrals follow the season too: some in August or December slip a month."""
    slip = np.isin(months_of(days), [8, 12]) & (rng.random(len(days)) < 0.22)
    days = np.where(slip, days + 31, days)
    weekend = ~np.is_busday(as_dates(days), holidays=bank_holidays())
    move = weekend & (rng.random(len(days)) < 0.65)
    return np.where(move, busday_add(days, np.zeros(len(days), np.int64)), days)


def _repeat_dates(first, step, stop):
    """Rows (i, first_i + k*step) for k = 0, 1, ... while the date is before ``stop_i``."""
    count = np.where(first < stop, (stop - first - 1) // step + 1, 0)
    idx = np.repeat(np.arange(len(first)), count)
    k = np.arange(len(idx)) - np.repeat(np.cumsum(count) - count, count)
    return idx, first[idx] + k * step


def cp_reviews(r):
    has = r["cpp_start"] < OPEN
    rows = np.flatnonzero(has)
    first = busday_add(r["cpp_start"][rows] + 88, np.zeros(len(rows), np.int64))
    i1, d1 = _repeat_dates(first, 182, r["cpp_end"][rows])
    return {"row": rows[i1], "CPPreviewDate": d1}


def blank_referrals(rng, h, child, ref, assessed: bool) -> dict[str, np.ndarray]:
    """Referral rows for children who arrive straight into care (UASC, burn-in stock)."""
    r = referral_outcomes(rng, h, ref, np.zeros(len(ref), np.int64), np.zeros(len(ref), int))
    for col in (
        "s47_start",
        "icpc_target",
        "icpc",
        "s47_decided",
        "cpp_start",
        "cpp_end",
        "plan_start",
        "plan_end",
    ):
        r[col] = np.full(len(ref), OPEN)
    if not assessed:
        for col in ("a_start", "a_review", "auth"):
            r[col] = np.full(len(ref), OPEN)
    r["nfa"] = np.zeros(len(ref), bool)
    r["short_break"] = np.zeros(len(ref), bool)
    r["care"] = np.ones(len(ref), bool)
    r["child"] = child
    return r
