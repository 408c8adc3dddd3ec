"""Synth children: registry ids in order of appearance, UPN check letters, characteristics."""

from __future__ import annotations

import numpy as np

from pmf_lib.synth.children import DISAB, ETHNIC_SHARES, ChildRegistry, fake_upns

LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def test_ids_follow_first_appearance_across_blocks():
    reg = ChildRegistry()
    a = reg.add(np.array([100, 200]), np.array([50, 10]))  # created on days 50 and 10
    b = reg.add(np.array([300]), np.array([30]))
    assert a.tolist() == [0, 1] and b.tolist() == [2]
    c = reg.finish(np.random.default_rng(0))
    # numbered by the day each child first appears: 10 -> 1, 30 -> 2, 50 -> 3
    assert c["id"].tolist() == ["DC0000003", "DC0000001", "DC0000002"]
    assert c["dob"].tolist() == [100, 200, 300] and c["created"].tolist() == [50, 10, 30]


def test_an_empty_registry_finishes_empty():
    c = ChildRegistry().finish(np.random.default_rng(0))
    assert all(len(v) == 0 for v in c.values()) and "upn" in c


def test_upns_carry_the_dfe_check_letter():
    upns = fake_upns(np.random.default_rng(3), 200)
    for u in upns:
        assert len(u) == 13 and u[1:4] == "938" and u[4:6] == "99"
        digits = [int(ch) for ch in u[1:]]
        # DfE: weights 2..13 on the 12 digits, sum mod 23 into the letters without I, O, S
        assert u[0] == LETTERS[sum(w * d for w, d in zip(range(2, 14), digits, strict=True)) % 23]


def test_characteristics():
    reg = ChildRegistry()
    reg.add(np.zeros(20_000, np.int64), np.arange(20_000))
    c = reg.finish(np.random.default_rng(11))
    assert set(c["sex"]) == {"1", "2"} and abs((c["sex"] == "1").mean() - 0.52) < 0.02
    assert set(c["ethnic"]) <= set(ETHNIC_SHARES)
    # shares are normalised: WBRI's 0.74 of the shares' total
    want = ETHNIC_SHARES["WBRI"] / sum(ETHNIC_SHARES.values())
    assert abs((c["ethnic"] == "WBRI").mean() - want) < 0.01
    disabled = c["disab_1"] != "NONE"
    assert abs(disabled.mean() - 0.08) < 0.01 and set(c["disab_1"][disabled]) <= set(DISAB)
    # a second code only beside a first one, and never the same code twice
    assert (c["disab_2"][~disabled] == "").all()
    assert not (c["disab_2"] == c["disab_1"]).any()
