"""Shared KPI helpers: memoisation on frame identity, windows and episode filters."""

from __future__ import annotations

import pandas as pd

from pmf_lib.compute.kpis import _common as c


def test_memo_reuses_only_for_the_same_live_frame_of_the_same_length():
    calls = []

    def build(df):
        calls.append(1)
        return int(df["a"].sum())

    df = pd.DataFrame({"a": [1, 2]})
    assert c.memo_on_frame("t", df, build) == 3
    assert c.memo_on_frame("t", df, build) == 3
    assert len(calls) == 1  # the second call reused the first result
    other = pd.DataFrame({"a": [1, 2]})  # an equal but different frame: recomputed
    assert c.memo_on_frame("t", other, build) == 3 and len(calls) == 2
    df.loc[2] = [10]  # grown in place: the length differs, so recomputed
    assert c.memo_on_frame("t", df, build) == 13 and len(calls) == 3


def test_twelve_months_first_day():
    assert c.twelve_months_first_day("2025-03-31") == pd.Timestamp("2024-04-01")
    assert c.twelve_months_first_day("2024-02-29") == pd.Timestamp("2023-03-01")
    assert c.twelve_months_first_day("2025-02-28") == pd.Timestamp("2024-02-29")


def test_cla_episodes_drop_only_short_breaks():
    e = pd.DataFrame({"LS": pd.array(["C2", "V3", "v4 ", None, "V2"], dtype="string")})
    assert c.cla_episodes(e)["LS"].tolist() == ["C2", pd.NA, "V2"]
