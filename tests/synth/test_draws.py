"""Synth draws: codes by their shares; zero-padded numbers."""

from __future__ import annotations

import numpy as np

from pmf_lib.synth.draws import choice, zfill


def test_choice_draws_codes_by_share_normalised():
    rng = np.random.default_rng(0)
    # shares need not sum to 1: 3 to 1 is 75% / 25%
    out = choice(rng, (["A", "B", "C"], [3, 1, 0]), 40_000)
    assert out.dtype == object and set(out) == {"A", "B"}
    assert abs((out == "A").mean() - 0.75) < 0.01


def test_choice_is_reproducible_for_a_seed():
    a = choice(np.random.default_rng(5), (["x", "y"], [0.5, 0.5]), 50)
    b = choice(np.random.default_rng(5), (["x", "y"], [0.5, 0.5]), 50)
    assert a.tolist() == b.tolist()


def test_zfill_pads_and_is_safe_when_empty():
    assert zfill(np.array([7, 1234]), 3).tolist() == ["007", "1234"]
    assert zfill(np.array([], dtype=np.int64), 5).tolist() == []
