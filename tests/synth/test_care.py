"""Synth care: periods' paths and ends, episodes' SSDA903 rules, reviews and missing spells."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmf_lib.dates import working_days_between
from pmf_lib.synth.care import cla_reviews, draw_periods, episodes, missing_episodes, short_breaks
from pmf_lib.synth.days import OPEN, YEAR, Horizon, add_years, as_dates, day

H = Horizon(
    cla_from=day("2000-04-01"),
    cin_from=day("2018-04-01"),
    end=day("2026-10-31"),
    detail_from=day("2026-05-01"),
)


@pytest.fixture(scope="module")
def periods():
    rng = np.random.default_rng(7)
    n = 3_000
    entry = rng.integers(day("2019-01-01"), day("2026-09-01"), n)
    dob = entry - (rng.random(n) * 17.5 * YEAR).astype(np.int64)
    route = np.where(rng.random(n) < 0.1, "uasc", "cin").astype(object)
    need = np.full(n, "N1", dtype=object)
    P = draw_periods(rng, H, np.arange(n), dob, entry, route, need)
    P["cin_code"] = P["need"]
    return rng, P


def test_periods_end_after_they_start_and_by_the_18th_birthday(periods):
    _, P = periods
    assert (P["end"] > P["start"]).all()
    assert (P["end"] <= add_years(P["dob"], 18)).all()
    lt18 = P["path"] == "lt18"
    # most looked after until 18 leave on the birthday (8% of the under-15.5s leave early)
    assert (P["end"][lt18] == add_years(P["dob"][lt18], 18)).mean() > 0.85


def test_legal_statuses_and_adoption_dates(periods):
    _, P = periods
    assert set(P["ls0"][P["uasc"]]) == {"V2"}  # unaccompanied children: accommodated
    assert set(P["ls0"][P["path"] == "remand"]) <= {"J1"}
    adopt = (P["path"] == "adopt") & (P["placed"] < OPEN)
    # a placement for adoption follows the placement order (E1), within the period
    assert (P["placed"][adopt] > P["e1"][adopt]).all()
    assert (P["placed"][adopt] < P["end"][adopt]).all()
    assert set(P["rec"][P["path"] == "adopt"]) <= {"E11", "E12"} | {
        "E17",
        "E5",
        "E6",
        "E8",
        "E13",
        "E7",
    }


def test_episodes_follow_the_903_rules(periods):
    rng, P = periods
    e = pd.DataFrame(episodes(rng, H, P))
    assert (e["DECOM"] <= H.end).all()
    for _, g in e.groupby("pid", sort=False):
        assert g["RNE"].iloc[0] == "S"  # a period's first episode starts it
        assert (np.diff(g["DECOM"].to_numpy()) > 0).all()
        # each episode ends when the next starts; the last with the period's reason
        assert (g["DEC"].to_numpy()[:-1] == g["DECOM"].to_numpy()[1:]).all()
        assert (g["REC"].iloc[:-1] == "X1").all() and g["REC"].iloc[-1] != "X1"
    pid = e["pid"].to_numpy()
    last = np.r_[pid[1:] != pid[:-1], True]
    assert (e["DEC"].to_numpy()[last] == P["end"][pid[last]]).all()
    # a change of placement gives its reason; the last episode has none
    assert (e["REASON_PLACE_CHANGE"][last] == "").all()
    # a URN only for the settings Ofsted registers
    registered = e["PLACE"].isin(["K1", "K2", "H5", "S1"])
    assert e.loc[registered, "URN"].str.fullmatch(r"SC\d{6}").all()
    assert (e.loc[~registered, "URN"] == "XXXXXXX").all()


def test_short_break_care_is_v3_or_v4_within_the_plan():
    rng = np.random.default_rng(1)
    start, end = np.array([day("2025-01-01")] * 200), np.array([day("2025-12-31")] * 200)
    sb = short_breaks(rng, np.arange(200), start - 3000, start, end, np.full(200, "N2", object))
    assert set(sb["ls0"]) == {"V3", "V4"} and sb["short_break"].all()
    assert (sb["start"] < end[0]).all() and (sb["end"] > sb["start"]).all()
    v3 = sb["ls0"] == "V3"
    # a single break lasts 2-4 days
    assert ((sb["end"] - sb["start"])[v3] <= 4).all()


def test_cla_reviews_first_within_20_working_days_then_3_and_6_months(periods):
    rng, P = periods
    r = pd.DataFrame(cla_reviews(rng, H, P))
    first = r.groupby("child")["REVIEW"].min()
    start = pd.Series(P["start"], index=P["child"])
    late = 0
    for child, d in first.items():
        s, f = as_dates([start[child], d])
        late += working_days_between(s, f) > 20
    # about 90% are held in time, the rest 1-21 days late
    assert 0.04 < late / len(first) < 0.16
    assert (r["REVIEW"] <= H.end).all()
    # reviews of children under 4 have no participation code but PN0
    age = (r["REVIEW"].to_numpy() - P["dob"][r["child"].to_numpy()]) / YEAR
    assert (r.loc[age < 4, "REVIEW_CODE"] == "PN0").all()


def test_missing_spells_only_for_children_10_and_over(periods):
    rng, P = periods
    m = missing_episodes(rng, H, P)
    age_at_start = (P["start"] - P["dob"]) / YEAR
    assert (age_at_start[m["child"]] >= 10).all()
    assert set(m["MISSING"]) <= {"M", "A"} and (m["MIS_END"] >= m["MIS_START"]).all()
