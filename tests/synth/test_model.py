"""Synth model: simulate joins the parts into one consistent, reproducible World."""

from __future__ import annotations

import numpy as np
import pytest

from pmf_lib.synth.days import OPEN, Horizon, day
from pmf_lib.synth.model import World, simulate

H = Horizon(
    cla_from=day("2004-04-01"),
    cin_from=day("2020-04-01"),
    end=day("2025-03-31"),
    detail_from=day("2024-10-01"),
)


@pytest.fixture(scope="module")
def world() -> World:
    return simulate(np.random.default_rng(938), H, children=5_000)


def test_tables_agree_with_each_other(world):
    n = len(world.children["id"])
    ids = set(range(n))
    for name in ("referrals", "periods", "episodes", "cla_reviews", "missing"):
        t = getattr(world, name)
        lengths = {len(v) for v in t.values()}
        assert len(lengths) == 1, name  # one length per table
        assert set(t["child"]) <= ids, name
    # every looked-after child has a referral row; every CP review a plan
    assert set(world.periods["child"]) <= set(world.referrals["child"])
    rows = world.cp_reviews["row"]
    assert (world.referrals["cpp_start"][rows] < OPEN).all()


def test_nothing_after_the_data_end(world):
    assert (world.periods["start"] <= H.end).all()
    assert (world.episodes["DECOM"] <= H.end).all()
    c = world.referrals["closure"]
    # a closure after the data's last day is not yet known: OPEN
    assert ((c <= H.end) | (c == OPEN)).all()


def test_volumes_scale_with_the_county():
    # first referrals are 335 per 10,000 a year: half the children, about half the referrals
    big = simulate(np.random.default_rng(1), H, children=10_000)
    small = simulate(np.random.default_rng(1), H, children=5_000)
    ratio = len(small.referrals["ref"]) / len(big.referrals["ref"])
    assert 0.45 < ratio < 0.55


def test_the_same_seed_gives_the_same_world(world):
    again = simulate(np.random.default_rng(938), H, children=5_000)
    for name in ("children", "referrals", "episodes", "cla_reviews", "missing"):
        a, b = getattr(world, name), getattr(again, name)
        assert a.keys() == b.keys()
        assert all(np.array_equal(a[k], b[k]) for k in a), name
