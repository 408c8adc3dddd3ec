"""The demo council's simulation: children's journeys as vectorised event tables.

Everything here is synthetic. Dates are whole days since 1970-01-01 held in
``int64`` arrays; an event that has not happened (an open episode's end, an
ICPC that was never held) is dated :data:`OPEN`, far in the future, so the
writers only need "is it on or before the reference date?" to decide what a
return shows.

The model, per county of ``children`` aged 0-17 (all volumes scale linearly):

* **Referral chains.** A child's first referral arrives as a seasonal Poisson
  process (fewer in August and December and at weekends). Each referral is
  assessed or not, may lead to a section 47 enquiry, an initial child
  protection conference (ICPC), a child protection (CP) plan, a child in need
  (CIN) plan or a period of care; when its episode closes the child may be
  referred again, soon (re-referral) or years later.
* **Periods of care.** Looked-after children come from CP plans and
  assessments (and unaccompanied asylum-seeking children arrive directly);
  each period follows a path (return home, adoption, special guardianship,
  looked after until 18, remand, police protection) with legal-status changes
  and placement moves. A burn-in of periods that started up to 18 years before
  the CIN burn-in supplies the long-term stock.
* **Timeliness.** Assessment and ICPC durations are drawn in England & Wales
  working days (``pmf_lib.dates.bank_holidays``). A deterioration built into
  the last six reported months lowers assessments within 45 working days from
  about 85 % to about 60 % and ICPCs within 15 working days from about 80 % to
  about 68 %.

The parts, by concern (:func:`simulate` runs them in a fixed order, so a seed
gives the same council byte for byte):

* :mod:`pmf_lib.synth.days` -- day numbers, the calendar, seasonal arrivals
  (:class:`~pmf_lib.synth.days.Horizon`, :data:`~pmf_lib.synth.days.OPEN`);
* :mod:`pmf_lib.synth.draws` -- coded draws and padded numbers;
* :mod:`pmf_lib.synth.children` -- the child registry (ids, UPNs, characteristics);
* :mod:`pmf_lib.synth.referrals` -- referrals, assessments, section 47 enquiries,
  ICPCs, CP and CIN plans, CP reviews, timeliness;
* :mod:`pmf_lib.synth.care` -- periods of care, episodes and placements, CLA
  reviews, missing spells;
* this module -- the volumes (:data:`FIRST_REFERRALS_10K`, ...), the
  :class:`World` of tables and :func:`simulate`, which joins them up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pmf_lib.synth.care import cla_reviews, draw_periods, episodes, missing_episodes, short_breaks
from pmf_lib.synth.children import AGE_P, ChildRegistry
from pmf_lib.synth.days import OPEN, YEAR, Horizon, add_years, as_dates, day, seasonal_days
from pmf_lib.synth.draws import choice
from pmf_lib.synth.referrals import (
    NEED,
    blank_referrals,
    cp_reviews,
    nudge_season,
    referral_outcomes,
    rereferral_gap,
)

# What this module defines, and the day-number vocabulary its callers import from it.
__all__ = ["OPEN", "YEAR", "Horizon", "World", "as_dates", "day", "simulate"]

# Per 10,000 children per year, the rates the model is tuned to reproduce.
FIRST_REFERRALS_10K = 335.0  # first referrals of a chain; re-referrals bring the total to ~550
UASC_10K = 1.6
BURN_IN_CLA_10K = 25.0


@dataclass
class World:
    """The simulated council: one column dict (numpy arrays) per table."""

    children: dict[str, np.ndarray] = field(default_factory=dict)
    referrals: dict[str, np.ndarray] = field(default_factory=dict)
    cp_reviews: dict[str, np.ndarray] = field(default_factory=dict)
    periods: dict[str, np.ndarray] = field(default_factory=dict)
    episodes: dict[str, np.ndarray] = field(default_factory=dict)
    cla_reviews: dict[str, np.ndarray] = field(default_factory=dict)
    missing: dict[str, np.ndarray] = field(default_factory=dict)


def _concat(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    keys = list(parts[0])
    return {k: np.concatenate([p[k] for p in parts]) for k in keys}


def simulate(rng: np.random.Generator, h: Horizon, children: int) -> World:
    """Run the model for a county of ``children`` aged 0-17 over the horizon ``h``."""
    scale = children / 10_000
    reg = ChildRegistry()
    refs: list[dict[str, np.ndarray]] = []
    periods: list[dict[str, np.ndarray]] = []

    def care_closures(r, child, dob, route):
        care = np.flatnonzero(
            r["care"] & (r["care_day"] <= h.end) & (r["care_day"] < add_years(dob, 18) - 14)
        )
        # A plan that was to end in care which does not happen (after the data end or the
        # 18th birthday) runs to its end, at the latest the day before the 18th birthday,
        # and the episode stays open until it ends.
        dropped = r["care"].copy()
        dropped[care] = False
        cp = dropped & (r["cpp_start"] < OPEN)
        r["cpp_end"] = np.where(cp, np.minimum(r["cpp_end"], add_years(dob, 18) - 1), r["cpp_end"])
        r["cpp_end"] = np.maximum(r["cpp_end"], np.where(cp, r["cpp_start"] + 1, 0))
        r["closure"] = np.where(cp, np.maximum(r["closure"], r["cpp_end"]), r["closure"])
        r["care"] = np.zeros(len(r["ref"]), bool)
        r["care"][care] = True
        if len(care):
            p = draw_periods(
                rng,
                h,
                child[care],
                dob[care],
                r["care_day"][care],
                np.broadcast_to(route, (len(r["ref"]),))[care].astype(object),
                r["need"][care],
            )
            periods.append(p)
            r["closure"][care] = p["end"]
            r["reason"][care] = np.select(
                [
                    np.isin(p["rec"], ["E11", "E12"]),
                    np.isin(p["rec"], ["E45", "E46", "E47", "E48"]),
                    p["rec"] == "E41",
                ],
                ["RC1", "RC4", "RC3"],
                "RC7",
            )
        sb = np.flatnonzero(r["short_break"] & (r["plan_start"] <= h.end))
        if len(sb):
            periods.append(
                short_breaks(
                    rng, child[sb], dob[sb], r["plan_start"][sb], r["plan_end"][sb], r["need"][sb]
                )
            )

    # Referral chains: first referrals, then each generation's re-referrals.
    ref = seasonal_days(rng, h.cin_from, h.end + 1, FIRST_REFERRALS_10K * scale)
    age = rng.choice(18, size=len(ref), p=AGE_P / AGE_P.sum())
    dob = ref - (age * YEAR + rng.random(len(ref)) * 364).astype(np.int64) - 1
    child = reg.add(dob, ref)
    prev = np.where(rng.random(len(ref)) < 0.12, rng.integers(1, 3, len(ref)), 0)
    while len(ref):
        r = referral_outcomes(rng, h, ref, dob, prev)
        r["child"] = child
        care_closures(r, child, dob, r["care_route"])
        refs.append(r)
        nxt = r["closure"] + rereferral_gap(rng, len(ref))
        nxt = nudge_season(rng, np.minimum(nxt, OPEN))
        go = (rng.random(len(ref)) < 0.42) & (nxt <= h.end) & (nxt < add_years(dob, 18) - 7)
        ref, dob, child = nxt[go], dob[go], child[go]
        prev = (prev + (r["cpp_start"] < OPEN))[go]

    # Unaccompanied asylum-seeking children arrive straight into care.
    entry = seasonal_days(rng, h.cin_from, h.end + 1, UASC_10K * scale)
    dob = entry - ((14 + rng.random(len(entry)) * 3.4) * YEAR).astype(np.int64)
    child = reg.add(dob, entry)
    r = blank_referrals(rng, h, child, entry - rng.integers(0, 3, len(entry)), True)
    r["need"][:] = "N8"
    r["source"][:] = "7"
    r["care_day"] = entry
    r["prev_cpp"] = np.zeros(len(entry), np.int64)
    care_closures(r, child, dob, np.array("uasc", dtype=object))
    refs.append(r)
    uasc_children = child

    # Burn-in: periods of care that began before the referral chains (the long-term stock).
    entry = seasonal_days(rng, h.cla_from, h.cin_from, BURN_IN_CLA_10K * scale)
    age = rng.choice(5, size=len(entry), p=[0.2, 0.15, 0.17, 0.33, 0.15])
    lo = np.array([0, 1, 5, 10, 16])[age]
    hi = np.array([1, 5, 10, 16, 17.8])[age]
    dob = entry - ((lo + rng.random(len(entry)) * (hi - lo)) * YEAR).astype(np.int64) - 1
    tmp = draw_periods(
        rng,
        h,
        np.zeros(len(entry), np.int64),
        dob,
        entry,
        np.full(len(entry), "burn", dtype=object),
        choice(rng, NEED, len(entry)),
    )
    alive = tmp["end"] >= h.cin_from - 5 * 365
    entry, dob = entry[alive], dob[alive]
    child = reg.add(dob, entry)
    p = {k: v[alive] for k, v in tmp.items()}
    p["child"] = child
    periods.append(p)
    r = blank_referrals(
        rng, h, child, np.maximum(dob, entry - rng.integers(0, 20, len(entry))), False
    )
    r["need"] = p["need"]
    r["care_day"] = entry
    r["prev_cpp"] = np.zeros(len(entry), np.int64)
    r["closure"] = p["end"]
    r["reason"] = np.where(np.isin(p["rec"], ["E11", "E12"]), "RC1", "RC7").astype(object)
    refs.append(r)

    w = World()
    w.children = reg.finish(rng)
    w.children["sex"][uasc_children] = np.where(rng.random(len(uasc_children)) < 0.9, "1", "2")
    w.referrals = _concat(refs)
    w.referrals["closure"] = np.where(w.referrals["closure"] > h.end, OPEN, w.referrals["closure"])
    w.cp_reviews = cp_reviews(w.referrals)
    P = _concat([{k: p[k] for k in periods[0]} for p in periods])
    P = {k: v[P["start"] <= h.end] for k, v in P.items()}
    P["cin_code"] = np.where(np.isin(P["need"], ["N9", "N0"]), "N1", P["need"]).astype(object)
    w.periods = P
    w.episodes = episodes(rng, h, P)
    w.cla_reviews = cla_reviews(rng, h, P)
    w.missing = missing_episodes(rng, h, P)
    return w
